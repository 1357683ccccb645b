package job

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// failureList keeps the failures of a total: the count, the first ones
// within the bounds of Total.Failed, and, with spill set, once a failure
// does not fit there, all of them in a temporary file of JSON Lines. A run
// may have millions of failures: they go to disk (Lambda's /tmp), not to
// memory, and are uploaded once at the end (a file, unlike a pipe, gives
// PutObject the length and the rewind it needs to sign and retry).
type failureList struct {
	spill bool // keep every failure, for a file of them all

	n           int64     // failures added
	listed      []Failure // the first, shortened: Total.Failed
	listedBytes int       // JSON bytes of listed, with separators
	closed      bool      // a failure did not fit in listed: no more are listed
	kept        []Failure // listed, with causes as the file has them, until the file exists

	file *os.File
	w    *bufio.Writer
	err  error // the first error writing file
}

// add counts f and keeps it. An error writing the file is kept for the end.
func (l *failureList) add(f Failure) {
	l.n++
	f.Error = shorten(f.Error, maxErrorNameBytes)
	if !l.closed {
		short := f
		short.Cause = shorten(f.Cause, MaxListedCauseBytes)
		b, _ := json.Marshal(short) // a struct of strings always marshals
		size := len(b) + 1          // and a comma
		if len(l.listed) < MaxListedFailures && l.listedBytes+size <= MaxListedFailuresBytes {
			l.listed = append(l.listed, short)
			l.listedBytes += size
			if l.spill {
				f.Cause = shorten(f.Cause, MaxCauseBytes)
				l.kept = append(l.kept, f)
			}
			return
		}
		l.closed = true
	}
	if !l.spill {
		return
	}
	f.Cause = shorten(f.Cause, MaxCauseBytes)
	if l.file == nil && l.err == nil {
		l.file, l.err = os.CreateTemp("", "sumsq-failed-*.jsonl")
		if l.err != nil {
			return
		}
		l.w = bufio.NewWriterSize(l.file, 1<<20)
		for _, k := range l.kept {
			l.write(k)
		}
		l.kept = nil
	}
	l.write(f)
}

func (l *failureList) write(f Failure) {
	if l.err != nil {
		return
	}
	b, err := json.Marshal(f)
	if err == nil {
		b = append(b, '\n')
		_, err = l.w.Write(b)
	}
	l.err = err
}

// unlisted reports whether some failures are not in listed.
func (l *failureList) unlisted() bool { return l.n > int64(len(l.listed)) }

// discard removes the temporary file, if any.
func (l *failureList) discard() {
	if l.file != nil {
		l.file.Close()
		os.Remove(l.file.Name())
		l.file = nil
	}
}

// putFailures uploads every failure of l as JSON Lines to bucket/key.
func (s *Summer) putFailures(ctx context.Context, l *failureList, bucket, key string) error {
	if l.err == nil {
		l.err = l.w.Flush()
	}
	var size int64
	if l.err == nil {
		size, l.err = l.file.Seek(0, io.SeekCurrent)
	}
	if l.err == nil {
		_, l.err = l.file.Seek(0, io.SeekStart)
	}
	if l.err != nil {
		return &FailureListError{Err: l.err}
	}
	_, err := s.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        &bucket,
		Key:           &key,
		Body:          l.file,
		ContentLength: &size,
		ContentType:   new("application/jsonl"),
	})
	if err != nil {
		return s3Error(ctx, err, bucket, key)
	}
	return nil
}

// shorten returns s if it has at most n bytes, or else a prefix of s
// ending in "..." of at most n bytes, cut at a rune boundary.
func shorten(s string, n int) string {
	const dots = "..."
	if len(s) <= n {
		return s
	}
	if n < len(dots) {
		return ""
	}
	return truncate(s, n-len(dots)) + dots
}
