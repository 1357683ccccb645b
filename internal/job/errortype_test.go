package job_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// TestErrorType pins the errorType the Lambda runtime reports for each error
// type: statemachine.asl.json matches these strings.
func TestErrorType(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&job.InvalidEventError{}, "InvalidEventError"},
		{&job.InvalidContentError{}, "InvalidContentError"},
		{&job.ObjectNotFoundError{}, "ObjectNotFoundError"},
		{&job.AccessDeniedError{}, "AccessDeniedError"},
		{&job.S3UnavailableError{}, "S3UnavailableError"},
		{&job.ObjectChangedError{}, "ObjectChangedError"},
		{&job.TimeoutError{}, "TimeoutError"},
		{&job.InvalidResultsError{}, "InvalidResultsError"},
		{&job.InvalidInventoryError{}, "InvalidInventoryError"},
		{&job.FailureListError{}, "FailureListError"},
		{&job.TooManyFailuresError{}, "TooManyFailuresError"},
		// What a wrapped error would show instead: why they are returned unwrapped.
		{errors.New("x"), "errorString"},
		{fmt.Errorf("x: %w", &job.TimeoutError{}), "wrapError"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := job.ErrorType(tt.err); got != tt.want {
			t.Errorf("ErrorType(%T) = %q; want %q", tt.err, got, tt.want)
		}
	}
}

func TestNewFailure(t *testing.T) {
	long := strings.Repeat("é", 400) // 800 bytes of 2-byte runes
	tests := []struct {
		name string
		err  error
		want job.Failure
	}{
		{
			"location dropped from the cause",
			&job.ObjectNotFoundError{Bucket: "b", Key: "k/1"},
			job.Failure{Bucket: "b", Key: "k/1", Error: "ObjectNotFoundError", Cause: "object not found"},
		},
		{
			"content error keeps line and excerpt",
			&job.InvalidContentError{Bucket: "b", Key: "k", Err: &sumsq.Error{Line: 2, Offset: 3, Excerpt: "x", Err: sumsq.ErrSyntax}},
			job.Failure{Bucket: "b", Key: "k", Error: "InvalidContentError", Cause: (&sumsq.Error{Line: 2, Offset: 3, Excerpt: "x", Err: sumsq.ErrSyntax}).Error()},
		},
		{
			"event error",
			&job.InvalidEventError{Reason: "r"},
			job.Failure{Bucket: "b", Key: "k", Error: "InvalidEventError", Cause: "invalid event: r"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := job.NewFailure(tt.want.Bucket, tt.want.Key, tt.err); got != tt.want {
				t.Errorf("NewFailure(%q, %q, %v) = %+v; want %+v", tt.want.Bucket, tt.want.Key, tt.err, got, tt.want)
			}
		})
	}
	t.Run("long cause", func(t *testing.T) {
		got := job.NewFailure("b", "k", &job.InvalidEventError{Reason: long})
		n := len(got.Cause)
		if n > job.MaxCauseBytes || n < job.MaxCauseBytes-8 || !strings.HasPrefix(got.Cause, "invalid event: éé") || !utf8.ValidString(got.Cause) {
			t.Errorf("NewFailure(long).Cause = %q (%d bytes); want valid UTF-8, the message's start, at most %d bytes",
				got.Cause, n, job.MaxCauseBytes)
		}
	})
}
