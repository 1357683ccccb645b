package job_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/memstore"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
)

// TestBatch mixes objects that sum with each kind of permanent failure:
// every item is either summed or named in Failed, in the batch's order.
func TestBatch(t *testing.T) {
	srv := s3test.NewServer(t, dataBucket)
	srv.Put(t, dataBucket, "a", []byte("1\n2\n3\n"))
	srv.Put(t, dataBucket, "b", []byte("-4\n"))
	srv.Put(t, dataBucket, "bad", []byte("5\nfive\n"))
	srv.Put(t, dataBucket, "denied", []byte("6\n"))
	srv.Hook(dataBucket, "denied", s3test.Fail(http.StatusForbidden, "AccessDenied"))
	srv.Put(t, dataBucket, "empty", nil)

	b := job.Batch{
		Items: []job.Object{
			{Bucket: "arn:aws:s3:::my-bucket", Key: "a", Size: int64p(6)},
			{Bucket: dataBucket, Key: "missing", Size: int64p(3)},
			{Bucket: dataBucket, Key: "bad"},
			{Bucket: dataBucket, Key: "zero", Size: int64p(0)},
			{Bucket: dataBucket, Key: "denied"},
			{Bucket: dataBucket, Key: "folder/", Size: int64p(0)},
			{Bucket: "Bad_Bucket", Key: "x"},
			{Bucket: dataBucket, Key: "b"},
			{Bucket: dataBucket, Key: "empty"},
		},
		BatchInput: &job.BatchInput{Bucket: dataBucket, ResultsPrefix: "results/"},
	}
	got, err := testSummer(srv).Batch(context.Background(), b)
	want := job.BatchResult{
		Objects:      5,
		Count:        4,
		SumOfSquares: "30",
		Results: []job.ObjectResult{
			{Bucket: dataBucket, Key: "a", Count: 3, SumOfSquares: "14"},
			{Bucket: dataBucket, Key: "zero", Count: 0, SumOfSquares: "0"},
			{Bucket: dataBucket, Key: "folder/", Count: 0, SumOfSquares: "0"},
			{Bucket: dataBucket, Key: "b", Count: 1, SumOfSquares: "16"},
			{Bucket: dataBucket, Key: "empty", Count: 0, SumOfSquares: "0"},
		},
		FailedObjects: 4,
		Failed: []job.Failure{
			{Bucket: dataBucket, Key: "missing", Error: "ObjectNotFoundError", Cause: "object not found"},
			{Bucket: dataBucket, Key: "bad", Error: "InvalidContentError", Cause: "line 2 (byte 2): not an integer: \"five\""},
			{Bucket: dataBucket, Key: "denied", Error: "AccessDeniedError"}, // Cause: the SDK's message
			{Bucket: "Bad_Bucket", Key: "x", Error: "InvalidEventError",
				Cause: `invalid event: bucket "Bad_Bucket": 'B' at byte 0: a bucket name has only lowercase letters, digits, dots and hyphens`},
		},
	}
	if err != nil {
		t.Fatalf("Batch = %v; want no error", err)
	}
	if !strings.Contains(got.Failed[2].Cause, "AccessDenied") {
		t.Errorf("Failed[2].Cause = %q; want the S3 error, with AccessDenied", got.Failed[2].Cause)
	}
	got.Failed[2].Cause = ""
	// The content error's wording is the parser's: compare the line and excerpt.
	if c := got.Failed[1].Cause; strings.Contains(c, "line 2") && strings.Contains(c, `"five"`) {
		got.Failed[1].Cause = want.Failed[1].Cause
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Batch =\n%+v\nwant\n%+v", got, want)
	}
	for _, k := range []string{"zero", "folder/"} {
		if n := srv.Requests(http.MethodGet, dataBucket, k); n != 0 {
			t.Errorf("%d GET requests for %q; want 0", n, k)
		}
	}
}

func TestBatchEmpty(t *testing.T) {
	got, err := memSummer(&memstore.Store{}).Batch(context.Background(), job.Batch{Items: []job.Object{}})
	want := job.BatchResult{SumOfSquares: "0", Results: []job.ObjectResult{}, Failed: []job.Failure{}}
	if !reflect.DeepEqual(got, want) || err != nil {
		t.Fatalf("Batch(empty) = %+v, %v; want %+v, nil", got, err, want)
	}
	if b, _ := json.Marshal(got); string(b) != `{"objects":0,"count":0,"sumOfSquares":"0","results":[],"failedObjects":0,"failed":[]}` {
		t.Errorf("Batch(empty) JSON = %s", b)
	}
}

