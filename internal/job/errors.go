package job

import (
	"fmt"
	"strings"
)

// The error types below are the Step Functions contract: the Lambda runtime
// reports a returned error's Go type name as its errorType, and
// statemachine.asl.json retries or catches by that name. Return them
// unwrapped at the handler boundary. Contract (contract.go) says which are
// transient; rename or add one only together with the ASL, the README and
// the tests that pin the names.

// InvalidEventError means the event is not one this function accepts, or
// names a bucket or key it may not read. Permanent.
type InvalidEventError struct {
	Reason string
}

func (e *InvalidEventError) Error() string { return "invalid event: " + e.Reason }

// InvalidContentError means an object holds something that is not a number
// per the grammar, or a number over the digit limit. Permanent.
type InvalidContentError struct {
	Bucket, Key string
	Location    string // where the object is, as its Storage writes it (Names.Location); the message begins with it
	Err         error  // a *sumsq.Error (line, byte offset, excerpt), or a decompression error
}

func (e *InvalidContentError) Error() string { return at(e.Location) + e.Err.Error() }

func (e *InvalidContentError) Unwrap() error { return e.Err }

// ObjectNotFoundError means the object (or its bucket) does not exist, or,
// for a local file, the path does not. Permanent.
type ObjectNotFoundError struct {
	Bucket, Key string
	Location    string
	Err         error // the storage's words for it, if it has any ("no such file or directory")
}

func (e *ObjectNotFoundError) Error() string {
	if e.Err != nil {
		return at(e.Location) + e.Err.Error()
	}
	return at(e.Location) + "object not found"
}

func (e *ObjectNotFoundError) Unwrap() error { return e.Err }

// AccessDeniedError means the function's role (or the user running the
// CLI) may not read the object. Permanent.
type AccessDeniedError struct {
	Bucket, Key string
	Location    string
	Err         error
}

func (e *AccessDeniedError) Error() string {
	return at(e.Location) + "access denied: " + e.Err.Error()
}

func (e *AccessDeniedError) Unwrap() error { return e.Err }

// ObjectUnreadableError means the object exists but cannot be read for a
// reason no retry mends: S3 answered a client error (an archived object's
// InvalidObjectState, KeyTooLongError, ...), or a local path is a symbolic
// link loop or a device that fails. Permanent.
type ObjectUnreadableError struct {
	Bucket, Key string
	Location    string
	Err         error
}

func (e *ObjectUnreadableError) Error() string {
	return at(e.Location) + "cannot be read: " + e.Err.Error()
}

func (e *ObjectUnreadableError) Unwrap() error { return e.Err }

// ObjectTimeoutError means an object of a batch could not be read within
// its share of the invocation's time (see share.go): it failed alone, and
// the other objects of its batch were summed. Permanent: a retry would
// give it no more time. The message says how far it got and what to do.
type ObjectTimeoutError struct {
	Bucket, Key  string
	Location     string
	Size         int64   // its stored size, -1 if unknown
	Read         int64   // stored bytes read
	Codec        string  // "gzip" or "zstd" for compressed data, else ""
	Decompressed int64   // bytes decompressed, for compressed data
	Seconds      float64 // how long it was read
}

func (e *ObjectTimeoutError) Error() string {
	var b strings.Builder
	b.WriteString(at(e.Location))
	b.WriteString("not read within its share of the invocation's time: ")
	fmt.Fprintf(&b, "%d", e.Read)
	if e.Size >= 0 {
		fmt.Fprintf(&b, " of %d", e.Size)
	}
	fmt.Fprintf(&b, " bytes read in %.1f s", e.Seconds)
	if e.Codec != "" {
		fmt.Fprintf(&b, ", decompressed (%s) to %d bytes; decompress it first", e.Codec, e.Decompressed)
	} else {
		b.WriteString("; raise FunctionMemory (network and CPU come with it) or FunctionTimeout")
	}
	return b.String()
}

// S3UnavailableError means S3 failed (throttling, a server error, a broken
// connection) after the SDK's own retries. Transient.
type S3UnavailableError struct {
	Bucket, Key string
	Location    string
	Err         error
}

