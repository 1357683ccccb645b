package job

import (
	"strings"

	"github.com/sumsq/sumsq/internal/excerpt"
)

// NewFailure records that the object key in bucket failed with err. Error
// is ErrorType(err); Cause is err's message without the location it begins
// with ("s3://bucket/key: ", "path: "), which the Failure already says, cut
// to MaxCauseBytes.
// A batch shortens causes further when it must, to keep its output under
// MaxOutputBytes.
func NewFailure(bucket, key string, err error) Failure {
	cause := err.Error()
	if l, ok := err.(located); ok {
		cause = strings.TrimPrefix(cause, at(l.location()))
	}
	return Failure{Bucket: bucket, Key: key, Error: ErrorType(err), Cause: excerpt.Shorten(cause, MaxCauseBytes)}
}
