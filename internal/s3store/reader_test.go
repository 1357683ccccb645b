package s3store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
	"github.com/sumsq/sumsq/internal/storetest"
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

// read opens bucket/k of the given size (-1: unknown) and reads [off,
// off+n) of it.
func read(t *testing.T, srv *s3test.Server, size, off, n int64) ([]byte, error) {
	t.Helper()
	return storetest.Read(context.Background(), s3store.New(srv.Client()), bucket, "k", size, off, n)
}

func TestRead(t *testing.T) {
	big := body(300 << 10) // several read buffers
	tests := []struct {
		name      string
		data      []byte
		size      bool  // Open is told the size
		off, n    int64 // the range read; n < 0: to the end
		hook      s3test.Hook
		gets      int // GET requests expected
		wantRange string
	}{
		{"empty", nil, false, 0, -1, nil, 1, ""},
		{"empty, size known", nil, true, 0, -1, nil, 0, ""},
		{"small", []byte("1\n2\n3\n"), false, 0, -1, nil, 1, ""},
		{"several buffers", big, false, 0, -1, nil, 1, ""},
		{"several buffers, size known", big, true, 0, -1, nil, 1, ""},
		{"a range", big, true, 1000, 5000, nil, 1, ""},
		{"a range to the end", big, true, 1000, -1, nil, 1, ""},
		{"a range past the end", big, true, 1000, 1 << 30, nil, 1, ""},
		{"a range of an object of unknown size", big, false, 1000, 5000, nil, 2, ""},
		{"break once", big, false, 0, -1, s3test.BreakAfter(100<<10, 1), 2, ""},
		{"break once, size known", big, true, 0, -1, s3test.BreakAfter(100<<10, 1), 2, ""},
		{"break a range", big, true, 1000, 200 << 10, s3test.BreakAfter(100<<10, 1), 2, ""},
		{"break at byte 0", big, false, 0, -1, s3test.BreakAfter(0, 1), 2, ""},
		{"break on every resume", big, false, 0, -1, s3test.BreakAfter(1000, s3store.MaxResumes), s3store.MaxResumes + 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := s3test.NewServer(t, bucket)
			srv.Put(t, bucket, "k", tt.data)
			srv.Hook(bucket, "k", tt.hook)
			size := int64(-1)
			if tt.size {
				size = int64(len(tt.data))
			}
			got, err := read(t, srv, size, tt.off, tt.n)
			want := tt.data
			if tt.off > 0 || tt.n >= 0 {
				end := int64(len(tt.data))
				if tt.n >= 0 {
					end = min(end, tt.off+tt.n)
				}
				want = tt.data[tt.off:end]
			}
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("read = %d bytes (equal: %v), %v; want %d bytes, nil", len(got), bytes.Equal(got, want), err, len(want))
			}
			if gets := srv.Requests(http.MethodGet, bucket, "k"); gets != tt.gets {
				t.Errorf("GET requests = %d; want %d", gets, tt.gets)
			}
		})
	}
}

