package main

import (
	"cmp"
	"context"
	"iter"

	"golang.org/x/sync/errgroup"

	"github.com/sumsq/sumsq/internal/sumsq"
)

// DefaultBacklog is how many objects listing may run ahead of the summing,
// as rclone's --max-backlog. Listing is much faster than summing (S3 lists
// 1,000 keys a request; a folder, thousands of files a millisecond), so
// that a run of up to this many objects knows its total number of objects
// and bytes within seconds of its start: the progress bar shows a
// percentage and the time left for most of the run, instead of a total
// that grows as the run goes. A larger run knows its total once what is
// left of it fits in the backlog. Each object waiting costs about 200
// bytes plus its key: measured, 25 MB for 100,000 S3 objects with keys of
// 50 bytes, 120 MB with keys of 1,024 bytes, S3's longest.
const DefaultBacklog = 100_000

// A pending object is listed, and then summed, and then reported.
type pending struct {
	o    object
	res  sumsq.Result
	err  error
	done chan struct{} // closed once res and err are set
}

// sumAll sums the objects, at most r.concurrency at a time, and calls
// report for each object in their order, with its result or its error, as
// soon as it and the objects before it are done. It calls flush when the
// next object is not done yet. Memory stays bounded however many objects
// there are: listing runs at most r.backlog objects ahead of the summing
// (DefaultBacklog when 0), and summing at most 4*r.concurrency objects
// ahead of reporting.
//
// An error from report stops the run and is returned, and so does the
// error of an object marked stop. If ctx is cancelled the run stops and
// ctx's error is returned: so it is when ctx ends the listing before its
// end, even when the objects listed by then have all been reported. A nil
// error means that every object of the listing was reported.
func (r *runner) sumAll(ctx context.Context, objects iter.Seq[object], report func(object, sumsq.Result, error) error, flush func() error) error {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Three stages: listing into the backlog, summing from the backlog
	// into the queue, and reporting from the queue. The last two read
	// their input to its end, so that no object listed is dropped
	// unreported, and the listing stops early only with ctx, which it
	// then records.
	backlog := make(chan *pending, cmp.Or(r.backlog, DefaultBacklog))
	// listed is why the listing stopped before its end, nil if it did
	// not. Written before backlog is closed.
	var listed error
	go func() {
		defer close(backlog)
		for o := range objects {
			if listed = ctx.Err(); listed != nil {
				return
			}
			r.progress.listedObject(o) // before it is summed: the bar's total covers it
			backlog <- &pending{o: o}
		}
		// A listing that ctx cut short may end as if it were whole (a
		// folder walk stops at its next entry, without an error): only
		// one that ended while ctx was alive is.
		if listed = ctx.Err(); listed == nil {
			r.progress.listingDone()
		}
	}()

	// The queue holds the objects being summed or waiting to be reported,
	// in order; its capacity is how far summing may run ahead of a slow
	// object at the head.
	queue := make(chan *pending, 4*r.concurrency)
	var workers errgroup.Group
	workers.SetLimit(r.concurrency)
	go func() {
		defer close(queue) // after the last workers.Go: Wait below sees them all
		for p := range backlog {
			p.done = make(chan struct{})
			queue <- p
			switch {
			case ctx.Err() != nil:
				p.err = ctx.Err() // not started: reported as the run's end, not as a failure
			case p.o.err != nil || p.o.stop:
				p.err = p.o.err
			default:
				workers.Go(func() error {
					defer close(p.done)
					p.res, p.err = p.o.sum(ctx)
					r.progress.objectDone()
					return nil
				})
				continue
			}
			close(p.done)
			r.progress.objectDone()
		}
	}()

	var err error
	for p := range queue {
		if err != nil {
			continue // drain, so that the stages before end
		}
		select {
		case <-p.done:
		default:
			if err = flush(); err != nil {
				cancel()
				continue
			}
			<-p.done
		}
		if err = parent.Err(); err != nil {
			cancel() // the objects summed since were cut short: not failures
			continue
		}
		if p.o.stop {
			err = p.o.err
			cancel()
			continue
		}
		if err = report(p.o, p.res, p.err); err != nil {
			cancel()
		}
	}
	workers.Wait()
	if err == nil {
		err = listed // read after the queue's end, which follows the backlog's
	}
	return err
}
