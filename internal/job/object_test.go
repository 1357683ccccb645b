package job_test

import (
	"context"
	"io"
	"math/big"
	"math/bits"
	"net/http"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/memstore"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// dataBucket is the bucket of the objects in these tests, the one the
// function's testdata events name.
const dataBucket = "my-bucket"

func int64p(n int64) *int64 { return &n }

// testSummer reads through S3, the in-process server: for the tests of
// what the job makes of S3's answers (its names, error codes, broken and
// replaced bodies, ranged GETs). The others read from memory (memSummer).
func testSummer(srv *s3test.Server) *job.Summer {
	return &job.Summer{Storage: s3store.New(srv.Client())}
}

// memSummer is a Summer of objects in st.
func memSummer(st *memstore.Store) *job.Summer { return &job.Summer{Storage: st} }

// sumOfSquares is the reference: the sum of the squares of nums, in decimal.
func sumOfSquares(nums ...string) string {
	var sum, v big.Int
	for _, s := range nums {
		if _, ok := v.SetString(s, 10); !ok {
			panic("bad number " + s)
		}
		sum.Add(&sum, v.Mul(&v, &v))
	}
	return sum.String()
}

func TestObject(t *testing.T) {
	big40 := "-" + strings.Repeat("9", 40)
	objects := map[string]string{
		"today/random_1.log": "1\n2\n3\n",
		"no-final-newline":   "10\n-20\n30",
		"crlf-and-blanks":    "\r\n 4\t\r\n\n+5\r\n",
		"empty":              "",
		"big":                big40 + "\n" + big40 + "\n",
		"dir/":               "", // a folder marker
		"a key/with spaces/ünïcode & ?query#frag": "7\n",
	}
	tests := []struct {
		name string
		in   job.Object
		want job.ObjectResult
		gets int // GET requests expected
	}{
		{"blog's event", job.Object{Bucket: "arn:aws:s3:::my-bucket", Key: "today/random_1.log"},
			job.ObjectResult{Bucket: dataBucket, Key: "today/random_1.log", Count: 3, SumOfSquares: "14"}, 1},
		{"ARN in aws-cn", job.Object{Bucket: "arn:aws-cn:s3:::my-bucket", Key: "today/random_1.log"},
			job.ObjectResult{Bucket: dataBucket, Key: "today/random_1.log", Count: 3, SumOfSquares: "14"}, 1},
		{"ARN in aws-us-gov", job.Object{Bucket: "arn:aws-us-gov:s3:::my-bucket", Key: "today/random_1.log"},
			job.ObjectResult{Bucket: dataBucket, Key: "today/random_1.log", Count: 3, SumOfSquares: "14"}, 1},
		{"plain name", job.Object{Bucket: dataBucket, Key: "today/random_1.log"},
			job.ObjectResult{Bucket: dataBucket, Key: "today/random_1.log", Count: 3, SumOfSquares: "14"}, 1},
		{"with size", job.Object{Bucket: dataBucket, Key: "today/random_1.log", Size: int64p(6)},
			job.ObjectResult{Bucket: dataBucket, Key: "today/random_1.log", Count: 3, SumOfSquares: "14"}, 1},
		{"size 0 is not read", job.Object{Bucket: dataBucket, Key: "today/random_1.log", Size: int64p(0)},
			job.ObjectResult{Bucket: dataBucket, Key: "today/random_1.log", Count: 0, SumOfSquares: "0"}, 0},
		{"folder marker is not read", job.Object{Bucket: dataBucket, Key: "dir/"},
			job.ObjectResult{Bucket: dataBucket, Key: "dir/", Count: 0, SumOfSquares: "0"}, 0},
		{"empty object", job.Object{Bucket: dataBucket, Key: "empty"},
			job.ObjectResult{Bucket: dataBucket, Key: "empty", Count: 0, SumOfSquares: "0"}, 1},
		{"no final newline", job.Object{Bucket: dataBucket, Key: "no-final-newline"},
			job.ObjectResult{Bucket: dataBucket, Key: "no-final-newline", Count: 3, SumOfSquares: "1400"}, 1},
		{"CRLF and blanks", job.Object{Bucket: dataBucket, Key: "crlf-and-blanks"},
			job.ObjectResult{Bucket: dataBucket, Key: "crlf-and-blanks", Count: 2, SumOfSquares: "41"}, 1},
		{"40 digits", job.Object{Bucket: dataBucket, Key: "big"},
			job.ObjectResult{Bucket: dataBucket, Key: "big", Count: 2, SumOfSquares: sumOfSquares(big40, big40)}, 1},
		{"key to escape", job.Object{Bucket: dataBucket, Key: "a key/with spaces/ünïcode & ?query#frag"},
			job.ObjectResult{Bucket: dataBucket, Key: "a key/with spaces/ünïcode & ?query#frag", Count: 1, SumOfSquares: "49"}, 1},
	}
	srv := s3test.NewServer(t, dataBucket)
	for k, v := range objects {
		srv.Put(t, dataBucket, k, []byte(v))
	}
	s := testSummer(srv)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := srv.Requests(http.MethodGet, dataBucket, tt.in.Key)
			got, err := s.Object(context.Background(), tt.in)
			if got != tt.want || err != nil {
				t.Fatalf("Object(%+v) = %+v, %v; want %+v, nil", tt.in, got, err, tt.want)
			}
			if gets := srv.Requests(http.MethodGet, dataBucket, tt.in.Key) - before; gets != tt.gets {
				t.Errorf("Object(%+v): %d GET requests; want %d", tt.in, gets, tt.gets)
			}
		})
	}
}