// TestReadStalled: S3 stops sending (before its answer, or in the middle
// of a body) with the connection open. After the idle timeout the reader
// asks again for the rest of the same version, as for a body that broke
// off, instead of waiting until the invocation's deadline; past
// MaxResumes, or without an ETag to pin the rest to, it fails with an
// S3UnavailableError, which a retry of the batch mends.
func TestReadStalled(t *testing.T) {
	data := body(100000)
	tests := []struct {
		name   string
		size   int64 // told to Open: -1 unknown
		off, n int64
		hook   s3test.Hook
		noETag bool
		gets   int
		fail   string // in the S3UnavailableError, if the read fails
	}{
		{"in the body", 100000, 0, -1, s3test.StallFirst(5000, 1), false, 2, ""},
		{"in a range's body", 100000, 1000, 50000, s3test.StallFirst(5000, 1), false, 2, ""},
		{"before the answer", 100000, 0, -1, s3test.StallFirst(-1, 1), false, 2, ""},
		{"in Open's first GET", -1, 0, -1, s3test.StallFirst(5000, 1), false, 2, ""},
		{"before Open's first answer", -1, 0, -1, s3test.StallFirst(-1, 2), false, 3, ""},
		{"before the answer, no ETag", 100000, 0, -1, s3test.StallFirst(-1, 1), true, 2, ""},
		{"every time", 100000, 0, -1, s3test.StallFirst(100, s3store.MaxResumes+1), false, s3store.MaxResumes + 1, "after 5 resumes: no byte from S3 for 50ms"},
		{"in the body, no ETag", 100000, 0, -1, s3test.StallFirst(5000, 1), true, 1, "no ETag to resume on: no byte from S3 for 50ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := s3test.NewServer(t, bucket)
			srv.Put(t, bucket, "k", data)
			srv.Hook(bucket, "k", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				if tt.noETag {
					fake := next
					next = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s3test.NoETag(w, r, fake) })
				}
				tt.hook(w, r, next)
			})
			ctx := context.Background()
			store := &s3store.Store{S3: srv.Client(), IdleTimeout: 50 * time.Millisecond}
			src, err := store.Open(ctx, bucket, "k", tt.size)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			r, _ := src.NewReader(ctx, tt.off, tt.n)
			defer r.Close()
			got, err := io.ReadAll(r)
			end := int64(len(data))
			if tt.n >= 0 {
				end = tt.off + tt.n
			}
			switch {
			case tt.fail == "" && (err != nil || !bytes.Equal(got, data[tt.off:end])):
				t.Errorf("read = %d bytes (equal: %v), %v; want %d, nil", len(got), bytes.Equal(got, data[tt.off:end]), err, end-tt.off)
			case tt.fail != "" && (!errors.Is(err, job.ErrUnavailable) || !strings.Contains(err.Error(), tt.fail)):
				t.Errorf("read = %d bytes, %v; want S3 unavailable (job.ErrUnavailable) with %q", len(got), err, tt.fail)
			}
			if gets := srv.Requests(http.MethodGet, bucket, "k"); gets != tt.gets {
				t.Errorf("GET requests = %d; want %d", gets, tt.gets)
			}
		})
	}
}

func TestReadGivesUpAfterMaxResumes(t *testing.T) {
	srv := s3test.NewServer(t, bucket)
	srv.Put(t, bucket, "k", body(10000))
	srv.Hook(bucket, "k", s3test.BreakAfter(1000, s3store.MaxResumes+1))
	got, err := read(t, srv, -1, 0, -1)
	if !errors.Is(err, job.ErrUnavailable) || len(got) != 1000*(s3store.MaxResumes+1) {
		t.Fatalf("read = %d bytes, %v; want %d bytes and S3 unavailable (job.ErrUnavailable)", len(got), err, 1000*(s3store.MaxResumes+1))
	}
	if gets := srv.Requests(http.MethodGet, bucket, "k"); gets != s3store.MaxResumes+1 {
		t.Errorf("GET requests = %d; want %d", gets, s3store.MaxResumes+1)
	}
}

// TestReadObjectChanged replaces the object between a broken body and its
// resume, or between a listing and the first GET: every check that notices
// it reports a change (job.ErrChanged), whichever S3 makes.
func TestReadObjectChanged(t *testing.T) {
	tests := []struct {
		name   string
		size   int64 // told to Open
		ignore bool  // the server ignores If-Match
	}{
		{"412 Precondition Failed", -1, false},
		{"the server ignores If-Match", -1, true},
		{"412, size known", 10000, false},
		{"the server ignores If-Match, size known", 10000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := s3test.NewServer(t, bucket)
			srv.Put(t, bucket, "k", body(10000))
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
			got, err := read(t, srv, tt.size, 0, -1)
			if !errors.Is(err, job.ErrChanged) || len(got) != 5000 {
				t.Fatalf("read = %d bytes, %v; want 5000, a change (job.ErrChanged)", len(got), err)
			}
		})
	}
}

// TestReadRangeOfChangedSize: a listing said one size, S3 now another.
func TestReadRangeOfChangedSize(t *testing.T) {
	srv := s3test.NewServer(t, bucket)
	srv.Put(t, bucket, "k", body(10000))
	_, err := read(t, srv, 20000, 100, 1000)
	if !errors.Is(err, job.ErrChanged) {
		t.Fatalf("read of a range of an object listed at another size = %v; want a change (job.ErrChanged)", err)
	}
}

