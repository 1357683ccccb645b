package main

import (
	"fmt"
	"sync/atomic"
	"time"
)

// A planProgress shows on a terminal how far sumsq plan's listing is: the
// objects and bytes listed so far, the objects a second and the time
// elapsed, drawn as the run's bar is (after progressDelay, every
// progressInterval, never wider than the terminal). Its methods are no-ops
// on a nil *planProgress, which plans without a terminal get.
type planProgress struct {
	term   *terminal
	target string
	start  time.Time

	objects, bytes atomic.Int64

	stop, stopped chan struct{}
}

// startPlanProgress starts drawing the listing of target on t. The caller
// must call finish.
func startPlanProgress(t *terminal, target string) *planProgress {
	now := time.Now()
	t.showAt = now.Add(progressDelay)
	p := &planProgress{term: t, target: target, start: now, stop: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(p.stopped)
		tick := time.NewTicker(progressInterval)
		defer tick.Stop()
		width, spinnerAt := t.width(), 0
		for {
			select {
			case <-p.stop:
				return
			case now := <-tick.C:
				line := p.line(now, spinnerFrames[spinnerAt%len(spinnerFrames)])
				spinnerAt++
				t.Write([]byte("\r" + fitWidth(line, width-1) + "\033[0K"))
			}
		}
	}()
	return p
}

// line returns the progress's text at now:
//
//	| listing s3://b/today/: 120000 objects, 1.2 GB, 40000 objects/s, elapsed 3s
func (p *planProgress) line(now time.Time, spinner string) string {
	elapsed := now.Sub(p.start)
	n := p.objects.Load()
	return fmt.Sprintf("%s listing %s: %s, %s, %s objects/s, elapsed %s", spinner, quoteName(p.target),
		plural(n, "object"), bytesString(p.bytes.Load()), rateString(float64(n)/max(elapsed.Seconds(), 1e-9)), seconds(elapsed))
}

// listed counts an object of size bytes as listed.
func (p *planProgress) listed(size int64) {
	if p == nil {
		return
	}
	p.objects.Add(1)
	p.bytes.Add(size)
}

// finish stops drawing and takes the line off the terminal.
func (p *planProgress) finish() {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.stopped
	p.term.close()
}
