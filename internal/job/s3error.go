package job

import (
	"context"
	"errors"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	"github.com/sumsq/sumsq/internal/s3read"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// s3Error turns an error from reading the object key in bucket (from S3,
// from the parser, or from ctx ending) into the exported type Step
// Functions tells apart.
func s3Error(ctx context.Context, err error, bucket, key string) error {
	if ce := (*sumsq.Error)(nil); errors.As(err, &ce) {
		return &InvalidContentError{Bucket: bucket, Key: key, Err: ce}
	}
	if errors.Is(err, s3read.ErrChanged) {
		return &ObjectChangedError{Bucket: bucket, Key: key}
	}
	// Once ctx is done every error is a consequence of it, whatever its
	// shape (a canceled request, a closed body).
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &TimeoutError{Bucket: bucket, Key: key}
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NoSuchKey", "NoSuchBucket", "NotFound":
			return &ObjectNotFoundError{Bucket: bucket, Key: key}
		case "AccessDenied", "Forbidden", "AllAccessDisabled", "InvalidObjectState":
			// InvalidObjectState: an archived object (Glacier) cannot be
			// read until restored; retrying would not help either.
			return &AccessDeniedError{Bucket: bucket, Key: key, Err: err}
		}
	}
	// An error response without a code (a HEAD, a proxy) still has a status.
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusNotFound:
			return &ObjectNotFoundError{Bucket: bucket, Key: key}
		case http.StatusForbidden:
			return &AccessDeniedError{Bucket: bucket, Key: key, Err: err}
		}
	}
	return &S3UnavailableError{Bucket: bucket, Key: key, Err: err}
}
