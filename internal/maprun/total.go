package maprun

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/bits"
	"path"

	"github.com/sumsq/sumsq/internal/excerpt"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// Total is the exact total over every object of a run.
type Total struct {
	Objects       int64         `json:"objects"` // objects summed
	Count         int64         `json:"count"`   // numbers summed
	SumOfSquares  string        `json:"sumOfSquares"`
	FailedObjects int64         `json:"failedObjects"`
	Failed        []job.Failure `json:"failed"` // the first ones, within job.MaxListedFailures
	// FailuresLocation is the folder that lists every failure, when any
	// object failed (s3://bucket/results/<map run id>/failed/): JSON Lines
	// of job.Failure in files whose names sort in the order of the
	// failures, Failed's first.
	FailuresLocation string `json:"failuresLocation,omitempty"`
	SkippedObjects   int64  `json:"skippedObjects,omitempty"` // the Map's own result files, listed but not read
}

// Finish returns the total of a run: Gather's subtotal e.Total, and the
// objects set aside, whose ranges the SumLargeObjects Map Run e.Ranges
// summed (job.RangeResult), each object's ranges combined in their order,
// exactly: counts and sums added; a failed range makes the object failed,
// once, with the first failed range's error, and a bad line is named by its
// line in the whole object (the lines of the ranges before it, and its
// own) and its byte offset, as a read of the whole object names it.
//
// It checks that SumLargeObjects counted the ranges Gather wrote
// (RangesFileName), and that its SUCCEEDED results hold each range of
// each object exactly once, each a result the function could have
// written; otherwise an *job.InvalidResultsError says what is missing or
// twice. The failures of the objects set aside are written, in the ranges'
// order, to LargeFailuresFileName in the folder of the parts' lists.
//
// When more of the run's objects (summed and failed) failed than
// e.ToleratedFailurePercentage allows (failed×100 > percentage×objects,
// exactly), Finish returns a *job.TooManyFailuresError naming the folder
// of every failure, once every list is written.
func Finish(ctx context.Context, s *job.Summer, e TotalEvent) (Total, error) {
	sub, p := e.Total, e.ToleratedFailurePercentage
	switch {
	case sub == nil:
		return Total{}, &job.InvalidEventError{Reason: "Total is required: Gather's Partial"}
	case e.Ranges == nil:
		return Total{}, &job.InvalidEventError{Reason: "Ranges is required: the SumLargeObjects Map Run and the ranges Gather wrote"}
	case p == nil:
		return Total{}, &job.InvalidEventError{Reason: "ToleratedFailurePercentage is required: the share of objects, 0 to 100, that may fail"}
	case *p < 0 || *p > 100:
		return Total{}, &job.InvalidEventError{Reason: fmt.Sprintf("ToleratedFailurePercentage %d is not from 0 to 100", *p)}
	case e.Ranges.Count == nil || *e.Ranges.Count < 0:
		return Total{}, &job.InvalidEventError{Reason: "Ranges: Count is required, not negative: the ranges Gather wrote"}
	case counted(&e.Ranges.MapRun) < 0:
		return Total{}, &job.InvalidEventError{Reason: "Ranges: ItemCounts.Total is required, not negative: SumLargeObjects' count of its items (DescribeMapRun)"}
	}
	dataBucket, dataManifest, err := runOf(s, sub.MapRun, "Total.mapRun")
	if err != nil {
		return Total{}, err
	}
	dataDir, _ := path.Split(dataManifest)
	if err := checkSubtotal(s, sub, dataBucket, dataDir); err != nil {
		return Total{}, err
	}
	rangesManifest := ""
	if d := e.Ranges.ResultWriterDetails; d != nil {
		rangesManifest = d.Key
	}
	bucket, _, files, err := readManifest(ctx, s, &e.Ranges.MapRun, "Ranges")
	if err != nil {
		return Total{}, err
	}
	if n := counted(&e.Ranges.MapRun); n != *e.Ranges.Count {
		return Total{}, &job.InvalidResultsError{Key: rangesManifest, Reason: fmt.Sprintf(
			"SumLargeObjects counted %d items but Gather wrote %d ranges: no total is made of ranges read in part", n, *e.Ranges.Count)}
	}
	l, err := readRanges(ctx, s, dataBucket, dataDir+RangesFileName, *e.Ranges.Count, sub.DeferredObjects)
	if err != nil {
		return Total{}, err
	}
	for _, f := range files {
		if f.Status != statusSucceeded {
			continue // a range that did not succeed has no result: missing, below
		}
		err := read(ctx, s, bucket, f.Key, f.Size, 0, -1, func(r io.Reader) error {
			return eachLineOf(r, func(ln line) error {
				if err := l.add(ln.text, s.DigitLimit()); err != nil {
					return fmt.Errorf("%s: %w", ln.where(0), err)
				}
				return nil
			})
		})
		if err != nil {
			return Total{}, err
		}
	}
	large, err := l.combine(rangesManifest)
	if err != nil {
		return Total{}, err
	}

	var failed job.FailureList
	for _, f := range sub.Failed {
		failed.Add(f)
	}
	failed.Count(sub.FailedObjects - int64(len(sub.Failed)))
	if len(large.failed) > 0 {
		key := dataDir + FailuresDir + LargeFailuresFileName
		w := newLinesWriter(ctx, s.Storage, dataBucket, key)
		for _, f := range large.failed {
			failed.Add(f)
			b, err := job.Marshal(f)
			if err != nil {
				w.abort(err)
				return Total{}, err
			}
			if err := w.line(b); err != nil {
				return Total{}, failedWriter(ctx, s, w, dataBucket)
			}
		}
		if err := w.close(); err != nil {
			return Total{}, s.Classify(ctx, err, dataBucket, key)
		}
	}
	var total sum
	total.addDecimal([]byte(sub.SumOfSquares))
	total.add(&large.sum)
	t := Total{
		Objects:        sub.Objects + large.objects,
		Count:          sub.Count,
		SumOfSquares:   total.String(),
		FailedObjects:  failed.Len(),
		Failed:         failed.Listed(),
		SkippedObjects: sub.SkippedObjects,
	}
	if addCount(&t.Count, large.count) != nil {
		return Total{}, &job.InvalidResultsError{Key: rangesManifest, Reason: errOverflow.Error()}
	}
	if t.FailedObjects > 0 {
		t.FailuresLocation = s.Storage.Location(dataBucket, dataDir+FailuresDir)
	}
	objects := t.Objects + t.FailedObjects
	if exceeds(t.FailedObjects, objects, *p) {
		return Total{}, &job.TooManyFailuresError{Failed: t.FailedObjects, Objects: objects,
			Percentage: *p, Location: t.FailuresLocation, First: t.Failed[0]}
	}
	return t, nil
}

