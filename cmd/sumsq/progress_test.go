package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sumsq/sumsq/internal/sumsq"
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

// lastDrawing returns the bar's last drawing in out, from the "\r" that
// starts it.
func lastDrawing(out string) string {
	return out[strings.LastIndex(out, "\r"):]
}

func TestProgressDescribe(t *testing.T) {
	tests := []struct {
		name  string
		state progressState
		want  string
	}{
		{"listing",
			progressState{elapsed: 1400 * time.Millisecond, done: 8, listed: 40, listing: true, read: 1_200_000, bytesListed: 4_000_000, bytesPerSecond: 3_400_000, objectsPerSecond: 41},
			"| 1.2 MB, 3.4 MB/s, 8/40+ objects, 41 objects/s, elapsed 1s"},
		{"listed",
			progressState{elapsed: 61 * time.Second, done: 180, listed: 400, read: 1_200_000, bytesListed: 2_700_000, bytesPerSecond: 3_400_000, objectsPerSecond: 2.96},
			" 44% [========>           ] 1.2 MB/2.7 MB, 3.4 MB/s, 180/400 objects, 3.0 objects/s, elapsed 1m1s, left 1m16s"},
		{"nothing read yet",
			progressState{elapsed: 2 * time.Second, listed: 40, bytesListed: 100},
			"  0% [>                   ] 0 B/100 B, 0 B/s, 0/40 objects, 0.0 objects/s, elapsed 2s"},
		{"all read",
			progressState{elapsed: 2 * time.Second, done: 39, listed: 40, read: 100, bytesListed: 100},
			"100% [====================] 100 B/100 B, 0 B/s, 39/40 objects, 0.0 objects/s, elapsed 2s"},
		{"a file grew",
			progressState{elapsed: 2 * time.Second, done: 1, listed: 2, read: 150, bytesListed: 100},
			"100% [====================] 100 B/100 B, 0 B/s, 1/2 objects, 0.0 objects/s, elapsed 2s"},
		{"empty objects: counted by objects",
			progressState{elapsed: 4 * time.Second, done: 1, listed: 4, objectsPerSecond: 0.25},
			" 25% [=====>              ] 0 B/0 B, 0 B/s, 1/4 objects, 0.2 objects/s, elapsed 4s, left 12s"},
		{"unknown sizes",
			progressState{elapsed: 3 * time.Second, done: 1, listed: 2, streams: true, read: 5_300_000_000, bytesListed: 12, bytesPerSecond: 1_766_666_666, objectsPerSecond: 1.0 / 3},
			"| 5.3 GB, 1.8 GB/s, 1/2 objects, 0.3 objects/s, elapsed 3s"},
	}
	for _, tt := range tests {
		if got := tt.state.describe("|", 200); got != tt.want {
			t.Errorf("%s: describe(%+v) =\n%q; want\n%q", tt.name, tt.state, got, tt.want)
		}
	}
}

