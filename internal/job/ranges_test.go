package job_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sumsq/sumsq/internal/filestore"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/memstore"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// rangeInput makes lines of every kind the grammar has, with lines longer
// than a part and than the first window past it, and with bad set one
// invalid line.
func rangeInput(rng *rand.Rand, lines int, bad bool) string {
	var b strings.Builder
	if rng.IntN(3) == 0 {
		b.WriteString("\uFEFF")
	}
	badLine := -1
	if bad {
		badLine = rng.IntN(lines)
	}
	for i := range lines {
		switch r := rng.IntN(40); {
		case i == badLine:
			b.WriteString([]string{"1.5", "x", "-", "\uFEFF1", "1 2", strings.Repeat("7", 5000)}[rng.IntN(6)])
		case r == 0:
			b.WriteString(strings.Repeat(" ", 5000+rng.IntN(20000)) + "12") // longer than a part's slack
		case r == 1:
			b.WriteString("-" + strings.Repeat("9", 1+rng.IntN(200)))
		case r == 2:
			b.WriteString("\r") // a blank CRLF line
		case r == 3:
			b.WriteString(" \t+42\t ")
		default:
			fmt.Fprint(&b, rng.IntN(2000)-1000)
		}
		if i < lines-1 || rng.IntN(2) == 0 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// TestRanges reads objects in small parts, through both storages, and
// compares each result, and each error's line, offset and excerpt, with
// the parser's over the whole object.
func TestRanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	dir := t.TempDir()
	srv := s3test.NewServer(t, dataBucket)
	stores := map[string]struct {
		summer func(part int64) *job.Summer
		object func(name, body string) job.Object
	}{
		"files": {
			func(part int64) *job.Summer {
				return &job.Summer{Storage: &filestore.Store{}, PartSize: part, RangeConcurrency: 3}
			},
			func(name, body string) job.Object {
				path := filepath.Join(dir, name)
				if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
				return job.Object{Key: path}
			},
		},
		"S3": {
			func(part int64) *job.Summer {
				return &job.Summer{Storage: s3store.New(srv.Client()), PartSize: part, RangeConcurrency: 3}
			},
			func(name, body string) job.Object {
				srv.Put(t, dataBucket, name, []byte(body))
				size := int64(len(body))
				return job.Object{Bucket: dataBucket, Key: name, Size: &size}
			},
		},
	}
	for storeName, store := range stores {
		for i := range 60 {
			body := rangeInput(rng, 50+rng.IntN(400), i%3 == 0)
			part := int64(1 + rng.IntN(len(body)/2+1))
			switch {
			case i%10 == 0 && storeName == "files":
				part = 1 // every byte a part
			case storeName == "S3":
				part = max(part, 512) // a GET a part: keep them few
			}
			name := fmt.Sprintf("%s-%d", storeName, i)
			t.Run(name, func(t *testing.T) {
				wantRes, wantErr := sumsq.Sum(strings.NewReader(body))
				got, err := store.summer(part).Sum(context.Background(), store.object(name, body))
				var ce *job.InvalidContentError
				if wantErr != nil {
					if !errors.As(err, &ce) || !reflect.DeepEqual(ce.Err, wantErr) {
						t.Fatalf("Sum in parts of %d = %v; want the whole object's error %v", part, err, wantErr)
					}
					return
				}
				if err != nil || got.String() != wantRes.String() || got.Count != wantRes.Count || got.Lines != wantRes.Lines {
					t.Fatalf("Sum in parts of %d = %s (%d numbers, %d lines), %v; want %s (%d, %d)",
						part, got.String(), got.Count, got.Lines, err, wantRes.String(), wantRes.Count, wantRes.Lines)
				}
			})
		}
	}
}

// TestRangesObjectChanged replaces an object while its parts are read:
// the parts pin its first version, and the read fails with an
// ObjectChangedError rather than mixing two versions.
func TestRangesObjectChanged(t *testing.T) {
	srv := s3test.NewServer(t, dataBucket)
	body := strings.Repeat("12345\n", 10000)
	srv.Put(t, dataBucket, "k", []byte(body))
	var gets atomic.Int64
	srv.Hook(dataBucket, "k", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		next.ServeHTTP(w, r)
		if r.Method == http.MethodGet && gets.Add(1) == 1 { // after the first part's GET
			if _, err := srv.PutObject(dataBucket, "k", []byte(strings.Repeat("54321\n", 10000))); err != nil {
				t.Error(err)
			}
		}
	})
	size := int64(len(body))
	s := &job.Summer{Storage: s3store.New(srv.Client()), PartSize: 6000, RangeConcurrency: 1}
	_, err := s.Sum(context.Background(), job.Object{Bucket: dataBucket, Key: "k", Size: &size})
	if want := (&job.ObjectChangedError{Bucket: dataBucket, Key: "k", Location: "s3://my-bucket/k"}); !reflect.DeepEqual(err, want) {
		t.Fatalf("Sum of an object replaced between its parts = %v; want %v", err, want)
	}
}