// checkSubtotal says what makes sub a subtotal Gather could not have
// returned for the data Map Run in dataDir of dataBucket.
func checkSubtotal(s *job.Summer, sub *Subtotal, dataBucket, dataDir string) error {
	invalid := func(format string, args ...any) error {
		return &job.InvalidEventError{Reason: "Total: " + fmt.Sprintf(format, args...)}
	}
	loc := ""
	if sub.FailedObjects > 0 {
		loc = s.Storage.Location(dataBucket, dataDir+FailuresDir)
	}
	var accounted int64
	for _, c := range []int64{sub.Objects, sub.FailedObjects, sub.SkippedObjects, sub.DeferredObjects} {
		if c < 0 || addCount(&accounted, c) != nil {
			return invalid("counts %d, %d, %d, %d: not a subtotal's", sub.Objects, sub.FailedObjects, sub.SkippedObjects, sub.DeferredObjects)
		}
	}
	switch {
	case sub.Count < 0:
		return invalid("negative count %d", sub.Count)
	case int64(len(sub.Failed)) > sub.FailedObjects || len(sub.Failed) > job.MaxListedFailures:
		return invalid("failed names %d of its %d failures: more than a subtotal lists", len(sub.Failed), sub.FailedObjects)
	case sub.FailuresLocation != loc:
		return invalid("failuresLocation %s for %d failures; want %s", excerpt.Quote(sub.FailuresLocation), sub.FailedObjects, excerpt.Quote(loc))
	case accounted != counted(sub.MapRun):
		return invalid("accounts for %d objects, not the %d items the data Map Run counted", accounted, counted(sub.MapRun))
	}
	if err := checkSum([]byte(sub.SumOfSquares), sub.Count, s.DigitLimit()); err != nil {
		return invalid("%v", err)
	}
	return nil
}

