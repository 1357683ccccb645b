// Package s3read streams S3 objects. Copy writes one object's body to an
// io.Writer without holding it in memory, and when the body breaks off it
// asks for the rest (Range: bytes=N-) of the same version of the object
// (If-Match: the ETag of the first response), so that a reset connection
// costs neither a restart from byte 0 nor a silently mixed result.
package s3read

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// MaxResumes is how many times Copy asks for the rest of an object whose
// body broke off before it gives up.
const MaxResumes = 5

// bufSize is the size of Copy's read buffer.
const bufSize = 64 << 10

// ErrChanged means the object was replaced while Copy was reading it: a
// resumed GET found another ETag, or S3 answered 412 Precondition Failed.
var ErrChanged = errors.New("object changed while being read")

// GetObjectAPI is the S3 operation this package uses; *s3.Client has it.
type GetObjectAPI interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// Copy writes the body of the object key in bucket to w and returns the
// number of bytes written.
//
// The body is read in pieces of at most 64 KiB, so memory does not grow
// with the object's size. If reading the body fails while ctx is still live,
// or the body ends short of its Content-Length, Copy requests the remaining
// bytes, pinned to the first response's ETag, up to MaxResumes times. An
// error from w is returned as is and stops the copy. Errors from S3 are the
// SDK's, wrapped with %w; an object that changed between requests gives an
// error wrapping ErrChanged.
func Copy(ctx context.Context, w io.Writer, api GetObjectAPI, bucket, key string) (int64, error) {
	out, err := api.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return 0, err
	}
	etag := aws.ToString(out.ETag)
	size := int64(-1) // unknown
	if out.ContentLength != nil {
		size = *out.ContentLength
	}

	buf := make([]byte, bufSize)
	var written int64
	for resumes := 0; ; resumes++ {
		n, readErr, writeErr := drain(w, out.Body, buf)
		out.Body.Close()
		written += n
		if writeErr != nil {
			return written, writeErr
		}
		complete := size < 0 || written == size
		if readErr == nil && complete {
			return written, nil
		}
		if complete {
			// Every byte arrived and still the body failed (a checksum
			// mismatch, say): asking for the rest cannot help.
			return written, fmt.Errorf("reading s3://%s/%s: %w", bucket, key, readErr)
		}
		if readErr == nil {
			readErr = io.ErrUnexpectedEOF
		}
		if ctx.Err() != nil {
			return written, fmt.Errorf("reading s3://%s/%s at byte %d: %w", bucket, key, written, ctx.Err())
		}
		if resumes == MaxResumes || etag == "" {
			// Without an ETag a resumed read could mix two versions.
			return written, fmt.Errorf("reading s3://%s/%s: body broke off at byte %d after %d resumes: %w",
				bucket, key, written, resumes, readErr)
		}
		out, err = resume(ctx, api, bucket, key, etag, written)
		if err != nil {
			return written, err
		}
	}
}

// drain copies body to w until the body ends. Unlike io.Copy it tells read
// errors, which may be resumed, from write errors, which may not.
func drain(w io.Writer, body io.Reader, buf []byte) (n int64, readErr, writeErr error) {
	for {
		k, err := body.Read(buf)
		if k > 0 {
			m, werr := w.Write(buf[:k])
			n += int64(m)
			if werr == nil && m < k {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return n, nil, werr
			}
		}
		if err == io.EOF {
			return n, nil, nil
		}
		if err != nil {
			return n, err, nil
		}
	}
}

// resume requests the object's bytes from offset on, and checks that they
// belong to the version with etag.
func resume(ctx context.Context, api GetObjectAPI, bucket, key, etag string, offset int64) (*s3.GetObjectOutput, error) {
	out, err := api.GetObject(ctx, &s3.GetObjectInput{
		Bucket:  &bucket,
		Key:     &key,
		Range:   aws.String("bytes=" + strconv.FormatInt(offset, 10) + "-"),
		IfMatch: &etag,
	})
	if err != nil {
		if preconditionFailed(err) {
			return nil, fmt.Errorf("resuming s3://%s/%s at byte %d: %w: %w", bucket, key, offset, ErrChanged, err)
		}
		return nil, fmt.Errorf("resuming s3://%s/%s at byte %d: %w", bucket, key, offset, err)
	}
	// A server that ignores If-Match or Range must not go unnoticed.
	if got := aws.ToString(out.ETag); got != etag {
		out.Body.Close()
		return nil, fmt.Errorf("resuming s3://%s/%s at byte %d: ETag %s, was %s: %w", bucket, key, offset, got, etag, ErrChanged)
	}
	if cr := aws.ToString(out.ContentRange); !strings.HasPrefix(cr, "bytes "+strconv.FormatInt(offset, 10)+"-") {
		out.Body.Close()
		return nil, fmt.Errorf("resuming s3://%s/%s at byte %d: got Content-Range %q", bucket, key, offset, cr)
	}
	return out, nil
}

func preconditionFailed(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "PreconditionFailed" {
		return true
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusPreconditionFailed
}
