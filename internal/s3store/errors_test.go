package s3store_test

import (
	"context"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
)

// TestErrorCodes answers a GET with each S3 error code the function can
// meet and checks the kind of failure the reader reports, and the job error
// a Summer makes of it: a row per code of the table in errors.go, and one
// per HTTP status for the codes it does not know. Permanent ones are not
// retried by the SDK (one GET); transient ones are, up to its MaxAttempts.
func TestErrorCodes(t *testing.T) {
	type kind = string
	const (
		notFound    kind = "ObjectNotFoundError"
		denied      kind = "AccessDeniedError"
		unreadable  kind = "ObjectUnreadableError"
		changed     kind = "ObjectChangedError"
		unavailable kind = "S3UnavailableError"
	)
	kinds := map[kind]error{notFound: job.ErrNotFound, denied: job.ErrDenied, unreadable: job.ErrUnreadable,
		changed: job.ErrChanged, unavailable: job.ErrUnavailable}
	tests := []struct {
		status int
		code   string
		want   kind
	}{
		{404, "NoSuchKey", notFound},
		{404, "NoSuchBucket", notFound},
		{404, "NoSuchVersion", notFound},
		{404, "NotFound", notFound},
		{403, "AccessDenied", denied},
		{403, "Forbidden", denied},
		{403, "AllAccessDisabled", denied},
		{403, "AccountProblem", denied},
		{403, "InvalidAccessKeyId", denied},
		{403, "SignatureDoesNotMatch", denied},
		{403, "InvalidSecurity", denied},
		{403, "InvalidObjectState", unreadable},
		{400, "KeyTooLongError", unreadable},
		{400, "InvalidBucketName", unreadable},
		{400, "InvalidArgument", unreadable},
		{400, "InvalidRequest", unreadable},
		{400, "InvalidURI", unreadable},
		{405, "MethodNotAllowed", unreadable},
		{501, "NotImplemented", unreadable},
		{400, "EntityTooLarge", unreadable},
		{400, "InvalidDigest", unreadable},
		{400, "BadDigest", unreadable},
		{411, "MissingContentLength", unreadable},
		{409, "InvalidBucketState", unreadable},
		{301, "PermanentRedirect", unreadable},
		{400, "AuthorizationHeaderMalformed", unreadable},
		{412, "PreconditionFailed", changed},
		{416, "InvalidRange", changed},
		{400, "RequestTimeout", unavailable},
		{400, "IncompleteBody", unavailable},
		{400, "ExpiredToken", unavailable},
		{400, "TokenRefreshRequired", unavailable},
		{403, "RequestTimeTooSkewed", unavailable},
		{409, "OperationAborted", unavailable},
		{503, "SlowDown", unavailable},
		{503, "ServiceUnavailable", unavailable},
		{500, "InternalError", unavailable},
		{400, "Throttling", unavailable},
		{400, "ThrottlingException", unavailable},
		// Codes not in the table, by status.
		{404, "SomethingNew", notFound},
		{403, "SomethingNew", denied},
		{412, "SomethingNew", changed},
		{416, "SomethingNew", changed},
		{400, "SomethingNew", unreadable},
		{418, "SomethingNew", unreadable},
		{429, "SomethingNew", unavailable},
		{408, "SomethingNew", unavailable},
		{500, "SomethingNew", unavailable},
		{502, "SomethingNew", unavailable},
	}
	for _, tt := range tests {
		t.Run(tt.code+"/"+http.StatusText(tt.status), func(t *testing.T) {
			srv := s3test.NewServer(t, bucket)
			srv.Hook(bucket, "k", s3test.Fail(tt.status, tt.code))
			ctx := context.Background()
			store := s3store.New(srv.Client())
			src, err := store.Open(ctx, bucket, "k", 10)
			if err != nil {
				t.Fatal(err)
			}
			r, _ := src.NewReader(ctx, 0, -1)
			_, err = io.ReadAll(r)
			if got := kindOf(err); got != kinds[tt.want] {
				t.Fatalf("GET answered %d %s: error %v of kind %v; want %v", tt.status, tt.code, err, got, kinds[tt.want])
			}

			size := int64(10)
			_, err = (&job.Summer{Storage: store}).Sum(ctx, job.Object{Bucket: bucket, Key: "k", Size: &size})
			if got := job.ErrorType(err); got != tt.want {
				t.Fatalf("Sum with GET answered %d %s: error %v (%s); want a %s", tt.status, tt.code, err, got, tt.want)
			}
			if got := reflect.ValueOf(err).Elem().FieldByName("Key").String(); got != "k" {
				t.Errorf("error %v names key %q; want k", err, got)
			}
			if !strings.HasPrefix(err.Error(), "s3://my-bucket/k: ") {
				t.Errorf("error %q; want it to begin with the object's s3:// URL", err)
			}
			if job.IsTransient(err) != (tt.want == unavailable || tt.want == changed) {
				t.Errorf("IsTransient(%v) = %v", err, job.IsTransient(err))
			}
		})
	}
}
