package job

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// MaxOutputBytes bounds the JSON of a BatchResult. It is under Step
// Functions' 256 KiB payload limit with room to spare for what a Task and
// the Map wrap around the function's result.
const MaxOutputBytes = 200 << 10

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
			r.Failed[i].Cause = shortCause(r.Failed[i].Cause, max)
		}
	}
	if size = jsonSize(r); size <= MaxOutputBytes {
		return nil
	}
	return &InvalidEventError{Reason: fmt.Sprintf("batch too large: its result takes %d bytes, over the %d-byte limit",
		size, MaxOutputBytes)}
}

func shortCause(s string, max int) string {
	if max == 0 {
		return ""
	}
	return shorten(s, max)
}

// jsonSize returns the length of v's JSON as the function sends it,
// without escaping <, > and & (see the handler's Invoke).
func jsonSize(v any) int {
	var n countingWriter
	enc := json.NewEncoder(&n)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // the types here are plain strings and numbers
	}
	return int(n) - 1 // Encode's newline
}

// countingWriter counts the bytes written to it.
type countingWriter int

func (n *countingWriter) Write(p []byte) (int, error) {
	*n += countingWriter(len(p))
	return len(p), nil
}
