package main

import (
	"context"
	"fmt"
	"io"
	"iter"
	"os"

	"github.com/sumsq/sumsq/internal/inventory"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// An object is one input to sum: a local file, standard input or an S3
// object. Objects are summed concurrently and reported in the order the
// targets list them.
type object struct {
	bucket string    // "" for local files and standard input
	key    string    // the S3 key, or the local path ("-" for standard input)
	size   int64     // in bytes; -1 when unknown
	names  job.Names // of its store: where it is

	// sum reads the object and sums its numbers. It is nil when err is set.
	sum func(ctx context.Context) (sumsq.Result, error)
	// err is set when the object could not even be opened or listed: it is
	// reported as a failure, in the object's place.
	err error
	// stop means that err ends the run: what follows is unknown.
	stop bool
}

// name returns the object's name as printed: where its store says it is,
// its path, "-" or s3://bucket/key. It is not kept in the object, which
// would hold a key twice while it waits in the backlog.
func (o object) name() string {
	if o.names == nil {
		return o.key
	}
	return o.names.Location(o.bucket, o.key)
}

// A runner lists and sums the objects of sumsq run's targets.
type runner struct {
	aws         awsFlags
	concurrency int
	backlog     int // objects listed ahead of the summing; 0: DefaultBacklog
	maxDigits   int
	stdin       io.Reader
	progress    *progress // nil without a terminal

	resultsPrefix string   // keys skipped: the workflow's results
	skipped       int64    // objects skipped, counted as they are listed
	empty         []target // targets that matched no object, once listed whole

	backends map[string]*backend // by scheme, made for the first target of each
}

// newSummer returns a Summer of objects in storage with the run's settings:
// the one place the CLI makes Summers.
func (r *runner) newSummer(storage job.Storage) *job.Summer {
	s := &job.Summer{Storage: storage, MaxDigits: r.maxDigits, ResultsPrefix: r.resultsPrefix}
	if r.progress != nil {
		s.OnRead = r.progress.addBytes
	}
	return s
}

// objects returns the objects of the targets, in order, as their backends
// list them (see job.Lister): an object that could not be listed is a
// failure in its place; a listing that fails stops the run, as it stops a
// workflow whose ItemReader fails. The objects under -results-prefix in a
// bucket (see job.Summer.IsResult) are counted in r.skipped, not yielded,
// as a batch of the workflow skips them.
func (r *runner) objects(ctx context.Context, targets []target) iter.Seq[object] {
	return func(yield func(object) bool) {
		for _, t := range targets {
			l, err := r.listing(ctx, &t)
			if err != nil {
				yield(object{err: err, stop: true})
				return
			}
			b := l.backend
			n := 0
			for item, err := range b.summer.List(ctx, l.lister, l.bucket, l.prefix) {
				if err != nil && item.Key == "" {
					yield(object{err: fmt.Errorf("listing %s: %w", t.arg, err), stop: true})
					return
				}
				n++
				if b.summer.IsResult(item.Bucket, item.Key) {
					r.skipped++
					continue
				}
				o := object{bucket: item.Bucket, key: item.Key, size: item.Size, names: b.store, err: err}
				if err == nil {
					o.sum = summer(b.summer, item.Bucket, item.Key, item.Size)
				}
				if !yield(o) {
					return
				}
			}
			if n == 0 && ctx.Err() == nil {
				r.empty = append(r.empty, t) // as "aws s3 ls" fails, listing nothing
			}
		}
	}
}

// A listing is what a target lists, and the backend its objects are read
// through.
type listing struct {
	lister         job.Lister
	backend        *backend
	bucket, prefix string
}

// reportScheme is the backend of the objects an S3 Inventory report
// lists: S3's, wherever the report is read from.
const reportScheme = "s3"

// listing returns what t lists: the objects of its backend under its
// prefix; or, if t names an S3 Inventory report's manifest (a key or a
// regular file ending in /manifest.json that is one, see
// inventory.Destination.Detect), the objects the report lists, current
// versions only, in its order, read from S3 (a local manifest, a copy of
// a report, names S3 objects too), and t.report is set. Any other object
// of that name is a prefix, or a file, as usual.
func (r *runner) listing(ctx context.Context, t *target) (listing, error) {
	b, err := r.backend(ctx, t.scheme)
	if err != nil {
		return listing{}, err
	}
	l := listing{lister: b.store, backend: b, bucket: t.bucket, prefix: t.prefix}
	if !t.manifest || t.scheme == "" && !isRegularFile(t.prefix) {
		return l, nil
	}
	d := inventory.Destination{Storage: b.store, Bucket: t.bucket}
	report, ok, err := d.Detect(ctx, t.prefix)
	if err != nil || !ok {
		return l, err
	}
	objects, err := r.backend(ctx, reportScheme)
	if err != nil {
		return listing{}, err
	}
	t.report = true
	return listing{lister: report, backend: objects, bucket: report.SourceBucket}, nil
}

// isRegularFile reports whether path is a regular file (a symbolic link
// to one included): what a local manifest is.
func isRegularFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
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
