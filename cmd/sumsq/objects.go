package main

import (
	"context"
	"io"
	"iter"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sumsq/sumsq/internal/job"
)

// An object is one input to sum: a local file, standard input or an S3
// object. Objects are summed concurrently and reported in the order the
// targets list them.
type object struct {
	name   string // as printed: a path, "-" or s3://bucket/key
	bucket string // "" for local files and standard input
	key    string // the S3 key, or the local path ("-" for standard input)
	size   int64  // in bytes; -1 when unknown

	// sum reads the object and sums its numbers. It is nil when err is set.
	sum func(ctx context.Context) (job.ObjectResult, error)
	// err is set when the object could not even be opened or listed: it is
	// reported as a failure, in the object's place.
	err error
	// stop means that err ends the run: what follows is unknown.
	stop bool
}

// A runner lists and sums the objects of sumsq run's targets.
type runner struct {
	concurrency int
	maxDigits   int
	stdin       io.Reader
	progress    *progress // nil without a terminal

	// Made for the first s3:// target.
	s3     *s3.Client
	summer *job.Summer
}

// objects returns the objects of the targets, in order.
func (r *runner) objects(ctx context.Context, targets []string) iter.Seq[object] {
	return func(yield func(object) bool) {
		for _, t := range targets {
			var objects iter.Seq[object]
			switch {
			case t == "-":
				objects = func(yield func(object) bool) { yield(r.stdinObject(r.stdin)) }
			case isS3(t):
				objects = r.s3Objects(ctx, t)
			default:
				objects = r.localObjects(ctx, t)
			}
			for o := range objects {
				if !yield(o) {
					return
				}
			}
		}
	}
}

// isS3 reports whether a target names an S3 prefix.
func isS3(target string) bool { return strings.HasPrefix(target, "s3://") }
