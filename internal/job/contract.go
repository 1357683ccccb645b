package job

import (
	"errors"
	"reflect"
)

// Kind says what Step Functions does with an error: retry the invocation,
// or not.
type Kind int

const (
	Permanent Kind = iota // no retry can mend it
	Transient             // a retry may succeed
)

func (k Kind) String() string {
	if k == Transient {
		return "transient"
	}
	return "permanent"
}

// An ErrorClass is one error type of the contract.
type ErrorClass struct {
	Err     error // a zero value of the type
	Kind    Kind
	Meaning string // for people: the README's table says the same
}

// Name is the errorType the Lambda runtime reports for the class.
func (c ErrorClass) Name() string { return ErrorType(c.Err) }

// Contract lists every error type the function returns, in the order the
// README's table shows them. The ASL retries exactly the Transient ones; a
// batch records the permanent per-object ones and fails on the others.
// Tests check that the ASL, the README and the exported types agree with it.
var Contract = []ErrorClass{
	{&InvalidEventError{}, Permanent, "the event is not one the function accepts, or names a bucket or key it may not read"},
	{&InvalidContentError{}, Permanent, "a line is not a number, or has too many digits (line, byte offset, excerpt)"},
	{&ObjectNotFoundError{}, Permanent, "no such key or bucket"},
	{&AccessDeniedError{}, Permanent, "the function's role may not read the object"},
	{&ObjectUnreadableError{}, Permanent, "S3 refused to serve the object for good (archived, key too long, ...)"},
	{&ObjectTimeoutError{}, Permanent, "an object of a batch could not be read within its share of the invocation's time; the others are summed"},
	{&InvalidResultsError{}, Permanent, "the Map's result files are missing, malformed, or outside the run's results"},
	{&InvalidInventoryError{}, Permanent, "the S3 Inventory report a run was started with cannot be summed as it is"},
	{&FailureListError{}, Permanent, "sumsq run -json could not keep the full list of failures in a temporary file"},
	{&TooManyFailuresError{}, Permanent, "more of the run's objects failed than ToleratedFailurePercentage allows; the full list is written first"},
	{&S3UnavailableError{}, Transient, "S3 failed after the SDK's own retries"},
	{&ObjectChangedError{}, Transient, "the object was overwritten while it was being read (its ETag changed)"},
	{&TimeoutError{}, Transient, "the function stopped before its deadline while reading an object or the Map's results"},
}

// ErrorType returns the name under which the Lambda runtime reports err as
// errorType, and which Step Functions' Retry and Catch match: the name of
// its Go type, without the pointer. It derives the name exactly as
// aws-lambda-go does, so that the CLI and batch failures use the same names:
// ErrorType(&ObjectNotFoundError{}) is "ObjectNotFoundError", and an error
// from errors.New is "errorString".
func ErrorType(err error) string {
	t := reflect.TypeOf(err)
	if t == nil {
		return ""
	}
	if t.Kind() == reflect.Pointer {
		return t.Elem().Name()
	}
	return t.Name()
}

// IsTransient reports whether err is, or wraps, an error of a Transient
// class: one that a retry of the invocation may mend.
func IsTransient(err error) bool {
	for _, c := range Contract {
		if c.Kind != Transient {
			continue
		}
		target := reflect.New(reflect.TypeOf(c.Err)).Interface()
		if errors.As(err, target) {
			return true
		}
	}
	return false
}
