package job

import (
	"fmt"
	"strconv"

	"github.com/sumsq/sumsq/internal/excerpt"
)

// MaxOutputBytes bounds the JSON of a BatchResult: Step Functions' 256 KiB
// payload limit (service-quotas: "Maximum input or output size for a task,
// state, or execution"), less 16 KiB to spare should the service spell the
// same JSON a little longer than Marshal does.
const MaxOutputBytes = 240 << 10

// Causes are shortened to these sizes in turn when a result is too large.
var shorterCauses = []int{64, 0}

// bound makes r's JSON fit in MaxOutputBytes. It leaves out per-object
// Results from the end (the subtotal still includes them; ResultsOmitted
// counts them), then shortens every Failure's Cause. Keys, error names and
// counts are always kept: Failed names every failed object. Batch's size
// check guarantees that this fits; the error is for a broken guarantee.
func bound(r *BatchResult) error {
	size := jsonSize(r)
	if size <= MaxOutputBytes {
		return nil
	}
	// Leave out just enough Results, counting each one's bytes and comma,
	// and the bytes of the field that counts them.
	excess := size - MaxOutputBytes + len(`,"resultsOmitted":`) + len(strconv.Itoa(len(r.Results)))
	n := len(r.Results)
	for n > 0 && excess > 0 {
		n--
		excess -= jsonSize(&r.Results[n]) + 1
	}
	r.ResultsOmitted += int64(len(r.Results) - n)
	r.Results = r.Results[:n]
	for _, max := range shorterCauses {
		if size = jsonSize(r); size <= MaxOutputBytes {
			return nil
		}
		for i := range r.Failed {
			r.Failed[i].Cause = excerpt.Shorten(r.Failed[i].Cause, max)
		}
	}
	if size = jsonSize(r); size <= MaxOutputBytes {
		return nil
	}
	return &InvalidEventError{Reason: fmt.Sprintf("batch too large: its result takes %d bytes, over the %d-byte limit",
		size, MaxOutputBytes)}
}
