package main

import (
	"reflect"
	"strings"

	"github.com/sumsq/sumsq/internal/job"
)

// failureOf returns the failure to report for o and its error.
func failureOf(o object, err error) job.Failure {
	return job.Failure{Bucket: o.bucket, Key: o.key, Error: errorName(err), Cause: cause(o, err)}
}

// errorName is the name Step Functions would see for err: its Go type name.
func errorName(err error) string {
	t := reflect.TypeOf(err)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// cause returns err's message without the location the job errors begin
// with ("s3://bucket/key: "): the failure names the object already.
func cause(o object, err error) string {
	msg := err.Error()
	return strings.TrimPrefix(msg, "s3://"+o.bucket+"/"+o.key+": ")
}
