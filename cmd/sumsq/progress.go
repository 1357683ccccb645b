package main

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

const (
	// progressDelay: a run shorter than this shows no bar.
	progressDelay = time.Second
	// progressThrottle is how often at most the bar is redrawn.
	progressThrottle = 100 * time.Millisecond
)

// A progress shows on a terminal how far sumsq run is: bytes read out of
// the bytes listed so far, with the percentage and the rate (drawn by the
// progress bar library), then objects done out of those listed, with a "+"
// while listing goes on, the time elapsed and, once listing is done, the
// time left. Objects are counted as the run lists them, from the one
// listing that feeds the sums.
//
// Nothing draws the bar but the run's own events (an object listed or
// done, bytes read), throttled by the library: no goroutine of its own.
// Its methods may be called from any goroutine; they are no-ops on a nil
// *progress, which is what runs without a terminal get.
type progress struct {
	bar  *progressbar.ProgressBar
	term *terminal

	listed, done atomic.Int64 // objects
	listing      atomic.Bool  // more objects may be listed
	nextDescribe atomic.Int64 // when describeSoon next describes, in Unix ns

	streams     bool  // a target's size is not known before its end: a spinner, no percentage
	bytesListed int64 // only the goroutine that lists touches it
}

// startProgress starts a progress bar on t, which shows it once delay has
// passed. With streams, some object's size is not known before its end:
// the bar is a spinner, with no percentage or time left. The caller must
// call finish.
func startProgress(t *terminal, delay time.Duration, streams bool) *progress {
	t.showAt = time.Now().Add(delay)
	p := &progress{term: t, streams: streams}
	p.listing.Store(true)
	max := int64(1) // the bytes listed, plus one: the library stops drawing a bar that reaches its end
	if streams {
		// Chosen before the first byte is read: the library's count of
		// bytes turns modulo the bar's width in this mode, and ends a
		// bar turned into a spinner once bytes have been read.
		max = -1
	}
	p.bar = progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(t),
		progressbar.OptionUseANSICodes(true),
		progressbar.OptionSetWidth(t.barWidth()),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(false), // its "[1s:4s]" is unlabelled: the description says it
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionThrottle(progressThrottle),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionSetSpinnerChangeInterval(0), // turns on each draw, without a goroutine of its own
	)
	p.bar.RenderBlank() // starts the library's clock: elapsed time counts from here
	return p
}

// describe sets the bar's description from the counts and the library's
// clock.
func (p *progress) describe() {
	p.bar.Describe(description(p.done.Load(), p.listed.Load(), p.listing.Load(), p.bar.State()))
}

// describeSoon describes the bar at most once per progressThrottle: the
// bar is drawn no more often, and a run of many small objects would spend
// more time describing than summing.
func (p *progress) describeSoon() {
	now := time.Now().UnixNano()
	if next := p.nextDescribe.Load(); now >= next && p.nextDescribe.CompareAndSwap(next, now+int64(progressThrottle)) {
		p.describe()
	}
}

// description is the text after the bar: "8/40+ objects, elapsed 1s" while
// listing goes on, "8/40 objects, elapsed 1s, left 4s" once it is done and
// the sizes are known.
func description(done, listed int64, listing bool, s progressbar.State) string {
	more := ""
	if listing {
		more = "+"
	}
	d := fmt.Sprintf("%d/%d%s objects, elapsed %s", done, listed, more, seconds(s.SecondsSince))
	if !listing && s.Max > 0 && s.CurrentNum > 0 {
		d += ", left " + seconds(s.SecondsLeft)
	}
	return d
}

func seconds(s float64) string { return (time.Duration(s) * time.Second).String() }

// listedObject counts an object as listed: its size (-1 if unknown) adds
// to the bar's total. An object that failed before it could be read has
// nothing to read. Called by the goroutine that lists, before the object
// can be read, so that bytes read never pass the total.
func (p *progress) listedObject(o object) {
	if p == nil {
		return
	}
	p.listed.Add(1)
	if !p.streams && o.err == nil && o.size > 0 {
		p.bytesListed += o.size
		p.bar.ChangeMax64(p.bytesListed + 1)
	}
	p.describeSoon()
}

// listingDone records that every object has been listed.
func (p *progress) listingDone() {
	if p == nil {
		return
	}
	p.listing.Store(false)
	p.describe()
}

// addBytes counts n bytes as read: the Summer's OnRead.
func (p *progress) addBytes(n int64) {
	p.bar.Add64(n)
	p.describeSoon()
}

// objectDone counts one object as done.
func (p *progress) objectDone() {
	if p == nil {
		return
	}
	p.done.Add(1)
	p.describeSoon()
}

// finish takes the bar off the terminal for good.
func (p *progress) finish() {
	if p == nil {
		return
	}
	p.bar.Exit()
	p.term.close()
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// sameTerminal reports whether a and b are one terminal: lines written to
// one then share the screen with a bar drawn on the other.
func sameTerminal(a, b io.Writer) bool {
	fa, ok1 := a.(*os.File)
	fb, ok2 := b.(*os.File)
	if !ok1 || !ok2 || !isTerminal(fa) || !isTerminal(fb) {
		return false
	}
	ia, err1 := fa.Stat()
	ib, err2 := fb.Stat()
	return err1 == nil && err2 == nil && os.SameFile(ia, ib)
}
