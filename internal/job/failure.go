package job

import (
	"strings"
	"unicode/utf8"
)

// NewFailure records that the object key in bucket failed with err. Error
// is ErrorType(err); Cause is err's message without the leading
// "s3://bucket/key: " (or "path: ") that the Failure already says, cut to
// MaxCauseBytes.
// A batch shortens causes further when it must, to keep its output under
// MaxOutputBytes.
func NewFailure(bucket, key string, err error) Failure {
	cause := strings.TrimPrefix(err.Error(), location(bucket, key))
	return Failure{Bucket: bucket, Key: key, Error: ErrorType(err), Cause: shorten(cause, MaxCauseBytes)}
}

// truncate returns the longest prefix of s with at most n bytes that does
// not split a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
