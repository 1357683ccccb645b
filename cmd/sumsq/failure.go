package main

import "github.com/sumsq/sumsq/internal/job"

// failureOf returns the failure to report for o and its error, named and
// worded as the Lambda's batch results name and word them.
func failureOf(o object, err error) job.Failure {
	return job.NewFailure(o.bucket, o.key, err)
}