// A run over the whole bucket lists the Map's own result files too: the
// batch skips them, counts them, and reads none of them.
func TestBatchSkipsResults(t *testing.T) {
	st := &memstore.Store{}
	st.Set(dataBucket, "a", []byte("3\n"))
	st.Set(dataBucket, "results/run/manifest.json", []byte(`{"ResultFiles":{}}`))
	b := job.Batch{
		Items: []job.Object{
			{Bucket: dataBucket, Key: "a"},
			{Bucket: dataBucket, Key: "results/run/manifest.json"},
			{Bucket: dataBucket, Key: "results/run/SUCCEEDED_0.json"},
		},
		BatchInput: &job.BatchInput{Bucket: "my-bucket", ResultsPrefix: "results/"},
	}
	s := memSummer(st)
	s.ResultsPrefix = "results/"
	got, err := s.Batch(context.Background(), b)
	want := job.BatchResult{
		Objects: 1, Count: 1, SumOfSquares: "9",
		Results:        []job.ObjectResult{{Bucket: dataBucket, Key: "a", Count: 1, SumOfSquares: "9"}},
		Failed:         []job.Failure{},
		SkippedObjects: 2,
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Batch = %+v, %v; want %+v, nil", got, err, want)
	}
	if n := st.Opens(dataBucket, "results/run/manifest.json"); n != 0 {
		t.Errorf("manifest opened %d times; want 0", n)
	}
}

// reading counts the objects (or parts) being read, from their first read
// to their end or Close, and holds each first read until want are being
// read at once, or all those left to read.
type reading struct {
	mu            sync.Mutex
	now, max, all int // being read, most at once, done
	want, objects int
}

func (c *reading) overlapping() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now >= min(c.want, c.objects-c.all)
}

// wrap is a memstore reader's wrapper that counts its object's read.
func (c *reading) wrap(_ context.Context, _ int64, r io.Reader) io.Reader {
	return &countedReader{r: r, c: c}
}

type countedReader struct {
	r             io.Reader
	c             *reading
	started, done bool
}

func (cr *countedReader) Read(p []byte) (int, error) {
	c := cr.c
	if !cr.started {
		cr.started = true
		c.mu.Lock()
		c.now++
		c.max = max(c.max, c.now)
		c.mu.Unlock()
		for deadline := time.Now().Add(time.Second); !c.overlapping() && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	n, err := cr.r.Read(p)
	if err != nil {
		cr.Close()
	}
	return n, err
}

// Close ends the read, if it began, whether or not it got to the end.
func (cr *countedReader) Close() error {
	if cr.started && !cr.done {
		cr.done = true
		c := cr.c
		c.mu.Lock()
		c.now--
		c.all++
		c.mu.Unlock()
	}
	return nil
}

// TestBatchConcurrency checks that a batch reads Concurrency objects at
// once, no more: each first read waits until that many are being read, or
// all those left to read.
func TestBatchConcurrency(t *testing.T) {
	tests := []struct {
		concurrency int
		want        int
	}{
		{1, 1},
		{3, 3},
		{0, job.DefaultConcurrency},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.concurrency), func(t *testing.T) {
			st := &memstore.Store{}
			const objects = 20
			c := &reading{want: tt.want, objects: objects}
			var b job.Batch
			for i := range objects {
				key := fmt.Sprintf("k%d", i)
				st.Set(dataBucket, key, []byte("2\n"))
				st.Wrap(dataBucket, key, c.wrap)
				b.Items = append(b.Items, job.Object{Bucket: dataBucket, Key: key})
			}
			s := &job.Summer{Storage: st, Concurrency: tt.concurrency}
			got, err := s.Batch(context.Background(), b)
			if err != nil || got.Objects != int64(len(b.Items)) || got.SumOfSquares != fmt.Sprint(4*len(b.Items)) {
				t.Fatalf("Batch = %+v, %v; want %d objects summed", got, err, len(b.Items))
			}
			if c.max != tt.want {
				t.Errorf("Concurrency %d: at most %d objects read at once; want %d", tt.concurrency, c.max, tt.want)
			}
		})
	}
}