func TestObjectInvalidEvent(t *testing.T) {
	tests := []struct {
		name   string
		in     job.Object
		reason string // in the message
	}{
		{"no key", job.Object{Bucket: dataBucket}, `missing or empty "key"`},
		{"no bucket", job.Object{Key: "k"}, "empty bucket name"},
		{"bad ARN", job.Object{Bucket: "arn:aws:s3:eu-west-1::my-bucket", Key: "k"}, "want arn:aws:s3:::BUCKET"},
		{"negative size", job.Object{Bucket: dataBucket, Key: "k", Size: int64p(-1)}, `"size" -1 is negative`},
		{"key too long", job.Object{Bucket: dataBucket, Key: strings.Repeat("k", 1025)}, "key of 1025 bytes"},
	}
	srv := s3test.NewServer(t, dataBucket)
	s := testSummer(srv)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Object(context.Background(), tt.in)
			e, ok := err.(*job.InvalidEventError)
			if got != (job.ObjectResult{}) || !ok || !strings.Contains(e.Reason, tt.reason) {
				t.Fatalf("Object(%.100v) = %+v, %v; want *InvalidEventError containing %q", tt.in, got, err, tt.reason)
			}
			if gets := srv.Requests(http.MethodGet, dataBucket, tt.in.Key); gets != 0 {
				t.Errorf("Object(%.100v): %d GET requests; want 0", tt.in, gets)
			}
		})
	}
}

// TestObjectErrors checks each failure's exported type, returned unwrapped,
// with the fields that say which object failed.
func TestObjectErrors(t *testing.T) {
	srv := s3test.NewServer(t, dataBucket)
	srv.Put(t, dataBucket, "bad", []byte("1\nx1 \n3\n"))
	srv.Put(t, dataBucket, "denied", []byte("1\n"))
	srv.Hook(dataBucket, "denied", s3test.Fail(http.StatusForbidden, "AccessDenied"))
	srv.Put(t, dataBucket, "glacier", []byte("1\n"))
	srv.Hook(dataBucket, "glacier", s3test.Fail(http.StatusForbidden, "InvalidObjectState"))
	srv.Hook(dataBucket, "slow-down", s3test.Fail(http.StatusServiceUnavailable, "SlowDown"))
	srv.Hook(dataBucket, "internal", s3test.Fail(http.StatusInternalServerError, "InternalError"))
	srv.Hook(dataBucket, "teapot", s3test.Fail(http.StatusTeapot, "Teapot"))

	tests := []struct {
		name string
		in   job.Object
		want error
		gets int
	}{
		{"missing object", job.Object{Bucket: dataBucket, Key: "missing"},
			&job.ObjectNotFoundError{Bucket: dataBucket, Key: "missing", Location: "s3://my-bucket/missing"}, 1},
		{"missing bucket", job.Object{Bucket: "arn:aws:s3:::no-such-bucket", Key: "k"},
			&job.ObjectNotFoundError{Bucket: "no-such-bucket", Key: "k", Location: "s3://no-such-bucket/k"}, 1},
		{"bad content", job.Object{Bucket: dataBucket, Key: "bad"},
			&job.InvalidContentError{Bucket: dataBucket, Key: "bad", Location: "s3://my-bucket/bad",
				Err: &sumsq.Error{Line: 2, Offset: 2, Excerpt: "x1 ", Err: sumsq.ErrSyntax}}, 1},
		{"access denied", job.Object{Bucket: dataBucket, Key: "denied"},
			&job.AccessDeniedError{Bucket: dataBucket, Key: "denied", Location: "s3://my-bucket/denied"}, 1},
		{"archived object", job.Object{Bucket: dataBucket, Key: "glacier"},
			&job.ObjectUnreadableError{Bucket: dataBucket, Key: "glacier", Location: "s3://my-bucket/glacier"}, 1},
		{"503 after the SDK's retries", job.Object{Bucket: dataBucket, Key: "slow-down"},
			&job.S3UnavailableError{Bucket: dataBucket, Key: "slow-down", Location: "s3://my-bucket/slow-down"}, s3test.MaxAttempts},
		{"500 after the SDK's retries", job.Object{Bucket: dataBucket, Key: "internal"},
			&job.S3UnavailableError{Bucket: dataBucket, Key: "internal", Location: "s3://my-bucket/internal"}, s3test.MaxAttempts},
		{"unexpected client error", job.Object{Bucket: dataBucket, Key: "teapot"},
			&job.ObjectUnreadableError{Bucket: dataBucket, Key: "teapot", Location: "s3://my-bucket/teapot"}, 1},
	}
	s := testSummer(srv)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Object(context.Background(), tt.in)
			if got != (job.ObjectResult{}) || !sameError(err, tt.want) {
				t.Fatalf("Object(%+v) = %+v, %#v; want %#v", tt.in, got, err, tt.want)
			}
			bucket, _ := s3store.BucketName(tt.in.Bucket)
			if gets := srv.Requests(http.MethodGet, bucket, tt.in.Key); gets != tt.gets {
				t.Errorf("Object(%+v): %d GET requests; want %d", tt.in, gets, tt.gets)
			}
		})
	}

	t.Run("content error message", func(t *testing.T) {
		_, err := s.Object(context.Background(), job.Object{Bucket: dataBucket, Key: "bad"})
		for _, want := range []string{"s3://my-bucket/bad", "line 2", `"x1 "`} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Object(bad) error %q; want it to contain %q", err, want)
			}
		}
	})
}

