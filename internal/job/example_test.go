package job_test

import (
	"errors"
	"fmt"

	"github.com/sumsq/sumsq/internal/job"
)

func ExampleErrorType() {
	fmt.Println(job.ErrorType(&job.ObjectNotFoundError{Bucket: "my-bucket", Key: "today/random_1.log"}))
	fmt.Println(job.ErrorType(fmt.Errorf("reading: %w", &job.TimeoutError{})))
	fmt.Println(job.ErrorType(errors.New("boom")))
	// Output:
	// ObjectNotFoundError
	// wrapError
	// errorString
}
