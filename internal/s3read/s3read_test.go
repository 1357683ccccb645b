package s3read_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/sumsq/sumsq/internal/s3read"
	"github.com/sumsq/sumsq/internal/s3test"
)

const bucket = "my-bucket"

// body returns n bytes that differ from one position to the next, so that
// a resume at a wrong offset cannot go unnoticed.
func body(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%d\n", i)
	}
	return b.Bytes()[:n]
}

func TestCopy(t *testing.T) {
	big := body(300 << 10) // several read buffers
	tests := []struct {
		name string
		data []byte
		hook s3test.Hook
		gets int // GET requests expected
	}{
		{"empty", nil, nil, 1},
		{"small", []byte("1\n2\n3\n"), nil, 1},
		{"several buffers", big, nil, 1},
		{"break once", big, s3test.BreakAfter(100<<10, 1), 2},
		{"break at byte 0", big, s3test.BreakAfter(0, 1), 2},
		{"break on every resume", big, s3test.BreakAfter(1000, s3read.MaxResumes), s3read.MaxResumes + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := s3test.NewServer(t, bucket)
			srv.Put(t, bucket, "k", tt.data)
			srv.Hook(bucket, "k", tt.hook)
			var got bytes.Buffer
			n, err := s3read.Copy(context.Background(), &got, srv.Client(), bucket, "k")
			if err != nil || n != int64(len(tt.data)) || !bytes.Equal(got.Bytes(), tt.data) {
				t.Fatalf("Copy = %d bytes (equal: %v), %v; want %d bytes, nil",
					n, bytes.Equal(got.Bytes(), tt.data), err, len(tt.data))
			}
			if gets := srv.Requests(http.MethodGet, bucket, "k"); gets != tt.gets {
				t.Errorf("GET requests = %d; want %d", gets, tt.gets)
			}
		})
	}
}

func TestCopyGivesUpAfterMaxResumes(t *testing.T) {
	srv := s3test.NewServer(t, bucket)
	data := body(10000)
	srv.Put(t, bucket, "k", data)
	srv.Hook(bucket, "k", s3test.BreakAfter(1000, s3read.MaxResumes+1))
	var got bytes.Buffer
	n, err := s3read.Copy(context.Background(), &got, srv.Client(), bucket, "k")
	wantN := int64(1000 * (s3read.MaxResumes + 1))
	if err == nil || n != wantN || !bytes.Equal(got.Bytes(), data[:wantN]) {
		t.Fatalf("Copy = %d, %v; want %d bytes of the object and an error", n, err, wantN)
	}
	if errors.Is(err, s3read.ErrChanged) {
		t.Errorf("Copy error %v is ErrChanged; want a read error", err)
	}
	if gets := srv.Requests(http.MethodGet, bucket, "k"); gets != s3read.MaxResumes+1 {
		t.Errorf("GET requests = %d; want %d", gets, s3read.MaxResumes+1)
	}
}

func TestCopyObjectChanged(t *testing.T) {
	tests := []struct {
		name   string
		ignore bool // the server ignores If-Match
	}{
		{"412 Precondition Failed", false},
		{"server ignores If-Match", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := s3test.NewServer(t, bucket)
			data := body(10000)
			srv.Put(t, bucket, "k", data)
			gets := 0
			srv.Hook(bucket, "k", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				gets++
				if gets == 1 {
					next.ServeHTTP(s3test.Break(w, 5000), r)
					return
				}
				if gets == 2 { // the resume finds another version
					if _, err := srv.PutObject(bucket, "k", body(12000)); err != nil {
						t.Error(err)
					}
				}
				if tt.ignore {
					r.Header.Del("If-Match")
				}
				next.ServeHTTP(w, r)
			})
			n, err := s3read.Copy(context.Background(), io.Discard, srv.Client(), bucket, "k")
			if !errors.Is(err, s3read.ErrChanged) || n != 5000 {
				t.Fatalf("Copy = %d, %v; want 5000, an error wrapping ErrChanged", n, err)
			}
			// Which check caught it: S3's 412, or the ETag of the resumed response.
			var ae smithy.APIError
			if got := errors.As(err, &ae) && ae.ErrorCode() == "PreconditionFailed"; got == tt.ignore {
				t.Errorf("Copy error %v: wrapping a PreconditionFailed API error is %v; want %v", err, got, !tt.ignore)
			}
		})
	}
}

func TestCopyServerIgnoresRange(t *testing.T) {
	srv := s3test.NewServer(t, bucket)
	srv.Put(t, bucket, "k", body(10000))
	first := true
	srv.Hook(bucket, "k", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if first {
			first = false
			w = s3test.Break(w, 5000)
		}
		r.Header.Del("Range")
		next.ServeHTTP(w, r)
	})
	n, err := s3read.Copy(context.Background(), io.Discard, srv.Client(), bucket, "k")
	if err == nil || !strings.Contains(err.Error(), "Content-Range") || n != 5000 {
		t.Fatalf("Copy = %d, %v; want 5000, an error about Content-Range", n, err)
	}
}

func TestCopyMissing(t *testing.T) {
	srv := s3test.NewServer(t, bucket)
	n, err := s3read.Copy(context.Background(), io.Discard, srv.Client(), bucket, "missing")
	var nsk *types.NoSuchKey
	if !errors.As(err, &nsk) || n != 0 {
		t.Fatalf("Copy = %d, %v; want 0, *types.NoSuchKey", n, err)
	}
}

// errWriter fails after it has accepted n bytes.
type errWriter struct{ n int }

var errFull = errors.New("full")

func (w *errWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errFull
	}
	w.n -= len(p)
	return len(p), nil
}

func TestCopyWriteError(t *testing.T) {
	srv := s3test.NewServer(t, bucket)
	srv.Put(t, bucket, "k", body(200<<10))
	n, err := s3read.Copy(context.Background(), &errWriter{n: 70000}, srv.Client(), bucket, "k")
	if err != errFull || n != 70000 {
		t.Fatalf("Copy = %d, %v; want 70000, %v", n, err, errFull)
	}
	if gets := srv.Requests(http.MethodGet, bucket, "k"); gets != 1 {
		t.Errorf("GET requests = %d; want 1 (a write error is not resumed)", gets)
	}
}

func TestCopyCanceled(t *testing.T) {
	srv := s3test.NewServer(t, bucket)
	srv.Put(t, bucket, "k", body(10000))
	srv.Hook(bucket, "k", s3test.Stall(100))
	ctx, cancel := context.WithCancel(context.Background())
	w := writerFunc(func(p []byte) (int, error) {
		cancel() // the first bytes arrived; stop while the body stalls
		return len(p), nil
	})
	n, err := s3read.Copy(ctx, w, srv.Client(), bucket, "k")
	if !errors.Is(err, context.Canceled) || n != 100 {
		t.Fatalf("Copy = %d, %v; want 100, an error wrapping context.Canceled", n, err)
	}
	if gets := srv.Requests(http.MethodGet, bucket, "k"); gets != 1 {
		t.Errorf("GET requests = %d; want 1", gets)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
