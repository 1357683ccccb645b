package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// How the progress of an execution is shown: after followBarDelay, a bar
// on a terminal, redrawn every progressInterval and at each poll;
// otherwise a line at most every plainInterval, at a poll.
var (
	followBarDelay = progressDelay
	plainInterval  = 5 * time.Second
)

// A followProgress shows on standard error how far an execution is, from
// what follow learns at each poll: the Map Run that runs, its items
// succeeded, failed, running and pending out of its total, the rate, the
// time elapsed and, once the total is known, the percentage and the time
// left. A line is written for each Map Run as it ends. On a terminal the
// lines are written above the bar, which never shares a line with them;
// elsewhere the progress is a line every few seconds. Its methods are
// no-ops on a nil *followProgress (-q).
type followProgress struct {
	term *terminal // the bar's; nil: plain lines
	w    io.Writer // where lines go

	mu        sync.Mutex
	attempt   time.Time       // when the execution's attempt began: the time elapsed counts from it
	run       *mapRunProgress // the Map Run that runs, if any
	lastLine  time.Time       // of the last plain line
	noted     bool            // a failure to read the progress has been told
	spinnerAt int

	stop, stopped chan struct{}
	finishOnce    sync.Once
}

// newFollowProgress starts showing progress on stderr: a bar if it is a
// terminal, plain lines otherwise. The caller must call finish.
func newFollowProgress(stderr io.Writer) *followProgress {
	now := time.Now()
	p := &followProgress{w: stderr, attempt: now, lastLine: now, stop: make(chan struct{}), stopped: make(chan struct{})}
	if !isTerminal(stderr) {
		close(p.stopped)
		return p
	}
	p.term = newTerminal(stderr)
	p.term.showAt = now.Add(followBarDelay)
	p.w = p.term.lines(stderr)
	width := p.term.width()
	go func() {
		defer close(p.stopped)
		tick := time.NewTicker(progressInterval)
		defer tick.Stop()
		for {
			select {
			case <-p.stop:
				return
			case now := <-tick.C:
				p.mu.Lock()
				p.draw(now, width)
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// update records what a poll at now found: when the execution's attempt
// began, the Map Run that runs (nil: none) and those that ended. It writes
// a line for each that ended, then, unless the execution has ended
// (final), draws the bar or, if plainInterval has passed since the last,
// writes a plain line.
func (p *followProgress) update(attempt time.Time, run *mapRunProgress, ended []mapRunProgress, now time.Time, final bool) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !attempt.IsZero() && !attempt.After(now) {
		p.attempt = attempt
	}
	p.run = run
	if p.term != nil && len(ended) > 0 && !final {
		// The terminal writes the bar again under each line: let that be
		// what runs now, not the Map Run that ended.
		p.draw(now, p.term.width())
	}
	for _, e := range ended {
		fmt.Fprintln(p.w, e.endedLine())
	}
	switch {
	case final:
	case p.term != nil:
		p.draw(now, p.term.width())
	case now.Sub(p.lastLine) >= plainInterval:
		p.lastLine = now
		fmt.Fprintln(p.w, describeFollow(p.run, now.Sub(p.attempt), "", 0))
	}
}

// draw draws the bar at now, at most width-1 columns wide. p.mu is held.
func (p *followProgress) draw(now time.Time, width int) {
	spinner := spinnerFrames[p.spinnerAt%len(spinnerFrames)]
	p.spinnerAt++
	line := fitWidth(describeFollow(p.run, now.Sub(p.attempt), spinner, width-1), width-1)
	p.term.Write([]byte("\r" + line + "\033[0K"))
}

// note tells, once, that the progress could not be read: following goes
// on without it until a poll reads it again.
func (p *followProgress) note(err error) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.noted {
		p.noted = true
		fmt.Fprintf(p.w, "sumsq: no progress for now: %v\n", err)
	}
}

// finish stops drawing and takes the bar off the terminal for good.
func (p *followProgress) finish() {
	if p == nil {
		return
	}
	p.finishOnce.Do(func() {
		close(p.stop)
		<-p.stopped
		if p.term != nil {
			p.term.close()
		}
	})
}

// describeFollow returns the progress line: with a spinner, the bar's,
// at most width columns wide,
//
//	SumObjects  42% [=======>           ] 4200/10000 items succeeded, 0 failed, 300 running, 5500 pending, 120 items/s, elapsed 35s, left 45s
//	SumObjects | 4200/10000+ items succeeded, 0 failed, 300 running, 5500 pending, 120 items/s, elapsed 35s
//	| execution running, elapsed 3s
//
// and without ("", any width), a plain line,
//
//	SumObjects 42%: 4200/10000 items succeeded, 0 failed, 300 running, 5500 pending, 120 items/s, elapsed 35s, left 45s
//	SumObjects: 4200/10000+ items succeeded, 0 failed, 300 running, 5500 pending, 120 items/s, elapsed 35s
//	execution running, elapsed 5s
//
// "+" says that the total may still grow. On a narrow terminal the bar
// gets narrower, then the parts that matter least go.
func describeFollow(r *mapRunProgress, elapsed time.Duration, spinner string, width int) string {
	var parts []linePart
	lead := "execution running,"
	if spinner != "" {
		lead = spinner + " " + lead
	}
	withBar, f := false, 0.0
	if r != nil {
		more := ""
		if !r.totalKnown {
			more = "+"
		}
		lead = r.name()
		switch {
		case r.percent >= 0 && spinner != "":
			lead += fmt.Sprintf(" %3d%%", r.percent)
			withBar, f = true, float64(r.percent)/100
		case r.percent >= 0:
			lead += fmt.Sprintf(" %d%%:", r.percent)
		case spinner != "":
			lead += " " + spinner
		default:
			lead += ":"
		}
		parts = append(parts,
			linePart{fmt.Sprintf("%d/%d%s items succeeded", r.succeeded, r.total, more), 1},
			linePart{fmt.Sprintf("%d failed", r.failed), 2})
		if r.aborted > 0 {
			parts = append(parts, linePart{fmt.Sprintf("%d aborted", r.aborted), 2})
		}
		parts = append(parts,
			linePart{fmt.Sprintf("%d running", r.running), 3},
			linePart{fmt.Sprintf("%d pending", r.pending), 3},
			linePart{rateString(r.rate) + " items/s", 4})
	}
	parts = append(parts, linePart{"elapsed " + seconds(max(elapsed, 0)), 6})
	if r != nil && r.left >= 0 {
		parts = append(parts, linePart{"left " + seconds(r.left), 0})
	}
	if spinner == "" {
		return joinLine(lead, parts)
	}
	return fitLine(lead, parts, withBar, f, width)
}

// name names the Map Run: its label, and its redrive if redriven.
func (r *mapRunProgress) name() string {
	if r.redrives > 0 {
		return fmt.Sprintf("%s (redrive %d)", r.label, r.redrives)
	}
	return r.label
}

// endedLine is the line written when a Map Run has ended:
//
//	SumObjects SUCCEEDED: 10000 items, 10000 succeeded, 0 failed, in 1m23s
func (r *mapRunProgress) endedLine() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s, %d succeeded, %d failed", r.name(), r.status, plural(r.total, "item"), r.succeeded, r.failed)
	if r.aborted > 0 {
		fmt.Fprintf(&b, ", %d aborted", r.aborted)
	}
	if n := r.running + r.pending; n > 0 {
		fmt.Fprintf(&b, ", %d not run", n)
	}
	if r.took > 0 {
		b.WriteString(", in " + seconds(r.took))
	}
	return b.String()
}