// TestBatchTransient checks that a transient failure of one object fails
// the batch with that error, unwrapped.
func TestBatchTransient(t *testing.T) {
	st := &memstore.Store{}
	var b job.Batch
	for i := range 10 {
		key := fmt.Sprintf("k%d", i)
		st.Set(dataBucket, key, []byte("2\n"))
		b.Items = append(b.Items, job.Object{Bucket: dataBucket, Key: key})
	}
	b.Items = append(b.Items, job.Object{Bucket: dataBucket, Key: "missing"}) // permanent
	st.Fail(dataBucket, "k5", &job.StorageError{Kind: job.ErrUnavailable, Err: errors.New("SlowDown")})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got, err := (&job.Summer{Storage: st, Concurrency: 2}).Batch(ctx, b)
	if want := (&job.S3UnavailableError{Bucket: dataBucket, Key: "k5", Location: "mem://my-bucket/k5"}); !reflect.DeepEqual(got, job.BatchResult{}) || !sameError(err, want) {
		t.Fatalf("Batch = %+v, %#v; want %#v", got, err, want)
	}
}

// gzipBomb is gzip of n × 64 MiB of newlines, as n members of 64 MiB
// each (what `cat a.gz b.gz` makes): a valid object of no numbers, which
// takes long to read for its size (gzip expands at most about 1,000 times).
func gzipBomb(t testing.TB, n int) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := io.Copy(w, io.LimitReader(newlines{}, 64<<20)); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return bytes.Repeat(b.Bytes(), n)
}

// TestBatchSlowObject reads a batch of many small objects and one that
// cannot be read in the invocation's time: a connection that trickles, or a
// gzip bomb that decompresses to more than can be parsed in that time. The
// slow object is set aside alone, its batch-mates summed and returned: one
// that is not compressed is deferred (reason "slow", with its version and
// the bytes it had read), to be summed in ranges; a compressed one cannot
// be, and fails with an ObjectTimeoutError that says how far it got and
// to decompress it. With one slot, the small objects wait for it, so it is
// stopped once it has had its share (at least a second): the batch is done
// long before its deadline.
func TestBatchSlowObject(t *testing.T) {
	bomb := gzipBomb(t, 1024) // 64 GiB of newlines in 64 MB of gzip
	tests := []struct {
		name        string
		concurrency int
		deadline    time.Duration
		slow        func(st *memstore.Store) int64 // installs the slow object, returns its size
		deferred    bool                           // set aside; else failed
		want        []string                       // in its failure's cause
	}{
		{"trickle, objects waiting", 1, 30 * time.Second, func(st *memstore.Store) int64 {
			st.Set(dataBucket, "slow", []byte(strings.Repeat("1\n", 500000)))
			st.Wrap(dataBucket, "slow", trickle(10*time.Millisecond))
			return 1000000
		}, true, nil},
		{"trickle, alone at the end", 8, 3 * time.Second, func(st *memstore.Store) int64 {
			st.Set(dataBucket, "slow", []byte(strings.Repeat("1\n", 500000)))
			st.Wrap(dataBucket, "slow", trickle(10*time.Millisecond))
			return 1000000
		}, true, nil},
		{"gzip bomb, objects waiting", 1, 30 * time.Second, func(st *memstore.Store) int64 {
			st.Set(dataBucket, "slow", bomb)
			return int64(len(bomb))
		}, false, []string{"not read within its share of the invocation's time", fmt.Sprintf(" of %d bytes read in ", len(bomb)), "decompressed (gzip) to ", "decompress it first"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &memstore.Store{}
			size := tt.slow(st)
			b := job.Batch{Items: []job.Object{{Bucket: dataBucket, Key: "slow", Size: int64p(size)}}}
			for i := range 200 {
				key := fmt.Sprintf("k%03d", i)
				st.Set(dataBucket, key, []byte("3\n"))
				b.Items = append(b.Items, job.Object{Bucket: dataBucket, Key: key, Size: int64p(2)})
			}
			ctx, cancel := context.WithTimeout(context.Background(), tt.deadline)
			defer cancel()
			start := time.Now()
			got, err := (&job.Summer{Storage: st, Concurrency: tt.concurrency}).Batch(ctx, b)
			elapsed := time.Since(start)
			if err != nil || got.Objects != 200 || got.SumOfSquares != "1800" {
				t.Fatalf("Batch = %d objects, sum %s, %v; want the 200 small ones summed (1800)", got.Objects, got.SumOfSquares, err)
			}
			if n := got.Objects + got.FailedObjects + got.SkippedObjects + got.DeferredObjects; n != int64(len(b.Items)) {
				t.Errorf("Batch accounts for %d objects; want %d", n, len(b.Items))
			}
			if tt.deferred {
				if got.FailedObjects != 0 || len(got.Deferred) != 1 {
					t.Fatalf("Batch: %d failed (%+v), deferred %+v; want none failed, the slow one deferred", got.FailedObjects, got.Failed, got.Deferred)
				}
				d := got.Deferred[0]
				t.Logf("after %v: deferred %+v", elapsed.Round(time.Millisecond), d)
				if want := (job.Deferred{Bucket: dataBucket, Key: "slow", Size: size, ETag: st.ETag(dataBucket, "slow"), Reason: job.DeferredSlow, Read: d.Read}); d != want || d.Read <= 0 || d.Read >= size {
					t.Errorf("deferred %+v; want %+v, with 0 < read < %d", d, want, size)
				}
				if tt.concurrency == 1 && elapsed > tt.deadline/2 {
					t.Errorf("the batch took %v; want the slow object stopped long before the deadline (%v)", elapsed, tt.deadline)
				}
				return
			}
			if got.FailedObjects != 1 || got.DeferredObjects != 0 {
				t.Fatalf("Batch: %d failed, %d deferred; want the slow one failed", got.FailedObjects, got.DeferredObjects)
			}
			f := got.Failed[0]
			t.Logf("after %v: %s: %s", elapsed.Round(time.Millisecond), f.Error, f.Cause)
			if f.Key != "slow" || f.Error != "ObjectTimeoutError" {
				t.Errorf("failed: %+v; want slow, ObjectTimeoutError", f)
			}
			for _, w := range tt.want {
				if !strings.Contains(f.Cause, w) {
					t.Errorf("cause %q; want it to say %q", f.Cause, w)
				}
			}
			// With objects waiting, the slow one is stopped at its share, long
			// before the deadline. The time it was read is what its error
			// says, not the batch's wall time, which a loaded machine
			// stretches (200 GETs in turn under the race detector).
			var seconds float64
			if _, err := fmt.Sscanf(f.Cause[strings.Index(f.Cause, " read in ")+len(" read in "):], "%g s", &seconds); err != nil {
				t.Fatalf("cause %q: no time read: %v", f.Cause, err)
			}
			if tt.concurrency == 1 && seconds > tt.deadline.Seconds()/2 {
				t.Errorf("the slow object was read for %g s; want it stopped long before the deadline (%v)", seconds, tt.deadline)
			}
		})
	}
}