// exceeds reports whether failed of objects is more than percentage allows:
// failed×100 > percentage×objects, exactly (128-bit products), as the Map
// compares failed items with its ToleratedFailurePercentage. Nothing
// failed never exceeds; 0 % tolerates no failure.
func exceeds(failed, objects int64, percentage int) bool {
	fh, fl := bits.Mul64(uint64(failed), 100)
	oh, ol := bits.Mul64(uint64(percentage), uint64(objects))
	return fh > oh || fh == oh && fl > ol
}

// largeObjects are the objects set aside, by the ranges Gather wrote, and
// the results of those ranges as they come.
type largeObjects struct {
	key     string // of the ranges
	objects []largeObject
	byName  map[[2]string]int // bucket and key: index in objects
}

// A largeObject is an object set aside: its ranges' results, by part.
type largeObject struct {
	bucket, key string
	size        int64
	results     []*job.RangeResult
}

// readRanges reads the ranges Gather wrote to bucket/key: count of them,
// of deferred objects.
func readRanges(ctx context.Context, s *job.Summer, bucket, key string, count, deferred int64) (*largeObjects, error) {
	l := &largeObjects{key: key, byName: make(map[[2]string]int)}
	var n int64
	err := read(ctx, s, bucket, key, -1, 0, -1, func(r io.Reader) error {
		return eachLineOf(r, func(ln line) error {
			text := trimSpace(ln.text)
			if len(text) == 0 {
				return nil
			}
			var g job.Range
			if err := strictJSON(text, &g); err != nil {
				return fmt.Errorf("%s: not a range: %v", ln.where(0), err)
			}
			name := [2]string{g.Bucket, g.Key}
			i, ok := l.byName[name]
			if !ok {
				if g.Parts <= 0 {
					return fmt.Errorf("%s: %d parts", ln.where(0), g.Parts)
				}
				i = len(l.objects)
				l.byName[name] = i
				l.objects = append(l.objects, largeObject{bucket: g.Bucket, key: g.Key, size: g.Size, results: make([]*job.RangeResult, g.Parts)})
			}
			o := &l.objects[i]
			if g.Parts != len(o.results) || g.Part < 0 || g.Part >= g.Parts || g.Size != o.size {
				return fmt.Errorf("%s: part %d of %d of %s (%d bytes), not one of its %d parts (%d bytes)", ln.where(0),
					g.Part, g.Parts, excerpt.Quote(g.Key), g.Size, len(o.results), o.size)
			}
			n++
			return nil
		})
	})
	switch {
	case err != nil:
		return nil, err
	case n != count:
		return nil, &job.InvalidResultsError{Key: key, Reason: fmt.Sprintf("holds %d ranges, but Gather counted %d", n, count)}
	case int64(len(l.objects)) != deferred:
		return nil, &job.InvalidResultsError{Key: key, Reason: fmt.Sprintf("holds the ranges of %d objects, but %d were set aside", len(l.objects), deferred)}
	}
	return l, nil
}

// strictJSON decodes text, one JSON value, into v, refusing unknown
// fields.
func strictJSON(text []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("more than one JSON value")
	}
	return nil
}