// TestBatchStreamsBounded reads a batch of large objects in parts: the
// reads of all its objects together never exceed the batch's Concurrency.
func TestBatchStreamsBounded(t *testing.T) {
	st := &memstore.Store{}
	reads := &reading{}
	body := []byte(strings.Repeat("7\n", 50000)) // 100 KB: 10 parts of 10 KB
	var b job.Batch
	for i := range 12 {
		key := fmt.Sprintf("k%d", i)
		st.Set(dataBucket, key, body)
		st.Wrap(dataBucket, key, reads.wrap)
		size := int64(len(body))
		b.Items = append(b.Items, job.Object{Bucket: dataBucket, Key: key, Size: &size})
	}
	s := &job.Summer{Storage: st, Concurrency: 5, PartSize: 10000, RangeConcurrency: 4}
	got, err := s.Batch(context.Background(), b)
	if err != nil || got.Objects != 12 || got.Count != 12*50000 {
		t.Fatalf("Batch = %+v, %v; want 12 objects summed", got, err)
	}
	if reads.max > 5 || reads.all < 12*10 {
		t.Errorf("at most %d reads at once, %d in all; want at most 5 at once, at least %d in all", reads.max, reads.all, 12*10)
	}
}

// hookedFiles is filestore, calling before each reader it makes, with the
// reader's first byte.
type hookedFiles struct {
	filestore.Store
	before func(off int64)
}

func (h *hookedFiles) Open(ctx context.Context, bucket, key string, size int64) (job.Source, error) {
	src, err := h.Store.Open(ctx, bucket, key, size)
	if err != nil {
		return nil, err
	}
	return &hookedSource{Source: src, before: h.before}, nil
}

type hookedSource struct {
	job.Source
	before func(off int64)
}

func (s *hookedSource) NewReader(ctx context.Context, off, n int64) (io.ReadCloser, error) {
	s.before(off)
	return s.Source.NewReader(ctx, off, n)
}

// sumWithin sums o, failing the test if that takes more than a minute: a
// hang, not slowness.
func sumWithin(t *testing.T, s *job.Summer, o job.Object) (sumsq.Result, error) {
	t.Helper()
	type result struct {
		r   sumsq.Result
		err error
	}
	done := make(chan result, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		r, err := s.Sum(ctx, o)
		done <- result{r, err}
	}()
	select {
	case res := <-done:
		return res.r, res.err
	case <-time.After(time.Minute):
		t.Fatalf("Sum(%s) still running after a minute", o.Key)
		return sumsq.Result{}, nil
	}
}

// TestRangesFileChanged cuts a file short, or grows it, while its parts
// are read (a log rewritten in place): an ObjectChangedError for the file,
// never a hang, never a sum of two versions.
func TestRangesFileChanged(t *testing.T) {
	body := strings.Repeat("12345\n", 10000) // 60,000 bytes: parts of 6,000
	tests := []struct {
		name   string
		change func(path string) error
	}{
		{"cut short", func(path string) error { return os.Truncate(path, 20000) }},
		{"cut to nothing", func(path string) error { return os.Truncate(path, 0) }},
		{"grown", func(path string) error {
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			f.WriteString("7\n")
			return f.Close()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			var once sync.Once
			storage := &hookedFiles{before: func(off int64) {
				if off >= 12000 { // the third part
					once.Do(func() {
						if err := tt.change(path); err != nil {
							t.Error(err)
						}
					})
				}
			}}
			s := &job.Summer{Storage: storage, PartSize: 6000, RangeConcurrency: 1}
			_, err := sumWithin(t, s, job.Object{Key: path})
			if want := (&job.ObjectChangedError{Key: path, Location: path}); !reflect.DeepEqual(err, want) {
				t.Fatalf("Sum of a file %s while read in parts = %v; want %v", tt.name, err, want)
			}
		})
	}
}