// TestBatchLargeCompressedAlone reads one compressed object that expands
// 1,000 times, alone in its batch, and sums it to its end: there is no
// bound on expansion, only on time.
func TestBatchLargeCompressedAlone(t *testing.T) {
	st := &memstore.Store{}
	var text strings.Builder
	for range 1 << 20 {
		text.WriteString("7\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n")
	}
	body := zstded(t, text.String(), zstd.WithEncoderLevel(zstd.SpeedBestCompression))
	st.Set(dataBucket, "big.zst", body)
	t.Logf("%d bytes of zstd for %d bytes of text (%.0fx)", len(body), text.Len(), float64(text.Len())/float64(len(body)))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b := job.Batch{Items: []job.Object{{Bucket: dataBucket, Key: "big.zst", Size: int64p(int64(len(body)))}}}
	got, err := (&job.Summer{Storage: st}).Batch(ctx, b)
	if want := fmt.Sprint(49 << 20); err != nil || got.Objects != 1 || got.SumOfSquares != want {
		t.Fatalf("Batch = %+v, %v; want 1 object summed, %s", got, err, want)
	}
}

// TestBatchOutOfTime: a batch whose objects cannot all be started before
// its deadline (one slot, every object stalling) does not fail: the object
// being read at the deadline is set aside with the byte it read and its
// version, those never started are set aside as unstarted, to be summed in
// ranges. One whose size is not known cannot be, and fails alone.
func TestBatchOutOfTime(t *testing.T) {
	st := &memstore.Store{}
	var b job.Batch
	for i := range 5 {
		key := fmt.Sprintf("k%d", i)
		st.Set(dataBucket, key, []byte("2\n"))
		st.Wrap(dataBucket, key, stall(1))
		o := job.Object{Bucket: dataBucket, Key: key, Size: int64p(2)}
		if i == 4 {
			o.Size = nil
		}
		b.Items = append(b.Items, o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	got, err := (&job.Summer{Storage: st, Concurrency: 1}).Batch(ctx, b)
	want := job.BatchResult{
		SumOfSquares:  "0",
		Results:       []job.ObjectResult{},
		FailedObjects: 1,
		Failed: []job.Failure{{Bucket: dataBucket, Key: "k4", Error: "ObjectTimeoutError",
			Cause: "not read within its share of the invocation's time: 0 bytes read in 0.0 s; raise FunctionMemory (network and CPU come with it) or FunctionTimeout"}},
		DeferredObjects: 4,
		Deferred: []job.Deferred{
			{Bucket: dataBucket, Key: "k0", Size: 2, ETag: st.ETag(dataBucket, "k0"), Reason: job.DeferredSlow, Read: 1},
			{Bucket: dataBucket, Key: "k1", Size: 2, Reason: job.DeferredUnstarted},
			{Bucket: dataBucket, Key: "k2", Size: 2, Reason: job.DeferredUnstarted},
			{Bucket: dataBucket, Key: "k3", Size: 2, Reason: job.DeferredUnstarted},
		},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Batch =\n%+v, %v\nwant\n%+v", got, err, want)
	}
}

// TestBatchStalledBody: one object's body stops (bytes stop, connection
// open). The reader gives up on the connection after its idle timeout and
// asks for the rest: the batch is summed, rather than waiting until its
// deadline and failing.
func TestBatchStalledBody(t *testing.T) {
	srv := s3test.NewServer(t, dataBucket)
	var b job.Batch
	for i := range 10 {
		key := fmt.Sprintf("k%d", i)
		srv.Put(t, dataBucket, key, []byte("2\n3\n"))
		b.Items = append(b.Items, job.Object{Bucket: dataBucket, Key: key})
	}
	srv.Hook(dataBucket, "k5", s3test.StallFirst(2, 1))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s := &job.Summer{Storage: &s3store.Store{S3: srv.Client(), IdleTimeout: 100 * time.Millisecond}, Concurrency: 2}
	got, err := s.Batch(ctx, b)
	if err != nil || got.Objects != 10 || got.SumOfSquares != "130" {
		t.Fatalf("Batch = %+v, %v; want 10 objects summed, 130", got, err)
	}
	if n := srv.Requests(http.MethodGet, dataBucket, "k5"); n != 2 {
		t.Errorf("%d GETs of the stalled object; want 2", n)
	}
}

// TestBatchOutputBound checks that a batch's JSON stays within
// MaxOutputBytes, with every failed key named, whatever the keys and sums.
func TestBatchOutputBound(t *testing.T) {
	longKey := func(i int) string { // 1,024 bytes, S3's longest
		p := fmt.Sprintf("%04d/", i)
		return p + strings.Repeat("k", s3store.MaxKeyBytes-len(p))
	}
	digits := strings.Repeat("9", 4300) // the default digit limit
	tests := []struct {
		name      string
		maxDigits int
		objects   int
		key       func(int) string
		body      string // "" means missing
		objectsOK int64  // objects summed
		omitted   bool   // some Results left out
		noCauses  bool   // causes emptied
	}{
		{"huge sums", 0, 60, func(i int) string { return fmt.Sprint("big/", i) }, digits + "\n" + digits + "\n", 60, true, false},
		{"long keys, huge sums", 0, 150, longKey, digits + "\n", 150, true, false},
		{"long keys, all missing", 0, 170, longKey, "", 0, false, false},
		{"long keys, long causes", 10, 220, longKey, strings.Repeat("x", 100) + "\n", 0, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &memstore.Store{}
			var b job.Batch
			var nums []string
			for i := range tt.objects {
				key := tt.key(i)
				if tt.body != "" {
					st.Set(dataBucket, key, []byte(tt.body))
					nums = append(nums, strings.Fields(tt.body)...)
				}
				b.Items = append(b.Items, job.Object{Bucket: dataBucket, Key: key})
			}
			if tt.objectsOK == 0 {
				nums = nil
			}
			s := &job.Summer{Storage: st, MaxDigits: tt.maxDigits}
			got, err := s.Batch(context.Background(), b)
			if err != nil {
				t.Fatalf("Batch = %v; want no error", err)
			}
			out, _ := job.Marshal(got)
			if len(out) > job.MaxOutputBytes {
				t.Errorf("Batch JSON has %d bytes; want at most %d", len(out), job.MaxOutputBytes)
			}
			if got.Objects != tt.objectsOK || got.SumOfSquares != sumOfSquares(append(nums, "0")...) {
				t.Errorf("Batch: %d objects, sum of %d digits; want %d objects and the exact sum", got.Objects, len(got.SumOfSquares), tt.objectsOK)
			}
			if n := int64(len(got.Results)) + got.ResultsOmitted; n != got.Objects || (got.ResultsOmitted > 0) != tt.omitted {
				t.Errorf("Batch: %d results, %d omitted; want %d in all, some omitted: %v", len(got.Results), got.ResultsOmitted, got.Objects, tt.omitted)
			}
			if got.FailedObjects != int64(len(got.Failed)) || got.Objects+got.FailedObjects != int64(tt.objects) {
				t.Fatalf("Batch: %d summed, %d failed, %d named; want %d objects, every failure named",
					got.Objects, got.FailedObjects, len(got.Failed), tt.objects)
			}
			for i, f := range got.Failed {
				if f.Key != b.Items[i].Key || (f.Cause == "") != tt.noCauses {
					t.Fatalf("Failed[%d] = %.60q, cause %q; want key %.60q, an empty cause: %v", i, f.Key, f.Cause, b.Items[i].Key, tt.noCauses)
				}
			}
		})
	}
}

// TestBatchTemplateLimits sends the largest batches the template allows,
// MaxBatchItems items in at most MaxBatchInputBytes of input as Step
// Functions writes it (U+2028 unescaped, unlike encoding/json), with the
// longest bucket name, keys of every shape, the largest digit limit the
// function takes, and every object failing with the longest error name:
// the worst result there is. Batch must take each one and name every object
// in Failed within MaxOutputBytes: every limit the README and the template
// allow works with every other.
func TestBatchTemplateLimits(t *testing.T) {
	longBucket := strings.Repeat("b", 63)
	// batch fills the input bytes with items whose keys are key(i),
	// each padded to the same length, up to MaxBatchItems items.
	batch := func(keyLen int, char string) job.Batch {
		b := job.Batch{BatchInput: &job.BatchInput{Bucket: longBucket, ResultsPrefix: "results/"}}
		size := inputSize(t, b) - len("null") + len("[]")
		for len(b.Items) < job.MaxBatchItems {
			key := fmt.Sprintf("%04d", len(b.Items)) + strings.Repeat(char, (keyLen-4)/len(char))
			item := job.Object{Bucket: longBucket, Key: key, Size: int64p(1 << 40)}
			n := inputSize(t, item)
			if len(b.Items) > 0 {
				n++ // the comma
			}
			if size+n > job.MaxBatchInputBytes {
				break
			}
			b.Items, size = append(b.Items, item), size+n
		}
		if got := inputSize(t, b); got != size || got > job.MaxBatchInputBytes {
			t.Fatalf("batch input of %d bytes, counted %d; want at most %d", got, size, job.MaxBatchInputBytes)
		}
		return b
	}
	tests := []struct {
		name string
		b    job.Batch
	}{
		{"most items, short keys", batch(4, "k")},
		{"most items, 128-byte keys", batch(128, "k")},
		{"1024-byte keys", batch(1024, "k")},
		{"keys JSON escapes", batch(128, "\x01")},
		{"keys of < and &", batch(128, "<&")},
		{"keys of U+2028", batch(1024, "\u2028")},
		{"most items, keys of U+2029", batch(100, "\u2029")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Logf("%d items, %d bytes of input", len(tt.b.Items), inputSize(t, tt.b))
			// Every object fails, with the longest error name a batch records.
			s := &job.Summer{Storage: &unreadable{}, MaxDigits: job.MaxDigitsLimit}
			got, err := s.Batch(context.Background(), tt.b)
			if err != nil {
				t.Fatalf("Batch = %v; want every object named in Failed", err)
			}
			if got.FailedObjects != int64(len(tt.b.Items)) || len(got.Failed) != len(tt.b.Items) || got.Failed[0].Error != "ObjectUnreadableError" {
				t.Errorf("Batch named %d (%d) failures, the first %+v; want %d ObjectUnreadableErrors", got.FailedObjects, len(got.Failed), got.Failed[0], len(tt.b.Items))
			}
			size := inputSize(t, got)
			t.Logf("result: %d bytes", size)
			if size > job.MaxOutputBytes {
				t.Errorf("result has %d bytes; want at most %d", size, job.MaxOutputBytes)
			}

			// Every object is set aside, with the longest version S3 gives.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			b := tt.b
			b.BatchInput = &job.BatchInput{Bucket: b.BatchInput.Bucket, ResultsPrefix: b.BatchInput.ResultsPrefix, SplitBytes: 1}
			got, err = (&job.Summer{Storage: &multipart{}, MaxDigits: job.MaxDigitsLimit}).Batch(ctx, b)
			if err != nil {
				t.Fatalf("Batch = %v; want every object named in Deferred", err)
			}
			if got.DeferredObjects != int64(len(b.Items)) || len(got.Deferred) != len(b.Items) || got.Deferred[0].ETag != multipartETag {
				t.Errorf("Batch deferred %d (%d), the first %+v; want %d, of ETag %s", got.DeferredObjects, len(got.Deferred), got.Deferred[0], len(b.Items), multipartETag)
			}
			size = inputSize(t, got)
			t.Logf("result, every object set aside: %d bytes", size)
			if size > job.MaxOutputBytes {
				t.Errorf("result has %d bytes; want at most %d", size, job.MaxOutputBytes)
			}
		})
	}
}

