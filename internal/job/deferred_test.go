package job_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/memstore"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
)

// TestBatchLarge: with a SplitBytes, a batch does not read an object of at
// least that many bytes that is not compressed: one small GET of its first
// bytes tells that and pins its version, and it is set aside (reason
// "large") with that ETag, for every range of it to read the same version.
// A compressed object cannot be summed in ranges: it is read whole, whether
// its key says so or only its first bytes do. Smaller objects are summed.
func TestBatchLarge(t *testing.T) {
	const split = 64
	var nums strings.Builder
	for i := range 100 {
		fmt.Fprintf(&nums, "%d\n", i*7919)
	}
	numsSum := sumOfSquares(strings.Fields(nums.String())...)
	srv := s3test.NewServer(t, dataBucket)
	objects := []struct {
		key  string
		body []byte
		want string // "large": set aside; else its sum of squares
	}{
		{"large", []byte(strings.Repeat("1\n", 40)), "large"},           // 80 bytes
		{"exactly", []byte(strings.Repeat("1\n", split/2)), "large"},    // split bytes: at least
		{"under", []byte(strings.Repeat("1\n", split/2-1) + "1"), "32"}, // split-1 bytes
		{"numbers.gz", gzipped(t, nums.String()), numsSum},              // compressed, by its key
		{"numbers", gzipped(t, nums.String()), numsSum},                 // compressed, by its bytes alone
		{"zero", nil, "0"},                                        // nothing to read
		{"small", []byte("3\n"), "9"},                             //
		{"large-bad", []byte(strings.Repeat("x\n", 40)), "large"}, // not read: its ranges will tell
		{"numbers-plain", []byte(nums.String()), "large"},         //
	}
	var b job.Batch
	etags := map[string]string{}
	for _, o := range objects {
		etags[o.key] = srv.Put(t, dataBucket, o.key, o.body)
		b.Items = append(b.Items, job.Object{Bucket: dataBucket, Key: o.key, Size: int64p(int64(len(o.body)))})
	}
	if len(gzipped(t, nums.String())) < split {
		t.Fatalf("the gzipped numbers take %d bytes; want at least %d, to be large", len(gzipped(t, nums.String())), split)
	}
	b.BatchInput = &job.BatchInput{Bucket: dataBucket, ResultsPrefix: "results/", SplitBytes: split}
	got, err := testSummer(srv).Batch(context.Background(), b)
	if err != nil {
		t.Fatalf("Batch = %v; want no error", err)
	}
	want := job.BatchResult{Results: []job.ObjectResult{}, Failed: []job.Failure{}}
	var total []string
	for i, o := range objects {
		if o.want == "large" {
			want.Deferred = append(want.Deferred, job.Deferred{Bucket: dataBucket, Key: o.key, Size: *b.Items[i].Size, ETag: etags[o.key], Reason: job.DeferredLarge})
			continue
		}
		res := job.ObjectResult{Bucket: dataBucket, Key: o.key, SumOfSquares: o.want}
		switch o.want {
		case numsSum:
			res.Count = 100
		case "32":
			res.Count = 32
		case "9":
			res.Count = 1
		}
		want.Results = append(want.Results, res)
		want.Count += res.Count
		total = append(total, o.want)
	}
	want.Objects, want.DeferredObjects = int64(len(want.Results)), int64(len(want.Deferred))
	want.SumOfSquares = addDecimals(t, total...)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Batch =\n%+v\nwant\n%+v", got, want)
	}
	for _, o := range objects {
		if o.want != "large" {
			continue
		}
		if n, served := srv.Requests(http.MethodGet, dataBucket, o.key), srv.Served(http.MethodGet, dataBucket, o.key); n != 1 || served > 16 {
			t.Errorf("%s: %d GETs, %d bytes served; want 1 GET of its first bytes", o.key, n, served)
		}
	}
}