// sameError reports whether got has want's type and want's Bucket, Key and
// Location, and for an *InvalidContentError the same *sumsq.Error. Wrapped
// S3 errors are the SDK's and not compared.
func sameError(got, want error) bool {
	if reflect.TypeOf(got) != reflect.TypeOf(want) {
		return false
	}
	switch w := want.(type) {
	case *job.InvalidContentError:
		g := got.(*job.InvalidContentError)
		return g.Bucket == w.Bucket && g.Key == w.Key && g.Location == w.Location && reflect.DeepEqual(g.Err, w.Err)
	case *job.AccessDeniedError:
		g := got.(*job.AccessDeniedError)
		return g.Bucket == w.Bucket && g.Key == w.Key && g.Location == w.Location && g.Err != nil
	case *job.S3UnavailableError:
		g := got.(*job.S3UnavailableError)
		return g.Bucket == w.Bucket && g.Key == w.Key && g.Location == w.Location && g.Err != nil
	case *job.ObjectUnreadableError:
		g := got.(*job.ObjectUnreadableError)
		return g.Bucket == w.Bucket && g.Key == w.Key && g.Location == w.Location && g.Err != nil
	}
	return reflect.DeepEqual(got, want)
}

// TestObjectResumes breaks the body off twice: the sum is still exact.
func TestObjectResumes(t *testing.T) {
	srv := s3test.NewServer(t, dataBucket)
	var b strings.Builder
	var nums []string
	for i := range 50000 {
		n := strconv.Itoa(i*7919 - 100000)
		nums = append(nums, n)
		b.WriteString(n + "\n")
	}
	srv.Put(t, dataBucket, "k", []byte(b.String()))
	srv.Hook(dataBucket, "k", s3test.BreakAfter(100003, 2)) // mid-line
	got, err := testSummer(srv).Object(context.Background(), job.Object{Bucket: dataBucket, Key: "k"})
	want := job.ObjectResult{Bucket: dataBucket, Key: "k", Count: 50000, SumOfSquares: sumOfSquares(nums...)}
	if got != want || err != nil {
		t.Fatalf("Object = %+v, %v; want %+v, nil", got, err, want)
	}
	if gets := srv.Requests(http.MethodGet, dataBucket, "k"); gets != 3 {
		t.Errorf("GET requests = %d; want 3", gets)
	}
}

// TestObjectChanged replaces the object between a broken body and its
// resume.
func TestObjectChanged(t *testing.T) {
	srv := s3test.NewServer(t, dataBucket)
	srv.Put(t, dataBucket, "k", []byte(strings.Repeat("12345\n", 10000)))
	srv.Hook(dataBucket, "k", srv.ChangeOnResume(dataBucket, "k", 1000, []byte("1\n")))
	got, err := testSummer(srv).Object(context.Background(), job.Object{Bucket: dataBucket, Key: "k"})
	want := &job.ObjectChangedError{Bucket: dataBucket, Key: "k", Location: "s3://my-bucket/k"}
	if got != (job.ObjectResult{}) || !reflect.DeepEqual(err, want) {
		t.Fatalf("Object = %+v, %v; want %v", got, err, want)
	}
}

