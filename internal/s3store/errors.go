package s3store

import (
	"errors"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/sumsq/sumsq/internal/job"
)

// A kind is what an S3 error means for the job.
type kind int

const (
	transient  kind = iota // throttling, a server error, a dropped connection: retry
	notFound               // no such key or bucket
	denied                 // the caller may not
	unreadable             // a client error no retry mends
	changed                // the object is no longer the version being read
)

// codes classifies the S3 error codes a GET, HEAD, PUT or LIST can answer
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html,
// "List of error codes"). Codes not listed are classified by their HTTP
// status (byStatus).
var codes = map[string]kind{
	// 404
	"NoSuchKey":     notFound,
	"NoSuchBucket":  notFound,
	"NoSuchVersion": notFound,
	"NotFound":      notFound, // HEAD has no body, so no code: the SDK says NotFound

	// 403
	"AccessDenied":          denied,
	"Forbidden":             denied, // HEAD's 403
	"AllAccessDisabled":     denied,
	"AccountProblem":        denied,
	"InvalidAccessKeyId":    denied,
	"SignatureDoesNotMatch": denied,
	"InvalidSecurity":       denied,
	"InvalidObjectState":    unreadable, // archived (S3 Glacier): restore it first

	// 400 and others that no retry mends
	"KeyTooLongError":              unreadable,
	"InvalidBucketName":            unreadable,
	"InvalidArgument":              unreadable,
	"InvalidRequest":               unreadable,
	"InvalidURI":                   unreadable,
	"MethodNotAllowed":             unreadable, // a delete marker's version
	"NotImplemented":               unreadable,
	"EntityTooLarge":               unreadable,
	"InvalidDigest":                unreadable,
	"BadDigest":                    unreadable,
	"MissingContentLength":         unreadable,
	"InvalidBucketState":           unreadable,
	"PermanentRedirect":            unreadable, // the bucket is in another region
	"AuthorizationHeaderMalformed": unreadable,

	// The version being read is gone: a retry reads the new one whole.
	"PreconditionFailed": changed, // 412: If-Match no longer holds
	"InvalidRange":       changed, // 416: the object is shorter than listed

	// 4xx that a retry can mend, and every 5xx.
	"RequestTimeout":       transient, // 400: the connection idled
	"IncompleteBody":       transient, // 400: the body was cut short
	"ExpiredToken":         transient, // 400: credentials are refreshed
	"TokenRefreshRequired": transient,
	"RequestTimeTooSkewed": transient, // 403: the clock was wrong
	"OperationAborted":     transient, // 409
	"SlowDown":             transient, // 503: throttling
	"ServiceUnavailable":   transient,
	"InternalError":        transient,
	"Throttling":           transient,
	"ThrottlingException":  transient,
}

// byStatus classifies an error response whose code is not in codes.
func byStatus(status int) kind {
	switch {
	case status == http.StatusNotFound:
		return notFound
	case status == http.StatusForbidden:
		return denied
	case status == http.StatusPreconditionFailed, status == http.StatusRequestedRangeNotSatisfiable:
		return changed
	case status == http.StatusTooManyRequests, status == http.StatusRequestTimeout, status >= 500:
		return transient
	case status >= 400:
		return unreadable
	}
	return transient // no response at all: the network
}

// storageError returns err, an error of the SDK, as the job's kind of
// failure (see job.Storage): by its error code (codes), or by its HTTP
// status (byStatus), or else unavailable. A not-found error carries no
// detail: S3's says no more.
func storageError(err error) error {
	k := transient
	var (
		ae smithy.APIError
		re *awshttp.ResponseError
	)
	known := false
	if errors.As(err, &ae) {
		k, known = codes[ae.ErrorCode()]
	}
	if !known && errors.As(err, &re) {
		k = byStatus(re.HTTPStatusCode())
	}
	switch k {
	case notFound:
		return &job.StorageError{Kind: job.ErrNotFound}
	case denied:
		return &job.StorageError{Kind: job.ErrDenied, Err: err}
	case unreadable:
		return &job.StorageError{Kind: job.ErrUnreadable, Err: err}
	case changed:
		return &job.StorageError{Kind: job.ErrChanged, Err: err}
	}
	return unavailableErr(err)
}

// unavailableErr is a failure a retry may mend: throttling, a server error,
// the network.
func unavailableErr(err error) error { return &job.StorageError{Kind: job.ErrUnavailable, Err: err} }

// changedErr is a failure of a read whose object is no longer the version it
// read: a retry reads the new one whole.
func changedErr(err error) error { return &job.StorageError{Kind: job.ErrChanged, Err: err} }
