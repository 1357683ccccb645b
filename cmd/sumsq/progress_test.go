package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the bar's goroutine and the test's.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// eventually waits until cond holds, or fails the test after a while.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestProgress(t *testing.T) {
	oldDelay, oldTick := progressDelay, progressTick
	progressDelay, progressTick = 50*time.Millisecond, 2*time.Millisecond
	defer func() { progressDelay, progressTick = oldDelay, oldTick }()

	t.Run("short run", func(t *testing.T) {
		var w lockedBuffer
		p := startProgress(&w)
		p.listedObject(10)
		p.addBytes(10)
		p.objectDone()
		p.listingDone()
		p.Write([]byte("a failure\n"))
		p.finish()
		if got := w.String(); got != "a failure\n" {
			t.Errorf("a run shorter than the delay wrote %q; want only the failure line", got)
		}
	})

	t.Run("long run", func(t *testing.T) {
		var w lockedBuffer
		p := startProgress(&w)
		for range 4 {
			p.listedObject(1 << 20)
		}
		p.addBytes(1 << 20)
		p.objectDone()
		eventually(t, "the bar", func() bool { return strings.Contains(w.String(), "1/4+ objects") })
		if got := w.String(); !strings.Contains(got, "25%") || !strings.Contains(got, "1.0/4.2 MB") {
			t.Errorf("bar = %q; want 25%% and 1.0/4.2 MB", got)
		}
		p.listingDone()
		p.addBytes(1 << 20)
		p.objectDone()
		eventually(t, "the update", func() bool { return strings.Contains(w.String(), "2/4 objects") })

		p.Write([]byte("a failure\n"))
		got := w.String()
		i := strings.LastIndex(got, "a failure\n")
		if i < 0 || !strings.HasSuffix(got[:i], "\033[2K\r") {
			t.Errorf("the failure line was not written on a cleared line: %q", got)
		}
		p.finish()
		got = w.String()
		if !strings.HasSuffix(got, "\033[2K\r") {
			t.Errorf("finish left the bar on the terminal: %q", got[max(0, len(got)-80):])
		}
		p.draw() // after finish: nothing more
		if w.String() != got {
			t.Errorf("the bar was drawn after finish")
		}
	})

	t.Run("unknown size", func(t *testing.T) {
		var w lockedBuffer
		p := startProgress(&w)
		p.listedObject(-1)
		p.addBytes(3 << 20)
		eventually(t, "the spinner", func() bool { return strings.Contains(w.String(), "0/1+ objects (3.1 MB") })
		if got := w.String(); strings.Contains(got, "%") {
			t.Errorf("bar for an unknown size = %q; want no percentage", got)
		}
		p.finish()
	})

	t.Run("listing of its own", func(t *testing.T) {
		// The bar's totals come from the whole listing, however far
		// summing has got: here nothing is summed yet.
		dir := t.TempDir()
		for i, content := range []string{"1\n", "22\n", "333\n"} {
			if err := os.WriteFile(filepath.Join(dir, strconv.Itoa(i)), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var w lockedBuffer
		p := startProgress(&w)
		r := &runner{}
		p.count(r.objects(context.Background(), []string{dir, filepath.Join(dir, "1")}))
		objects, bytes, done := p.objectsListed.Load(), p.bytesListed.Load(), p.listed.Load()
		if objects != 4 || bytes != 2+3+4+3 || !done {
			t.Errorf("count listed %d objects of %d bytes, done %v; want 4, 12, true", objects, bytes, done)
		}
		eventually(t, "the bar", func() bool { return strings.Contains(w.String(), "0/4 objects") })
		p.finish()
	})

	t.Run("nil", func(t *testing.T) {
		var p *progress // no terminal: every method is a no-op
		p.listedObject(1)
		p.addBytes(1)
		p.objectDone()
		p.listingDone()
		p.finish()
	})
}
