package main

import (
	"context"
	"iter"

	"golang.org/x/sync/errgroup"

	"github.com/sumsq/sumsq/internal/sumsq"
)

// sumAll sums the objects, at most r.concurrency at a time, and calls
// report for each object in their order, with its result or its error, as
// soon as it and the objects before it are done. It calls flush when the
// next object is not done yet. Memory stays bounded however many objects
// there are: listing runs at most a few objects ahead of reporting.
//
// An error from report stops the run and is returned, and so does the
// error of an object marked stop. If ctx is cancelled the run stops and
// ctx's error is returned.
func (r *runner) sumAll(ctx context.Context, objects iter.Seq[object], report func(object, sumsq.Result, error) error, flush func() error) error {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type pending struct {
		o    object
		res  sumsq.Result
		err  error
		done chan struct{} // closed once res and err are set
	}
	// The queue holds the objects being summed or waiting to be reported,
	// in order; its capacity is how far listing and summing may run ahead
	// of a slow object at the head.
	queue := make(chan *pending, 4*r.concurrency)
	var workers errgroup.Group
	workers.SetLimit(r.concurrency)
	go func() {
		defer close(queue) // after the last workers.Go: Wait below sees them all
		for o := range objects {
			r.progress.listedObject(o) // before it is summed: the bar's total covers it
			p := &pending{o: o, done: make(chan struct{})}
			select {
			case queue <- p:
			case <-ctx.Done():
				return
			}
			if o.err != nil || o.stop {
				p.err = o.err
				close(p.done)
				r.progress.objectDone()
				continue
			}
			workers.Go(func() error {
				defer close(p.done)
				p.res, p.err = o.sum(ctx)
				r.progress.objectDone()
				return nil
			})
		}
		if ctx.Err() == nil {
			r.progress.listingDone()
		}
	}()

	var err error
	for p := range queue {
		if err != nil {
			continue // drain, so that the lister ends
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
	return err
}