// addDecimals returns the sum of decimal integers, by math/big.
func addDecimals(t *testing.T, nums ...string) string {
	t.Helper()
	sum := new(big.Int)
	for _, n := range nums {
		v, ok := new(big.Int).SetString(n, 10)
		if !ok {
			t.Fatalf("%q is not a decimal integer", n)
		}
		sum.Add(sum, v)
	}
	return sum.String()
}

// TestBatchURLKeys: with Keys "url" (an S3 Inventory's CSV), every key is
// read decoded; if the decoded key differs and is not found, the key as
// given is read, for AWS does not say whether its MANIFEST reader decodes
// them. Without it, keys are read as given.
func TestBatchURLKeys(t *testing.T) {
	st := &memstore.Store{}
	st.Set(dataBucket, "a b/c+d.txt", []byte("1\n"))
	st.Set(dataBucket, "x+y", []byte("2\n"))      // a plus sign in its key: no "x y"
	st.Set(dataBucket, "100%zz", []byte("3\n"))   // no URL encoding of anything
	st.Set(dataBucket, "한글/x.txt", []byte("4\n")) // UTF-8, byte by byte
	st.Set(dataBucket, "p q", []byte("5\n"))      // both "p q" and "p+q": the decoded one
	st.Set(dataBucket, "p+q", []byte("6\n"))
	items := []string{"a+b%2Fc%2Bd.txt", "x+y", "100%zz", "%ED%95%9C%EA%B8%80/x.txt", "p+q", "m+n"}
	tests := []struct {
		name   string
		keys   string
		want   []job.ObjectResult
		failed []job.Failure
	}{
		{"url", job.KeysURL, []job.ObjectResult{
			{Bucket: dataBucket, Key: "a b/c+d.txt", Count: 1, SumOfSquares: "1"},
			{Bucket: dataBucket, Key: "x+y", Count: 1, SumOfSquares: "4"},
			{Bucket: dataBucket, Key: "100%zz", Count: 1, SumOfSquares: "9"},
			{Bucket: dataBucket, Key: "한글/x.txt", Count: 1, SumOfSquares: "16"},
			{Bucket: dataBucket, Key: "p q", Count: 1, SumOfSquares: "25"},
		}, []job.Failure{{Bucket: dataBucket, Key: "m n", Error: "ObjectNotFoundError", Cause: "object not found"}}},
		{"as given", "", []job.ObjectResult{
			{Bucket: dataBucket, Key: "x+y", Count: 1, SumOfSquares: "4"},
			{Bucket: dataBucket, Key: "100%zz", Count: 1, SumOfSquares: "9"},
			{Bucket: dataBucket, Key: "p+q", Count: 1, SumOfSquares: "36"},
		}, []job.Failure{
			{Bucket: dataBucket, Key: "a+b%2Fc%2Bd.txt", Error: "ObjectNotFoundError", Cause: "object not found"},
			{Bucket: dataBucket, Key: "%ED%95%9C%EA%B8%80/x.txt", Error: "ObjectNotFoundError", Cause: "object not found"},
			{Bucket: dataBucket, Key: "m+n", Error: "ObjectNotFoundError", Cause: "object not found"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := job.Batch{BatchInput: &job.BatchInput{Bucket: dataBucket, ResultsPrefix: "results/", Keys: tt.keys}}
			for _, k := range items {
				b.Items = append(b.Items, job.Object{Bucket: dataBucket, Key: k, Size: int64p(2)})
			}
			got, err := memSummer(st).Batch(context.Background(), b)
			if err != nil {
				t.Fatalf("Batch = %v; want no error", err)
			}
			if !reflect.DeepEqual(got.Results, tt.want) || !reflect.DeepEqual(got.Failed, tt.failed) {
				t.Errorf("Batch results\n%+v\nfailed\n%+v\nwant\n%+v\n%+v", got.Results, got.Failed, tt.want, tt.failed)
			}
		})
	}
}

// TestBatchReportSizes: an S3 Inventory report is a day old or more, so
// with Keys "url" the size it gives is not held against the object: an
// object rewritten since is summed as it is now; without it, a listing's
// size that the object no longer has is an ObjectChangedError (a listing
// is seconds old: the object changed under the run).
func TestBatchReportSizes(t *testing.T) {
	srv := s3test.NewServer(t, dataBucket)                  // S3 tells an object's size; memstore does not check it
	srv.Put(t, dataBucket, "grew.log", []byte("1\n2\n3\n")) // 2 bytes when listed
	srv.Put(t, dataBucket, "shrank.log", []byte("4\n"))     // 8 bytes when listed
	items := []job.Object{{Bucket: dataBucket, Key: "grew.log", Size: int64p(2)}, {Bucket: dataBucket, Key: "shrank.log", Size: int64p(8)}}

	b := job.Batch{Items: items, BatchInput: &job.BatchInput{Bucket: dataBucket, ResultsPrefix: "results/", Keys: job.KeysURL}}
	got, err := testSummer(srv).Batch(context.Background(), b)
	want := []job.ObjectResult{
		{Bucket: dataBucket, Key: "grew.log", Count: 3, SumOfSquares: "14"},
		{Bucket: dataBucket, Key: "shrank.log", Count: 1, SumOfSquares: "16"},
	}
	if err != nil || !reflect.DeepEqual(got.Results, want) || got.FailedObjects != 0 {
		t.Errorf("Batch of a report's rows = %+v, %v; want %+v, nothing failed", got, err, want)
	}

	b.BatchInput.Keys = ""
	var changed *job.ObjectChangedError
	if got, err := testSummer(srv).Batch(context.Background(), b); !errors.As(err, &changed) {
		t.Errorf("Batch of a listing's items = %+v, %v; want an ObjectChangedError", got, err)
	}
}

// TestBoundDeferred: a result too large only for the bytes read of the
// objects set aside leaves them out, from the end, and keeps every object
// named, with its size and version, which its ranges need.
func TestBoundDeferred(t *testing.T) {
	entry := func(i int) job.Deferred {
		return job.Deferred{Bucket: dataBucket, Key: fmt.Sprintf("%04d/", i) + strings.Repeat("k", 1019), Size: 1 << 40,
			ETag: `"0123456789abcdef0123456789abcdef-10000"`, Reason: job.DeferredSlow, Read: 1<<40 - 1}
	}
	var r job.BatchResult
	for i := 0; ; i++ {
		r = job.BatchResult{SumOfSquares: "0", Results: []job.ObjectResult{}, Failed: []job.Failure{}}
		for j := range i {
			r.Deferred = append(r.Deferred, entry(j))
		}
		r.DeferredObjects = int64(i)
		noReads := r
		noReads.Deferred = append([]job.Deferred(nil), r.Deferred...)
		for j := range noReads.Deferred {
			noReads.Deferred[j].Read = 0
		}
		if job.JSONSize(&r) > job.MaxOutputBytes && job.JSONSize(&noReads) <= job.MaxOutputBytes {
			break
		}
	}
	n := len(r.Deferred)
	if err := job.Bound(&r); err != nil {
		t.Fatalf("bound(%d deferred) = %v; want them to fit without some of their reads", n, err)
	}
	if size := job.JSONSize(&r); size > job.MaxOutputBytes {
		t.Errorf("bound(%d deferred): %d bytes; want at most %d", n, size, job.MaxOutputBytes)
	}
	kept := 0
	for i, d := range r.Deferred {
		want := entry(i)
		if d.Read != 0 {
			kept++
		}
		if i >= kept {
			want.Read = 0 // left out from the end
		}
		if d != want {
			t.Fatalf("Deferred[%d] = %+v; want %+v", i, d, want)
		}
	}
	if len(r.Deferred) != n || kept == 0 || kept == n {
		t.Errorf("bound kept %d of %d deferred, %d reads; want all of them, and some of their reads", len(r.Deferred), n, kept)
	}
}

// TestBatchThenRanges is the way of an object too large or too slow for
// its batch, over S3: the batch sums its small objects, sets aside one
// object of SplitBytes or more unread and one that trickles past its share
// of the time (with the bytes it had read), each with its ETag; their
// ranges, cut as the workflow cuts them (ceil(size/SplitBytes)), read
// pinned to that ETag, add up to every number of both, against math/big.
func TestBatchThenRanges(t *testing.T) {
	const split = 64 << 10
	srv := s3test.NewServer(t, dataBucket)
	numbers := func(seed, n int) ([]byte, []string) {
		var b strings.Builder
		var nums []string
		for i := range n {
			v := fmt.Sprint((i*7919+seed)%2000003 - 1000001)
			if i%97 == 0 {
				v = "-" + strings.Repeat("9", 40+i%7) // long numbers, across boundaries
			}
			nums = append(nums, v)
			b.WriteString(v)
			b.WriteString([]string{"\n", "\r\n"}[i%2])
		}
		return []byte(b.String()), nums
	}
	largeBody, largeNums := numbers(1, 20000)
	slowBody, slowNums := numbers(2, 6000) // under SplitBytes
	etags := map[string]string{
		"large": srv.Put(t, dataBucket, "large", largeBody),
		"slow":  srv.Put(t, dataBucket, "slow", slowBody),
	}
	srv.Hook(dataBucket, "slow", s3test.Trickle(5*time.Millisecond))
	b := job.Batch{BatchInput: &job.BatchInput{Bucket: dataBucket, ResultsPrefix: "results/", SplitBytes: split}}
	b.Items = append(b.Items, job.Object{Bucket: dataBucket, Key: "slow", Size: int64p(int64(len(slowBody)))})
	for i := range 30 {
		key := fmt.Sprintf("k%02d", i)
		srv.Put(t, dataBucket, key, []byte("3\n"))
		b.Items = append(b.Items, job.Object{Bucket: dataBucket, Key: key, Size: int64p(2)})
	}
	b.Items = append(b.Items, job.Object{Bucket: dataBucket, Key: "large", Size: int64p(int64(len(largeBody)))})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := &job.Summer{Storage: s3store.New(srv.Client()), Concurrency: 1, PartSize: 16 << 10}
	got, err := s.Batch(ctx, b)
	if err != nil || got.Objects != 30 || got.SumOfSquares != "270" || got.FailedObjects != 0 || got.DeferredObjects != 2 {
		t.Fatalf("Batch = %d objects, sum %s, %d failed, %d deferred, %v; want the 30 small ones summed (270), 2 deferred",
			got.Objects, got.SumOfSquares, got.FailedObjects, got.DeferredObjects, err)
	}
	for _, d := range got.Deferred {
		want := job.Deferred{Bucket: dataBucket, Key: d.Key, Size: d.Size, ETag: etags[d.Key], Reason: job.DeferredLarge}
		if d.Key == "slow" {
			want.Reason, want.Read = job.DeferredSlow, d.Read
		}
		if d != want || (d.Key == "slow") != (d.Read > 0) {
			t.Errorf("deferred %+v; want %+v, read > 0 for slow alone", d, want)
		}
	}
	srv.Hook(dataBucket, "slow", nil)

	for _, d := range got.Deferred {
		n := (d.Size + split - 1) / split
		var cuts []int64
		for i := int64(1); i < n; i++ {
			cuts = append(cuts, i*split)
		}
		c := combine(t, s, rangesOf(d.Key, d.Size, d.ETag, cuts...))
		nums := map[string][]string{"large": largeNums, "slow": slowNums}[d.Key]
		want := combined{count: int64(len(nums)), lines: int64(len(nums)), sum: sumOfSquares(nums...)}
		if c != want {
			t.Errorf("%s in %d ranges: %+v; want %+v", d.Key, n, c, want)
		}
	}
}