// multipart is a Storage whose every object is 1 TiB of "1\n" and has the
// longest ETag S3 gives: that of an upload of 10,000 parts.
type multipart struct{ s3store.Store }

const multipartETag = `"0123456789abcdef0123456789abcdef-10000"`

func (multipart) Open(ctx context.Context, bucket, key string, size int64) (job.Source, error) {
	return multipartSource{}, nil
}

type multipartSource struct{}

func (multipartSource) Size() int64     { return 1 << 40 }
func (multipartSource) Version() string { return multipartETag }
func (multipartSource) Close() error    { return nil }
func (multipartSource) NewReader(ctx context.Context, off, n int64) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader("1\n1\n1\n1\n1\n1\n1\n1\n1\n1\n1\n1\n")), nil
}

// unreadable is a Storage whose every object fails to open, as an archived
// object does.
type unreadable struct{ s3store.Store }

func (unreadable) Open(ctx context.Context, bucket, key string, size int64) (job.Source, error) {
	return nil, &job.StorageError{Kind: job.ErrUnreadable, Err: errors.New("InvalidObjectState: archived (a very long cause: " + strings.Repeat("x", 400) + ")")}
}

func (unreadable) Put(context.Context, string, string, io.ReadSeeker, int64) error {
	return errors.New("not here")
}

