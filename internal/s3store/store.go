package s3store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/sumsq/sumsq/internal/job"
)

// API is the part of the S3 client a Store uses; *s3.Client has it. It
// reads with GetObject, lists with ListObjectsV2 and writes with what the
// SDK's transfer manager needs: PutObject, or a multipart upload for a
// body larger than a part (which also asks for HeadObject, never called).
type API interface {
	transfermanager.S3APIClient
}

// A Store is the job's Storage over S3.
type Store struct {
	S3 API

	// IdleTimeout is how long a GET may wait for S3's answer, or for the
	// next bytes of its body, before it is asked again; 0 means
	// DefaultIdleTimeout.
	IdleTimeout time.Duration

	// PartSize is the size of the parts Put uploads a body larger than
	// one part in, at least 5 MiB (S3's least but for the last part); 0
	// means DefaultPartSize.
	PartSize int64
}

var _ job.Storage = (*Store)(nil)

// New returns a Store over client.
func New(client API) *Store { return &Store{S3: client} }

// FirstGetBytes is how many bytes Open asks for when it does not know the
// object's size: one ranged GET that returns the whole of a small object,
// and the size and version (ETag) of a large one, with its first bytes.
const FirstGetBytes = 8 << 20

// Open opens bucket/key. Given its size, it makes no request: the first GET
// of the object pins its version, its ETag. Otherwise it GETs the first
// FirstGetBytes bytes, which says the size and pins the version, and keeps
// them for the first reader from byte 0.
func (s *Store) Open(ctx context.Context, bucket, key string, size int64) (job.Source, error) {
	return s.open(ctx, bucket, key, size, "")
}

// OpenVersion opens bucket/key as Open does, pinned to the ETag etag from
// the start: every GET asks for it (If-Match), and S3 answers 412
// PreconditionFailed once the object is another version
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html,
// If-Match).
func (s *Store) OpenVersion(ctx context.Context, bucket, key string, size int64, etag string) (job.Source, error) {
	return s.open(ctx, bucket, key, size, etag)
}

func (s *Store) open(ctx context.Context, bucket, key string, size int64, etag string) (job.Source, error) {
	if err := checkName(bucket, key); err != nil {
		return nil, err
	}
	idle := s.IdleTimeout
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	src := &source{api: s.S3, bucket: bucket, key: key, size: size, idle: idle, etag: etag}
	if size >= 0 {
		return src, nil
	}
	in := &s3.GetObjectInput{Bucket: &bucket, Key: &key, Range: aws.String(byteRange(0, FirstGetBytes))}
	if etag != "" {
		in.IfMatch = &etag
	}
	var (
		out *s3.GetObjectOutput
		dog *watchdog
		err error
	)
	for tries := 0; ; tries++ {
		dog = newWatchdog(ctx, idle)
		out, err = s.S3.GetObject(dog.ctx, in)
		dog.disarm()
		if err == nil {
			break
		}
		dog.stop()
		if stall := dog.stalled(); stall != nil && ctx.Err() == nil {
			if tries < MaxResumes {
				continue
			}
			return nil, unavailableErr(fmt.Errorf("no answer after %d tries: %w", tries+1, stall))
		}
		break
	}
	if err != nil {
		if isInvalidRange(err) {
			// The only range an object cannot satisfy from byte 0 is
			// any range of an empty object.
			src.size = 0
			return src, nil
		}
		return nil, storageError(err)
	}
	start, total, ok := contentRange(aws.ToString(out.ContentRange))
	switch {
	case ok && start == 0 && total >= 0:
		src.size = total
	case out.ContentRange == nil && out.ContentLength != nil:
		src.size = *out.ContentLength // a server that ignores Range sent it all
	default:
		out.Body.Close()
		dog.stop()
		return nil, unavailableErr(fmt.Errorf("asked for bytes from 0, got Content-Range %q", aws.ToString(out.ContentRange)))
	}
	if got := aws.ToString(out.ETag); !src.pin(got) {
		out.Body.Close()
		dog.stop()
		return nil, changedErr(fmt.Errorf("ETag %s, not %s", got, etag))
	}
	src.first, src.firstDog = out.Body, dog
	src.firstEnd = src.size
	if out.ContentRange != nil && out.ContentLength != nil {
		src.firstEnd = *out.ContentLength
	}
	return src, nil
}

// Writing. Put and PutStream hand the body to the SDK's transfer manager, which reads
// it a part at a time: a body of one part or less is one PutObject; a
// longer one, of known size or not, a multipart upload of PartSize parts,
// uploadConcurrency at once
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html),
// which it aborts if the body or a request fails, so that no object and no
// stored parts are left. Memory stays within about (uploadConcurrency+2) ×
// PartSize, whatever the body's length: at most MaxUploadParts parts, 80 GB
// at the default part size.
const (
	// DefaultPartSize is the transfer manager's own default, 8 MiB.
	DefaultPartSize = 8 << 20
	// MinPartSize is the least part S3 takes, but for an upload's last.
	MinPartSize = 5 << 20
	// MaxUploadParts is S3's most parts of one upload.
	MaxUploadParts = 10000
	// uploadConcurrency: the parts uploaded at once. A list of failures is
	// written as it is made: two parts in flight keep up with it.
	uploadConcurrency = 2
	// abortTimeout is how long an upload that failed is given to be
	// aborted, with a context of its own: the caller's may have ended.
	abortTimeout = 10 * time.Second
)

