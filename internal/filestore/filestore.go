// Package filestore is the job's Storage and Lister over local files, for
// the CLI: a key is a path (bucket ""), "-" is standard input, and a
// regular file is read in ranges with pread, from any number of
// goroutines. List walks a folder in the order S3 would list it had it
// been uploaded.
package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/sumsq/sumsq/internal/excerpt"
	"github.com/sumsq/sumsq/internal/job"
)

// Stdin is the key of standard input.
const Stdin = "-"

// A Store is the job's Storage over local files.
type Store struct {
	// Stdin is what key "-" reads: os.Stdin, or a test's reader.
	Stdin io.Reader
}

var _ job.Storage = (*Store)(nil)

// Open opens the file at path key (bucket must be empty). A regular file
// has its size; standard input, a pipe or a device has none (-1) and can be
// read once. A folder cannot be read (job.ErrUnreadable).
func (s *Store) Open(ctx context.Context, bucket, key string, size int64) (job.Source, error) {
	return s.open(bucket, key, "")
}

// OpenVersion opens the file at path key as Open does, if it is still the
// version that version names (its size and modification time, see
// file.Version); otherwise it fails with job.ErrChanged.
func (s *Store) OpenVersion(ctx context.Context, bucket, key string, size int64, version string) (job.Source, error) {
	return s.open(bucket, key, version)
}

func (s *Store) open(bucket, key, version string) (job.Source, error) {
	if _, err := s.Bucket(bucket); err != nil {
		return nil, err
	}
	if key == Stdin {
		if version != "" {
			return nil, errNoVersion
		}
		return &stream{r: s.Stdin, key: key}, nil
	}
	if version != "" {
		// Before opening it: opening a FIFO waits for a writer.
		if fi, err := os.Stat(key); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
			return nil, errNoVersion
		}
	}
	f, err := os.Open(key)
	if err != nil {
		return nil, classify(err, key)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, classify(err, key)
	}
	switch {
	case fi.IsDir():
		f.Close()
		return nil, &job.StorageError{Kind: job.ErrUnreadable, Err: errors.New("is a folder")}
	case !fi.Mode().IsRegular() && version != "": // it was replaced by one since the Stat
		f.Close()
		return nil, errNoVersion
	case !fi.Mode().IsRegular():
		return &stream{r: f, f: f, key: key}, nil
	}
	src := &file{f: f, size: fi.Size(), mtime: fi.ModTime(), key: key}
	if version != "" && src.Version() != version {
		f.Close()
		return nil, &job.StorageError{Kind: job.ErrChanged, Err: fmt.Errorf("version %s, not %s", src.Version(), version)}
	}
	return src, nil
}

// errNoVersion is the failure to open a stream at a version: it has none.
var errNoVersion = &job.StorageError{Kind: job.ErrUnreadable, Err: errors.New("a stream has no version to open")}

// Bucket refuses every bucket: local files have none, and "" is theirs.
func (s *Store) Bucket(name string) (string, error) {
	if name != "" {
		return "", errors.New("a local file has no bucket, not " + excerpt.Quote(name))
	}
	return "", nil
}

// CheckKey takes any path: the system says what it makes of it.
func (s *Store) CheckKey(string) error { return nil }

// Location returns key, the file's path, as a shell names it.
func (s *Store) Location(_, key string) string { return key }

// Put writes size bytes of body to the file at path key, replacing it.
func (s *Store) Put(ctx context.Context, bucket, key string, body io.ReadSeeker, size int64) error {
	return s.put(ctx, bucket, key, body, size)
}

// PutStream writes body, read to its end, to the file at path key,
// replacing it.
func (s *Store) PutStream(ctx context.Context, bucket, key string, body io.Reader) error {
	return s.put(ctx, bucket, key, body, -1)
}

// put writes size bytes of body (size < 0: all of it) into a new file next
// to key, renamed to key once body has been read, so that a body that
// fails leaves the file at key as it was, and no other behind.
func (s *Store) put(ctx context.Context, bucket, key string, body io.Reader, size int64) error {
	if _, err := s.Bucket(bucket); err != nil {
		return err
	}
	dir, name := filepath.Split(key)
	f, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return classify(err, key)
	}
	defer os.Remove(f.Name()) // once renamed, there is nothing to remove
	if size >= 0 {
		body = io.LimitReader(body, size)
	}
	// A body's errors and the file's are told apart: the file's are the
	// system's (a full disk), the body's the caller's.
	w := &fileWriter{f: f}
	n, err := io.Copy(w, readerOnly{body})
	if err == nil && size >= 0 && n < size {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		f.Close()
		if w.err != nil {
			return classify(w.err, key)
		}
		return &job.StorageError{Kind: job.ErrUnavailable, Err: fmt.Errorf("reading the body to put: %w", err)}
	}
	if err := f.Close(); err != nil {
		return classify(err, key)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("putting %s: %w", key, err)
	}
	if err := os.Rename(f.Name(), key); err != nil {
		return classify(err, key)
	}
	return nil
}

