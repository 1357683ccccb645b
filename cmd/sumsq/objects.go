package main

import (
	"context"
	"io"
	"iter"
	"strings"

	"github.com/sumsq/sumsq/internal/filestore"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// An object is one input to sum: a local file, standard input or an S3
// object. Objects are summed concurrently and reported in the order the
// targets list them.
type object struct {
	bucket string // "" for local files and standard input
	key    string // the S3 key, or the local path ("-" for standard input)
	size   int64  // in bytes; -1 when unknown

	// sum reads the object and sums its numbers. It is nil when err is set.
	sum func(ctx context.Context) (sumsq.Result, error)
	// err is set when the object could not even be opened or listed: it is
	// reported as a failure, in the object's place.
	err error
	// stop means that err ends the run: what follows is unknown.
	stop bool
}

// name returns the object's name as printed: its path, "-" or
// s3://bucket/key. It is not kept in the object, which would hold an S3
// key twice while it waits in the backlog.
func (o object) name() string {
	if o.bucket != "" {
		return "s3://" + o.bucket + "/" + o.key
	}
	return o.key
}

// A runner lists and sums the objects of sumsq run's targets.
type runner struct {
	aws         awsFlags
	concurrency int
	backlog     int // objects listed ahead of the summing; 0: DefaultBacklog
	maxDigits   int
	stdin       io.Reader
	progress    *progress // nil without a terminal

	resultsPrefix string   // S3 keys skipped: the workflow's results
	skipped       int64    // S3 objects skipped, counted as they are listed
	empty         []string // targets that matched no object, once listed whole

	local *job.Summer // local files and standard input
	s3    *s3Runner   // made for the first s3:// target
}

// newSummer returns a Summer of objects in storage with the run's settings:
// the one place the CLI makes Summers.
func (r *runner) newSummer(storage job.Storage) *job.Summer {
	s := &job.Summer{Storage: storage, MaxDigits: r.maxDigits}
	if r.progress != nil {
		s.OnRead = r.progress.addBytes
	}
	return s
}

// objects returns the objects of the targets, in order.
func (r *runner) objects(ctx context.Context, targets []string) iter.Seq[object] {
	return func(yield func(object) bool) {
		for _, t := range targets {
			var objects iter.Seq[object]
			if isS3(t) {
				objects = r.s3Objects(ctx, t)
			} else {
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

// localObjects lists the files of a local target (see filestore.List).
func (r *runner) localObjects(ctx context.Context, target string) iter.Seq[object] {
	if r.local == nil {
		r.local = r.newSummer(&filestore.Store{Stdin: r.stdin})
	}
	return func(yield func(object) bool) {
		n := 0
		for item := range filestore.List(ctx, target) {
			n++
			o := object{key: item.Path, size: item.Size}
			if item.Err != nil {
				o.err = r.local.Classify(ctx, item.Err, "", item.Path)
			} else {
				// The file's size is the bar's; the Summer stats the file
				// itself when it opens it, so that a file whose stat says 0
				// bytes but has some (/proc/cpuinfo) is read.
				o.sum = summer(r.local, "", item.Path, -1)
			}
			if !yield(o) {
				return
			}
		}
		if n == 0 && ctx.Err() == nil {
			r.empty = append(r.empty, target)
		}
	}
}

// summer returns the sum function of the object key in bucket, of size
// bytes (-1: unknown).
func summer(s *job.Summer, bucket, key string, size int64) func(context.Context) (sumsq.Result, error) {
	return func(ctx context.Context) (sumsq.Result, error) {
		o := job.Object{Bucket: bucket, Key: key}
		if size >= 0 {
			o.Size = &size
		}
		return s.Sum(ctx, o)
	}
}

// isS3 reports whether a target names an S3 prefix.
func isS3(target string) bool { return strings.HasPrefix(target, "s3://") }
