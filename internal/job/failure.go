package job

import (
	"strings"

	"github.com/sumsq/sumsq/internal/excerpt"
)

// Failure names an object that could not be summed and why.
type Failure struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Error  string `json:"error"` // the error type name, e.g. "InvalidContentError"
	Cause  string `json:"cause"` // the error message, bounded in length
}

// MaxCauseBytes bounds a Failure's Cause: in a batch's result (see
// NewFailure) and in the list of all failures (FailureList).
const MaxCauseBytes = 512

// maxErrorNameBytes bounds a Failure's Error read from elsewhere (a Map
// Run's records): the contract's names are far shorter.
const maxErrorNameBytes = 128

// NewFailure records that the object key in bucket failed with err. Error
// is ErrorType(err); Cause is err's message without the location it begins
// with ("s3://bucket/key: ", "path: "), which the Failure already says, cut
// to MaxCauseBytes.
// A batch shortens causes further when it must, to keep its output under
// maxOutputBytes.
func NewFailure(bucket, key string, err error) Failure {
	cause := err.Error()
	if l, ok := err.(located); ok {
		cause = strings.TrimPrefix(cause, at(l.location()))
	}
	return Failure{Bucket: bucket, Key: key, Error: ErrorType(err), Cause: cause}.Bounded()
}

// Bounded returns f with its Error cut to maxErrorNameBytes and its Cause
// to MaxCauseBytes: as a list of every failure of a run holds it.
func (f Failure) Bounded() Failure {
	f.Error = excerpt.Shorten(f.Error, maxErrorNameBytes)
	f.Cause = excerpt.Shorten(f.Cause, MaxCauseBytes)
	return f
}
