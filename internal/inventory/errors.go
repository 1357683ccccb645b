package inventory

import (
	"errors"
	"strconv"
)

var (
	// ErrManifest means a manifest.json is not an S3 Inventory manifest:
	// not JSON, a required field missing or of the wrong kind, a schema
	// without Bucket or Key, or a data file named twice or outside the
	// destination bucket.
	ErrManifest = errors.New("invalid S3 Inventory manifest")

	// ErrFormat means a manifest describes a report in a format this
	// package does not read: ORC, Parquet, or one it does not know.
	ErrFormat = errors.New("unsupported S3 Inventory format")

	// ErrData means a data file is not what its manifest says (its size
	// or MD5 differs: corrupt, truncated or replaced) or holds what S3
	// does not write (not gzip, not CSV, a row with the wrong number of
	// fields, a size that is not a number, a key that does not decode).
	ErrData = errors.New("invalid S3 Inventory data file")
)

// An Error is a manifest or data file that cannot be read as S3 writes it.
// Its Err wraps ErrManifest, ErrFormat or ErrData, so that errors.Is(err,
// ErrData) and errors.As(err, &e) work on it and on errors wrapping it.
type Error struct {
	// Bucket and Key name the manifest or data file in the Storage it was
	// read from: Bucket is "" for a local file, whose Key is its path.
	Bucket, Key string

	// Location is where the file is, as the Storage writes it
	// (job.Names.Location: s3://bucket/key, a path); the message begins
	// with it, or with Key if it is empty.
	Location string

	// Line is the 1-based line of a data file where the error is, or 0
	// when it is about the whole file.
	Line int

	// Err says what is wrong.
	Err error
}

func (e *Error) Error() string {
	s := e.Location + ": "
	if e.Location == "" {
		s = e.Key + ": "
	}
	if e.Line > 0 {
		s += "line " + strconv.Itoa(e.Line) + ": "
	}
	return s + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }
