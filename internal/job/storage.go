package job

import (
	"context"
	"errors"
	"io"
	"iter"
)

// Storage is what a Summer needs of the place objects live. Package s3store
// implements it over S3, package filestore over local files, package
// memstore in memory; package storetest says what every one must do.
//
// A Storage reports a failure as one of the kinds below (ErrNotFound,
// ErrDenied, ErrUnreadable, ErrUnavailable, ErrChanged), with its own
// detail: a *StorageError, or any error that wraps a kind. A failure of no
// kind is taken for ErrUnavailable, and any failure once ctx has ended
// for the end of ctx. The Summer alone turns them into the contract's
// errors (see errors.go), naming the object.
type Storage interface {
	Names

	// Open opens the object key of bucket for reading. size is the object's
	// size when the caller knows it (from a listing), or -1. The Source
	// reads the version that its first request finds (see Source.Version).
	Open(ctx context.Context, bucket, key string, size int64) (Source, error)

	// OpenVersion opens the object key of bucket as Open does, to read the
	// version that version names: one a Source's Version returned, maybe
	// in another process (a batch sets an object aside, and other
	// invocations read its ranges). If the object is no longer that
	// version, OpenVersion, or the Source's first read, fails with
	// ErrChanged. An object that has no version (a stream) cannot be
	// opened so: ErrUnreadable.
	OpenVersion(ctx context.Context, bucket, key string, size int64, version string) (Source, error)

	// Put stores size bytes of body as bucket/key, replacing any object of
	// that name. body may be read more than once (a retried request seeks it
	// back to the start).
	Put(ctx context.Context, bucket, key string, body io.ReadSeeker, size int64) error

	// PutStream stores body, read once to its end, as bucket/key,
	// replacing any object of that name: a body of any length, not known
	// before its end, in memory that does not grow with it (over S3, a
	// multipart upload), so that a writer can stream into it through an
	// io.Pipe. The object is stored whole or not at all: if body fails,
	// PutStream returns an error that wraps body's (errors.Is finds it),
	// and the object of that name, if any, is as it was.
	PutStream(ctx context.Context, bucket, key string, body io.Reader) error
}

// Names are a Storage's rules for naming its objects: which buckets and
// keys it can hold, and how people write where an object is. The Summer
// checks an event's names with them before it reads anything, and its
// messages say where an object is as they do.
type Names interface {
	// Bucket returns the name of the bucket that s, as an event spells
	// it, names: s itself, or the name in another spelling of it (an S3
	// bucket's ARN). The error says why s names no bucket of the storage
	// (a bad name, or any name at all where there are no buckets).
	Bucket(s string) (string, error)

	// CheckKey returns an error saying why key, not empty, names no object
	// the storage can hold (an S3 key of more than 1,024 bytes), or nil.
	CheckKey(key string) error

	// Location returns where the object key of bucket is, as people write
	// it: s3://bucket/key, a path.
	Location(bucket, key string) string
}

// A Source is one version of a stored object, open for reading whole or in
// ranges, from any number of goroutines.
type Source interface {
	// Size is the object's size in bytes, or -1 if it cannot be known
	// before its end has been read (a pipe).
	Size() int64

	// NewReader returns a reader of n bytes of the object from byte off
	// (n < 0: to the end). Every reader reads the Source's version: if the
	// object is replaced meanwhile, a Read fails with ErrChanged. A
	// reader over a connection that breaks off resumes inside Read. An
	// object of unknown size can be read once, from 0.
	NewReader(ctx context.Context, off, n int64) (io.ReadCloser, error)

	// Version names the version of the object every reader reads (an
	// S3 object's ETag, a file's size and modification time), for
	// OpenVersion, once it is known: "" before the first read of an
	// object whose version is learnt from it, and for an object whose
	// version cannot be known (a stream, an object of an S3-compatible
	// server that sends no ETag). An object without a version is read
	// once, whole, from byte 0: nothing would keep parts of it to one
	// version.
	Version() string

	// Close releases the object; readers must be closed first.
	Close() error
}

// A Lister lists objects: a Storage's, or those a report of one names (an
// S3 Inventory), read through a Storage.
type Lister interface {
	// List yields the objects under prefix in bucket, each with a nil
	// error, in the listing's order: a Storage lists in key order, the
	// order S3 lists them (storetest checks it); a report, in its own. An object found that
	// cannot be listed (a folder that cannot be read) comes with its
	// error, a kind of failure as a Storage's, and the listing goes on:
	// what it holds is unknown, and must not be dropped silently. A failure
	// of the whole listing comes with an Item with no Key and ends it: the
	// objects after it are unknown.
	List(ctx context.Context, bucket, prefix string) iter.Seq2[Item, error]
}

// An Item is an object a listing found.
type Item struct {
	Bucket, Key string
	Size        int64 // -1 when the listing cannot know it before the object's end is read
}

// The kinds of a Storage's failures.
var (
	// ErrNotFound: no such object, or no such bucket.
	ErrNotFound = errors.New("object not found")
	// ErrDenied: the caller may not read (or write) the object.
	ErrDenied = errors.New("access denied")
	// ErrUnreadable: the object exists but cannot be read, for a reason
	// no retry mends (archived, a folder, a broken link, a key the
	// storage refuses).
	ErrUnreadable = errors.New("cannot be read")
	// ErrUnavailable: the storage failed for now (throttled, a server
	// error, a connection that broke off): a retry may succeed.
	ErrUnavailable = errors.New("storage unavailable")
	// ErrChanged: the object is no longer the version being read.
	ErrChanged = errors.New("object changed while being read")
)

// A StorageError is a Storage's failure: its kind, and what the storage
// said. errors.Is(err, Kind) holds for it and for any error that wraps it.
type StorageError struct {
	Kind error // ErrNotFound, ErrDenied, ErrUnreadable, ErrUnavailable or ErrChanged
	Err  error // the storage's own detail; nil when it has none to add
}

// Error is the storage's own message, or the kind's when it has none.
func (e *StorageError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return e.Kind.Error()
}

func (e *StorageError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}
