package job

import (
	"context"
	"errors"
	"io"

	"github.com/sumsq/sumsq/internal/sumsq"
)

// Classify turns an error from reading, writing or listing the object key
// in bucket (the Storage's, the parser's, a decompressor's, or ctx's end)
// into the contract's type that Step Functions tells apart, unwrapped,
// naming the object where its Storage says it is. It is the one place that
// does: a Storage reports kinds (see Storage), and the contract's errors
// are minted here, a *TimeoutError included. What reads through the
// Storage above the job (a Map Run's results) classifies its errors with
// it too.
func (s *Summer) Classify(ctx context.Context, err error, bucket, key string) error {
	loc := s.Storage.Location(bucket, key)
	var (
		content *sumsq.Error
		codec   *contentError
		short   *shortError
	)
	switch {
	case errors.As(err, &content):
		return &InvalidContentError{Bucket: bucket, Key: key, Location: loc, Err: content}
	case errors.As(err, &codec):
		return &InvalidContentError{Bucket: bucket, Key: key, Location: loc, Err: codec.err}
	case errors.As(err, &short):
		return &ObjectChangedError{Bucket: bucket, Key: key, Location: loc}
	case errors.Is(err, io.ErrNoProgress), errors.Is(err, sumsq.ErrBadReadCount):
		// The storage's reader is broken: no retry is known to mend it.
		return &ObjectUnreadableError{Bucket: bucket, Key: key, Location: loc, Err: err}
	// Once ctx is done every failure of the storage is a consequence of
	// it, whatever its shape (a canceled request, a closed body, an
	// answer cut short).
	case ctx.Err() != nil, errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &TimeoutError{Bucket: bucket, Key: key, Location: loc}
	case errors.Is(err, ErrNotFound):
		return &ObjectNotFoundError{Bucket: bucket, Key: key, Location: loc, Err: detailOf(err, nil)}
	case errors.Is(err, ErrDenied):
		return &AccessDeniedError{Bucket: bucket, Key: key, Location: loc, Err: detailOf(err, err)}
	case errors.Is(err, ErrUnreadable):
		return &ObjectUnreadableError{Bucket: bucket, Key: key, Location: loc, Err: detailOf(err, err)}
	case errors.Is(err, ErrChanged):
		return &ObjectChangedError{Bucket: bucket, Key: key, Location: loc}
	}
	return &S3UnavailableError{Bucket: bucket, Key: key, Location: loc, Err: detailOf(err, err)}
}

// detailOf returns what the storage said of err, a failure of a kind: the
// Err of its *StorageError, or else def.
func detailOf(err, def error) error {
	var se *StorageError
	if errors.As(err, &se) && se.Err != nil {
		return se.Err
	}
	return def
}