// add adds the range result text holds.
func (l *largeObjects) add(text []byte, maxDigits int) error {
	text = trimSpace(text)
	if len(text) == 0 {
		return nil
	}
	var r job.RangeResult
	if err := strictJSON(text, &r); err != nil {
		return fmt.Errorf("not a range's result: %v", err)
	}
	i, ok := l.byName[[2]string{r.Bucket, r.Key}]
	if !ok {
		return fmt.Errorf("a range of %s, which is not set aside", excerpt.Quote(r.Key))
	}
	o := &l.objects[i]
	switch {
	case r.Parts != len(o.results) || r.Part < 0 || r.Part >= r.Parts:
		return fmt.Errorf("part %d of %d of %s, not one of its %d parts", r.Part, r.Parts, excerpt.Quote(r.Key), len(o.results))
	case o.results[r.Part] != nil:
		return fmt.Errorf("a second result of part %d of %s: it would count twice", r.Part, excerpt.Quote(r.Key))
	case r.Count < 0 || r.Lines < r.Count:
		return fmt.Errorf("part %d of %s: count %d of %d lines", r.Part, excerpt.Quote(r.Key), r.Count, r.Lines)
	case r.Failure != nil && (r.Failure.Error == "" || r.Failure.Line < 0 || r.Failure.Byte < 0):
		return fmt.Errorf("part %d of %s: a failure without an error, or at a negative line", r.Part, excerpt.Quote(r.Key))
	}
	if r.Failure == nil {
		if err := checkSum([]byte(r.SumOfSquares), r.Count, maxDigits); err != nil {
			return fmt.Errorf("part %d of %s: %w", r.Part, excerpt.Quote(r.Key), err)
		}
	}
	o.results[r.Part] = &r
	return nil
}

// largeTotal is the total of the objects set aside.
type largeTotal struct {
	objects, count int64
	sum            sum
	failed         []job.Failure
}

// combine combines each object's ranges, once every range has its
// result: a missing one is an *job.InvalidResultsError for the results in
// rangesManifest.
func (l *largeObjects) combine(rangesManifest string) (largeTotal, error) {
	var t largeTotal
	for _, o := range l.objects {
		var (
			lines, count int64
			s            sum
			failure      *job.Failure
		)
		for part, r := range o.results {
			if r == nil {
				return largeTotal{}, &job.InvalidResultsError{Key: rangesManifest, Reason: fmt.Sprintf(
					"part %d of %d of %s has no result among SumLargeObjects' SUCCEEDED results: no total is made of an object read in part",
					part, len(o.results), excerpt.Quote(o.key))}
			}
			if r.Failure != nil {
				failure = rangeFailure(o, r, lines)
				break
			}
			if addCount(&lines, r.Lines) != nil || addCount(&count, r.Count) != nil {
				return largeTotal{}, &job.InvalidResultsError{Key: rangesManifest, Reason: errOverflow.Error()}
			}
			s.addDecimal([]byte(r.SumOfSquares))
		}
		if failure != nil {
			t.failed = append(t.failed, *failure)
			continue
		}
		if addCount(&t.count, count) != nil {
			return largeTotal{}, &job.InvalidResultsError{Key: rangesManifest, Reason: errOverflow.Error()}
		}
		t.objects++
		t.sum.add(&s)
	}
	return t, nil
}

// rangeFailure is the failure of object o whose first failed range is r,
// after lines lines of the ranges before it: a bad line is named by its
// line in the object and its byte offset, as a read of the whole object
// names it ("line 7 (byte 40): not an integer: \"x\"").
func rangeFailure(o largeObject, r *job.RangeResult, lines int64) *job.Failure {
	f := r.Failure
	cause := f.Cause
	if f.Error == job.ErrorType(&job.InvalidContentError{}) && f.Line > 0 {
		e := &sumsq.Error{Line: lines + f.Line, Offset: f.Byte, Excerpt: f.Excerpt, Err: sumsq.ErrSyntax}
		if f.Digits {
			e.Err = sumsq.ErrDigits
		}
		cause = e.Error()
	}
	failure := job.Failure{Bucket: o.bucket, Key: o.key, Error: f.Error, Cause: cause}.Bounded()
	return &failure
}