// Put stores size bytes of body as bucket/key.
func (s *Store) Put(ctx context.Context, bucket, key string, body io.ReadSeeker, size int64) error {
	return s.put(ctx, bucket, key, body, size)
}

// PutStream stores body, read to its end, as bucket/key.
func (s *Store) PutStream(ctx context.Context, bucket, key string, body io.Reader) error {
	return s.put(ctx, bucket, key, body, -1)
}

// put uploads size bytes of body (size < 0: all of it) as bucket/key.
func (s *Store) put(ctx context.Context, bucket, key string, body io.Reader, size int64) error {
	if err := checkName(bucket, key); err != nil {
		return err
	}
	part := s.PartSize
	if part <= 0 {
		part = DefaultPartSize
	}
	tm := transfermanager.New(s.S3, func(o *transfermanager.Options) {
		o.PartSizeBytes = part
		o.MultipartUploadThreshold = part
		o.Concurrency = uploadConcurrency
		o.FailTimeout = abortTimeout
		o.MaxUploadParts = MaxUploadParts
		// The transfer manager's own default (a CRC32 of every request)
		// would override the client's: keep the client's.
		if c, ok := s.S3.(*s3.Client); ok {
			o.RequestChecksumCalculation = c.Options().RequestChecksumCalculation
		}
	})
	in := &transfermanager.UploadObjectInput{
		Bucket:      &bucket,
		Key:         &key,
		Body:        &bodyReader{r: body},
		ContentType: aws.String("application/jsonl"),
	}
	if size >= 0 {
		in.Body = &bodyReader{r: io.LimitReader(body, size)}
		in.ContentLength = &size
	}
	_, err := tm.UploadObject(ctx, in)
	if br := in.Body.(*bodyReader); br.err != nil {
		// The body failed: the caller's error, not S3's.
		return &job.StorageError{Kind: job.ErrUnavailable, Err: fmt.Errorf("reading the body to put: %w", br.err)}
	}
	if err != nil {
		return storageError(err)
	}
	return nil
}

// A bodyReader reads a body to put and keeps its first error other than
// io.EOF, which the transfer manager reports in words of its own. It has
// Read alone: the transfer manager then reads it once, a part at a time,
// rather than seeking it.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// checkName refuses what S3 would refuse before a request is made: the SDK
// reports an empty bucket or key as an error of its own, which is not S3's.
// A Summer checks names first (see Names); this is for other callers.
func checkName(bucket, key string) error {
	if bucket == "" || key == "" {
		return &job.StorageError{Kind: job.ErrUnreadable, Err: errNoName}
	}
	return nil
}

// A source is one version of an S3 object. Its ETag is the version: known
// from a HEAD, or pinned by the first GET that answers; every later GET
// asks for it (If-Match), and every answer is checked against it.
type source struct {
	api         API
	bucket, key string
	size        int64 // -1: unknown
	idle        time.Duration

	mu       sync.Mutex
	etag     string
	first    io.ReadCloser // Open's first bytes, [0, firstEnd), until a reader takes them
	firstDog *watchdog     // of first's GET
	firstEnd int64
}

func (s *source) Size() int64 { return s.size }

// Version is the object's ETag, once a GET has answered with one, or the
// one it was opened at: without one, nothing tells two versions of the
// object apart.
func (s *source) Version() string { return s.pinned() }

func (s *source) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.first != nil {
		s.first.Close()
		s.firstDog.stop()
		s.first, s.firstDog = nil, nil
	}
	return nil
}

// NewReader returns a reader of the object's bytes [off, off+n), or from
// off to the end if n < 0. The GET is made by the first Read.
func (s *source) NewReader(ctx context.Context, off, n int64) (io.ReadCloser, error) {
	end := int64(-1)
	if n >= 0 {
		end = off + n
	}
	if s.size >= 0 && (end < 0 || end > s.size) {
		end = s.size
	}
	r := &reader{ctx: ctx, src: s, start: off, off: off, end: end, bodyEnd: -1, ranged: off > 0 || n >= 0}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Open's first bytes go to the first reader from 0 that reads them all,
	// not to a smaller one (a 4-byte sniff) that would waste the rest; and,
	// without an ETag to pin the rest to, only if they are all it reads.
	if off == 0 && s.first != nil && (n < 0 || n >= s.firstEnd) && (s.etag != "" || s.firstEnd >= s.size) {
		r.body, r.dog, r.bodyEnd = s.first, s.firstDog, s.firstEnd
		s.first, s.firstDog = nil, nil
	}
	return r, nil
}

// pin records etag as the version being read, if none is yet, and reports
// whether etag is that version.
func (s *source) pin(etag string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.etag == "" {
		s.etag = etag
	}
	return etag == s.etag
}

func (s *source) pinned() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.etag
}

// byteRange is the Range header for [off, end), end < 0 meaning the end.
func byteRange(off, end int64) string {
	r := "bytes=" + strconv.FormatInt(off, 10) + "-"
	if end >= 0 {
		r += strconv.FormatInt(end-1, 10)
	}
	return r
}

// isInvalidRange reports whether err is S3's 416 InvalidRange.
func isInvalidRange(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "InvalidRange"
}
