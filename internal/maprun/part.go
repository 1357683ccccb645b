package maprun

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/sumsq/sumsq/internal/excerpt"
	"github.com/sumsq/sumsq/internal/job"
)

// Failure.Error values for failures the Map reports without an error name.
const (
	// MapItemFailed: a child execution failed and the Map gave no error name.
	MapItemFailed = "MapItemFailed"
	// MapItemPending: the Map Run ended before this child execution did.
	MapItemPending = "MapItemPending"
)

// The lists a part writes, in the data Map Run's directory: every failure
// of part i in FailuresDir + FailuresFileName(i), every object it set
// aside in DeferredDir + the same name, only when there is any. Their
// names sort in the plan's order; the failures of the objects set aside
// come last, in LargeFailuresFileName.
const (
	FailuresDir           = "failed/"
	DeferredDir           = "deferred/"
	LargeFailuresFileName = "large.jsonl"
)

// FailuresFileName is the name of part i's lists: its index in 6 digits.
func FailuresFileName(i int64) string { return fmt.Sprintf("%06d.jsonl", i) }

// TotalPart totals one part of a plan (see PlanTotal): the records that
// begin in the part's byte range of a result file of the data Map Run.
//
// In a SUCCEEDED file a record is a batch's result (job.BatchResult): its
// counts and sum are added, its per-object results checked to be JSON and
// skipped unread, and its failures and objects set aside counted and
// listed. In any other file (FAILED, PENDING) a record is a child
// execution's, whose every object failed: named by key, from the
// execution's input, with the execution's Error and Cause (objects under
// the results prefix are skipped, as the batch would have).
//
// The Partial names the first failures, within the bounds of Total.Failed;
// every failure is written, as the part meets them, to FailuresDir +
// FailuresFileName(index), and every object set aside to DeferredDir + the
// same name, as JSON Lines streamed to the Storage (over S3, a multipart
// upload: no temporary file, memory that does not grow with the lists),
// each only if there is any, so that a list of any length is written.
//
// A record that is not one the function and the Map could have written is
// an *job.InvalidResultsError naming the file and the line (by its offset,
// and its number when the part begins the file), and so is a file shorter
// than its size. A part that names a file outside a run's directory under
// the results prefix is an *job.InvalidEventError. Errors reading and
// writing are classified as for objects (*job.S3UnavailableError,
// *job.TimeoutError when ctx ends first, ...); nothing is written then.
func TotalPart(ctx context.Context, s *job.Summer, e PartEvent) (Partial, error) {
	p := e.TotalPart
	if p == nil {
		return Partial{}, &job.InvalidEventError{Reason: "TotalPart is required"}
	}
	bucket, err := checkResults(s, p.Bucket, p.Key, "result file")
	if err != nil {
		return Partial{}, err
	}
	switch {
	case p.Status == "" || strings.Trim(p.Status, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != "":
		return Partial{}, &job.InvalidEventError{Reason: fmt.Sprintf("TotalPart: status %s is not a Map Run's", excerpt.Quote(p.Status))}
	case p.Start < 0 || p.End <= p.Start || p.End > p.Size || p.Index < 0:
		return Partial{}, &job.InvalidEventError{Reason: fmt.Sprintf("TotalPart: bytes [%d, %d) of %d, index %d: not a part of a file",
			p.Start, p.End, p.Size, p.Index)}
	}
	dir, _ := path.Split(p.Key)
	t := &partTotal{s: s, ctx: ctx, bucket: bucket, dir: dir, part: p, max: s.DigitLimit()}
	from := max(p.Start-1, 0)
	limit := min(p.End+MaxRecordBytes+1, p.Size)
	err = read(ctx, s, bucket, p.Key, p.Size, from, limit-from, func(r io.Reader) error {
		return eachLine(r, from, p.Start, p.End, limit, limit == p.Size, func(l line) error {
			if err := t.add(l); err != nil {
				return fmt.Errorf("%s: %w", l.where(p.Start), err)
			}
			return nil
		})
	})
	if err != nil {
		t.abort(err)
		return Partial{}, err
	}
	return t.finish()
}

// A partTotal adds up the records of one part.
type partTotal struct {
	s           *job.Summer
	ctx         context.Context
	bucket, dir string
	part        *Part
	max         int // the digit limit

	objects, count, skipped, deferred int64
	sum                               sum
	failed                            job.FailureList // the first ones
	failures, deferrals               *linesWriter    // every one, when there is any
	enc                               job.Encoder     // of their lines
}

// add adds the record l holds.
func (t *partTotal) add(l line) error {
	text := trimSpace(l.text)
	if len(text) == 0 {
		return nil
	}
	if t.part.Status == statusSucceeded {
		return t.addBatch(text)
	}
	return t.addExecution(text)
}

// trimSpace trims JSON white space.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// addBatch adds a batch's result, after checking that it is one the
// function could have written.
func (t *partTotal) addBatch(text []byte) error {
	r, err := parseBatch(text)
	if err != nil {
		return err
	}
	switch {
	case r.has&(hasObjects|hasCount|hasSum) != hasObjects|hasCount|hasSum:
		return fmt.Errorf("not a batch result: objects, count or sumOfSquares missing")
	case r.objects < 0 || r.count < 0 || r.failedObjects < 0 || r.skippedObjects < 0 || r.deferredObjects < 0:
		return fmt.Errorf("negative count: objects %d, count %d, failedObjects %d, skippedObjects %d, deferredObjects %d",
			r.objects, r.count, r.failedObjects, r.skippedObjects, r.deferredObjects)
	}
	if err := checkSum(r.sum, r.count, t.max); err != nil {
		return err
	}
	var failures []job.Failure
	var deferred []job.Deferred
	if r.failed != nil || r.failedObjects != 0 {
		if failures, err = r.failures(); err != nil {
			return err
		}
		if r.failedObjects != int64(len(failures)) {
			return fmt.Errorf("failedObjects is %d but failed names %d", r.failedObjects, len(failures))
		}
	}
	if r.deferred != nil || r.deferredObjects != 0 {
		if deferred, err = r.deferredOf(); err != nil {
			return err
		}
		if r.deferredObjects != int64(len(deferred)) {
			return fmt.Errorf("deferredObjects is %d but deferred names %d", r.deferredObjects, len(deferred))
		}
		for i, d := range deferred {
			if err := checkDeferred(d); err != nil {
				return fmt.Errorf("deferred[%d]: %w", i, err)
			}
		}
	}
	failed := t.failed.Len()
	for _, c := range []struct {
		n *int64
		v int64
	}{{&t.objects, r.objects}, {&t.count, r.count}, {&t.skipped, r.skippedObjects}, {&t.deferred, r.deferredObjects}, {&failed, r.failedObjects}} {
		if *c.n > 1<<63-1-c.v {
			return errOverflow
		}
	}
	t.objects += r.objects
	t.count += r.count
	t.skipped += r.skippedObjects
	t.deferred += r.deferredObjects
	t.sum.addDecimal(r.sum)
	for _, f := range failures {
		if err := t.fail(f); err != nil {
			return err
		}
	}
	for _, d := range deferred {
		if err := t.setAside(d); err != nil {
			return err
		}
	}
	return nil
}

// checkDeferred says what is wrong with d, an object a batch set aside.
func checkDeferred(d job.Deferred) error {
	switch {
	case d.Bucket == "" || d.Key == "":
		return fmt.Errorf("no bucket or key")
	case d.Size < 0 || d.Read < 0 || d.Read > d.Size:
		return fmt.Errorf("%s: size %d, read %d", excerpt.Quote(d.Key), d.Size, d.Read)
	case d.Reason != job.DeferredLarge && d.Reason != job.DeferredSlow && d.Reason != job.DeferredUnstarted:
		return fmt.Errorf("%s: reason %s is not one a batch gives", excerpt.Quote(d.Key), excerpt.Quote(d.Reason))
	}
	return nil
}

// addExecution adds the record of a child execution that did not succeed:
// every object of its batch failed.
func (t *partTotal) addExecution(text []byte) error {
	status := t.part.Status
	r, err := parseRecord(text, status)
	if err != nil {
		return err
	}
	if r.Status != "" {
		status = r.Status
	}
	items, err := inputItems(r.Input)
	if err != nil {
		return fmt.Errorf("the Input of %s execution %s: %w", status, r.Name, err)
	}
	name, cause := r.Error, r.Cause
	if name == "" {
		name = MapItemFailed
		if status == "PENDING" {
			name = MapItemPending
		}
	}
	if cause == "" {
		cause = fmt.Sprintf("child execution %s ended with status %s", r.Name, status)
	}
	for _, o := range items {
		if t.s.IsResult(o.Bucket, o.Key) {
			if err := addCount(&t.skipped, 1); err != nil {
				return err
			}
			continue // as the batch would have: not data
		}
		if err := t.fail(job.Failure{Bucket: failedBucket(t.s, o.Bucket), Key: o.Key, Error: name, Cause: cause}); err != nil {
			return err
		}
	}
	return nil
}

// failedBucket returns the bucket of a failed item as results name it:
// by its name, or as the item gave it if it names no bucket.
func failedBucket(s *job.Summer, b string) string {
	if name, err := s.Storage.Bucket(b); err == nil {
		return name
	}
	return b
}

// fail counts f, lists it if it is among the first, and writes it to the
// part's list of failures.
func (t *partTotal) fail(f job.Failure) error {
	t.failed.Add(f)
	if t.failures == nil {
		t.failures = newLinesWriter(t.ctx, t.s.Storage, t.bucket, t.dir+FailuresDir+FailuresFileName(t.part.Index))
	}
	return t.write(t.failures, f.Bounded())
}

// setAside writes d to the part's list of objects set aside.
func (t *partTotal) setAside(d job.Deferred) error {
	if t.deferrals == nil {
		t.deferrals = newLinesWriter(t.ctx, t.s.Storage, t.bucket, t.dir+DeferredDir+FailuresFileName(t.part.Index))
	}
	return t.write(t.deferrals, d)
}

// write writes v as a line of w: when w cannot be written, the error is
// the Storage's, classified.
func (t *partTotal) write(w *linesWriter, v any) error {
	b, err := t.enc.Encode(v)
	if err != nil {
		return err
	}
	if err := w.line(b); err != nil {
		return failedWriter(t.ctx, t.s, w, t.bucket)
	}
	return nil
}

// abort lets go of the lists, written or not: the part failed with err.
func (t *partTotal) abort(err error) {
	for _, w := range []*linesWriter{t.failures, t.deferrals} {
		if w != nil {
			w.abort(err)
		}
	}
}

// finish ends the lists and returns the part's subtotal.
func (t *partTotal) finish() (Partial, error) {
	p := Partial{
		Index:           t.part.Index,
		Objects:         t.objects,
		Count:           t.count,
		SumOfSquares:    t.sum.String(),
		FailedObjects:   t.failed.Len(),
		Failed:          t.failed.Listed(),
		SkippedObjects:  t.skipped,
		DeferredObjects: t.deferred,
	}
	for _, l := range []struct {
		w   *linesWriter
		key *string
	}{{t.failures, &p.FailuresKey}, {t.deferrals, &p.DeferredKey}} {
		if l.w == nil {
			continue
		}
		if err := l.w.close(); err != nil {
			t.abort(err)
			return Partial{}, t.s.Classify(t.ctx, err, t.bucket, l.w.key)
		}
		*l.key = l.w.key
	}
	return p, nil
}
