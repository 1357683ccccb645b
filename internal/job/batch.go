package job

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sumsq/sumsq/internal/sumsq"
	"golang.org/x/sync/errgroup"
)

// Batch sums the objects of a batch, reading up to Concurrency of them at
// once. Objects of size 0 and folder markers (keys ending in "/") are
// counted as empty without being read. Objects under ResultsPrefix (the
// Map's own result files, which a run over the whole bucket lists) are
// counted in SkippedObjects and not read.
//
// Every item ends up either summed (in the subtotal, and in Results unless
// left out for size) or named in Failed. A permanent failure of one object
// (*InvalidEventError for an item that names no object the Summer may read,
// *InvalidContentError, *ObjectNotFoundError, *AccessDeniedError,
// *ObjectUnreadableError, *ObjectTimeoutError) is recorded there and the
// other objects go on. A transient failure (*S3UnavailableError,
// *ObjectChangedError) stops the batch: Batch returns it, unwrapped, so
// that Step Functions retries the whole batch.
//
// If ctx has a deadline, each object has a share of the time left (see
// share.go): one that cannot be read within it fails alone with an
// *ObjectTimeoutError, and so do those still being read at the deadline.
// If objects were never started by then, the batch was too large for the
// time: Batch returns a *BatchTimeoutError, which no retry would mend.
//
// The result's JSON has at most maxOutputBytes (see bound). A batch that
// could not name all its objects in that many bytes, were they all to fail,
// is refused before anything is read, with an *InvalidEventError; the
// template's limits on batches keep them well below that.
func (s *Summer) Batch(ctx context.Context, b Batch) (BatchResult, error) {
	start := time.Now()
	var skipped int64
	objects := make([]batchObject, 0, len(b.Items))
	for _, o := range b.Items {
		if s.IsResult(o.Bucket, o.Key) {
			skipped++
			continue
		}
		bucket, err := s.check(o)
		if err != nil {
			bucket = o.Bucket // as given: it names no bucket the Summer reads
		}
		objects = append(objects, batchObject{Object: o, bucket: bucket, err: err, p: newProgress()})
	}
	if err := s.checkBatchSize(objects); err != nil {
		return BatchResult{}, err
	}

	var (
		toRead      int
		bytesToRead int64
	)
	for i := range objects {
		if o := &objects[i]; o.err == nil && needsRead(o.Object) {
			toRead++
			if o.Size != nil {
				bytesToRead += *o.Size
			}
		}
	}
	var c *clock
	if deadline, ok := ctx.Deadline(); ok {
		c = newClock(deadline, s.concurrency(), toRead)
		stop := make(chan struct{})
		defer close(stop)
		go c.run(stop)
	}
	var done, unstarted atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.concurrency())
	st := newStreams(s.concurrency(), s.Memory)
	for i := range objects {
		o := &objects[i]
		if o.err != nil || !needsRead(o.Object) {
			continue
		}
		if gctx.Err() != nil {
			unstarted.Add(1) // a transient failure, or ctx's end: no use starting more
			continue
		}
		g.Go(func() error {
			octx, stop := context.WithCancelCause(gctx)
			defer stop(nil)
			o.p.clock, o.p.stop = c, stop
			r, err := s.sum(octx, o.bucket, o.Object, st, o.p)
			if c != nil {
				c.done(o.p)
			}
			var timeout *TimeoutError
			timedOut := errors.As(err, &timeout) && (context.Cause(octx) == errShare || ctx.Err() != nil)
			switch {
			case timedOut && o.p.started.Load() == 0:
				unstarted.Add(1) // never begun: the batch ran out of time
				return nil
			case timedOut:
				err = o.p.timeout(o.bucket, o.Key, s.Storage.Location(o.bucket, o.Key)) // it fails alone
			case IsTransient(err):
				return err
			}
			o.res, o.err = r, err
			done.Add(1)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return BatchResult{}, err
	}
	if n := unstarted.Load(); n > 0 {
		var read int64
		for i := range objects {
			read += objects[i].p.read.Load()
		}
		return BatchResult{}, &BatchTimeoutError{
			Objects: toRead, Done: int(done.Load()),
			Bytes: bytesToRead, Read: read,
			Seconds: int(time.Since(start).Round(time.Second) / time.Second),
		}
	}

	res := BatchResult{Results: []ObjectResult{}, Failed: []Failure{}}
	var total sumsq.Result
	for _, o := range objects {
		if o.err != nil {
			res.Failed = append(res.Failed, NewFailure(o.bucket, o.Key, o.err))
			continue
		}
		total.Add(o.res)
		res.Results = append(res.Results, ObjectResult{Bucket: o.bucket, Key: o.Key, Count: o.res.Count, SumOfSquares: o.res.String()})
	}
	res.Objects = int64(len(res.Results))
	res.Count = total.Count
	res.SumOfSquares = total.String()
	res.FailedObjects = int64(len(res.Failed))
	res.SkippedObjects = skipped
	if err := bound(&res); err != nil {
		return BatchResult{}, err
	}
	return res, nil
}

// batchObject is one item of a batch and what became of it.
type batchObject struct {
	Object
	bucket string       // the bucket's name, or Object.Bucket if invalid
	res    sumsq.Result // the sum, if err is nil
	err    error        // a permanent failure
	p      *progress    // how far its read got
}

// needsRead reports whether o's content must be read: it has a size other
// than 0 or none, and is not a folder marker.
func needsRead(o Object) bool {
	return (o.Size == nil || *o.Size != 0) && !strings.HasSuffix(o.Key, "/")
}
