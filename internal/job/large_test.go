package job_test

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/memstore"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
)

// rangesOf returns the Ranges of the object key of size bytes, of version
// etag, that end before each of cuts (increasing, inside the object) and at
// its end.
func rangesOf(key string, size int64, etag string, cuts ...int64) []job.Range {
	var rs []job.Range
	start := int64(0)
	for i, end := range append(cuts, size) {
		rs = append(rs, job.Range{Bucket: dataBucket, Key: key, Size: size, ETag: etag, Start: start, End: end, Part: i, Parts: len(cuts) + 1})
		start = end
	}
	return rs
}

// combined is what the workflow makes of an object's ranges, in part
// order: counts, sums and lines added, and the first failed range's
// failure told as the object's.
type combined struct {
	count, lines int64
	sum          string
	failure      *job.Failure
}

// combine sums rs as their invocations would, and combines the results.
func combine(t *testing.T, s *job.Summer, rs []job.Range) combined {
	t.Helper()
	var c combined
	sum := new(big.Int)
	for _, r := range rs {
		res, err := s.Range(context.Background(), r)
		if err != nil {
			t.Fatalf("Range(%+v) = %v; want a result", r, err)
		}
		if res.Bucket != r.Bucket || res.Key != r.Key || res.Part != r.Part || res.Parts != r.Parts {
			t.Fatalf("Range(%+v) names %s/%s part %d of %d; want the range's", r, res.Bucket, res.Key, res.Part, res.Parts)
		}
		if res.Failure != nil {
			f := res.Failure.Failure(r.Bucket, r.Key, c.lines)
			c.failure = &f
			return c
		}
		v, ok := new(big.Int).SetString(res.SumOfSquares, 10)
		if !ok {
			t.Fatalf("Range(%+v): sum %q", r, res.SumOfSquares)
		}
		sum.Add(sum, v)
		c.count += res.Count
		c.lines += res.Lines
	}
	c.sum = sum.String()
	return c
}