// inputSize is the size of v's JSON as Step Functions and the function
// write it (job.Marshal).
func inputSize(t *testing.T, v any) int {
	b, err := job.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return len(b)
}

func TestBatchTooLarge(t *testing.T) {
	st := &memstore.Store{}
	var b job.Batch
	for i := range 240 {
		b.Items = append(b.Items, job.Object{Bucket: dataBucket, Key: fmt.Sprintf("%04d", i) + strings.Repeat("k", 1020)})
	}
	got, err := memSummer(st).Batch(context.Background(), b)
	e, ok := err.(*job.InvalidEventError)
	if !reflect.DeepEqual(got, job.BatchResult{}) || !ok || !strings.Contains(e.Reason, "batch too large") {
		t.Fatalf("Batch(240 keys of 1 KiB) = %+v, %v; want *InvalidEventError: batch too large", got, err)
	}
	if n := st.Opens(dataBucket, b.Items[0].Key); n != 0 {
		t.Errorf("opened %d times; want 0", n)
	}
}

// trickle returns a memstore reader's wrapper that reads a byte every
// interval, as a trickling connection does.
func trickle(interval time.Duration) func(context.Context, int64, io.Reader) io.Reader {
	return func(_ context.Context, _ int64, r io.Reader) io.Reader {
		return readerFunc(func(p []byte) (int, error) {
			time.Sleep(interval)
			return r.Read(p[:min(len(p), 1)])
		})
	}
}

// stall returns a memstore reader's wrapper that reads n bytes, then
// nothing more until the reader's context ends.
func stall(n int64) func(context.Context, int64, io.Reader) io.Reader {
	return func(ctx context.Context, _ int64, r io.Reader) io.Reader {
		return io.MultiReader(io.LimitReader(r, n), readerFunc(func([]byte) (int, error) {
			<-ctx.Done()
			return 0, ctx.Err()
		}))
	}
}

type readerFunc func(p []byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }
