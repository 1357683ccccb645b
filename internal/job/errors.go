package job

import "fmt"

// The error types below are the Step Functions contract: the Lambda runtime
// reports a returned error's Go type name as its errorType, and
// statemachine.asl.json retries or catches by that name. Return them
// unwrapped at the handler boundary. Rename one only together with the ASL,
// the README and the tests that pin the names.
//
// Permanent per-object failures (InvalidContentError, ObjectNotFoundError,
// AccessDeniedError) are recorded in a batch's result and never retried.
// Transient ones (S3UnavailableError, ObjectChangedError, TimeoutError) fail
// the invocation so that Step Functions retries it.

// InvalidEventError means the event is not one this function accepts. Permanent.
type InvalidEventError struct {
	Reason string
}

func (e *InvalidEventError) Error() string { return "invalid event: " + e.Reason }

// InvalidContentError means an object holds something that is not a number
// per the grammar, or a number over the digit limit. Permanent.
type InvalidContentError struct {
	Bucket, Key string
	Err         error // a *sumsq.Error: line, byte offset, excerpt
}

func (e *InvalidContentError) Error() string {
	return fmt.Sprintf("s3://%s/%s: %v", e.Bucket, e.Key, e.Err)
}

func (e *InvalidContentError) Unwrap() error { return e.Err }

// ObjectNotFoundError means the object (or its bucket) does not exist. Permanent.
type ObjectNotFoundError struct {
	Bucket, Key string
}

func (e *ObjectNotFoundError) Error() string {
	return fmt.Sprintf("s3://%s/%s: object not found", e.Bucket, e.Key)
}

// AccessDeniedError means the function's role may not read the object. Permanent.
type AccessDeniedError struct {
	Bucket, Key string
	Err         error
}

func (e *AccessDeniedError) Error() string {
	return fmt.Sprintf("s3://%s/%s: access denied: %v", e.Bucket, e.Key, e.Err)
}

func (e *AccessDeniedError) Unwrap() error { return e.Err }

// S3UnavailableError means S3 failed after the SDK's own retries. Transient.
type S3UnavailableError struct {
	Bucket, Key string
	Err         error
}

func (e *S3UnavailableError) Error() string {
	return fmt.Sprintf("s3://%s/%s: S3 unavailable: %v", e.Bucket, e.Key, e.Err)
}

func (e *S3UnavailableError) Unwrap() error { return e.Err }

// ObjectChangedError means the object was overwritten while it was being read
// (its ETag changed). Transient: a retry reads the new version whole.
type ObjectChangedError struct {
	Bucket, Key string
}

func (e *ObjectChangedError) Error() string {
	return fmt.Sprintf("s3://%s/%s: object changed while being read", e.Bucket, e.Key)
}

// TimeoutError means the invocation stopped reading before the runtime's
// deadline. Transient.
type TimeoutError struct {
	Bucket, Key string // the object being read, if any
}

func (e *TimeoutError) Error() string {
	if e.Key == "" {
		return "stopped before the invocation's deadline"
	}
	return fmt.Sprintf("s3://%s/%s: stopped before the invocation's deadline", e.Bucket, e.Key)
}

// FailureListError means a total could not keep the full list of failed
// objects in the function's temporary storage (/tmp) on its way to S3:
// more failures than the function's ephemeral storage holds (about 2.5
// million in the default 512 MB). Permanent: a retry would fill it again.
type FailureListError struct {
	Err error
}

func (e *FailureListError) Error() string {
	return "keeping the list of failed objects in temporary storage: " + e.Err.Error()
}

func (e *FailureListError) Unwrap() error { return e.Err }

// InvalidResultsError means the Map's result files (manifest.json,
// SUCCEEDED_n.json, FAILED_n.json) could not be understood. Permanent.
type InvalidResultsError struct {
	Key    string
	Reason string
}

func (e *InvalidResultsError) Error() string {
	return fmt.Sprintf("%s: invalid Map results: %s", e.Key, e.Reason)
}
