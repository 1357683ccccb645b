package main

import (
	"cmp"
	"context"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"

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

// localObjects lists the objects of a local target: the file itself, or
// every regular file under a folder, in key order.
//
// A path named on the command line is followed if it is a symbolic link.
// Under a folder only regular files count: symbolic links, devices, sockets
// and the like are skipped, as "find DIR -type f" would, which also keeps a
// link cycle from walking forever.
func (r *runner) localObjects(ctx context.Context, path string) iter.Seq[object] {
	return func(yield func(object) bool) {
		fi, err := os.Stat(path)
		if err != nil {
			yield(r.failedLocal(path, err))
			return
		}
		if !fi.IsDir() {
			yield(r.localFile(path, fi))
			return
		}
		r.walk(ctx, path, yield)
	}
}

// walk yields the regular files under dir in key order: sorted by their
// slash-separated paths relative to dir, the order in which S3 would list
// them had the folder been uploaded. It reports false if yield did.
//
// filepath.WalkDir is not that order: it visits folder "a" (and "a/b")
// before file "a.txt", while "a.txt" < "a/b" because '.' < '/'. Sorting
// each folder's entries with a "/" appended to the names of sub-folders
// gives the key order, one folder in memory at a time.
func (r *runner) walk(ctx context.Context, dir string, yield func(object) bool) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		// What is under dir is unknown: report dir itself as failed
		// rather than drop its objects silently.
		return yield(r.failedLocal(dir, err))
	}
	sortKey := func(e os.DirEntry) string {
		if e.IsDir() {
			return e.Name() + "/"
		}
		return e.Name()
	}
	slices.SortFunc(entries, func(a, b os.DirEntry) int { return cmp.Compare(sortKey(a), sortKey(b)) })
	for _, e := range entries {
		if ctx.Err() != nil {
			return false
		}
		path := filepath.Join(dir, e.Name())
		switch {
		case e.IsDir():
			if !r.walk(ctx, path, yield) {
				return false
			}
		case e.Type().IsRegular():
			var o object
			if fi, err := e.Info(); err != nil {
				o = r.failedLocal(path, err) // removed since it was listed
			} else {
				o = r.localFile(path, fi)
			}
			if !yield(o) {
				return false
			}
		}
	}
	return true
}

// isS3 reports whether a target names an S3 prefix.
func isS3(target string) bool { return strings.HasPrefix(target, "s3://") }
