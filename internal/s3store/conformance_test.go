package s3store_test

import (
	"net/http"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
	"github.com/sumsq/sumsq/internal/storetest"
)

// TestConformance runs the suite against the in-process S3 server, through
// the real SDK over HTTP.
func TestConformance(t *testing.T) { storetest.Run(t, newS3Fixture) }

// s3Errors are the answers of S3 that are each kind of failure.
var s3Errors = map[error]s3test.Hook{
	job.ErrNotFound:    s3test.Fail(http.StatusNotFound, "NoSuchKey"),
	job.ErrDenied:      s3test.Fail(http.StatusForbidden, "AccessDenied"),
	job.ErrUnreadable:  s3test.Fail(http.StatusForbidden, "InvalidObjectState"),
	job.ErrUnavailable: s3test.Fail(http.StatusServiceUnavailable, "SlowDown"),
}

// newS3Fixture is a bucket of a server of its own; a failure is the hook
// of S3's answer.
func newS3Fixture(t *testing.T) *storetest.Fixture {
	srv := s3test.NewServer(t, bucket)
	return &storetest.Fixture{
		// Parts of S3's least size: the suite's streamed bodies are then
		// uploaded in three.
		Storage: &s3store.Store{S3: srv.Client(), PartSize: s3store.MinPartSize},
		Bucket:  bucket,
		Create:  func(t *testing.T, key string, data []byte) { srv.Put(t, bucket, key, data) },
		Fail: func(_ *testing.T, key string, kind error) bool {
			srv.Hook(bucket, key, s3Errors[kind])
			return true
		},
	}
}