func (e *S3UnavailableError) Error() string {
	return at(e.Location) + "S3 unavailable: " + e.Err.Error()
}

func (e *S3UnavailableError) Unwrap() error { return e.Err }

// ObjectChangedError means the object was overwritten while it was being
// read (its ETag changed). Transient: a retry reads the new version whole.
type ObjectChangedError struct {
	Bucket, Key string
	Location    string
}

func (e *ObjectChangedError) Error() string {
	return at(e.Location) + "object changed while being read"
}

// TimeoutError means the invocation stopped before the runtime's deadline,
// while reading one object or a Map run's results. Transient.
type TimeoutError struct {
	Bucket, Key string // the object being read, if any
	Location    string
}

func (e *TimeoutError) Error() string {
	return at(e.Location) + "stopped before the invocation's deadline"
}

// InvalidResultsError means the Map's result files (manifest.json,
// SUCCEEDED_n.json, FAILED_n.json) are missing or could not be understood,
// or name a file outside the run's results. Permanent.
type InvalidResultsError struct {
	Key    string
	Reason string
}

func (e *InvalidResultsError) Error() string {
	return fmt.Sprintf("%s: invalid Map results: %s", e.Key, e.Reason)
}

// InvalidInventoryError means the S3 Inventory report a run was started
// with cannot be summed as it is: its manifest is missing or denied, or is
// not one S3 writes; the report is not CSV, lists every version of each key
// (a run reads each key as it is now, and would sum it once a version), or
// lists the objects of another bucket than the one the run reads. Reason
// says which, and what to change. Permanent.
type InvalidInventoryError struct {
	Location string // the manifest's: s3://bucket/key
	Reason   string
}

func (e *InvalidInventoryError) Error() string {
	return e.Location + ": not an S3 Inventory report a run can sum: " + e.Reason
}

// FailureListError means the CLI could not keep the full list of failed
// objects in a temporary file, for sumsq run -json (the function streams
// its lists to S3 and never needs one). Permanent: a retry would fill it
// again.
type FailureListError struct {
	Err error
}

func (e *FailureListError) Error() string {
	return "keeping the list of failed objects in temporary storage: " + e.Err.Error()
}

func (e *FailureListError) Unwrap() error { return e.Err }

// TooManyFailuresError means that more of a run's objects failed than its
// ToleratedFailurePercentage allows: Failed×100 > Percentage×Objects, every
// object of a batch that failed counting as failed. The Total returns it
// after writing the list of every failure to Location, so that the run
// fails and still says what failed. Permanent: the failures are in the
// results, and a retry would count them again.
type TooManyFailuresError struct {
	Failed, Objects int64   // the run's failed objects, and all its objects (summed and failed)
	Percentage      int     // ToleratedFailurePercentage
	Location        string  // where the list of every failure is, as its Storage writes it
	First           Failure // the first failure of that list
}

func (e *TooManyFailuresError) Error() string {
	return fmt.Sprintf("%d of %d objects failed, more than the %d%% ToleratedFailurePercentage allows; "+
		"every failed object is listed in %s (the first: %s: %s: %s)",
		e.Failed, e.Objects, e.Percentage, e.Location, e.First.Key, e.First.Error, e.First.Cause)
}

// at prefixes a message about an object with where it is: "s3://b/k: ",
// "path: ", or nothing for no location.
func at(location string) string {
	if location == "" {
		return ""
	}
	return location + ": "
}

// A located error is about one object, and its message begins with where
// the object is (see at).
type located interface{ location() string }

func (e *InvalidContentError) location() string   { return e.Location }
func (e *ObjectNotFoundError) location() string   { return e.Location }
func (e *AccessDeniedError) location() string     { return e.Location }
func (e *ObjectUnreadableError) location() string { return e.Location }
func (e *ObjectTimeoutError) location() string    { return e.Location }
func (e *S3UnavailableError) location() string    { return e.Location }
func (e *ObjectChangedError) location() string    { return e.Location }
func (e *TimeoutError) location() string          { return e.Location }
