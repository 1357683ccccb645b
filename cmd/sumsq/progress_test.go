package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/sumsq/sumsq/internal/sumsq"
)

// lockedBuffer is a bytes.Buffer safe for the bar's goroutines and the test's.
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

// lastDrawing returns the bar's last drawing in out, from the "\r" that
// starts it.
func lastDrawing(out string) string {
	return out[strings.LastIndex(out, "\r"):]
}

func TestDescription(t *testing.T) {
	tests := []struct {
		name         string
		done, listed int64
		listing      bool
		state        progressbar.State
		want         string
	}{
		{"listing", 8, 40, true, progressbar.State{Max: 100, CurrentNum: 26, SecondsSince: 1.4, SecondsLeft: 4}, "8/40+ objects, elapsed 1s"},
		{"listed", 8, 40, false, progressbar.State{Max: 100, CurrentNum: 26, SecondsSince: 61, SecondsLeft: 174}, "8/40 objects, elapsed 1m1s, left 2m54s"},
		{"nothing read yet", 0, 40, false, progressbar.State{Max: 100, SecondsSince: 2}, "0/40 objects, elapsed 2s"},
		{"unknown sizes", 1, 2, false, progressbar.State{Max: -1, CurrentNum: 5, SecondsSince: 3}, "1/2 objects, elapsed 3s"},
	}
	for _, tt := range tests {
		if got := description(tt.done, tt.listed, tt.listing, tt.state); got != tt.want {
			t.Errorf("%s: description(%d, %d, %v, %+v) = %q; want %q", tt.name, tt.done, tt.listed, tt.listing, tt.state, got, tt.want)
		}
	}
}

func TestProgress(t *testing.T) {
	// settle lets the library's throttle pass, so that the next event draws.
	settle := func() { time.Sleep(progressThrottle + 20*time.Millisecond) }

	t.Run("short run", func(t *testing.T) {
		var w lockedBuffer
		term := newTerminal(&w)
		p := startProgress(term, time.Hour, false)
		p.listedObject(object{size: 10})
		p.addBytes(10)
		p.objectDone()
		p.listingDone()
		term.lines(&w).Write([]byte("a failure\n"))
		p.finish()
		if got := w.String(); got != "a failure\n" {
			t.Errorf("a run shorter than the delay wrote %q; want only the failure line", got)
		}
	})

	t.Run("long run", func(t *testing.T) {
		var w lockedBuffer
		term := newTerminal(&w)
		p := startProgress(term, 0, false)
		for range 4 {
			p.listedObject(object{size: 1 << 20})
		}
		settle()
		p.addBytes(1 << 20)
		settle()
		p.objectDone()
		bar := lastDrawing(w.String())
		// 24%, not 25: the bar's total is one byte more than listed, so
		// that the library cannot end it before the run.
		for _, want := range []string{"24%", "(1.0/4.2 MB", "1/4+ objects, elapsed 0s"} {
			if !strings.Contains(bar, want) {
				t.Errorf("bar = %q; want %q in it", bar, want)
			}
		}
		if strings.Contains(bar, "left") {
			t.Errorf("bar = %q; want no time left while listing goes on", bar)
		}
		p.addBytes(1 << 20)
		settle()
		p.listingDone()
		bar = lastDrawing(w.String())
		if !strings.Contains(bar, "49%") || !strings.Contains(bar, "1/4 objects, elapsed 0s, left 0s") {
			t.Errorf("bar once listed = %q; want 49%% and %q", bar, "1/4 objects, elapsed 0s, left 0s")
		}

		// Lines are written on a line of their own, and the bar drawn
		// again below them.
		before := w.String()
		out := term.lines(&w)
		out.Write([]byte("a res"))
		if w.String() != before {
			t.Errorf("a part of a line was written: %q", strings.TrimPrefix(w.String(), before))
		}
		out.Write([]byte("ult\nand the st"))
		out.Write([]byte("art of another\n"))
		want := clearLine + "a result\n" + bar + clearLine + "and the start of another\n" + bar
		if got := strings.TrimPrefix(w.String(), before); got != want {
			t.Errorf("lines written as %q; want %q", got, want)
		}

		p.finish()
		got := w.String()
		if !strings.HasSuffix(got, clearLine) {
			t.Errorf("finish left the bar on the terminal: %q", got[max(0, len(got)-80):])
		}
		p.describe()
		out.Write([]byte("total\n"))
		if got := strings.TrimPrefix(w.String(), got); got != "total\n" {
			t.Errorf("after finish, wrote %q; want only the line", got)
		}
	})

	t.Run("unknown size", func(t *testing.T) {
		var w lockedBuffer
		p := startProgress(newTerminal(&w), 0, true)
		p.listedObject(object{size: 5})
		p.listedObject(object{size: -1})
		p.listedObject(object{size: 7})
		p.addBytes(3 << 20)
		settle()
		p.objectDone()
		if bar := lastDrawing(w.String()); strings.Contains(bar, "%") || !strings.Contains(bar, "(3.1 MB") || !strings.Contains(bar, "1/3+ objects") {
			t.Errorf("bar for an unknown size = %q; want no percentage, 3.1 MB, 1/3+ objects", bar)
		}
		p.finish()
	})

	t.Run("nil", func(t *testing.T) {
		var p *progress // no terminal: every method is a no-op
		p.listedObject(object{size: 1})
		p.objectDone()
		p.listingDone()
		p.finish()
	})
}

// The objects that are summed are the ones the bar counts: one listing.
func TestProgressCountsTheRun(t *testing.T) {
	var w lockedBuffer
	r := &runner{concurrency: 3, progress: startProgress(newTerminal(&w), 0, false)}
	var running, most atomic.Int64
	err := r.sumAll(context.Background(), sleepyObjects(50, &running, &most), func(object, sumsq.Result, error) error { return nil }, func() error { return nil })
	listed, done, listing := r.progress.listed.Load(), r.progress.done.Load(), r.progress.listing.Load()
	r.progress.finish()
	if err != nil || listed != 50 || done != 50 || listing {
		t.Errorf("sumAll = %v; the bar counted %d listed, %d done, listing %v; want nil, 50, 50, false", err, listed, done, listing)
	}
}
