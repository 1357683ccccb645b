package job

import "reflect"

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
