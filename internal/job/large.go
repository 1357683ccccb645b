package job

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/sumsq/sumsq/internal/excerpt"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// Objects too large for one invocation. A batch does not read an object of
// at least BatchInput.SplitBytes that is not compressed: it sets it aside
// (a Deferred, reason DeferredLarge) with the version its first request
// found, as it sets aside an object it could not finish in its share of the
// invocation's time, or not start. The workflow then sums each such object
// in Ranges, each by an invocation of its own (Summer.Range), every read
// pinned to that version, and adds the ranges' results in part order: by
// the rule of package sumsq's parallel ranges, the sum, the count and the
// lines are those of one read of the whole object, and a bad line in any
// range is named as a read of the whole object names it
// (RangeFailure.Failure).
//
// A compressed object cannot be read from the middle: it is read whole, by
// the batch, or by the first of its Ranges (a batch may set one aside
// before it has read its first bytes, unstarted, and its ranges are then
// cut as any object's), the others counting nothing.

// Range sums the lines of r's object that begin in [r.Start, r.End), by the
// rule of package sumsq's parallel ranges, reading past r.End to finish the
// last one, in parts of PartSize, as Sum reads a large object, but as many
// at once as RangeConcurrency or Concurrency says, whichever is more: the
// invocation reads this one object. Every read is pinned to the version
// r.ETag names (any, if it is "": a range read alone, as a whole object
// is). The first range of a compressed object reads all of it,
// decompressed; its other ranges hold no line.
//
// A failure of the object is in the result's Failure, not returned: a bad
// line (its line counted from the range's first, its byte offset in the
// object, its excerpt), an object replaced since the version was pinned
// (ObjectChangedError, permanent here: another range may have read the
// version pinned), a missing, denied or unreadable object, and a
// compressed object whole that cannot be read in the invocation's time
// (ObjectTimeoutError: decompress it first). The error returned is an
// *InvalidEventError for a range that is not one (a part outside its
// parts, bounds outside the object), or a transient failure
// (*S3UnavailableError, *TimeoutError), for Step Functions to retry.
func (s *Summer) Range(ctx context.Context, r Range) (RangeResult, error) {
	if err := r.check(); err != nil {
		return RangeResult{}, err
	}
	res := RangeResult{Bucket: r.Bucket, Key: r.Key, Part: r.Part, Parts: r.Parts, SumOfSquares: "0"}
	bucket, err := s.check(Object{Bucket: r.Bucket, Key: r.Key, Size: &r.Size})
	if err == nil && s.IsResult(bucket, r.Key) {
		err = &InvalidEventError{Reason: fmt.Sprintf("key %s is under %s, where the Map writes its results, not data",
			excerpt.Quote(r.Key), excerpt.Quote(s.ResultsPrefix))}
	}
	if err != nil {
		res.Failure = rangeFailure(err)
		return res, nil
	}
	res.Bucket = bucket
	// One object for the whole invocation: its parts may take every slot a
	// batch's objects would.
	rs := *s
	rs.RangeConcurrency = max(s.rangeConcurrency(), s.concurrency())
	p := newProgress()
	sum, err := rs.sumRange(ctx, bucket, r, newStreams(rs.RangeConcurrency, s.Memory), p)
	if err != nil {
		err = s.Classify(ctx, err, bucket, r.Key)
	}
	var (
		timeout *TimeoutError
		changed *ObjectChangedError
	)
	switch {
	case err == nil:
		res.Count, res.SumOfSquares, res.Lines = sum.Count, sum.String(), sum.Lines
	case errors.As(err, &timeout) && ctx.Err() != nil && p.codec.Load() != nil:
		// Decompressing takes the time it takes: no retry gives it more.
		res.Failure = rangeFailure(p.timeout(bucket, r.Key, s.Storage.Location(bucket, r.Key)))
	case errors.As(err, &changed):
		res.Failure = rangeFailure(err)
	case IsTransient(err):
		return RangeResult{}, err
	default:
		res.Failure = rangeFailure(err)
	}
	return res, nil
}