// TestRangeEverySplit cuts small objects whose lines hold every awkward
// boundary (a sign, CR LF, a blank line, a number longer than a part, a
// byte order mark, no final newline) into two ranges at every offset, and
// three at every pair of offsets, each range read in parts of 2 bytes:
// combined, they give the count, the sum (against math/big) and the lines
// of one read of the whole object, bit for bit.
func TestRangeEverySplit(t *testing.T) {
	long := "-" + strings.Repeat("9876543210", 7)
	tests := []struct {
		name  string
		body  string
		nums  []string
		lines int64
	}{
		{"signs", "12\n-34\n+5\n-0\n", []string{"12", "-34", "5", "0"}, 4},
		{"CR LF", "1\r\n-2\r\n\r\n30\r\n\r\n", []string{"1", "-2", "30"}, 5},
		{"long number", "7\n" + long + "\n8", []string{"7", long, "8"}, 3},
		{"byte order mark", "\uFEFF9\n10\n", []string{"9", "10"}, 2},
		{"blanks", "\n\n 3 \n\t\n-\t4\n", nil, 0},
		{"newlines only", "\n\n\n", nil, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &memstore.Store{}
			st.Set(dataBucket, "k", []byte(tt.body))
			etag := st.ETag(dataBucket, "k")
			size := int64(len(tt.body))
			s := &job.Summer{Storage: st, PartSize: 2}
			whole, err := s.Sum(context.Background(), job.Object{Bucket: dataBucket, Key: "k", Size: &size})
			if tt.name == "blanks" { // "-\t4" is not a number: the failure is compared below
				if err == nil {
					t.Fatalf("Sum = %v; want an error for %q", whole, "-\t4")
				}
				wantFailure := job.NewFailure(dataBucket, "k", err)
				for k := int64(1); k < size; k++ {
					c := combine(t, s, rangesOf("k", size, etag, k))
					if c.failure == nil || *c.failure != wantFailure {
						t.Fatalf("cut at %d: failure %+v; want %+v", k, c.failure, wantFailure)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Sum = %v", err)
			}
			want := combined{count: int64(len(tt.nums)), sum: sumOfSquares(append(tt.nums, "0")...), lines: tt.lines}
			if got := (combined{count: whole.Count, sum: whole.String(), lines: whole.Lines}); got != want {
				t.Fatalf("Sum = %+v; want %+v", got, want)
			}
			for k := int64(1); k < size; k++ {
				if got := combine(t, s, rangesOf("k", size, etag, k)); got != want {
					t.Fatalf("cut at %d: %+v; want %+v", k, got, want)
				}
				for k2 := k + 1; k2 < size; k2++ {
					if got := combine(t, s, rangesOf("k", size, etag, k, k2)); got != want {
						t.Fatalf("cut at %d and %d: %+v; want %+v", k, k2, got, want)
					}
				}
			}
		})
	}
}

// TestRangeBadLine: a bad line in any range, a late one among them, is
// named once the ranges are combined exactly as one read of the whole
// object names it: its line (the lines of the ranges before it plus its
// line in its range), its byte offset, its excerpt. The objects are the
// parser's test inputs (every kind of line, lines longer than a part), cut
// in 2 to 9 ranges read in parts of 700 bytes.
func TestRangeBadLine(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 6))
	st := &memstore.Store{}
	s := &job.Summer{Storage: st, PartSize: 700}
	late := 0
	for i := range 60 {
		body := rangeInput(rng, 400, i%4 != 0)
		if i == 0 { // a bad line near the end, on its own
			var b strings.Builder
			for n := range 1000 {
				fmt.Fprintf(&b, "%d\n", n)
			}
			body = b.String() + "x9\n1\n"
		}
		key := fmt.Sprint("k", i)
		st.Set(dataBucket, key, []byte(body))
		size := int64(len(body))
		whole, err := s.Sum(context.Background(), job.Object{Bucket: dataBucket, Key: key, Size: &size})
		n := 2 + rng.IntN(8)
		var cuts []int64
		for j := 1; j < n; j++ {
			cuts = append(cuts, size*int64(j)/int64(n))
		}
		got := combine(t, s, rangesOf(key, size, st.ETag(dataBucket, key), cuts...))
		if err != nil {
			want := job.NewFailure(dataBucket, key, err)
			if got.failure == nil || *got.failure != want {
				t.Fatalf("%s in %d ranges: failure %+v; want %+v", key, n, got.failure, want)
			}
			if i == 0 && !strings.HasPrefix(want.Cause, `line 1001 (byte 3890): not an integer: "x9"`) {
				t.Errorf("%s: cause %q; want line 1001, byte 3890", key, want.Cause)
			}
			if off := strings.Index(want.Cause, "(byte "); off > 0 {
				var b int64
				fmt.Sscanf(want.Cause[off:], "(byte %d)", &b)
				if b >= cuts[len(cuts)/2] {
					late++
				}
			}
			continue
		}
		if want := (combined{count: whole.Count, sum: whole.String(), lines: whole.Lines}); got != want {
			t.Fatalf("%s in %d ranges: %+v; want %+v", key, n, got, want)
		}
	}
	if late < 10 {
		t.Errorf("%d bad lines in the later half of their object; want at least 10, for the test to mean something", late)
	}
}

