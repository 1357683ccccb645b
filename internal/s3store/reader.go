package s3store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sumsq/sumsq/internal/job"
)

// MaxResumes is how many times a reader asks for the rest of a body that
// broke off before it gives up.
const MaxResumes = 5

// A reader reads [off, end) of a source (end < 0: to the end of the
// object). It makes its GET on the first Read and, when the body breaks off
// while ctx is live, asks for the rest (Range: bytes=off-) of the same
// version (If-Match), up to MaxResumes times, inside Read: a reset
// connection costs neither a restart from byte 0 nor a mixed result.
type reader struct {
	ctx    context.Context
	src    *source
	off    int64 // the next byte to read
	end    int64 // -1: unknown until a response says
	ranged bool  // the caller asked for a range, not the whole object

	body    io.ReadCloser
	bodyEnd int64 // where body ends, if it is a range that ends before end; else -1
	resumes int
	err     error // sticky
}

var errClosed = errors.New("s3store: read after Close")

func (r *reader) Read(p []byte) (int, error) {
	for r.err == nil {
		if r.end >= 0 && r.off >= r.end {
			r.err = io.EOF
			break
		}
		if r.body == nil {
			if r.err = r.get(); r.err != nil {
				break
			}
		}
		if r.end >= 0 && int64(len(p)) > r.end-r.off {
			p = p[:r.end-r.off] // the body may go on past the reader's end
		}
		n, err := r.body.Read(p)
		r.off += int64(n)
		switch {
		case err == nil:
			return n, nil
		case err == io.EOF && r.bodyEnd >= 0 && r.off == r.bodyEnd:
			// A range that ends before the reader does: ask for the rest.
			r.closeBody()
			return n, nil
		case err == io.EOF && (r.end < 0 || r.off >= r.end):
			r.err = io.EOF
			return n, r.err
		}
		// The body broke off, or ended short of its length.
		r.closeBody()
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		switch {
		case r.ctx.Err() != nil:
			r.err = &job.TimeoutError{Bucket: r.src.bucket, Key: r.src.key}
		case r.resumes == MaxResumes:
			r.err = &job.S3UnavailableError{Bucket: r.src.bucket, Key: r.src.key,
				Err: fmt.Errorf("body broke off at byte %d after %d resumes: %w", r.off, r.resumes, err)}
		case r.src.pinned() == "":
			// Without an ETag a resumed read could mix two versions.
			r.err = &job.S3UnavailableError{Bucket: r.src.bucket, Key: r.src.key,
				Err: fmt.Errorf("body broke off at byte %d, and S3 gave no ETag to resume on: %w", r.off, err)}
		}
		r.resumes++
		if n > 0 {
			return n, nil
		}
	}
	return 0, r.err
}

func (r *reader) closeBody() {
	r.body.Close()
	r.body, r.bodyEnd = nil, -1
}

func (r *reader) Close() error {
	if r.body != nil {
		r.closeBody()
	}
	if r.err == nil {
		r.err = errClosed
	}
	return nil
}

// get makes the GET for [off, end) and checks that its answer is of the
// pinned version and range.
func (r *reader) get() error {
	s := r.src
	in := &s3.GetObjectInput{Bucket: &s.bucket, Key: &s.key}
	ranged := r.ranged || r.off > 0
	if ranged {
		in.Range = aws.String(byteRange(r.off, r.end))
	}
	if etag := s.pinned(); etag != "" {
		in.IfMatch = &etag
	}
	out, err := s.api.GetObject(r.ctx, in)
	if err != nil {
		return classify(r.ctx, err, s.bucket, s.key)
	}
	fail := func(err error) error {
		out.Body.Close()
		return err
	}
	// A server that ignores If-Match, or a first GET racing a write, must
	// not go unnoticed.
	if !s.pin(aws.ToString(out.ETag)) {
		return fail(&job.ObjectChangedError{Bucket: s.bucket, Key: s.key})
	}
	if ranged {
		start, total, ok := contentRange(aws.ToString(out.ContentRange))
		switch {
		case !ok || start != r.off:
			return fail(&job.S3UnavailableError{Bucket: s.bucket, Key: s.key,
				Err: fmt.Errorf("asked for bytes from %d, got Content-Range %q", r.off, aws.ToString(out.ContentRange))})
		case s.size >= 0 && total >= 0 && total != s.size:
			// Listed at one size, now another: not the version listed.
			return fail(&job.ObjectChangedError{Bucket: s.bucket, Key: s.key})
		case r.end < 0 && total >= 0:
			r.end = total
		}
	} else if out.ContentLength != nil {
		if s.size >= 0 && *out.ContentLength != s.size {
			// Listed at one size, now another: reading to the listed
			// size could cut the new version short, and on a line
			// boundary the sum would be wrong without a word.
			return fail(&job.ObjectChangedError{Bucket: s.bucket, Key: s.key})
		}
		if r.end < 0 {
			r.end = *out.ContentLength
		}
	}
	r.body, r.bodyEnd = out.Body, -1
	return nil
}

// contentRange parses "bytes START-END/TOTAL"; TOTAL may be "*" (-1).
func contentRange(s string) (start, total int64, ok bool) {
	rest, ok := strings.CutPrefix(s, "bytes ")
	if !ok {
		return 0, 0, false
	}
	span, size, ok := strings.Cut(rest, "/")
	first, _, ok2 := strings.Cut(span, "-")
	if !ok || !ok2 {
		return 0, 0, false
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	total = -1
	if size != "*" {
		if total, err = strconv.ParseInt(size, 10, 64); err != nil {
			return 0, 0, false
		}
	}
	return start, total, true
}
