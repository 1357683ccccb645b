package main

import (
	"fmt"
	"io"
	"iter"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Progress bar timing: nothing shows for runs shorter than progressDelay;
// the bar is redrawn every progressTick. Variables for tests.
var (
	progressDelay = time.Second
	progressTick  = 200 * time.Millisecond
)

// A progress shows on a terminal how far a run is: objects and bytes done
// out of those listed so far ("+" while listing goes on), the rate and the
// time left. Its methods may be called from any goroutine; they are no-ops
// on a nil *progress, which is what runs without a terminal get.
type progress struct {
	objectsListed, bytesListed atomic.Int64
	objectsDone, bytesDone     atomic.Int64
	unknownSizes               atomic.Bool // some object's size is unknown (standard input)
	listed                     atomic.Bool // every object has been listed

	mu      sync.Mutex // guards w and bar
	w       io.Writer
	shown   gate                     // the bar's writer: w, once progressDelay has passed
	bar     *progressbar.ProgressBar // nil until the first draw
	stopped bool

	stop chan struct{}
	done chan struct{}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// startProgress starts a progress bar drawn on w, which should be a
// terminal. The caller must call finish.
func startProgress(w io.Writer) *progress {
	p := &progress{w: w, shown: gate{w: w}, stop: make(chan struct{}), done: make(chan struct{})}
	go p.loop()
	return p
}

// loop draws the bar from the start, so that its rate and time left are
// measured from the start, but through a gate that opens only after
// progressDelay.
func (p *progress) loop() {
	defer close(p.done)
	t := time.NewTicker(progressTick)
	defer t.Stop()
	show := time.After(progressDelay)
	for {
		p.draw()
		select {
		case <-t.C:
		case <-show:
			p.shown.open.Store(true)
		case <-p.stop:
			return
		}
	}
}

// A gate writes to w once open, and discards writes until then.
type gate struct {
	open atomic.Bool
	w    io.Writer
}

func (g *gate) Write(b []byte) (int, error) {
	if !g.open.Load() {
		return len(b), nil
	}
	return g.w.Write(b)
}

// draw redraws the bar from the counters.
func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	listed, done := p.objectsListed.Load(), p.objectsDone.Load()
	more := "+"
	if p.listed.Load() {
		more = ""
	}
	desc := fmt.Sprintf("%d/%d%s objects", done, listed, more)
	// The bar must not reach its end before the run does: the library
	// stops drawing a finished bar.
	max := max(p.bytesListed.Load(), p.bytesDone.Load()+1)
	if p.unknownSizes.Load() {
		max = -1 // a spinner: no percentage, no time left
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions64(max,
			progressbar.OptionSetWriter(&p.shown),
			progressbar.OptionSetDescription(desc),
			progressbar.OptionShowBytes(true),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(24),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSpinnerType(14),
			progressbar.OptionSetSpinnerChangeInterval(0), // no goroutine of its own: draw drives it
			progressbar.OptionUseANSICodes(true),
		)
	}
	p.bar.Describe(desc)
	if p.bar.GetMax64() != max {
		p.bar.ChangeMax64(max)
	}
	p.bar.Set64(p.bytesDone.Load())
}

// count counts the objects as listed, then records that listing is done.
func (p *progress) count(objects iter.Seq[object]) {
	for o := range objects {
		p.listedObject(o.size)
	}
	p.listingDone()
}

// listedObject counts an object of the given size (-1 if unknown) as listed.
func (p *progress) listedObject(size int64) {
	if p == nil {
		return
	}
	p.objectsListed.Add(1)
	if size < 0 {
		p.unknownSizes.Store(true)
		return
	}
	p.bytesListed.Add(size)
}

// listingDone records that every object has been listed.
func (p *progress) listingDone() {
	if p != nil {
		p.listed.Store(true)
	}
}

// addBytes counts n bytes as read.
func (p *progress) addBytes(n int64) {
	if p != nil {
		p.bytesDone.Add(n)
	}
}

// objectDone counts one object as done.
func (p *progress) objectDone() {
	if p != nil {
		p.objectsDone.Add(1)
	}
}

// Write writes b, which should be whole lines, above the bar.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil && !p.stopped {
		p.bar.Clear() // the next draw puts it back, below b
	}
	return p.w.Write(b)
}

// finish removes the bar and stops drawing it.
func (p *progress) finish() {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Clear()
	}
	p.stopped = true
}