// brokenSource is a Source of size bytes whose readers read what read
// says, whatever they were asked for.
type brokenSource struct {
	size int64
	read func(p []byte, off int64) (int, error)
}

func (s *brokenSource) Size() int64     { return s.size }
func (s *brokenSource) Version() string { return "v" }
func (s *brokenSource) Close() error    { return nil }
func (s *brokenSource) NewReader(_ context.Context, off, _ int64) (io.ReadCloser, error) {
	return io.NopCloser(&brokenReader{s: s, off: off}), nil
}

type brokenReader struct {
	s   *brokenSource
	off int64
}

func (r *brokenReader) Read(p []byte) (int, error) {
	n, err := r.s.read(p, r.off)
	r.off += int64(max(n, 0))
	return n, err
}

// sourceStorage opens every key as src, a local file's.
type sourceStorage struct {
	filestore.Store
	src job.Source
}

func (s sourceStorage) Open(context.Context, string, string, int64) (job.Source, error) {
	return s.src, nil
}

func (s sourceStorage) Put(context.Context, string, string, io.ReadSeeker, int64) error {
	return errors.New("read only")
}

// TestUntrustedSource reads objects, whole and in parts, from a Source
// whose readers misbehave as the parser's tests' readers do: they end
// before the bytes asked of them, return (0, nil) forever, or return an
// impossible count. Each is an error of the object, never a hang or a
// panic.
func TestUntrustedSource(t *testing.T) {
	lines := func(p []byte, off int64) int { // "1\n1\n...": the object's bytes from off
		for i := range p {
			p[i] = "1\n"[(off+int64(i))%2]
		}
		return len(p)
	}
	tests := []struct {
		name string
		read func(p []byte, off int64) (int, error)
		want string // the error's type
		is   error
	}{
		{"ends at half its size", func(p []byte, off int64) (int, error) {
			if off >= 50000 {
				return 0, io.EOF
			}
			return lines(p[:min(int64(len(p)), 50000-off)], off), nil
		}, "ObjectChangedError", nil},
		{"ends at once", func([]byte, int64) (int, error) { return 0, io.EOF }, "ObjectChangedError", nil},
		{"(0, nil) forever", func([]byte, int64) (int, error) { return 0, nil }, "ObjectUnreadableError", io.ErrNoProgress},
		{"(0, nil) after some bytes", func(p []byte, off int64) (int, error) {
			if off >= 30000 {
				return 0, nil
			}
			return lines(p[:min(int64(len(p)), 30000-off)], off), nil
		}, "ObjectUnreadableError", io.ErrNoProgress},
		{"a negative count", func([]byte, int64) (int, error) { return -1, nil }, "ObjectUnreadableError", sumsq.ErrBadReadCount},
		{"a count over the buffer", func(p []byte, _ int64) (int, error) { return len(p) + 1, nil }, "ObjectUnreadableError", sumsq.ErrBadReadCount},
	}
	for _, tt := range tests {
		for _, part := range []int64{10000, 1 << 20} { // in parts, and whole
			t.Run(fmt.Sprintf("%s/part %d", tt.name, part), func(t *testing.T) {
				src := &brokenSource{size: 100000, read: tt.read}
				s := &job.Summer{Storage: &sourceStorage{src: src}, PartSize: part, RangeConcurrency: 3}
				_, err := sumWithin(t, s, job.Object{Key: "k"})
				if got := job.ErrorType(err); got != tt.want || (tt.is != nil && !errors.Is(err, tt.is)) {
					t.Fatalf("Sum = %v (%s); want a %s wrapping %v", err, got, tt.want, tt.is)
				}
			})
		}
	}
}