// TestObjectDeadline stalls the body: Object returns a *TimeoutError when
// ctx's deadline passes, not later.
func TestObjectDeadline(t *testing.T) {
	st := &memstore.Store{}
	st.Set(dataBucket, "k", []byte(strings.Repeat("1\n", 1000)))
	st.Wrap(dataBucket, "k", stall(100))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	got, err := memSummer(st).Object(ctx, job.Object{Bucket: dataBucket, Key: "k"})
	elapsed := time.Since(start)
	want := &job.TimeoutError{Bucket: dataBucket, Key: "k", Location: "mem://my-bucket/k"}
	if got != (job.ObjectResult{}) || !reflect.DeepEqual(err, want) {
		t.Fatalf("Object = %+v, %v; want %v", got, err, want)
	}
	if elapsed > 2*time.Second {
		t.Errorf("Object returned %v after start; want soon after the 200ms deadline", elapsed)
	}
}

// genObject is a generated object of lines of 15 digits, served from a
// generator, never held whole in memory by the server either.
type genObject struct {
	lines int64
	line  [16]byte
	i     int64 // lines produced
	pos   int   // bytes of line already produced
}

const genLineBytes = 16

func (g *genObject) value(i int64) uint64 { return uint64(i) * 7919 % 1e15 }

func (g *genObject) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if g.pos == 0 {
			if g.i == g.lines {
				break
			}
			v := g.value(g.i)
			for j := genLineBytes - 2; j >= 0; j-- {
				g.line[j] = byte('0' + v%10)
				v /= 10
			}
			g.line[genLineBytes-1] = '\n'
		}
		k := copy(p[n:], g.line[g.pos:])
		n += k
		g.pos += k
		if g.pos == genLineBytes {
			g.pos = 0
			g.i++
		}
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// Seek moves to offset: a line starts every genLineBytes.
func (g *genObject) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += g.i*genLineBytes + int64(g.pos)
	case io.SeekEnd:
		offset += g.lines * genLineBytes
	}
	g.i, g.pos = offset/genLineBytes, int(offset%genLineBytes)
	if g.pos > 0 { // within a line: make it
		pos := g.pos
		g.pos = 0
		var skip [genLineBytes]byte
		g.Read(skip[:pos])
	}
	return offset, nil
}

// sampling is a genObject that samples the heap every 4 MiB it serves.
type sampling struct {
	genObject
	sample func()
}

func (s *sampling) Read(p []byte) (int, error) {
	before := s.i
	n, err := s.genObject.Read(p)
	if s.i/(1<<18) != before/(1<<18) {
		s.sample()
	}
	return n, err
}

// sum is the sum of squares of the generated numbers, in 192 bits.
func (g *genObject) sum() string {
	var w0, w1, w2, c uint64
	for i := range g.lines {
		hi, lo := bits.Mul64(g.value(i), g.value(i))
		w0, c = bits.Add64(w0, lo, 0)
		w1, c = bits.Add64(w1, hi, c)
		w2 += c
	}
	var s big.Int
	s.SetUint64(w2)
	s.Lsh(&s, 64).Or(&s, new(big.Int).SetUint64(w1))
	s.Lsh(&s, 64).Or(&s, new(big.Int).SetUint64(w0))
	return s.String()
}

// TestObjectLarge reads a 50 MiB object, in ranges, and checks that the
// heap does not grow with it.
func TestObjectLarge(t *testing.T) {
	const size = 50 << 20
	lines := int64(size / genLineBytes)
	srv := s3test.NewServer(t, dataBucket)

	var mu sync.Mutex
	var peak uint64 // most heap in use, sampled as the object is served
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		peak = max(peak, m.HeapInuse)
		mu.Unlock()
	}
	srv.Hook(dataBucket, "large", func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		w.Header().Set("ETag", `"large"`)
		// ServeContent answers a Range as S3 does.
		http.ServeContent(w, r, "", time.Time{}, &sampling{genObject: genObject{lines: lines}, sample: sample})
	})

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	got, err := testSummer(srv).Object(context.Background(), job.Object{Bucket: dataBucket, Key: "large"})
	sample()
	want := job.ObjectResult{Bucket: dataBucket, Key: "large", Count: lines, SumOfSquares: (&genObject{lines: lines}).sum()}
	if got != want || err != nil {
		t.Fatalf("Object = %+v, %v; want %+v, nil", got, err, want)
	}
	const bound = 16 << 20
	t.Logf("heap in use: %d KiB before, peak %d KiB", before.HeapInuse>>10, peak>>10)
	if growth := int64(peak) - int64(before.HeapInuse); growth > bound {
		t.Errorf("heap in use grew by %d MiB reading a %d MiB object; want at most %d MiB",
			growth>>20, size>>20, bound>>20)
	}
}
