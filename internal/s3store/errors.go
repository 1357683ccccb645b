package s3store

import (
	"errors"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/sumsq/sumsq/internal/job"
)

// The kinds of failure S3's errors are (see job.Storage), named as the
// table below reads best.
var (
	transient  = job.ErrUnavailable // throttling, a server error, a dropped connection: retry
	notFound   = job.ErrNotFound    // no such key or bucket
	denied     = job.ErrDenied      // the caller may not
	unreadable = job.ErrUnreadable  // a client error no retry mends
	changed    = job.ErrChanged     // the object is no longer the version being read
)

// codes classifies the S3 error codes a GET, HEAD, PUT or LIST can answer
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html,
// "List of error codes"). Codes not listed are classified by their HTTP
// status (byStatus).
var codes = map[string]error{
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
func byStatus(status int) error {
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

// kindOf returns the job's kind of failure that err, an error of the SDK,
// is: by its error code (codes), or by its HTTP status (byStatus), or else
// job.ErrUnavailable.
func kindOf(err error) error {
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
	return k
}

// storageError returns err, an error of the SDK about one object, as the
// job's kind of failure, with err as its detail; a missing object's has
// none: S3's 404 says no more.
func storageError(err error) error {
	k := kindOf(err)
	if k == job.ErrNotFound {
		return &job.StorageError{Kind: k}
	}
	return &job.StorageError{Kind: k, Err: err}
}

// unavailableErr is a failure a retry may mend: throttling, a server error,
// the network.
func unavailableErr(err error) error { return &job.StorageError{Kind: job.ErrUnavailable, Err: err} }

// changedErr is a failure of a read whose object is no longer the version it
// read: a retry reads the new one whole.
func changedErr(err error) error { return &job.StorageError{Kind: job.ErrChanged, Err: err} }
