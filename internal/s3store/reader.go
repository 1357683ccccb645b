package s3store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// MaxResumes is how many times a reader asks for the rest of a body that
// broke off, or stalled, before it gives up.
const MaxResumes = 5

// DefaultIdleTimeout is how long a reader waits for S3's answer to a GET,
// or for the next bytes of its body, before it takes the connection for
// stalled and asks for the rest on a new one (see MaxResumes). AWS advises
// retrying a small GET after 2 seconds, its median latency being tens of
// milliseconds
// (https://docs.aws.amazon.com/whitepapers/latest/s3-optimizing-performance-best-practices/timeouts-and-retries-for-latency-sensitive-applications.html);
// a body with no byte for 5 seconds is stalled, not slow.
const DefaultIdleTimeout = 5 * time.Second

// A reader reads [off, end) of a source (end < 0: to the end of the
// object). It makes its GET on the first Read and, when the body breaks off
// or stalls (no byte for the source's idle timeout) while ctx is live, asks
// for the rest (Range: bytes=off-) of the same version (If-Match), up to
// MaxResumes times, inside Read: a reset or stalled connection costs
// neither a restart from byte 0 nor a mixed result, nor the wait until the
// invocation's deadline.
type reader struct {
	ctx    context.Context
	src    *source
	start  int64 // the first byte asked for
	off    int64 // the next byte to read
	end    int64 // -1: unknown until a response says
	ranged bool  // the caller asked for a range, not the whole object

	body    io.ReadCloser
	dog     *watchdog // of body's GET
	bodyEnd int64     // where body ends, if it is a range that ends before end; else -1
	resumes int
	err     error // sticky
}

var errClosed = errors.New("s3store: read after Close")

func (r *reader) Read(p []byte) (int, error) {
	if r.err == nil && r.ctx.Err() != nil {
		r.err = r.stopped() // even with Open's first bytes at hand
	}
	for r.err == nil {
		if r.end >= 0 && r.off >= r.end {
			r.err = io.EOF
			break
		}
		if r.body == nil {
			if err := r.get(); err != nil {
				var stall *stallError
				if errors.As(err, &stall) && r.retry(err) {
					continue
				}
				if r.err == nil {
					r.err = err
				}
				break
			}
		}
		if r.end >= 0 && int64(len(p)) > r.end-r.off {
			p = p[:r.end-r.off] // the body may go on past the reader's end
		}
		r.dog.arm()
		n, err := r.body.Read(p)
		r.dog.disarm()
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
		// The body broke off, stalled, or ended short of its length.
		if stall := r.dog.stalled(); stall != nil && r.ctx.Err() == nil {
			err = stall
		}
		r.closeBody()
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		r.retry(err)
		if n > 0 {
			return n, nil
		}
	}
	return 0, r.err
}

// retry reports whether to ask for the rest of the body after err broke it
// off or stalled it; if not, it sets r.err.
func (r *reader) retry(err error) bool {
	switch {
	case r.ctx.Err() != nil:
		r.err = r.stopped()
	case r.resumes == MaxResumes:
		r.err = unavailableErr(fmt.Errorf("body broke off at byte %d after %d resumes: %w", r.off, r.resumes, err))
	case r.src.pinned() == "" && r.off > r.start:
		// Without an ETag a resumed read could mix two versions.
		r.err = unavailableErr(fmt.Errorf("body broke off at byte %d, and S3 gave no ETag to resume on: %w", r.off, err))
	default:
		r.resumes++
		return true
	}
	return false
}

// stopped is the error of a read that its context's end stopped.
func (r *reader) stopped() error {
	return fmt.Errorf("reading %s at byte %d: %w", Location(r.src.bucket, r.src.key), r.off, r.ctx.Err())
}

func (r *reader) closeBody() {
	r.body.Close()
	r.dog.stop()
	r.body, r.dog, r.bodyEnd = nil, nil, -1
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

// A watchdog cancels a GET that idles: whose answer, or the next bytes of
// whose body, take longer than idle. It is armed while the reader waits on
// S3, not while the reader's caller is busy with the bytes it has.
type watchdog struct {
	ctx    context.Context // the GET's
	cancel context.CancelCauseFunc
	timer  *time.Timer
	idle   time.Duration
}

// newWatchdog returns a watchdog, armed, over a context for one GET.
func newWatchdog(ctx context.Context, idle time.Duration) *watchdog {
	ctx, cancel := context.WithCancelCause(ctx)
	d := &watchdog{ctx: ctx, cancel: cancel, idle: idle}
	d.timer = time.AfterFunc(idle, func() { cancel(&stallError{idle: idle}) })
	return d
}

func (d *watchdog) arm()    { d.timer.Reset(d.idle) }
func (d *watchdog) disarm() { d.timer.Stop() }

// stop ends the GET's context, its body being closed.
func (d *watchdog) stop() {
	d.timer.Stop()
	d.cancel(context.Canceled)
}

// stalled returns the *stallError that canceled the GET, if it did.
func (d *watchdog) stalled() *stallError {
	var stall *stallError
	if errors.As(context.Cause(d.ctx), &stall) {
		return stall
	}
	return nil
}

// A stallError means S3 sent nothing for the idle timeout.
type stallError struct{ idle time.Duration }

func (e *stallError) Error() string { return fmt.Sprintf("no byte from S3 for %v", e.idle) }

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
	dog := newWatchdog(r.ctx, s.idle)
	out, err := s.api.GetObject(dog.ctx, in)
	dog.disarm()
	if err != nil {
		dog.stop()
		if stall := dog.stalled(); stall != nil && r.ctx.Err() == nil {
			return stall
		}
		return storageError(err)
	}
	fail := func(err error) error {
		out.Body.Close()
		dog.stop()
		return err
	}
	// A server that ignores If-Match, or a first GET racing a write, must
	// not go unnoticed.
	if etag := aws.ToString(out.ETag); !s.pin(etag) {
		return fail(changedErr(fmt.Errorf("ETag %s, not %s", etag, s.pinned())))
	}
	if ranged {
		start, total, ok := contentRange(aws.ToString(out.ContentRange))
		switch {
		case !ok || start != r.off:
			return fail(unavailableErr(fmt.Errorf("asked for bytes from %d, got Content-Range %q", r.off, aws.ToString(out.ContentRange))))
		case s.size >= 0 && total >= 0 && total != s.size:
			// Listed at one size, now another: not the version listed.
			return fail(changedErr(fmt.Errorf("%d bytes, listed at %d", total, s.size)))
		case r.end < 0 && total >= 0:
			r.end = total
		}
	} else if out.ContentLength != nil {
		if s.size >= 0 && *out.ContentLength != s.size {
			// Listed at one size, now another: reading to the listed
			// size could cut the new version short, and on a line
			// boundary the sum would be wrong without a word.
			return fail(changedErr(fmt.Errorf("%d bytes, listed at %d", *out.ContentLength, s.size)))
		}
		if r.end < 0 {
			r.end = *out.ContentLength
		}
	}
	r.body, r.dog, r.bodyEnd = out.Body, dog, -1
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
