package job

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/sumsq/sumsq/internal/s3read"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// DefaultConcurrency is how many objects of a batch a Summer reads at once
// when its Concurrency is 0. It stays under the SDK's default of 10 idle
// connections per host, so that connections are reused.
const DefaultConcurrency = 8

// S3API is the part of the S3 client a Summer uses: GetObject to read
// objects and results, PutObject to write a total's full list of failures.
// *s3.Client implements it.
type S3API interface {
	s3read.GetObjectAPI
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// A Summer sums the numbers in S3 objects. Its methods may be called
// concurrently; it holds no state between calls.
type Summer struct {
	S3 S3API

	// MaxDigits is the digit limit of a number (see sumsq.Accumulator);
	// 0 means sumsq.DefaultMaxDigits. It should not exceed MaxDigitsLimit,
	// or a sum may not fit in a result.
	MaxDigits int

	// Concurrency is how many objects of a batch are read at once;
	// 0 means DefaultConcurrency.
	Concurrency int
}

// concurrency and maxDigits are the Summer's settings, defaults applied.
func (s *Summer) concurrency() int {
	if s.Concurrency > 0 {
		return s.Concurrency
	}
	return DefaultConcurrency
}

func (s *Summer) maxDigits() int {
	if s.MaxDigits > 0 {
		return s.MaxDigits
	}
	return sumsq.DefaultMaxDigits
}

// MaxDigitsLimit is the largest MaxDigits for which every result fits in
// MaxOutputBytes: a sum of squares has about twice the digits of its
// largest number.
const MaxDigitsLimit = 50000

// Object sums the object o names. Its bucket may be a name or an ARN; the
// result names it by its name. An object whose size is 0, or whose key ends
// in "/" (a folder marker), is counted as empty without being read.
//
// The error, returned unwrapped, is one of *InvalidEventError,
// *InvalidContentError, *ObjectNotFoundError, *AccessDeniedError,
// *S3UnavailableError, *ObjectChangedError and *TimeoutError.
func (s *Summer) Object(ctx context.Context, o Object) (ObjectResult, error) {
	bucket, err := checkObject(o)
	if err != nil {
		return ObjectResult{}, err
	}
	r, err := s.sum(ctx, bucket, o)
	if err != nil {
		return ObjectResult{}, err
	}
	return ObjectResult{Bucket: bucket, Key: o.Key, Count: r.Count, SumOfSquares: r.String()}, nil
}

// sum reads the valid object o in bucket through the parser. Its errors are
// the exported types, unwrapped.
func (s *Summer) sum(ctx context.Context, bucket string, o Object) (sumsq.Result, error) {
	if (o.Size != nil && *o.Size == 0) || strings.HasSuffix(o.Key, "/") {
		return sumsq.Result{}, nil
	}
	a := sumsq.Accumulator{MaxDigits: s.MaxDigits}
	if _, err := s3read.Copy(ctx, &a, s.S3, bucket, o.Key); err != nil {
		return sumsq.Result{}, s3Error(ctx, err, bucket, o.Key)
	}
	r, err := a.Finish()
	if err != nil {
		return sumsq.Result{}, s3Error(ctx, err, bucket, o.Key)
	}
	return r, nil
}