// On a narrow terminal the bar shrinks, then the least needed parts go.
func TestProgressDescribeNarrow(t *testing.T) {
	s := progressState{elapsed: 61 * time.Second, done: 180, listed: 400, read: 1_200_000, bytesListed: 2_700_000, bytesPerSecond: 3_400_000, objectsPerSecond: 2.96}
	tests := []struct {
		width int
		want  string
	}{
		{110, " 44% [========>           ] 1.2 MB/2.7 MB, 3.4 MB/s, 180/400 objects, 3.0 objects/s, elapsed 1m1s, left 1m16s"},
		{106, " 44% [=======>         ] 1.2 MB/2.7 MB, 3.4 MB/s, 180/400 objects, 3.0 objects/s, elapsed 1m1s, left 1m16s"},
		{94, " 44% [==>  ] 1.2 MB/2.7 MB, 3.4 MB/s, 180/400 objects, 3.0 objects/s, elapsed 1m1s, left 1m16s"},
		{93, " 44% [========>         ] 1.2 MB/2.7 MB, 3.4 MB/s, 180/400 objects, 3.0 objects/s, left 1m16s"},
		{79, " 44% 1.2 MB/2.7 MB, 3.4 MB/s, 180/400 objects, 3.0 objects/s, left 1m16s"},
		{71, " 44% 1.2 MB/2.7 MB, 180/400 objects, left 1m16s"},
		{46, " 44% 180/400 objects, left 1m16s"},
		{31, " 44% left 1m16s"},
		{10, " 44% left 1m16s"}, // and the line is cut
	}
	listing := progressState{elapsed: 1400 * time.Millisecond, done: 8, listed: 40, listing: true, read: 1_200_000, bytesListed: 4_000_000, bytesPerSecond: 3_400_000, objectsPerSecond: 41}
	for _, tt := range []struct {
		width int
		want  string
	}{
		{59, "| 1.2 MB, 3.4 MB/s, 8/40+ objects, 41 objects/s, elapsed 1s"},
		{58, "| 1.2 MB, 3.4 MB/s, 8/40+ objects, 41 objects/s"},
		{46, "| 1.2 MB, 8/40+ objects"},
		{22, "| 8/40+ objects"},
	} {
		if got := listing.describe("|", tt.width); got != tt.want {
			t.Errorf("describe(width %d) while listing =\n%q; want\n%q", tt.width, got, tt.want)
		}
	}
	for _, tt := range tests {
		got := s.describe("|", tt.width)
		if got != tt.want {
			t.Errorf("describe(width %d) =\n%q (%d columns); want\n%q", tt.width, got, len(got), tt.want)
		}
	}
}

func TestBytesString(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {999, "999 B"}, {1000, "1.0 kB"}, {1_234_567, "1.2 MB"}, {99_999_999, "100 MB"},
		{999_949_999, "1.0 GB"}, {12_000_000_000_000, "12 TB"}, {1 << 62, "4.6 EB"},
	}
	for _, tt := range tests {
		if got := bytesString(tt.n); got != tt.want {
			t.Errorf("bytesString(%d) = %q; want %q", tt.n, got, tt.want)
		}
	}
}

func TestFitWidth(t *testing.T) {
	if got := fitWidth("| 1.2 MB, 3.4 MB/s", 8); got != "| 1.2 MB" {
		t.Errorf("fitWidth to 8 = %q; want %q", got, "| 1.2 MB")
	}
	if got := fitWidth("short", 80); got != "short" {
		t.Errorf("fitWidth(short, 80) = %q", got)
	}
}

