package job

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Time shares. A batch with a deadline (the function's) gives each object
// a share of the invocation's time, so that an object that cannot be read
// in time (a decompression bomb, an object too large for one invocation, a
// trickling connection) is set aside alone (see Batch: to be summed in
// ranges, or, compressed, failed with an *ObjectTimeoutError), and its
// batch-mates are summed. Memory is bounded whatever the object (see
// memory.go): what a slow object can take from its batch is time, and a
// slot.
//
// The rule, re-evaluated every shareTick as objects finish:
//
//   - While objects wait to be read (for a slot, or for memory), an
//     object being read goes on while its time reading is within its fair
//     share of the time left: time left × slots / objects not done (never
//     less than minShare). Past it, it is stopped, unless at the pace it
//     has gone (its bytes read of its size) it would finish within another
//     share: a slow object that is nearly done frees its slot sooner by
//     finishing.
//   - While no object waits, the objects being read go on until the
//     deadline: an object alone at the end may use all the time left.
//   - At the deadline, the objects still being read are set aside alone,
//     as are those never started: the batch as a whole was too large for
//     the invocation. One object cannot cause that, since it gives its
//     slot up once it has had its share.
//
// The CLI has no deadline, hence no shares: it reads every object to its
// end, however long that takes.
const (
	// shareTick is how often shares are re-evaluated.
	shareTick = 100 * time.Millisecond
	// minShare is the least time an object is given: S3 answers a GET in
	// tens of milliseconds, so a second tells a slow object from a busy
	// batch.
	minShare = time.Second
)

// progress is what is known of one object as it is read, from any
// goroutine: for its share of the time, for what a Deferred says it read,
// and for the message of its ObjectTimeoutError.
type progress struct {
	size    atomic.Int64 // stored bytes: -1 until known
	read    atomic.Int64 // stored bytes read
	out     atomic.Int64 // bytes decompressed, for compressed data
	started atomic.Int64 // when its first stream began reading (Unix ns); 0: not yet
	ended   atomic.Int64 // when it was stopped (Unix ns); 0: not stopped
	codec   atomic.Pointer[string]

	clock *clock                  // of its batch, or nil
	stop  context.CancelCauseFunc // ends its reads
}

func newProgress() *progress {
	p := new(progress)
	p.size.Store(-1)
	return p
}

// begin records that a stream of the object has begun reading.
func (p *progress) begin() {
	if p.started.Load() == 0 && p.started.CompareAndSwap(0, time.Now().UnixNano()) && p.clock != nil {
		p.clock.begin(p)
	}
}

func (p *progress) setCodec(codec string) { p.codec.Store(&codec) }

// timeout returns the *ObjectTimeoutError saying how far the object, at
// location, got.
func (p *progress) timeout(bucket, key, location string) *ObjectTimeoutError {
	end := p.ended.Load()
	if end == 0 {
		end = time.Now().UnixNano()
	}
	e := &ObjectTimeoutError{
		Bucket: bucket, Key: key, Location: location,
		Size: p.size.Load(), Read: p.read.Load(),
	}
	if start := p.started.Load(); start != 0 {
		e.Seconds = math.Round(float64(end-start)/1e8) / 10
	}
	if c := p.codec.Load(); c != nil && *c != "" {
		e.Codec, e.Decompressed = *c, p.out.Load()
	}
	return e
}

// errShare is the cause of an object's stop when it had had its share.
var errShare = &shareError{}

type shareError struct{}

func (*shareError) Error() string { return "an object had its share of the invocation's time" }

// A clock gives the objects of a batch their shares of the time before a
// deadline.
type clock struct {
	deadline time.Time
	slots    int

	mu      sync.Mutex
	pending int // objects neither begun nor done
	reading map[*progress]bool
}

func newClock(deadline time.Time, slots, objects int) *clock {
	return &clock{deadline: deadline, slots: slots, pending: objects, reading: make(map[*progress]bool)}
}

func (c *clock) begin(p *progress) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending--
	c.reading[p] = true
}

// done records that p's object is done, read or not.
func (c *clock) done(p *progress) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reading[p] {
		delete(c.reading, p)
	} else {
		c.pending--
	}
}

// run stops objects past their share every shareTick until stop is closed.
func (c *clock) run(stop <-chan struct{}) {
	t := time.NewTicker(shareTick)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			c.check(now)
		}
	}
}

// check stops the objects past their share at now.
func (c *clock) check(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending <= 0 {
		return // no object waits: those being read may have the time left
	}
	left := c.deadline.Sub(now)
	share := max(time.Duration(float64(left)*float64(c.slots)/float64(c.pending+len(c.reading))), minShare)
	for p := range c.reading {
		if p.ended.Load() == 0 && overrun(p, now, share) {
			p.ended.Store(now.UnixNano())
			p.stop(errShare) // done follows when its reads have ended
		}
	}
}

// overrun reports whether p, being read, is past its share and would not
// finish within another at the pace it has gone.
func overrun(p *progress, now time.Time, share time.Duration) bool {
	elapsed := now.Sub(time.Unix(0, p.started.Load()))
	if elapsed <= share {
		return false
	}
	read, size := p.read.Load(), p.size.Load()
	if read <= 0 || size < 0 {
		return true
	}
	left := time.Duration(float64(elapsed) * float64(size-read) / float64(read))
	return left > share
}
