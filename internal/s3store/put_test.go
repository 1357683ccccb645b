package s3store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
	"github.com/sumsq/sumsq/internal/storetest"
)

// A failingBody gives data, then fails with errGaveUp.
type failingBody struct{ r io.Reader }

var errGaveUp = errors.New("the writer gave up")

func (b *failingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		err = errGaveUp
	}
	return n, err
}

// onlyRead hides all but Read of a reader: a body of unknown length.
type onlyRead struct{ io.Reader }

// failParts answers every UploadPart with code, and passes every other
// request on.
func failParts(status int, code string) s3test.Hook {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method == http.MethodPut && r.URL.Query().Has("partNumber") {
			io.Copy(io.Discard, r.Body) // as S3 reads a request before it answers
			s3test.WriteError(w, status, code, "failed by the test")
			return
		}
		next.ServeHTTP(w, r)
	}
}

// TestPut writes bodies of known and unknown length, longer and shorter
// than a part, and some that fail: the requests are those of a single
// PutObject or of a multipart upload
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html),
// which is aborted when the body or S3 fails, leaving no object.
func TestPut(t *testing.T) {
	const part = s3store.MinPartSize
	tests := []struct {
		name     string
		n        int         // bytes of the body
		size     bool        // Put is told its length
		fail     bool        // the body fails after its n bytes
		hook     s3test.Hook // on the object's requests
		posts    int         // CreateMultipartUpload and CompleteMultipartUpload
		puts     int         // PutObject or UploadPart
		deletes  int         // AbortMultipartUpload
		wantKind error       // nil: stored
	}{
		{"small, length known", 1000, true, false, nil, 0, 1, 0, nil},
		{"small, length unknown", 1000, false, false, nil, 0, 1, 0, nil},
		{"one part exactly", part, false, false, nil, 2, 1, 0, nil},
		{"three parts, length unknown", 2*part + 7, false, false, nil, 2, 3, 0, nil},
		{"three parts, length known", 2*part + 7, true, false, nil, 2, 3, 0, nil},
		{"body fails before a part", 100, false, true, nil, 0, 0, 0, job.ErrUnavailable},
		{"body fails after a part", part + 100, false, true, nil, 1, -1, 1, job.ErrUnavailable},
		{"S3 refuses the parts", 2*part + 7, false, false, failParts(http.StatusServiceUnavailable, "SlowDown"), 1, -1, 1, job.ErrUnavailable},
		{"S3 denies the parts", 2*part + 7, false, false, failParts(http.StatusForbidden, "AccessDenied"), 1, -1, 1, job.ErrDenied},
		{"S3 denies the PutObject", 10, false, false, s3test.Fail(http.StatusForbidden, "AccessDenied"), 0, 1, 0, job.ErrDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := s3test.NewServer(t, bucket)
			st := &s3store.Store{S3: srv.Client(), PartSize: part}
			if tt.hook != nil {
				srv.Hook(bucket, "k", tt.hook)
			}
			data := body(tt.n)
			var r io.Reader = onlyRead{bytes.NewReader(data)}
			if tt.fail {
				r = &failingBody{r}
			}
			var err error
			if tt.size {
				err = st.Put(context.Background(), bucket, "k", bytes.NewReader(data), int64(tt.n))
			} else {
				err = st.PutStream(context.Background(), bucket, "k", r)
			}
			posts, puts, deletes := srv.Requests(http.MethodPost, bucket, "k"), srv.Requests(http.MethodPut, bucket, "k"), srv.Requests(http.MethodDelete, bucket, "k")
			if tt.puts < 0 {
				puts = -1
			}
			if posts != tt.posts || puts != tt.puts || deletes != tt.deletes {
				t.Errorf("requests: %d POST, %d PUT, %d DELETE; want %d, %d, %d", posts, puts, deletes, tt.posts, tt.puts, tt.deletes)
			}
			srv.Hook(bucket, "k", nil)
			got, rerr := storetest.Read(context.Background(), st, bucket, "k", -1, 0, -1)
			if tt.wantKind == nil {
				if err != nil || rerr != nil || !bytes.Equal(got, data) {
					t.Fatalf("Put = %v; read back %d bytes (equal: %v), %v; want the %d bytes", err, len(got), bytes.Equal(got, data), rerr, tt.n)
				}
				return
			}
			if !errors.Is(err, tt.wantKind) || tt.fail && !errors.Is(err, errGaveUp) {
				t.Errorf("Put = %v; want a %v (and the body's error if it failed)", err, tt.wantKind)
			}
			if !errors.Is(rerr, job.ErrNotFound) {
				t.Errorf("after a failed Put, the object = %d bytes, %v; want none", len(got), rerr)
			}
		})
	}
}

// TestPutCanceled: a multipart upload whose context ends is aborted all
// the same, with a context of its own.
func TestPutCanceled(t *testing.T) {
	srv := s3test.NewServer(t, bucket)
	st := &s3store.Store{S3: srv.Client(), PartSize: s3store.MinPartSize}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	go func() {
		pw.Write(body(s3store.MinPartSize + 10)) // one part and a little
		cancel()                                 // the invocation's deadline, say
		<-ctx.Done()
		pw.CloseWithError(ctx.Err())
	}()
	err := st.PutStream(ctx, bucket, "k", pr)
	if err == nil {
		t.Fatal("Put with a context that ended = nil; want an error")
	}
	if n := srv.Requests(http.MethodDelete, bucket, "k"); n != 1 {
		t.Errorf("%d DELETE (AbortMultipartUpload); want 1", n)
	}
	if _, err := storetest.Read(context.Background(), st, bucket, "k", -1, 0, -1); !errors.Is(err, job.ErrNotFound) {
		t.Errorf("after a canceled Put, read = %v; want job.ErrNotFound", err)
	}
}