// TestRangesFetchOnce counts the bytes the S3 server sends for objects
// read in parts: each about once, however long the lines. A part looking
// for its first line reads no further than its own end; the part a line
// starts in reads the line to its end, in windows that double. So every
// byte is fetched once by its part, plus each part's slack past its end
// (4 KiB, in the part's first GET), plus, for a line longer than the
// slack, at most twice what is left of it by the part it starts in: an
// object of one long line is fetched about twice, not once per part.
func TestRangesFetchOnce(t *testing.T) {
	const part, slack = 16 << 10, 4 << 10 // slack/part: 0.25
	var lines, someLong strings.Builder
	for i := 0; lines.Len() < 1<<20; i++ {
		fmt.Fprintln(&lines, i)
	}
	for i := 0; someLong.Len() < 1<<20; i++ {
		if i%5000 == 0 {
			someLong.WriteString(strings.Repeat(" ", 50000)) // three parts of blanks
		}
		fmt.Fprintln(&someLong, i)
	}
	tests := []struct {
		name string
		body string
		most float64 // bytes served, over the object's size
	}{
		{"one line of blanks", strings.Repeat(" ", 1<<20) + "12\n", 2 + float64(slack)/part},
		{"one line of blanks, no newline", strings.Repeat(" ", 1<<20) + "12", 2 + float64(slack)/part},
		{"short lines", lines.String(), 1 + float64(slack)/part},
		{"lines of 50 KB among short ones", someLong.String(), 2 + float64(slack)/part},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := s3test.NewServer(t, dataBucket)
			srv.Put(t, dataBucket, "k", []byte(tt.body))
			want, err := sumsq.Sum(strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			s := &job.Summer{Storage: s3store.New(srv.Client()), PartSize: part, RangeConcurrency: 4}
			size := int64(len(tt.body))
			got, err := s.Sum(context.Background(), job.Object{Bucket: dataBucket, Key: "k", Size: &size})
			if err != nil || got.String() != want.String() || got.Count != want.Count {
				t.Fatalf("Sum = %s (%d numbers), %v; want %s (%d)", got.String(), got.Count, err, want.String(), want.Count)
			}
			served := srv.Served(http.MethodGet, dataBucket, "k")
			ratio := float64(served) / float64(size)
			t.Logf("%d bytes served for %d (%.3fx), %d GETs", served, size, ratio, srv.Requests(http.MethodGet, dataBucket, "k"))
			if ratio > tt.most {
				t.Errorf("%d bytes served for an object of %d: %.2fx; want at most %.2fx", served, size, ratio, tt.most)
			}
		})
	}
}

// TestRangesNoETag replaces an object after its second GET on a server
// that sends no ETag, so that nothing can pin its parts to one version:
// it is read as one stream, and its sum is one version's, never a mix of
// both.
func TestRangesNoETag(t *testing.T) {
	tests := []struct {
		name      string
		size      int  // of the object
		sizeKnown bool // from a listing: else Open's first GET learns it
		gets      int  // the sniff and one stream (and Open's first GET)
	}{
		{"size listed", 100000, true, 2},
		{"size unknown", s3store.FirstGetBytes + 100000, false, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := s3test.NewServer(t, dataBucket)
			v1 := strings.Repeat("12345\n", tt.size/6)
			v2 := strings.Repeat("54321\n", tt.size/6)
			srv.Put(t, dataBucket, "k", []byte(v1))
			var gets atomic.Int64
			srv.Hook(dataBucket, "k", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				s3test.NoETag(w, r, next)
				if r.Method == http.MethodGet && gets.Add(1) == 2 {
					if _, err := srv.PutObject(dataBucket, "k", []byte(v2)); err != nil {
						t.Error(err)
					}
				}
			})
			o := job.Object{Bucket: dataBucket, Key: "k"}
			if tt.sizeKnown {
				o.Size = int64p(int64(len(v1)))
			}
			s := &job.Summer{Storage: s3store.New(srv.Client()), PartSize: 6000, RangeConcurrency: 2}
			got, err := s.Sum(context.Background(), o)
			one, _ := sumsq.Sum(strings.NewReader(v1))
			two, _ := sumsq.Sum(strings.NewReader(v2))
			if err != nil || (got.String() != one.String() && got.String() != two.String()) {
				t.Fatalf("Sum = %s, %v; want one version's sum, %s or %s", got.String(), err, one.String(), two.String())
			}
			if n := srv.Requests(http.MethodGet, dataBucket, "k"); n != tt.gets {
				t.Errorf("%d GETs; want %d", n, tt.gets)
			}
		})
	}
}
