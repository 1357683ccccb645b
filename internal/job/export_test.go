package job

import "time"

// Test-only names.
var JSONSize = jsonSize

const MaxOutputBytes = maxOutputBytes

// A Reading is an object being read, as a batch's clock sees it.
type Reading struct {
	Elapsed    time.Duration // since its first stream began
	Read, Size int64         // stored bytes read, of its size (-1: unknown)
}

// Stopped evaluates a batch's clock once, left before its deadline, with
// waiting objects not yet begun and reading being read in slots, and
// reports which of reading it stops.
func Stopped(left time.Duration, slots, waiting int, reading []Reading) []bool {
	now := time.Now()
	c := newClock(now.Add(left), slots, waiting+len(reading))
	stopped := make([]bool, len(reading))
	for i, r := range reading {
		p := newProgress()
		p.size.Store(r.Size)
		p.read.Store(r.Read)
		p.started.Store(now.Add(-r.Elapsed).UnixNano())
		p.stop = func(error) { stopped[i] = true }
		c.begin(p)
	}
	c.check(now)
	return stopped
}

var Bound = bound