// readerOnly hides all but Read of a body, so that io.Copy reads it rather
// than handing a fileWriter to its WriterTo.
type readerOnly struct{ io.Reader }

// A fileWriter writes to a file and keeps the first error of it.
type fileWriter struct {
	f   *os.File
	err error
}

func (w *fileWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

// classify returns an error of the system about the file at path as the
// job's kind of failure: missing, denied, or unreadable for any other
// reason (a symbolic link loop, a name too long, an I/O error), with the
// system's words (the path is said already).
func classify(err error, path string) error {
	kind := job.ErrUnreadable
	switch {
	case errors.Is(err, fs.ErrNotExist):
		kind = job.ErrNotFound
	case errors.Is(err, fs.ErrPermission):
		kind = job.ErrDenied
	}
	return &job.StorageError{Kind: kind, Err: unwrapPath(err)}
}

// unwrapPath returns the error inside a *fs.PathError: the path is said
// already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// A file is a regular file, read with pread. Its version is its size and
// modification time when it was opened, as an S3 object's is its ETag:
// every read checks them afterwards (one fstat), so that a file rewritten,
// cut short or grown while it is read, whole or in parts, is a change
// (job.ErrChanged) rather than a sum of two versions or a part that never
// finds its end.
type file struct {
	f     *os.File
	size  int64
	mtime time.Time
	key   string
}

func (f *file) Size() int64  { return f.size }
func (f *file) Close() error { return f.f.Close() }

// Version is the file's size and modification time, in nanoseconds since
// 1970, when it was opened: "<size>@<ns>".
func (f *file) Version() string { return fmt.Sprintf("%d@%d", f.size, f.mtime.UnixNano()) }

func (f *file) NewReader(ctx context.Context, off, n int64) (io.ReadCloser, error) {
	if n < 0 {
		// To the end, wherever it is: a file whose stat says 0 bytes may
		// have some (/proc/cpuinfo).
		n = math.MaxInt64 - off
	}
	return &reader{ctx: ctx, r: io.NewSectionReader(f.f, off, n), key: f.key, pinned: f}, nil
}

// unchanged returns a change (job.ErrChanged) if the file is no longer the
// size or the modification time it had when it was opened.
func (f *file) unchanged() error {
	fi, err := f.f.Stat()
	if err != nil {
		return classify(err, f.key)
	}
	if fi.Size() != f.size || !fi.ModTime().Equal(f.mtime) {
		return &job.StorageError{Kind: job.ErrChanged, Err: fmt.Errorf("%d bytes modified %v, opened at %d bytes modified %v",
			fi.Size(), fi.ModTime(), f.size, f.mtime)}
	}
	return nil
}

// A stream is standard input, a pipe or a device: read once, from the start.
type stream struct {
	r    io.Reader
	f    *os.File // nil for standard input, which the Store does not own
	key  string
	read bool
}

func (s *stream) Size() int64     { return -1 }
func (s *stream) Version() string { return "" }

func (s *stream) Close() error {
	if s.f != nil {
		return s.f.Close()
	}
	return nil
}

func (s *stream) NewReader(ctx context.Context, off, n int64) (io.ReadCloser, error) {
	if s.read || off != 0 || n >= 0 {
		return nil, &job.StorageError{Kind: job.ErrUnreadable, Err: errors.New("a stream is read once, whole")}
	}
	s.read = true
	if s.f != nil {
		// A pipe's pending Read ends when its file is closed.
		stop := context.AfterFunc(ctx, func() { s.f.Close() })
		return &reader{ctx: ctx, r: s.f, key: s.key, stop: stop}, nil
	}
	return &reader{ctx: ctx, r: s.r, key: s.key}, nil
}

// A reader reads a file until ctx is done, classifying its errors; ctx's
// end is its error, wrapped.
type reader struct {
	ctx    context.Context
	r      io.Reader
	key    string
	stop   func() bool
	pinned *file // the regular file read, checked after every read
}

func (r *reader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, r.stopped(err)
	}
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		if r.ctx.Err() != nil {
			return n, r.stopped(r.ctx.Err())
		}
		return n, classify(err, r.key)
	}
	if r.pinned != nil && (n > 0 || err == io.EOF) {
		// After the read: bytes of a version being replaced are either
		// followed by its new size or time, or were read before it.
		if cerr := r.pinned.unchanged(); cerr != nil {
			return 0, cerr
		}
	}
	return n, err
}

// stopped is the error of a read that ctx's end, err, stopped.
func (r *reader) stopped(err error) error { return fmt.Errorf("reading %s: %w", r.key, err) }

func (r *reader) Close() error {
	if r.stop != nil {
		r.stop()
	}
	return nil
}