// sumRange sums the lines of r's object in bucket that begin in its range.
// Its errors are not classified.
func (s *Summer) sumRange(ctx context.Context, bucket string, r Range, st *streams, p *progress) (sumsq.Result, error) {
	if !needsRead(Object{Key: r.Key, Size: &r.Size}) {
		return sumsq.Result{}, nil
	}
	var (
		obj Source
		err error
	)
	if r.ETag != "" {
		obj, err = s.Storage.OpenVersion(ctx, bucket, r.Key, r.Size, r.ETag)
	} else {
		obj, err = s.Storage.Open(ctx, bucket, r.Key, r.Size)
	}
	if err != nil {
		return sumsq.Result{}, err
	}
	defer obj.Close()
	if size := obj.Size(); size != r.Size {
		return sumsq.Result{}, &StorageError{Kind: ErrChanged, Err: fmt.Errorf("%d bytes, not %d", size, r.Size)}
	}
	if r.Parts == 1 {
		return s.read(ctx, obj, r.Key, st, p)
	}
	// A compressed object's bytes mean nothing without those before them.
	p.size.Store(r.Size)
	c, err := s.sniff(ctx, obj, st, p)
	if err != nil {
		return sumsq.Result{}, err
	}
	switch want := codecOfKey(r.Key); {
	case want != nil && c != want:
		return sumsq.Result{}, want.notIt() // as a read of the whole object says
	case c != nil && r.Part == 0:
		return s.readStream(ctx, obj, r.Key, st, p)
	case c != nil:
		return sumsq.Result{}, nil // the first range reads it all
	}
	return s.sumParts(ctx, obj, r.Start, r.End, st, p)
}

// check returns an *InvalidEventError if r is not a range of its parts:
// the first begins at 0, the last ends at the object's end, every one
// holds at least a byte of an object that has any.
func (r *Range) check() error {
	var reason string
	switch {
	case r.Parts < 1 || r.Part < 0 || r.Part >= r.Parts:
		reason = fmt.Sprintf("part %d of %d", r.Part, r.Parts)
	case r.Size < 0 || r.Start < 0 || r.Start > r.End || r.End > r.Size:
		reason = fmt.Sprintf("bytes [%d, %d) of an object of %d", r.Start, r.End, r.Size)
	case (r.Part == 0) != (r.Start == 0):
		reason = fmt.Sprintf("part %d begins at byte %d: the first part, and only it, begins at 0", r.Part, r.Start)
	case (r.Part == r.Parts-1) != (r.End == r.Size):
		reason = fmt.Sprintf("part %d of %d ends at byte %d of %d: the last part, and only it, ends at the end", r.Part, r.Parts, r.End, r.Size)
	case r.Start == r.End && r.Size > 0:
		reason = fmt.Sprintf("part %d is empty ([%d, %d))", r.Part, r.Start, r.End)
	default:
		return nil
	}
	return &InvalidEventError{Reason: "range of " + excerpt.Quote(r.Key) + ": " + reason}
}

// rangeFailure is the RangeFailure that err, an error of the contract about
// a range's object, is.
func rangeFailure(err error) *RangeFailure {
	f := NewFailure("", "", err)
	rf := &RangeFailure{Error: f.Error, Cause: f.Cause}
	var e *sumsq.Error
	if errors.As(err, &e) {
		rf.Line, rf.Byte, rf.Excerpt, rf.Digits = e.Line, e.Offset, strconv.Quote(e.Excerpt), errors.Is(e.Err, sumsq.ErrDigits)
	}
	return rf
}

// Failure returns the failure of the object key of bucket that f, the
// failure of one of its ranges, stands for, as a read of the whole object
// names it: a bad line's line is counted from the object's first line, given
// linesBefore, the Lines of the ranges before f's.
func (f *RangeFailure) Failure(bucket, key string, linesBefore int64) Failure {
	cause := f.Cause
	if f.Line > 0 {
		ex, err := strconv.Unquote(f.Excerpt)
		if err != nil {
			ex = f.Excerpt // not quoted by Range: as it is
		}
		kind := sumsq.ErrSyntax
		if f.Digits {
			kind = sumsq.ErrDigits
		}
		cause = (&sumsq.Error{Line: linesBefore + f.Line, Offset: f.Byte, Excerpt: ex, Err: kind}).Error()
	}
	return Failure{Bucket: bucket, Key: key, Error: f.Error, Cause: cause}.Bounded()
}
