package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"
)

const (
	// progressDelay: a run shorter than this shows no bar.
	progressDelay = time.Second
	// progressInterval is how often the bar is drawn.
	progressInterval = 100 * time.Millisecond
	// rateWindow is how far back the rates look: long enough to smooth
	// objects of many sizes, short enough to follow a change of pace.
	rateWindow = 5 * time.Second
)

// A progress shows on a terminal how far sumsq run is. While listing goes
// on, the total is not known: it shows the bytes read, the objects done out
// of those listed so far with a "+", the rates in bytes and objects a
// second, and the time elapsed. Once every object is listed it adds a bar,
// the percentage done and the time left. The percentage therefore never
// goes back: it is shown only against a total that no longer grows, and
// what is done only grows. Listing runs far ahead of the summing (see
// DefaultBacklog), so that most runs know their total early.
//
// The run's goroutines only count (atomically); one goroutine of the
// progress draws the bar every progressInterval, so that the time elapsed
// goes on while the run waits (on a listing page, on a slow object). Its
// methods may be called from any goroutine; they are no-ops on a nil
// *progress, which is what runs without a terminal get.
type progress struct {
	term    *terminal
	streams bool // some object's size is not known before its end: no percentage
	start   time.Time

	listed, done      atomic.Int64 // objects
	bytesListed, read atomic.Int64
	listing           atomic.Bool // more objects may be listed

	stop, stopped chan struct{}
	finishOnce    sync.Once

	// The drawing goroutine's only.
	width     int      // of the terminal, in columns
	samples   []sample // for the rates
	spinnerAt int
}

// A sample is what was done at a time: the rates are measured between two.
type sample struct {
	at             time.Time
	bytes, objects int64
}

// startProgress starts a progress bar on t, which shows it once delay has
// passed. With streams, some object's size is not known before its end:
// the bar shows no percentage or time left. The caller must call finish.
func startProgress(t *terminal, delay time.Duration, streams bool) *progress {
	now := time.Now()
	t.showAt = now.Add(delay)
	p := &progress{
		term: t, streams: streams, start: now, width: t.width(),
		stop: make(chan struct{}), stopped: make(chan struct{}),
		samples: []sample{{at: now}},
	}
	p.listing.Store(true)
	go p.run()
	return p
}

func (p *progress) run() {
	defer close(p.stopped)
	tick := time.NewTicker(progressInterval)
	defer tick.Stop()
	for {
		select {
		case <-p.stop:
			return
		case now := <-tick.C:
			p.term.Write([]byte("\r" + p.line(now) + "\033[0K"))
		}
	}
}

// line returns the bar's line at now, at most p.width-1 columns wide, and
// records a sample for the rates.
func (p *progress) line(now time.Time) string {
	s := p.snapshot(now)
	p.samples = append(p.samples, sample{at: now, bytes: s.read, objects: s.done})
	for len(p.samples) > 2 && now.Sub(p.samples[1].at) >= rateWindow {
		p.samples = p.samples[1:]
	}
	first := p.samples[0]
	if dt := now.Sub(first.at).Seconds(); dt > 0 {
		s.bytesPerSecond = float64(s.read-first.bytes) / dt
		s.objectsPerSecond = float64(s.done-first.objects) / dt
	}
	spinner := spinnerFrames[p.spinnerAt%len(spinnerFrames)]
	p.spinnerAt++
	return fitWidth(s.describe(spinner, p.width-1), p.width-1)
}

// snapshot returns the counts at now. It reads listing first: once it
// reads false, the totals it reads next are the final ones, counted
// before listing was set to false.
func (p *progress) snapshot(now time.Time) progressState {
	s := progressState{elapsed: now.Sub(p.start), streams: p.streams}
	s.listing = p.listing.Load()
	s.listed, s.bytesListed = p.listed.Load(), p.bytesListed.Load()
	s.done, s.read = p.done.Load(), p.read.Load()
	return s
}

var spinnerFrames = []string{"|", "/", "-", "\\"}

// progressState is what a drawing of the bar shows.
type progressState struct {
	elapsed           time.Duration
	done, listed      int64 // objects
	listing           bool  // more objects may be listed
	streams           bool  // some size is unknown
	read, bytesListed int64

	bytesPerSecond, objectsPerSecond float64
}

// fraction returns the part of the run done, from 0 to 1, and whether it
// is known: once every object is listed and every size is known. It counts
// bytes, or objects when there are none to read; it is at most 1 (a file
// may grow while it is read).
func (s progressState) fraction() (float64, bool) {
	switch {
	case s.listing || s.streams:
		return 0, false
	case s.bytesListed > 0:
		return min(float64(s.read)/float64(s.bytesListed), 1), true
	case s.listed > 0:
		return float64(s.done) / float64(s.listed), true
	}
	return 0, false
}