// TestRangeObjectChanged: every read of a range is pinned to the version
// its batch saw (S3: If-Match its ETag). An object replaced since is a
// failure of the range, ObjectChangedError, not a retry: other ranges of it
// may have read the version pinned.
func TestRangeObjectChanged(t *testing.T) {
	old, replaced := []byte(strings.Repeat("12345\n", 1000)), []byte(strings.Repeat("54321\n", 1000))
	size := int64(len(old))
	srv := s3test.NewServer(t, dataBucket)
	st := &memstore.Store{}
	stores := []struct {
		name     string
		s        *job.Summer
		put      func(body []byte) string
		location string
	}{
		{"memstore", &job.Summer{Storage: st, PartSize: 1000}, func(body []byte) string {
			st.Set(dataBucket, "k", body)
			return st.ETag(dataBucket, "k")
		}, "mem://my-bucket/k"},
		{"S3", &job.Summer{Storage: s3store.New(srv.Client()), PartSize: 1000}, func(body []byte) string {
			return srv.Put(t, dataBucket, "k", body)
		}, "s3://my-bucket/k"},
	}
	for _, tt := range stores {
		t.Run(tt.name, func(t *testing.T) {
			etag := tt.put(old)
			rs := rangesOf("k", size, etag, 2000, 4000)
			first, err := tt.s.Range(context.Background(), rs[0])
			if err != nil || first.Failure != nil || first.Count != 334 {
				t.Fatalf("Range(part 0) = %+v, %v; want the 334 lines that begin before byte 2000", first, err)
			}
			tt.put(replaced)
			for _, r := range rs[1:] {
				got, err := tt.s.Range(context.Background(), r)
				want := job.RangeResult{Bucket: dataBucket, Key: "k", Part: r.Part, Parts: 3, SumOfSquares: "0",
					Failure: &job.RangeFailure{Error: "ObjectChangedError", Cause: "object changed while being read"}}
				if err != nil || !reflect.DeepEqual(got, want) {
					t.Errorf("Range(part %d) of a replaced object = %+v (%+v), %v; want %+v", r.Part, got, got.Failure, err, want.Failure)
				}
			}
		})
	}
}

