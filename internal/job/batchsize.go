package job

// The size of a batch: what the template lets the Map send, and what the
// function may answer.

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/sumsq/sumsq/internal/excerpt"
)

// maxOutputBytes bounds the JSON of a BatchResult: Step Functions' 256 KiB
// payload limit (service-quotas: "Maximum input or output size for a task,
// state, or execution"), less 16 KiB to spare should the service spell the
// same JSON a little longer than Marshal does.
const maxOutputBytes = 240 << 10

// Causes are shortened to these sizes in turn when a result is too large.
var shorterCauses = []int{64, 0}

// bound makes r's JSON fit in maxOutputBytes. It leaves out per-object
// Results from the end (the subtotal still includes them; ResultsOmitted
// counts them), then the Read of the objects set aside (which says how far
// a batch got, and nothing the ranges need), then shortens every Failure's
// Cause. Keys, error names, versions and counts are always kept: Failed
// names every failed object, Deferred every object set aside. Batch's size
// check guarantees that this fits; the error is for a broken guarantee.
func bound(r *BatchResult) error {
	size := jsonSize(r)
	if size <= maxOutputBytes {
		return nil
	}
	// Leave out just enough Results, counting each one's bytes and comma,
	// and the bytes of the field that counts them.
	excess := size - maxOutputBytes + len(`,"resultsOmitted":`) + len(strconv.Itoa(len(r.Results)))
	n := len(r.Results)
	for n > 0 && excess > 0 {
		n--
		excess -= jsonSize(&r.Results[n]) + 1
	}
	r.ResultsOmitted += int64(len(r.Results) - n)
	r.Results = r.Results[:n]
	// Leave out just enough reads, each the bytes of its field.
	excess = jsonSize(r) - maxOutputBytes
	for i := len(r.Deferred) - 1; i >= 0 && excess > 0; i-- {
		if d := &r.Deferred[i]; d.Read != 0 {
			excess -= len(`,"read":`) + len(strconv.FormatInt(d.Read, 10))
			d.Read = 0
		}
	}
	for _, max := range shorterCauses {
		if size = jsonSize(r); size <= maxOutputBytes {
			return nil
		}
		for i := range r.Failed {
			r.Failed[i].Cause = excerpt.Shorten(r.Failed[i].Cause, max)
		}
	}
	if size = jsonSize(r); size <= maxOutputBytes {
		return nil
	}
	return &InvalidEventError{Reason: fmt.Sprintf("batch too large: its result takes %d bytes, over the %d-byte limit",
		size, maxOutputBytes)}
}

// MaxBatchItems and MaxBatchInputBytes bound the batches the template lets
// the Map's ItemBatcher send (its BatchSize and BatchMaxBytes parameters).
// Batch takes every batch within both, whatever its bucket and keys, even
// if every object fails (TestBatchLimitsTogether): a failure takes at most
// 31 bytes more than its item, and the subtotal at most 2*MaxDigits+19
// digits.
const (
	MaxBatchItems      = 1000
	MaxBatchInputBytes = 128 << 10
)

// checkBatchSize refuses a batch whose result could exceed maxOutputBytes
// even with every per-object result left out and every cause empty: the
// worst case is that every object fails, with the longest error name, or,
// if objects may be set aside (deferring: the batch has a deadline or a
// SplitBytes), is set aside with the longest version, whichever takes
// more; and the subtotal has the most digits the digit limit allows.
func (s *Summer) checkBatchSize(objects []batchObject, deferring bool) error {
	n := int64(len(objects))
	worst := BatchResult{
		Objects:         n,
		Count:           math.MaxInt64,
		SumOfSquares:    strings.Repeat("9", 2*s.DigitLimit()+19),
		Results:         []ObjectResult{},
		ResultsOmitted:  n,
		FailedObjects:   n,
		Failed:          []Failure{},
		SkippedObjects:  math.MaxInt64,
		DeferredObjects: n,
		Deferred:        []Deferred{},
	}
	size := jsonSize(&worst)
	for i, o := range objects {
		n := jsonSize(worstFailure(o))
		if deferring {
			n = max(n, jsonSize(worstDeferred(o)))
		}
		size += n
		if i > 0 {
			size++ // the comma
		}
	}
	if size > maxOutputBytes {
		return &InvalidEventError{Reason: fmt.Sprintf("batch too large: its result could take %d bytes, "+
			"over the %d-byte limit; lower the ItemBatcher's MaxInputBytesPerBatch", size, maxOutputBytes)}
	}
	return nil
}

// worstFailure is the longest Failure o can be, its cause left out.
func worstFailure(o batchObject) *Failure {
	return &Failure{Bucket: o.bucket, Key: o.longerKey(), Error: longestFailureName}
}

// worstDeferred is the longest Deferred o can be in a result within its
// bound (which leaves Read out if it must: see bound): its size, or the
// largest there is if it has none, and a version of maxVersionBytes.
func worstDeferred(o batchObject) *Deferred {
	size := o.Object.size()
	if size < 0 {
		size = math.MaxInt64
	}
	return &Deferred{Bucket: o.bucket, Key: o.longerKey(), Size: size, ETag: strings.Repeat("v", maxVersionBytes-2),
		Reason: DeferredLarge}
}

// longestFailureName is the longest ErrorType of a failure a batch records.
var longestFailureName = func() string {
	longest := ""
	for _, c := range Contract {
		if c.Kind == Permanent && len(c.Name()) > len(longest) {
			longest = c.Name()
		}
	}
	return longest
}()