// describe returns the bar's text, at most width columns wide: while
// listing,
//
//	| 1.2 MB, 3.4 MB/s, 120/400+ objects, 41 objects/s, elapsed 3s
//
// and once the total is known,
//
//	44% [========>           ] 1.2 MB/2.7 MB, 3.4 MB/s, 180/400 objects, 60 objects/s, elapsed 3s, left 4s
//
// On a narrow terminal the bar gets narrower, then the parts that matter
// least go: the time elapsed, the rates, the bar.
func (s progressState) describe(spinner string, width int) string {
	f, known := s.fraction()
	lead, read := spinner, bytesString(s.read)
	if known {
		lead, read = fmt.Sprintf("%3d%%", percent(f)), bytesString(min(s.read, s.bytesListed))+"/"+bytesString(s.bytesListed)
	}
	more := ""
	if s.listing {
		more = "+"
	}
	parts := []linePart{
		{read, 2},
		{bytesString(int64(s.bytesPerSecond)) + "/s", 4},
		{fmt.Sprintf("%d/%d%s objects", s.done, s.listed, more), 1},
		{rateString(s.objectsPerSecond) + " objects/s", 4},
		{"elapsed " + seconds(s.elapsed), 6},
	}
	if known && f > 0 && f < 1 {
		parts = append(parts, linePart{"left " + seconds(time.Duration(float64(s.elapsed)*(1-f)/f)), 0})
	}
	return fitLine(lead, parts, known, f, width)
}

// A linePart is a part of a progress line: its text, and its rank, the
// lower the longer it stays on a narrow terminal.
type linePart struct {
	text string
	rank int
}

// joinLine returns lead and parts as one line: "lead part, part, ...".
func joinLine(lead string, parts []linePart) string {
	var b strings.Builder
	b.WriteString(lead)
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(" " + p.text)
	}
	return b.String()
}

// fitLine returns lead and parts as one line of at most width columns,
// with a bar filled to f after lead if withBar: the bar gets narrower,
// then the parts go, those of the highest rank first (the bar with rank
// 5), until the line fits.
func fitLine(lead string, parts []linePart, withBar bool, f float64, width int) string {
	const maxBar, minBar = 22, 7 // with its brackets
	barWidth := 0
	for rank := 6; ; rank-- {
		n := len(joinLine(lead, parts))
		if withBar && width-n-1 >= minBar {
			barWidth = min(maxBar, width-n-1)
			break
		}
		if !withBar && n <= width || rank == 0 {
			break
		}
		if rank == 5 {
			withBar = false
		}
		parts = slices.DeleteFunc(parts, func(p linePart) bool { return p.rank == rank })
	}
	if withBar {
		return lead + " " + barString(f, barWidth-2) + joinLine("", parts)
	}
	return joinLine(lead, parts)
}

// barString draws fraction f as a bar of n columns between brackets.
func barString(f float64, n int) string {
	fill := int(f * float64(n))
	head := ""
	if fill < n {
		head = ">"
	}
	return "[" + strings.Repeat("=", fill) + head + strings.Repeat(" ", n-fill-len(head)) + "]"
}

// percent is the percentage of f, rounded down: 100 only when all is done.
func percent(f float64) int { return int(f * 100) }

func seconds(d time.Duration) string { return d.Truncate(time.Second).String() }

// bytesString writes n bytes in decimal units, as the SI and most tools
// do: 999 B, 1.2 kB, 34 MB, 5.6 GB.
func bytesString(n int64) string {
	const units = "kMGTPE"
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	v := float64(n)
	i := -1
	for v >= 999.5 && i < len(units)-1 { // what %.0f would write as 1000
		v /= 1000
		i++
	}
	if v < 10 {
		return fmt.Sprintf("%.1f %cB", v, units[i])
	}
	return fmt.Sprintf("%.0f %cB", v, units[i])
}

// rateString writes a rate of objects a second: whole numbers, one
// decimal below 10.
func rateString(r float64) string {
	if r < 10 {
		return fmt.Sprintf("%.1f", r)
	}
	return fmt.Sprintf("%.0f", r)
}

// fitWidth cuts line to at most width columns (one per rune: the line is
// ASCII but for the spinner), so that it never wraps: a wrapped bar could
// not be drawn over.
func fitWidth(line string, width int) string {
	if width <= 0 {
		return line
	}
	n := 0
	for i := range line {
		if n == width {
			return line[:i]
		}
		n++
	}
	return line
}

// listedObject counts an object as listed: its size (-1 if unknown) adds
// to the total. An object that failed before it could be read has nothing
// to read. Called before the object can be read.
func (p *progress) listedObject(o object) {
	if p == nil {
		return
	}
	p.listed.Add(1)
	if o.err == nil && o.size > 0 {
		p.bytesListed.Add(o.size)
	}
}

// listingDone records that every object has been listed: the total is
// known.
func (p *progress) listingDone() {
	if p == nil {
		return
	}
	p.listing.Store(false)
}

// addBytes counts n bytes as read: the Summer's OnRead.
func (p *progress) addBytes(n int64) { p.read.Add(n) }

// objectDone counts one object as done.
func (p *progress) objectDone() {
	if p == nil {
		return
	}
	p.done.Add(1)
}

// finish stops drawing and takes the bar off the terminal for good.
func (p *progress) finish() {
	if p == nil {
		return
	}
	p.finishOnce.Do(func() {
		close(p.stop)
		<-p.stopped
		p.term.close()
	})
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