// TestRangeFailures: what else a range can meet. A compressed object's
// bytes mean nothing without those before them: the first of its ranges
// reads it whole, the others hold no line. A missing object, a bad bucket,
// and an object whose bytes are not what its key says are failures of the
// object, in the result; a failure of S3 fails the invocation, for it to be
// retried; a range that is not one of its parts is an invalid event.
func TestRangeFailures(t *testing.T) {
	srv := s3test.NewServer(t, dataBucket)
	gz := gzipped(t, "3\n4\n")
	gzETag := srv.Put(t, dataBucket, "numbers.gz", gz)
	srv.Put(t, dataBucket, "numbers", gz)
	plainETag := srv.Put(t, dataBucket, "plain", []byte("1\n2\n3\n4\n"))
	srv.Put(t, dataBucket, "plain.gz", []byte("1\n2\n3\n4\n"))
	srv.Put(t, dataBucket, "unavailable", []byte("1\n2\n"))
	srv.Hook(dataBucket, "unavailable", s3test.Fail(http.StatusServiceUnavailable, "SlowDown"))
	gzSize := int64(len(gz))
	tests := []struct {
		name    string
		r       job.Range
		want    *job.RangeResult // nil: an error
		wantErr string           // its type
	}{
		{"compressed, whole", job.Range{Bucket: dataBucket, Key: "numbers.gz", Size: gzSize, ETag: gzETag, End: gzSize, Parts: 1},
			&job.RangeResult{Count: 2, SumOfSquares: "25", Lines: 2}, ""},
		{"compressed, the first of its ranges", job.Range{Bucket: dataBucket, Key: "numbers.gz", Size: gzSize, ETag: gzETag, End: 5, Part: 0, Parts: 2},
			&job.RangeResult{Count: 2, SumOfSquares: "25", Lines: 2}, ""},
		{"compressed, another of its ranges", job.Range{Bucket: dataBucket, Key: "numbers.gz", Size: gzSize, ETag: gzETag, Start: 5, End: gzSize, Part: 1, Parts: 2},
			&job.RangeResult{SumOfSquares: "0"}, ""},
		{"compressed by its bytes alone, the first of its ranges", job.Range{Bucket: dataBucket, Key: "numbers", Size: gzSize, ETag: gzETag, End: 5, Part: 0, Parts: 2},
			&job.RangeResult{Count: 2, SumOfSquares: "25", Lines: 2}, ""},
		{"not what its key says", job.Range{Bucket: dataBucket, Key: "plain.gz", Size: 8, ETag: plainETag, Start: 4, End: 8, Part: 1, Parts: 2},
			&job.RangeResult{SumOfSquares: "0", Failure: &job.RangeFailure{Error: "InvalidContentError", Cause: "the key ends in .gz but the object is not gzip data"}}, ""},
		{"missing", job.Range{Bucket: dataBucket, Key: "missing", Size: 4, ETag: plainETag, End: 4, Parts: 1},
			&job.RangeResult{SumOfSquares: "0", Failure: &job.RangeFailure{Error: "ObjectNotFoundError", Cause: "object not found"}}, ""},
		{"bad bucket", job.Range{Bucket: "Bad_Bucket", Key: "plain", Size: 8, End: 8, Parts: 1},
			&job.RangeResult{SumOfSquares: "0", Failure: &job.RangeFailure{Error: "InvalidEventError",
				Cause: `invalid event: bucket "Bad_Bucket": 'B' at byte 0: a bucket name has only lowercase letters, digits, dots and hyphens`}}, ""},
		{"S3 unavailable", job.Range{Bucket: dataBucket, Key: "unavailable", Size: 4, End: 2, Part: 0, Parts: 2}, nil, "S3UnavailableError"},
		{"part outside its parts", job.Range{Bucket: dataBucket, Key: "plain", Size: 8, Start: 4, End: 8, Part: 2, Parts: 2}, nil, "InvalidEventError"},
		{"past the end", job.Range{Bucket: dataBucket, Key: "plain", Size: 8, Start: 4, End: 9, Part: 1, Parts: 2}, nil, "InvalidEventError"},
		{"first part not at 0", job.Range{Bucket: dataBucket, Key: "plain", Size: 8, Start: 1, End: 4, Part: 0, Parts: 2}, nil, "InvalidEventError"},
		{"last part short of the end", job.Range{Bucket: dataBucket, Key: "plain", Size: 8, Start: 4, End: 7, Part: 1, Parts: 2}, nil, "InvalidEventError"},
		{"empty part", job.Range{Bucket: dataBucket, Key: "plain", Size: 8, Start: 4, End: 4, Part: 1, Parts: 3}, nil, "InvalidEventError"},
	}
	s := &job.Summer{Storage: s3store.New(srv.Client())}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Range(context.Background(), tt.r)
			if tt.want == nil {
				if err == nil || job.ErrorType(err) != tt.wantErr {
					t.Fatalf("Range = %+v, %v; want a %s", got, err, tt.wantErr)
				}
				return
			}
			want := *tt.want
			want.Bucket, want.Key, want.Part, want.Parts = tt.r.Bucket, tt.r.Key, tt.r.Part, tt.r.Parts
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("Range = %+v (%+v), %v; want %+v (%+v)", got, got.Failure, err, want, want.Failure)
			}
		})
	}
}

// TestRangeIfMatch: every GET a range makes over S3, its first included,
// asks for the ETag its batch saw (If-Match), so that S3 itself refuses
// another version
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
func TestRangeIfMatch(t *testing.T) {
	srv := s3test.NewServer(t, dataBucket)
	body := []byte(strings.Repeat("12345\n", 10000))
	etag := srv.Put(t, dataBucket, "k", body)
	var gets, pinned atomic.Int64 // parts are read at once
	srv.Hook(dataBucket, "k", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method == http.MethodGet {
			gets.Add(1)
			if r.Header.Get("If-Match") == etag {
				pinned.Add(1)
			}
		}
		next.ServeHTTP(w, r)
	})
	s := &job.Summer{Storage: s3store.New(srv.Client()), PartSize: 4000, Concurrency: 1}
	size := int64(len(body))
	got := combine(t, s, rangesOf("k", size, etag, 20000, 40000))
	if want := (combined{count: 10000, lines: 10000, sum: fmt.Sprint(10000 * 12345 * 12345)}); got != want {
		t.Errorf("ranges = %+v; want %+v", got, want)
	}
	if gets.Load() < 15 || pinned.Load() != gets.Load() {
		t.Errorf("%d GETs, %d with If-Match %s; want every one of 15 or more", gets.Load(), pinned.Load(), etag)
	}
}
