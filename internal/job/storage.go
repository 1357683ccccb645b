package job

import (
	"context"
	"io"
)

// Storage is what a Summer needs of the place objects live. Package s3store
// implements it over S3, package filestore over local files. Its errors are
// this package's types, unwrapped or wrapped: *ObjectNotFoundError,
// *AccessDeniedError, *ObjectUnreadableError, *S3UnavailableError,
// *ObjectChangedError; anything else is treated as *S3UnavailableError
// (transient) unless ctx has ended.
type Storage interface {
	// Open opens the object key of bucket for reading. size is the object's
	// size when the caller knows it (from a listing), or -1.
	Open(ctx context.Context, bucket, key string, size int64) (Source, error)

	// Put stores size bytes of body as bucket/key, replacing any object of
	// that name. body may be read more than once (a retried request seeks it
	// back to the start).
	Put(ctx context.Context, bucket, key string, body io.ReadSeeker, size int64) error
}

// A Source is one version of a stored object, open for reading whole or in
// ranges, from any number of goroutines.
type Source interface {
	// Size is the object's size in bytes, or -1 if it cannot be known
	// before its end has been read (a pipe).
	Size() int64

	// NewReader returns a reader of n bytes of the object from byte off
	// (n < 0: to the end). Every reader reads the version Open found: if the
	// object is replaced meanwhile, a Read fails with *ObjectChangedError. A
	// reader over a connection that breaks off resumes inside Read. An
	// object of unknown size can be read once, from 0.
	NewReader(ctx context.Context, off, n int64) (io.ReadCloser, error)

	// Pinned reports whether the object's readers all read the version
	// Open found, so that it may be read in ranges by several readers.
	// It is false for a stream, for an object whose version cannot be
	// known (an S3-compatible server that sends no ETag), and, for an
	// object whose version is learnt from its first read, until then.
	// An object that is not pinned is read once, whole, from byte 0.
	Pinned() bool

	// Close releases the object; readers must be closed first.
	Close() error
}
