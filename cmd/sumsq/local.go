package main

import (
	"cmp"
	"context"
	"errors"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// localFile returns the object for the file at path, described by fi.
func (r *runner) localFile(path string, fi fs.FileInfo) object {
	size := fi.Size()
	if !fi.Mode().IsRegular() {
		size = -1 // a pipe or a device: its size says nothing
	}
	return object{
		name: path,
		key:  path,
		size: size,
		sum: func(ctx context.Context) (job.ObjectResult, error) {
			f, err := os.Open(path)
			if err != nil {
				return job.ObjectResult{}, localError(path, err)
			}
			defer f.Close()
			return r.sumReader(ctx, path, f)
		},
	}
}

// stdinObject returns the object for standard input, named "-".
func (r *runner) stdinObject(stdin io.Reader) object {
	return object{
		name: "-",
		key:  "-",
		size: -1,
		sum: func(ctx context.Context) (job.ObjectResult, error) {
			return r.sumReader(ctx, "-", stdin)
		},
	}
}

// failedLocal returns the object for a path that could not be opened or
// listed, with err converted by localError.
func (r *runner) failedLocal(path string, err error) object {
	return object{name: path, key: path, size: -1, err: localError(path, err)}
}

// copyBuffers holds the buffers local objects are read with: one per
// object being read, not one per object.
var copyBuffers = sync.Pool{New: func() any { return new([256 << 10]byte) }}

// sumReader sums what rd holds with the same parser as the Lambda and
// returns the result under the given key, or an error as localError
// converts it. It stops early when ctx is done.
func (r *runner) sumReader(ctx context.Context, key string, rd io.Reader) (job.ObjectResult, error) {
	acc := sumsq.Accumulator{MaxDigits: r.maxDigits}
	buf := copyBuffers.Get().(*[256 << 10]byte)
	defer copyBuffers.Put(buf)
	// io.CopyBuffer would hand an *os.File its own WriteTo, which ignores
	// buf; the wrapper hides it, checks ctx and counts bytes for progress.
	_, err := io.CopyBuffer(&acc, &watchedReader{ctx: ctx, r: rd, prog: r.progress}, buf[:])
	if err != nil {
		return job.ObjectResult{}, localError(key, err)
	}
	res, err := acc.Finish()
	if err != nil {
		return job.ObjectResult{}, localError(key, err)
	}
	return job.ObjectResult{Key: key, Count: res.Count, SumOfSquares: res.String()}, nil
}

// watchedReader reads r until ctx is done, counting bytes read on prog.
type watchedReader struct {
	ctx  context.Context
	r    io.Reader
	prog *progress // may be nil
}

func (w *watchedReader) Read(p []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := w.r.Read(p)
	w.prog.addBytes(int64(n))
	return n, err
}

// localError converts an error about a local file into the job error the
// Lambda returns for an S3 object in the same state, so that both print
// the same error names: invalid content, not found, access denied. Other
// errors (a disk's I/O error, a cancelled context) are returned as they are.
func localError(path string, err error) error {
	var serr *sumsq.Error
	switch {
	case errors.As(err, &serr):
		return &job.InvalidContentError{Key: path, Err: serr}
	case errors.Is(err, fs.ErrNotExist):
		return &job.ObjectNotFoundError{Key: path}
	case errors.Is(err, fs.ErrPermission):
		return &job.AccessDeniedError{Key: path, Err: err}
	}
	return err
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