func TestReadServerIgnoresRange(t *testing.T) {
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
	got, err := read(t, srv, 10000, 0, -1)
	if !errors.Is(err, job.ErrUnavailable) || !strings.Contains(err.Error(), "Content-Range") || len(got) != 5000 {
		t.Fatalf("read = %d bytes, %v; want 5000, S3 unavailable (job.ErrUnavailable) about Content-Range", len(got), err)
	}
}

func TestOpenMissing(t *testing.T) {
	srv := s3test.NewServer(t, bucket)
	_, err := read(t, srv, -1, 0, -1)
	if !errors.Is(err, job.ErrNotFound) {
		t.Fatalf("read of a missing object = %v; want job.ErrNotFound", err)
	}
	_, err = read(t, srv, 10, 0, -1)
	if !errors.Is(err, job.ErrNotFound) {
		t.Fatalf("read of a missing object of a listed size = %v; want job.ErrNotFound", err)
	}
}

func TestReadCanceled(t *testing.T) {
	srv := s3test.NewServer(t, bucket)
	srv.Put(t, bucket, "k", body(10000))
	srv.Hook(bucket, "k", s3test.Stall(100))
	ctx, cancel := context.WithCancel(context.Background())
	src, err := s3store.New(srv.Client()).Open(ctx, bucket, "k", 10000)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := src.NewReader(ctx, 0, -1)
	buf := make([]byte, 1000)
	n, err := r.Read(buf)
	if n != 100 || err != nil {
		t.Fatalf("Read = %d, %v; want 100, nil", n, err)
	}
	cancel() // while the body stalls
	_, err = io.ReadAll(r)
	if !errors.Is(err, context.Canceled) || kindOf(err) != nil {
		t.Fatalf("Read after cancel = %v; want the context's end, of no kind of failure", err)
	}
	if gets := srv.Requests(http.MethodGet, bucket, "k"); gets != 1 {
		t.Errorf("GET requests = %d; want 1", gets)
	}
}

// TestReadWholeOfChangedSize: a listing said one size and S3 sends
// another whole object: reading it to the listed size could cut it short
// on a line boundary, and sum a part of it without a word.
func TestReadWholeOfChangedSize(t *testing.T) {
	for _, size := range []int64{5000, 20000} {
		srv := s3test.NewServer(t, bucket)
		srv.Put(t, bucket, "k", body(10000))
		_, err := read(t, srv, size, 0, -1)
		if !errors.Is(err, job.ErrChanged) {
			t.Errorf("read of an object of 10000 bytes listed at %d = %v; want a change (job.ErrChanged)", size, err)
		}
	}
}

// TestFirstBytesKept: Open of an object of unknown size keeps the first
// FirstGetBytes it read for the reader from byte 0 that reads them all; a
// smaller reader from 0 (a sniff of the first bytes) makes a GET of its
// own rather than spend them.
func TestFirstBytesKept(t *testing.T) {
	srv := s3test.NewServer(t, bucket)
	data := body(s3store.FirstGetBytes + 1000)
	srv.Put(t, bucket, "k", data)
	ctx := context.Background()
	src, err := s3store.New(srv.Client()).Open(ctx, bucket, "k", -1)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for _, n := range []int64{4, -1} {
		r, _ := src.NewReader(ctx, 0, n)
		got, err := io.ReadAll(r)
		r.Close()
		want := data
		if n >= 0 {
			want = data[:n]
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("read of %d bytes from 0 = %d bytes, %v; want %d", n, len(got), err, len(want))
		}
	}
	// Open's GET, the sniff's, and the rest after Open's first bytes.
	if gets := srv.Requests(http.MethodGet, bucket, "k"); gets != 3 {
		t.Errorf("GET requests = %d; want 3", gets)
	}
}

// kindOf returns the kind of job.Storage's failures err is, or nil.
func kindOf(err error) error {
	for _, kind := range []error{job.ErrNotFound, job.ErrDenied, job.ErrUnreadable, job.ErrUnavailable, job.ErrChanged} {
		if errors.Is(err, kind) {
			return kind
		}
	}
	return nil
}
