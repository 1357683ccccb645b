package job_test

import (
	"errors"
	"fmt"

	"github.com/sumsq/sumsq/internal/job"
)

func ExampleBucketName() {
	for _, s := range []string{"my-bucket", "arn:aws:s3:::my-bucket", "arn:aws-us-gov:s3:::my-bucket", "My_Bucket"} {
		name, err := job.BucketName(s)
		fmt.Printf("%q %v\n", name, err)
	}
	// Output:
	// "my-bucket" <nil>
	// "my-bucket" <nil>
	// "my-bucket" <nil>
	// "" invalid event: bucket "My_Bucket": 'M' at byte 0: a bucket name has only lowercase letters, digits, dots and hyphens
}

func ExampleErrorType() {
	fmt.Println(job.ErrorType(&job.ObjectNotFoundError{Bucket: "my-bucket", Key: "today/random_1.log"}))
	fmt.Println(job.ErrorType(fmt.Errorf("reading: %w", &job.TimeoutError{})))
	fmt.Println(job.ErrorType(errors.New("boom")))
	// Output:
	// ObjectNotFoundError
	// wrapError
	// errorString
}