func TestProgress(t *testing.T) {
	// settle lets the bar be drawn again.
	settle := func() { time.Sleep(3 * progressInterval) }

	t.Run("short run", func(t *testing.T) {
		var w lockedBuffer
		term := newTerminal(&w)
		p := startProgress(term, time.Hour, false)
		p.listedObject(object{size: 10})
		p.addBytes(10)
		p.objectDone()
		p.listingDone()
		settle()
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
		p.addBytes(1 << 20)
		p.objectDone()
		settle()
		bar := lastDrawing(w.String())
		for _, want := range []string{"1.0 MB, ", "1/4+ objects", "elapsed 0s"} {
			if !strings.Contains(bar, want) {
				t.Errorf("bar = %q; want %q in it", bar, want)
			}
		}
		for _, unwanted := range []string{"%", "left"} {
			if strings.Contains(bar, unwanted) {
				t.Errorf("bar = %q; want no %q while listing goes on", bar, unwanted)
			}
		}
		p.addBytes(1 << 20)
		p.listingDone()
		settle()
		bar = lastDrawing(w.String())
		if !strings.Contains(bar, " 50% [") || !strings.Contains(bar, "2.1 MB/4.2 MB") || !strings.Contains(bar, "1/4 objects") || !strings.Contains(bar, ", left 0s") {
			t.Errorf("bar once listed = %q; want 50%%, 2.1 MB/4.2 MB, 1/4 objects, left 0s", bar)
		}

		// Lines are written on a line of their own, and the bar drawn
		// again below them.
		p.finish()
		term = newTerminal(&w)
		term.shown, term.bar = true, []byte(bar)
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
		term.close()
		got := w.String()
		if !strings.HasSuffix(got, clearLine) {
			t.Errorf("close left the bar on the terminal: %q", got[max(0, len(got)-80):])
		}
		term.Write([]byte(bar))
		out.Write([]byte("total\n"))
		if got := strings.TrimPrefix(w.String(), got); got != "total\n" {
			t.Errorf("after close, wrote %q; want only the line", got)
		}
	})

	t.Run("elapsed time goes on while nothing happens", func(t *testing.T) {
		var w lockedBuffer
		p := startProgress(newTerminal(&w), 0, false)
		defer p.finish()
		p.listedObject(object{size: 5})
		time.Sleep(1200 * time.Millisecond)
		if bar := lastDrawing(w.String()); !strings.Contains(bar, "elapsed 1s") {
			t.Errorf("bar after 1.2 s without events = %q; want elapsed 1s", bar)
		}
	})

	t.Run("unknown size", func(t *testing.T) {
		var w lockedBuffer
		p := startProgress(newTerminal(&w), 0, true)
		p.listedObject(object{size: 5})
		p.listedObject(object{size: -1})
		p.listedObject(object{size: 7})
		p.addBytes(3 << 20)
		p.objectDone()
		p.listingDone()
		settle()
		if bar := lastDrawing(w.String()); strings.Contains(bar, "%") || strings.Contains(bar, "left") || !strings.Contains(bar, " 3.1 MB, ") || !strings.Contains(bar, "1/3 objects") {
			t.Errorf("bar for an unknown size = %q; want no percentage or time left, 3.1 MB, 1/3 objects", bar)
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

// Over a long run whose listing goes on while objects are summed, the
// percentage the bar shows never goes down, and it ends at 100%. It went
// 82% -> 57% -> 89% -> 71% when it measured against what was listed so far.
func TestProgressPercentageNeverGoesDown(t *testing.T) {
	var w lockedBuffer
	r := &runner{concurrency: 4, progress: startProgress(newTerminal(&w), 0, false)}
	const n, size = 300, 1000
	objects := func(yield func(object) bool) {
		for i := range n {
			o := object{key: strconv.Itoa(i), size: size}
			o.sum = func(ctx context.Context) (sumsq.Result, error) {
				for range 4 {
					time.Sleep(time.Millisecond)
					r.progress.addBytes(size / 4)
				}
				return sumsq.Result{}, nil
			}
			if i%10 == 0 {
				time.Sleep(5 * time.Millisecond) // a page of a slow listing
			}
			if !yield(o) {
				return
			}
		}
	}
	err := r.sumAll(context.Background(), objects, func(object, sumsq.Result, error) error { return nil }, func() error { return nil })
	time.Sleep(3 * progressInterval) // the last drawing
	r.progress.finish()
	if err != nil {
		t.Fatal(err)
	}
	drawings := strings.Split(w.String(), "\r")
	percentage := regexp.MustCompile(`^ *(\d+)% `)
	var got []int
	for _, d := range drawings {
		if m := percentage.FindStringSubmatch(d); m != nil {
			p, _ := strconv.Atoi(m[1])
			got = append(got, p)
		}
	}
	if len(got) == 0 || got[len(got)-1] != 100 {
		t.Fatalf("percentages drawn over %d drawings: %v; want some, the last 100", len(drawings), got)
	}
	for i := 1; i < len(got); i++ {
		if got[i] < got[i-1] {
			t.Fatalf("the percentage went from %d%% down to %d%% (drawings: %v)", got[i-1], got[i], got)
		}
	}
	t.Logf("%d drawings, percentages %v", len(drawings), got)
}
