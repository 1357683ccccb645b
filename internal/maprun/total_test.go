package maprun_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/maprun"
	"github.com/sumsq/sumsq/internal/memstore"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// The bucket of the Map's results in these tests, and the directory the
// ResultWriter writes a run to.
const (
	resultsBucket = "data"
	runDir        = "results/4c0b7a4e-5f7d-3c7a-9a8e-2d0c1f6b9e31/"
	manifestKey   = runDir + "manifest.json"
	mapRunArn     = "arn:aws:states:us-east-1:123456789012:mapRun:sumsq/SumObjects:4c0b7a4e-5f7d-3c7a-9a8e-2d0c1f6b9e31"
)

// payloadLimit is Step Functions' limit on a state's input and output.
const payloadLimit = 256 << 10

// resultFile is one file a ResultWriter writes: manifest.json or a result file.
type resultFile struct {
	status string // under which ResultFiles lists it; "" for the manifest
	name   string
	body   []byte
}

// A setter stores objects: a *memstore.Store, or S3 (s3Objects).
type setter interface {
	Set(bucket, key string, data []byte)
}

// s3Objects stores objects in an in-process S3 server, for the tests of
// reading result files over S3 (its bodies broken off, streamed).
type s3Objects struct {
	t   testing.TB
	srv *s3test.Server
}

func (o s3Objects) Set(bucket, key string, data []byte) { o.srv.Put(o.t, bucket, key, data) }

// putRun stores the result files in manifestKey's directory in st, and a
// manifest listing them, or the one in files, as manifestKey. It returns
// the event for the total of a Map Run of items items, every failure
// tolerated.
func putRun(t testing.TB, st setter, manifestKey string, items int64, files ...resultFile) maprun.Event {
	t.Helper()
	listed := map[string][]map[string]any{"FAILED": {}, "PENDING": {}, "SUCCEEDED": {}}
	var manifest []byte
	dir, _ := path.Split(manifestKey)
	for _, f := range files {
		if f.status == "" {
			manifest = f.body
			continue
		}
		st.Set(resultsBucket, dir+f.name, f.body)
		listed[f.status] = append(listed[f.status], map[string]any{"Key": dir + f.name, "Size": len(f.body)})
	}
	if manifest == nil {
		manifest = mustJSON(t, map[string]any{
			"DestinationBucket": resultsBucket,
			"MapRunArn":         mapRunArn,
			"ResultFiles":       listed,
		})
	}
	st.Set(resultsBucket, manifestKey, manifest)
	return maprun.Event{
		MapRunArn:                  mapRunArn,
		ResultWriterDetails:        &maprun.ResultWriterDetails{Bucket: resultsBucket, Key: manifestKey},
		ItemCounts:                 &maprun.ItemCounts{Total: &items},
		ToleratedFailurePercentage: ptr(100),
	}
}

func ptr[T any](v T) *T { return &v }

// manifestOf is a manifest of this run's bucket and Map Run with the given
// ResultFiles, as JSON text.
func manifestOf(resultFiles string) []byte {
	return []byte(`{"DestinationBucket": "` + resultsBucket + `", "MapRunArn": "` + mapRunArn + `", "ResultFiles": ` + resultFiles + `}`)
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// execution returns a child execution record as the ResultWriter writes it:
// Input and Output are JSON text in strings.
func execution(t testing.TB, status string, input, output any, errName, cause string) map[string]any {
	t.Helper()
	r := map[string]any{
		"ExecutionArn":    "arn:aws:states:us-east-1:123456789012:express:sumsq/SumObjects:run:exec",
		"Name":            "exec",
		"Input":           string(mustJSON(t, input)),
		"InputDetails":    map[string]any{"Included": true},
		"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:sumsq/SumObjects",
		"Status":          status,
	}
	if output != nil {
		r["Output"] = string(mustJSON(t, output))
		r["OutputDetails"] = map[string]any{"Included": true}
	}
	if errName != "" {
		r["Error"] = errName
		r["Cause"] = cause
	}
	return r
}

// batchOf is the input of a child execution for a batch of keys.
func batchOf(keys ...string) job.Batch {
	b := job.Batch{BatchInput: &job.BatchInput{}}
	for _, k := range keys {
		size := int64(len(k))
		b.Items = append(b.Items, job.Object{Bucket: resultsBucket, Key: k, Size: &size})
	}
	return b
}

// jsonLines is a result file of the template's OutputType, JSONL.
func jsonLines(t testing.TB, records ...any) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, r := range records {
		b.Write(mustJSON(t, r))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// newSummer returns a Summer of the Map's results in storage.
func newSummer(storage job.Storage) *job.Summer {
	return &job.Summer{Storage: storage, ResultsPrefix: "results/"}
}

// failuresLocation is where a total writes the list of every failure of
// the run in st.
func failuresLocation(st job.Names) string {
	return st.Location(resultsBucket, runDir+maprun.FailuresFileName)
}

// TestTotalRun totals the run in testdata/run, written as AWS documents it
// for the template's WriterConfig (COMPACT, JSONL): two SUCCEEDED files of
// batch results, and the whole records of a batch that failed after its
// retries and of one left pending.
func TestTotalRun(t *testing.T) {
	st := &memstore.Store{}
	var files []resultFile
	for _, f := range []struct{ status, name string }{
		{"", "manifest.json"},
		{"SUCCEEDED", "SUCCEEDED_0.json"},
		{"SUCCEEDED", "SUCCEEDED_1.json"},
		{"FAILED", "FAILED_0.json"},
		{"PENDING", "PENDING_0.json"},
	} {
		body, err := os.ReadFile(filepath.Join("testdata", "run", f.name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, resultFile{f.status, f.name, body})
	}
	e := putRun(t, st, manifestKey, 10, files...)

	got, err := maprun.Read(context.Background(), newSummer(st), e)

	s3Cause := `{"errorMessage":"s3://data/today/f.txt: S3 unavailable: api error SlowDown: Please reduce your request rate.","errorType":"S3UnavailableError"}`
	want := maprun.Total{
		Objects:       5, // a, b, c, empty and d
		Count:         8,
		SumOfSquares:  "180", // 1+4+9 + 9+16 + 16+25 + 100
		FailedObjects: 5,
		Failed: []job.Failure{
			{Bucket: "data", Key: "today/bad.txt", Error: "InvalidContentError", Cause: `s3://data/today/bad.txt: line 2 (byte 2): not an integer: "x"`},
			{Bucket: "data", Key: "today/e.txt", Error: "S3UnavailableError", Cause: s3Cause},
			{Bucket: "data", Key: "today/f.txt", Error: "S3UnavailableError", Cause: s3Cause},
			{Bucket: "data", Key: "today/g.txt", Error: "S3UnavailableError", Cause: s3Cause},
			{Bucket: "data", Key: "today/h.txt", Error: maprun.MapItemPending,
				Cause: "child execution 00000005-6b1c-4d8e-9f2a-000000000005 ended with status PENDING"},
		},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Total = %+v, %v; want %+v, nil", got, err, want)
	}
	if _, written := st.Get(resultsBucket, runDir+maprun.FailuresFileName); written {
		t.Errorf("%s written; want none, Failed lists every failure", maprun.FailuresFileName)
	}
}

// TestTotalLayouts covers the edges of the template's layout: no files,
// empty ones, several, a status the documentation does not name.
func TestTotalLayouts(t *testing.T) {
	out := func(objects, count int64, sum string, failed ...job.Failure) job.BatchResult {
		if failed == nil {
			failed = []job.Failure{}
		}
		return job.BatchResult{Objects: objects, Count: count, SumOfSquares: sum, Results: []job.ObjectResult{},
			FailedObjects: int64(len(failed)), Failed: failed}
	}
	bad := job.Failure{Bucket: "data", Key: "x", Error: "ObjectNotFoundError", Cause: "s3://data/x: object not found"}
	tests := []struct {
		name  string
		files func(t *testing.T) []resultFile
		want  maprun.Total
	}{
		{
			// A run of no items: the manifest lists no file (its groups
			// are empty lists).
			name:  "no results",
			files: func(t *testing.T) []resultFile { return nil },
			want:  maprun.Total{SumOfSquares: "0", Failed: []job.Failure{}},
		},
		{
			name: "ResultFiles without groups",
			files: func(t *testing.T) []resultFile {
				return []resultFile{{"", "manifest.json", manifestOf(`{}`)}}
			},
			want: maprun.Total{SumOfSquares: "0", Failed: []job.Failure{}},
		},
		{
			name: "ResultFiles of empty lists",
			files: func(t *testing.T) []resultFile {
				return []resultFile{{"", "manifest.json", manifestOf(`{"SUCCEEDED": [], "FAILED": [], "PENDING": []}`)}}
			},
			want: maprun.Total{SumOfSquares: "0", Failed: []job.Failure{}},
		},
		{
			name: "empty files",
			files: func(t *testing.T) []resultFile {
				return []resultFile{{"SUCCEEDED", "SUCCEEDED_0.json", []byte{}}, {"SUCCEEDED", "SUCCEEDED_1.json", []byte(" \n\n")}}
			},
			want: maprun.Total{SumOfSquares: "0", Failed: []job.Failure{}},
		},
		{
			name: "several SUCCEEDED files",
			files: func(t *testing.T) []resultFile {
				return []resultFile{
					{"SUCCEEDED", "SUCCEEDED_0.json", jsonLines(t, out(2, 10, "385"), out(1, 1, "4", bad))},
					{"SUCCEEDED", "SUCCEEDED_1.json", jsonLines(t, out(1, 3, "0014"))},
				}
			},
			want: maprun.Total{Objects: 4, Count: 14, SumOfSquares: "403", FailedObjects: 1, Failed: []job.Failure{bad}},
		},
		{
			name: "SUCCEEDED and FAILED files",
			files: func(t *testing.T) []resultFile {
				return []resultFile{{"SUCCEEDED", "SUCCEEDED_0.json", jsonLines(t, out(2, 10, "385"), out(1, 1, "4"))},
					{"FAILED", "FAILED_0.json", jsonLines(t,
						execution(t, "FAILED", batchOf("e"), nil, "TimeoutError", "stopped"))},
				}
			},
			want: maprun.Total{Objects: 3, Count: 11, SumOfSquares: "389", FailedObjects: 1,
				Failed: []job.Failure{{Bucket: "data", Key: "e", Error: "TimeoutError", Cause: "stopped"}}},
		},
		{
			// A file's last record has no newline after it.
			name: "no newline at the end",
			files: func(t *testing.T) []resultFile {
				return []resultFile{{"SUCCEEDED", "SUCCEEDED_0.json", bytes.TrimSuffix(jsonLines(t, out(2, 10, "385"), out(1, 2, "13")), []byte("\n"))}}
			},
			want: maprun.Total{Objects: 3, Count: 12, SumOfSquares: "398", Failed: []job.Failure{}},
		},
		{
			// The batch would have skipped the Map's own result files: the
			// total counts them as skipped, not as failed.
			name: "FAILED batch with result files",
			files: func(t *testing.T) []resultFile {
				b := batchOf("a", "results/old/manifest.json")
				b.BatchInput = &job.BatchInput{Bucket: "data", ResultsPrefix: "results/"}
				return []resultFile{{"FAILED", "FAILED_0.json", jsonLines(t,
					execution(t, "FAILED", b, nil, "TimeoutError", "late"))}}
			},
			want: maprun.Total{SumOfSquares: "0", FailedObjects: 1, SkippedObjects: 1, Failed: []job.Failure{
				{Bucket: "data", Key: "a", Error: "TimeoutError", Cause: "late"}}},
		},
		{
			name: "status unknown to the manifest's documentation",
			files: func(t *testing.T) []resultFile {
				return []resultFile{{"ABORTED", "ABORTED_0.json", jsonLines(t,
					execution(t, "ABORTED", batchOf("a", "b"), nil, "States.Aborted", ""))}}
			},
			want: maprun.Total{SumOfSquares: "0", FailedObjects: 2, Failed: []job.Failure{
				{Bucket: "data", Key: "a", Error: "States.Aborted", Cause: "child execution exec ended with status ABORTED"},
				{Bucket: "data", Key: "b", Error: "States.Aborted", Cause: "child execution exec ended with status ABORTED"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &memstore.Store{}
			e := putRun(t, st, manifestKey, tt.want.Objects+tt.want.FailedObjects+tt.want.SkippedObjects, tt.files(t)...)
			got, err := maprun.Read(context.Background(), newSummer(st), e)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Total = %+v, %v; want %+v, nil", got, err, tt.want)
			}
		})
	}
}

// randomSum returns a decimal sum of n squares of random numbers of up to
// digits digits, and adds it to total.
func randomSum(r *rand.Rand, n, digits int, total *big.Int) string {
	sum := new(big.Int)
	for range n {
		d := make([]byte, 1+r.IntN(digits))
		for i := range d {
			d[i] = byte('0' + r.IntN(10))
		}
		v, _ := new(big.Int).SetString(string(d), 10)
		sum.Add(sum, v.Mul(v, v))
	}
	total.Add(total, sum)
	return sum.String()
}

// TestTotalLargeSums sums batch subtotals far beyond 128 bits, up to the
// longest numbers the parser accepts, and compares with math/big.
func TestTotalLargeSums(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	st := &memstore.Store{}
	want := new(big.Int)
	var count int64
	var files []resultFile
	for f := range 3 {
		var records []any
		for b := range 40 {
			n := 1 + r.IntN(20)
			digits := 40 // squares of 256 bits and more
			if b%10 == 0 {
				digits = sumsq.DefaultMaxDigits
			}
			sum := randomSum(r, n, digits, want)
			count += int64(n)
			records = append(records, job.BatchResult{Objects: 1, Count: int64(n), SumOfSquares: sum, Failed: []job.Failure{}})
		}
		files = append(files, resultFile{"SUCCEEDED", fmt.Sprintf("SUCCEEDED_%d.json", f), jsonLines(t, records...)})
	}
	e := putRun(t, st, manifestKey, 120, files...)
	got, err := maprun.Read(context.Background(), newSummer(st), e)
	if err != nil || got.SumOfSquares != want.String() || got.Objects != 120 || got.Count != count {
		t.Fatalf("Total = {Objects: %d, Count: %d, %d digits}, %v; want {120, %d, %d digits}, nil",
			got.Objects, got.Count, len(got.SumOfSquares), err, count, len(want.String()))
	}
	if want.BitLen() <= 128 {
		t.Fatalf("test sum has %d bits; want more than 128", want.BitLen())
	}
}

// TestTotalResumesBrokenFile reads a result file whose body breaks off
// once: the total is exact and the file is read on from where it broke.
func TestTotalResumesBrokenFile(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	srv := s3test.NewServer(t, resultsBucket)
	want := new(big.Int)
	var records []any
	for range 200 {
		records = append(records, job.BatchResult{Objects: 1, Count: 5, SumOfSquares: randomSum(r, 5, 300, want), Failed: []job.Failure{}})
	}
	body := jsonLines(t, records...)
	e := putRun(t, s3Objects{t, srv}, manifestKey, 200, resultFile{"SUCCEEDED", "SUCCEEDED_0.json", body})
	srv.Hook(resultsBucket, runDir+"SUCCEEDED_0.json", s3test.BreakAfter(int64(len(body)/2), 1))

	got, err := maprun.Read(context.Background(), newSummer(s3store.New(srv.Client())), e)
	if err != nil || got.SumOfSquares != want.String() || got.Count != 1000 {
		t.Fatalf("Total = {Count: %d, sum equal: %v}, %v; want {1000, true}, nil",
			got.Count, got.SumOfSquares == want.String(), err)
	}
	if n := srv.Requests(http.MethodGet, resultsBucket, runDir+"SUCCEEDED_0.json"); n != 2 {
		t.Errorf("GET requests = %d; want 2", n)
	}
}

// readFailures reads the JSON Lines list of failures at loc, where st
// says the list of the run's failures is.
func readFailures(t *testing.T, st *memstore.Store, loc string) []job.Failure {
	t.Helper()
	bucket, key, _ := strings.Cut(strings.TrimPrefix(loc, "mem://"), "/")
	if loc != st.Location(bucket, key) {
		t.Fatalf("FailuresLocation = %q; want mem://bucket/key", loc)
	}
	body, ok := st.Get(bucket, key)
	if !ok {
		t.Fatalf("%s not written", loc)
	}
	var got []job.Failure
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var f job.Failure
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("line %d of %s: %v", len(got)+1, loc, err)
		}
		got = append(got, f)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading %s: %v", loc, err)
	}
	return got
}

// TestTotalManyFailures has more failures than Total.Failed lists: the
// first are listed, and all of them are written next to the manifest.
func TestTotalManyFailures(t *testing.T) {
	st := &memstore.Store{}
	var want []job.Failure
	var succeeded, failed []any
	for b := range 15 { // 15 batches of 10 objects, 3 of them failed in each
		var fs []job.Failure
		for i := range 3 {
			fs = append(fs, job.Failure{Bucket: "data", Key: fmt.Sprintf("in/%02d/%d", b, i),
				Error: "InvalidContentError", Cause: fmt.Sprintf("line %d: not an integer", i+1)})
		}
		want = append(want, fs...)
		succeeded = append(succeeded, job.BatchResult{Objects: 7, Count: 7, SumOfSquares: "7", FailedObjects: 3, Failed: fs})
	}
	for b := range 20 { // 20 failed batches of 10 objects
		var keys []string
		for i := range 10 {
			keys = append(keys, fmt.Sprintf("out/%02d/%d", b, i))
		}
		failed = append(failed, execution(t, "FAILED", batchOf(keys...), nil, "States.Timeout", "batch "+fmt.Sprint(b)))
		for _, k := range keys {
			want = append(want, job.Failure{Bucket: "data", Key: k, Error: "States.Timeout", Cause: "batch " + fmt.Sprint(b)})
		}
	}
	e := putRun(t, st, manifestKey, 350,
		resultFile{"SUCCEEDED", "SUCCEEDED_0.json", jsonLines(t, succeeded...)},
		resultFile{"FAILED", "FAILED_0.json", jsonLines(t, failed...)})

	got, err := maprun.Read(context.Background(), newSummer(st), e)
	wantLoc := failuresLocation(st)
	if err != nil || got.FailedObjects != 245 || got.Objects != 105 || got.SumOfSquares != "105" || got.FailuresLocation != wantLoc {
		t.Fatalf("Total = {Objects: %d, SumOfSquares: %s, FailedObjects: %d, FailuresLocation: %q}, %v; want {105, 105, 245, %q}, nil",
			got.Objects, got.SumOfSquares, got.FailedObjects, got.FailuresLocation, err, wantLoc)
	}
	if !reflect.DeepEqual(got.Failed, want[:job.MaxListedFailures]) {
		t.Errorf("Failed = %+v; want the first %d failures %+v", got.Failed, job.MaxListedFailures, want[:job.MaxListedFailures])
	}
	if all := readFailures(t, st, got.FailuresLocation); !reflect.DeepEqual(all, want) {
		t.Errorf("%s holds %d failures %+v; want %d %+v", got.FailuresLocation, len(all), all, len(want), want)
	}
}

// TestTotalOutputBound checks the JSON of a Total against the payload
// limit with the largest keys, causes and sums there can be.
func TestTotalOutputBound(t *testing.T) {
	// The longest sum: squares of numbers of the most digits a Summer may
	// be configured for, as many as an int64 can count.
	nines := strings.Repeat("9", job.MaxDigitsLimit)
	v, _ := new(big.Int).SetString(nines, 10)
	maxCount := int64(1<<63 - 1)
	longest := new(big.Int).Mul(v.Mul(v, v), big.NewInt(maxCount)).String()

	tests := []struct {
		name      string
		keyRune   string // a key is 1,024 bytes of these
		causeRune string // a cause is 32 KiB of these
		listed    int    // failures Failed must hold; 0: as many as fit
	}{
		{"plain", "k", "c", job.MaxListedFailures},
		{"3-byte runes", "€", "€", job.MaxListedFailures},
		{"keys JSON escapes", "<", "c", 0}, // \u003c: 6 bytes a byte
		{"control bytes", "\x01", "\x02", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &memstore.Store{}
			key := func(i int) string {
				k := fmt.Sprintf("%d/", i)
				return k + strings.Repeat(tt.keyRune, (1024-len(k))/len(tt.keyRune))
			}
			cause := strings.Repeat(tt.causeRune, (32<<10)/len(tt.causeRune))
			var records []any
			var keys []string
			for i := range 150 {
				keys = append(keys, key(i))
			}
			// One batch with the longest sum, and 150 objects failed in
			// batches with the longest error names and causes.
			records = append(records, job.BatchResult{Objects: 1, Count: maxCount, SumOfSquares: longest, Failed: []job.Failure{}})
			// The failed batches are as large as the template lets a batch
			// be, as their inputs must.
			var failed []any
			for len(keys) > 0 {
				n := 1
				for n < len(keys) && inputSize(t, batchOf(keys[:n+1]...)) <= job.MaxBatchInputBytes {
					n++
				}
				failed = append(failed, execution(t, "FAILED", batchOf(keys[:n]...), nil, strings.Repeat("E", 1000), cause))
				keys = keys[n:]
			}
			keys = nil
			for i := range 150 {
				keys = append(keys, key(i))
			}
			// The manifest's key is as long as S3 allows, and so is the
			// location's.
			dir := "results/" + strings.Repeat(tt.keyRune, (s3store.MaxKeyBytes-len("results//SUCCEEDED_0.json"))/len(tt.keyRune)) + "/"
			e := putRun(t, st, dir+"manifest.json", 151,
				resultFile{"SUCCEEDED", "SUCCEEDED_0.json", jsonLines(t, records...)},
				resultFile{"FAILED", "FAILED_0.json", jsonLines(t, failed...)})

			s := newSummer(st)
			s.MaxDigits = job.MaxDigitsLimit
			got, err := maprun.Read(context.Background(), s, e)
			if err != nil {
				t.Fatalf("Total: %v", err)
			}
			b, _ := job.Marshal(got)
			if len(b) >= payloadLimit {
				t.Errorf("job.Marshal(Total) is %d bytes; want under %d", len(b), payloadLimit)
			}
			t.Logf("%s: %d bytes, %d failures listed, sum of %d digits", tt.name, len(b), len(got.Failed), len(got.SumOfSquares))
			if got.SumOfSquares != longest || got.FailedObjects != 150 || got.FailuresLocation == "" {
				t.Errorf("Total = {%d digits, FailedObjects: %d, FailuresLocation: %q}; want {%d digits, 150, s3://…}",
					len(got.SumOfSquares), got.FailedObjects, got.FailuresLocation, len(longest))
			}
			if tt.listed > 0 && len(got.Failed) != tt.listed {
				t.Errorf("len(Failed) = %d; want %d", len(got.Failed), tt.listed)
			}
			for i, f := range got.Failed {
				if f.Key != keys[i] || len(f.Cause) > job.MaxListedCauseBytes {
					t.Fatalf("Failed[%d] = {Key: %.20q…, %d-byte Cause}; want {Key: %.20q…, at most %d bytes}",
						i, f.Key, len(f.Cause), keys[i], job.MaxListedCauseBytes)
				}
			}
			all := readFailures(t, st, got.FailuresLocation)
			if len(all) != 150 {
				t.Fatalf("%d failures in the file; want 150", len(all))
			}
			for i, f := range all {
				if f.Key != keys[i] || len(f.Cause) > job.MaxCauseBytes {
					t.Fatalf("file line %d = {Key: %.20q…, %d-byte Cause}; want {Key: %.20q…, at most %d bytes}",
						i+1, f.Key, len(f.Cause), keys[i], job.MaxCauseBytes)
				}
			}
		})
	}
}

// TestTotalInvalid gives the total results it must not believe.
func TestTotalInvalid(t *testing.T) {
	ok := job.BatchResult{Objects: 1, Count: 1, SumOfSquares: "4", Failed: []job.Failure{}}
	// lines is a result file of the given lines, JSON or not.
	lines := func(texts ...string) []byte { return []byte(strings.Join(texts, "\n") + "\n") }
	tests := []struct {
		name    string
		files   []resultFile
		wantKey string // the file InvalidResultsError names
		reason  string // in its Reason
	}{
		{"manifest not JSON", []resultFile{{"", "manifest.json", []byte("<html>")}}, manifestKey, "invalid character"},
		{"manifest null", []resultFile{{"", "manifest.json", []byte("null")}}, manifestKey, "manifest has no DestinationBucket, MapRunArn, ResultFiles"},
		{"manifest empty object", []resultFile{{"", "manifest.json", []byte("{}")}}, manifestKey, "manifest has no DestinationBucket, MapRunArn, ResultFiles"},
		{"manifest without ResultFiles", []resultFile{{"", "manifest.json", []byte(`{"DestinationBucket": "data", "MapRunArn": "` + mapRunArn + `"}`)}}, manifestKey, "manifest has no ResultFiles"},
		{"ResultFiles null", []resultFile{{"", "manifest.json", manifestOf(`null`)}}, manifestKey, "manifest has no ResultFiles"},
		{"manifest without MapRunArn", []resultFile{{"", "manifest.json", []byte(`{"DestinationBucket": "data", "ResultFiles": {}}`)}}, manifestKey, "manifest has no MapRunArn"},
		{"manifest without DestinationBucket", []resultFile{{"", "manifest.json", []byte(`{"MapRunArn": "` + mapRunArn + `", "ResultFiles": {}}`)}}, manifestKey, "manifest has no DestinationBucket"},
		{"group null", []resultFile{{"", "manifest.json", manifestOf(`{"SUCCEEDED": null}`)}}, manifestKey, "ResultFiles.SUCCEEDED is null, not a list of files"},
		{"group an object", []resultFile{{"", "manifest.json", manifestOf(`{"FAILED": {"Key": "x"}}`)}}, manifestKey, `ResultFiles.FAILED is {"Key": "x"}, not a list of files`},
		{"manifest an array", []resultFile{{"", "manifest.json", []byte(`[{"ResultFiles": {}}]`)}}, manifestKey, "cannot unmarshal array"},
		{"manifest twice", []resultFile{{"", "manifest.json", append(manifestOf(`{}`), " {}"...)}}, manifestKey, "data after the manifest"},
		{"manifest of another run", []resultFile{{"", "manifest.json", []byte(`{"DestinationBucket": "data", "MapRunArn": "arn:other", "ResultFiles": {}}`)}}, manifestKey, "Map Run arn:other"},
		{"manifest of another bucket", []resultFile{{"", "manifest.json", []byte(`{"DestinationBucket": "other", "MapRunArn": "` + mapRunArn + `", "ResultFiles": {}}`)}}, manifestKey, `manifest names bucket "other", not "data"`},
		{"result file missing", []resultFile{{"", "manifest.json", manifestOf(`{"SUCCEEDED": [{"Key": "` + runDir + `gone.json", "Size": 2}]}`)}}, runDir + "gone.json", "not found"},
		{"result file of another run", []resultFile{{"", "manifest.json", manifestOf(`{"SUCCEEDED": [{"Key": "results/other/SUCCEEDED_0.json"}]}`)}}, manifestKey, `"results/other/SUCCEEDED_0.json" is not a result file of this run`},
		{"result file outside results", []resultFile{{"", "manifest.json", manifestOf(`{"SUCCEEDED": [{"Key": "today/random_1.log"}]}`)}}, manifestKey, `"today/random_1.log" is not a result file of this run`},
		{"result file in a folder", []resultFile{{"", "manifest.json", manifestOf(`{"SUCCEEDED": [{"Key": "` + runDir + `sub/S.json"}]}`)}}, manifestKey, "is not a result file of this run"},
		{"manifest as a result file", []resultFile{{"", "manifest.json", manifestOf(`{"SUCCEEDED": [{"Key": "` + manifestKey + `"}]}`)}}, manifestKey, "is not a result file of this run"},
		{"result file twice", []resultFile{{"", "manifest.json", manifestOf(`{"SUCCEEDED": [{"Key": "` + runDir + `S.json"}, {"Key": "` + runDir + `S.json"}]}`)}}, manifestKey, "ResultFiles.SUCCEEDED[1]: " + strconv.Quote(runDir+"S.json") + " is listed twice (also under SUCCEEDED)"},
		{"result file under two statuses", []resultFile{{"", "manifest.json", manifestOf(`{"FAILED": [{"Key": "` + runDir + `S.json"}], "SUCCEEDED": [{"Key": "` + runDir + `S.json"}]}`)}}, manifestKey, "ResultFiles.FAILED[0]: " + strconv.Quote(runDir+"S.json") + " is listed twice (also under SUCCEEDED)"},
		{"negative Size", []resultFile{{"", "manifest.json", manifestOf(`{"SUCCEEDED": [{"Key": "` + runDir + `S.json", "Size": -1}]}`)}}, manifestKey, "negative Size -1"},
		{"result file without Key", []resultFile{{"", "manifest.json", manifestOf(`{"SUCCEEDED": [{"Size": 2}]}`)}}, manifestKey, "ResultFiles.SUCCEEDED[0] has no Key"},
		{"file not JSON", []resultFile{{"SUCCEEDED", "S.json", []byte("SUCCEEDED")}}, runDir + "S.json", `record 1: 'S' where a JSON object belongs`},
		{"file truncated", []resultFile{{"SUCCEEDED", "S.json", jsonLines(t, ok, ok)[:20]}}, runDir + "S.json", "record 1: unexpected end of file"},
		{"a record truncated", []resultFile{{"SUCCEEDED", "S.json", bytes.TrimSuffix(jsonLines(t, ok, ok), []byte("}\n"))}}, runDir + "S.json", "record 2: unexpected end of file"},
		// OutputType JSON: not what the template writes.
		{"a JSON array", []resultFile{{"SUCCEEDED", "S.json", mustJSON(t, []any{ok, ok})}}, runDir + "S.json", "record 1: '[' where a JSON object belongs"},
		{"record a number", []resultFile{{"SUCCEEDED", "S.json", jsonLines(t, ok, 7)}}, runDir + "S.json", "record 2: '7' where a JSON object belongs"},
		{"record not JSON inside", []resultFile{{"SUCCEEDED", "S.json", lines(`{"objects": 1, oops}`)}}, runDir + "S.json", "record 1: invalid character 'o'"},
		{"bare output in a FAILED file", []resultFile{{"FAILED", "F.json", jsonLines(t, job.BatchResult{Objects: 1, Count: 1, SumOfSquares: "1", Failed: []job.Failure{}})}}, runDir + "F.json", "record 1: a bare output in a FAILED file"},
		// Transformation NONE: not what the template writes.
		{"a record in a SUCCEEDED file", []resultFile{{"SUCCEEDED", "S.json", jsonLines(t, ok, execution(t, "SUCCEEDED", batchOf("a"), ok, "", ""))}}, runDir + "S.json",
			"record 2: a child execution's record in a SUCCEEDED file, as WriterConfig Transformation NONE writes it"},
		{"a SUCCEEDED record in a FAILED file", []resultFile{{"FAILED", "F.json", jsonLines(t, execution(t, "SUCCEEDED", batchOf("a"), ok, "", ""))}}, runDir + "F.json",
			"record 1: a SUCCEEDED child's record in a FAILED file"},
		{"output no batch result", []resultFile{{"SUCCEEDED", "S.json", lines(`{"count": 1, "sumOfSquares": "1"}`)}}, runDir + "S.json", "not a batch result"},
		{"sum negative", []resultFile{{"SUCCEEDED", "S.json", lines(`{"objects": 1, "count": 1, "sumOfSquares": "-4", "failed": []}`)}}, runDir + "S.json", `record 1: sumOfSquares "-4" is not a non-negative decimal integer`},
		{"sum a number", []resultFile{{"SUCCEEDED", "S.json", lines(`{"objects": 1, "count": 1, "sumOfSquares": 4, "failed": []}`)}}, runDir + "S.json", "cannot unmarshal number"},
		{"sum exponent", []resultFile{{"SUCCEEDED", "S.json", lines(`{"objects": 1, "count": 1, "sumOfSquares": "4e2", "failed": []}`)}}, runDir + "S.json", "not a non-negative decimal integer"},
		{"sum empty", []resultFile{{"SUCCEEDED", "S.json", lines(`{"objects": 1, "count": 1, "sumOfSquares": "", "failed": []}`)}}, runDir + "S.json", "not a non-negative decimal integer"},
		{"sum missing", []resultFile{{"SUCCEEDED", "S.json", lines(`{"objects": 1, "count": 1, "failed": []}`)}}, runDir + "S.json", "objects, count or sumOfSquares missing"},
		{"sum of no numbers", []resultFile{{"SUCCEEDED", "S.json", lines(`{"objects": 1, "count": 0, "sumOfSquares": "9", "failed": []}`)}}, runDir + "S.json", `sumOfSquares "9" of no numbers`},
		{"sum too long", []resultFile{{"SUCCEEDED", "S.json", lines(`{"objects": 1, "count": 1, "sumOfSquares": "1` + strings.Repeat("0", 2*sumsq.DefaultMaxDigits+1) + `", "failed": []}`)}}, runDir + "S.json", "more than 1 squares"},
		{"count negative", []resultFile{{"SUCCEEDED", "S.json", lines(`{"objects": 1, "count": -1, "sumOfSquares": "0", "failed": []}`)}}, runDir + "S.json", "negative count"},
		{"objects negative", []resultFile{{"SUCCEEDED", "S.json", lines(`{"objects": -1, "count": 0, "sumOfSquares": "0", "failed": []}`)}}, runDir + "S.json", "negative count"},
		{"count overflows", []resultFile{{"SUCCEEDED", "S.json", lines(
			`{"objects": 1, "count": 9223372036854775807, "sumOfSquares": "1", "failed": []}`,
			`{"objects": 1, "count": 1, "sumOfSquares": "1", "failed": []}`)}}, runDir + "S.json", "record 2: counts overflow int64"},
		{"failures not all named", []resultFile{{"SUCCEEDED", "S.json", lines(`{"objects": 1, "count": 1, "sumOfSquares": "1", "failedObjects": 2, "failed": [{"key": "x"}]}`)}}, runDir + "S.json", "failedObjects is 2 but failed names 1"},
		{"FAILED record without Input", []resultFile{{"FAILED", "F.json", lines(`{"Name": "n", "Status": "FAILED", "Error": "E"}`)}}, runDir + "F.json", "record 1: Input of FAILED execution n: missing"},
		{"FAILED record Input no objects", []resultFile{{"FAILED", "F.json", jsonLines(t, execution(t, "FAILED", map[string]int{"n": 1}, nil, "E", "C"))}}, runDir + "F.json", `not a batch: no "Items"`},
		{"record without Status", []resultFile{{"SUCCEEDED", "S.json", lines(`{"Output": "{}"}`)}}, runDir + "S.json", "a child execution's record in a SUCCEEDED file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &memstore.Store{}
			e := putRun(t, st, manifestKey, 1, tt.files...)
			got, err := maprun.Read(context.Background(), newSummer(st), e)
			var ire *job.InvalidResultsError
			if !errors.As(err, &ire) || ire.Key != tt.wantKey || !strings.Contains(ire.Reason, tt.reason) {
				t.Fatalf("Total = %+v, %v; want an InvalidResultsError for %s with %q", got, err, tt.wantKey, tt.reason)
			}
		})
	}
}

// TestTotalErrors checks the errors that are not the results' fault.
func TestTotalErrors(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	missing := "results/none/manifest.json"
	invalidEvent := func(reason string) func(error) bool {
		return func(err error) bool {
			var e *job.InvalidEventError
			return errors.As(err, &e) && strings.Contains(e.Reason, reason)
		}
	}
	tests := []struct {
		name  string
		ctx   context.Context     // nil: Background
		event func(*maprun.Event) // changes the run's event
		fail  error               // of the run's result file
		check func(error) bool
		want  string
	}{
		{"no ResultWriterDetails", nil, func(e *maprun.Event) { e.ResultWriterDetails = nil }, nil,
			invalidEvent("ResultWriterDetails needs a Bucket and a Key"), "InvalidEventError"},
		{"no Key", nil, func(e *maprun.Event) { e.ResultWriterDetails.Key = "" }, nil,
			invalidEvent("ResultWriterDetails needs a Bucket and a Key"), "InvalidEventError"},
		{"no MapRunArn", nil, func(e *maprun.Event) { e.MapRunArn = "" }, nil,
			invalidEvent("MapRunArn is required"), "InvalidEventError naming MapRunArn"},
		{"no ItemCounts", nil, func(e *maprun.Event) { e.ItemCounts = nil }, nil,
			invalidEvent("ItemCounts.Total is required"), "InvalidEventError naming ItemCounts.Total"},
		{"no ItemCounts.Total", nil, func(e *maprun.Event) { e.ItemCounts.Total = nil }, nil,
			invalidEvent("ItemCounts.Total is required"), "InvalidEventError naming ItemCounts.Total"},
		{"negative ItemCounts.Total", nil, func(e *maprun.Event) { e.ItemCounts.Total = ptr[int64](-1) }, nil,
			invalidEvent("ItemCounts.Total -1 is negative"), "InvalidEventError"},
		{"no ToleratedFailurePercentage", nil, func(e *maprun.Event) { e.ToleratedFailurePercentage = nil }, nil,
			invalidEvent("ToleratedFailurePercentage is required"), "InvalidEventError naming ToleratedFailurePercentage"},
		{"ToleratedFailurePercentage over 100", nil, func(e *maprun.Event) { e.ToleratedFailurePercentage = ptr(101) }, nil,
			invalidEvent("ToleratedFailurePercentage 101 is not from 0 to 100"), "InvalidEventError"},
		{"ToleratedFailurePercentage negative", nil, func(e *maprun.Event) { e.ToleratedFailurePercentage = ptr(-1) }, nil,
			invalidEvent("ToleratedFailurePercentage -1 is not from 0 to 100"), "InvalidEventError"},
		{"manifest missing", nil, func(e *maprun.Event) { e.ResultWriterDetails.Key = missing }, nil,
			func(err error) bool {
				var e *job.InvalidResultsError
				return errors.As(err, &e) && e.Key == missing
			}, "InvalidResultsError for " + missing},
		{"S3 unavailable", nil, nil, &job.StorageError{Kind: job.ErrUnavailable, Err: errors.New("SlowDown")},
			is[*job.S3UnavailableError], "S3UnavailableError"},
		{"access denied", nil, nil, &job.StorageError{Kind: job.ErrDenied, Err: errors.New("AccessDenied")},
			is[*job.AccessDeniedError], "AccessDeniedError"},
		{"deadline", canceled, nil, nil,
			is[*job.TimeoutError], "TimeoutError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &memstore.Store{}
			e := putRun(t, st, manifestKey, 0, resultFile{"SUCCEEDED", "S.json", []byte{}})
			if tt.event != nil {
				tt.event(&e)
			}
			st.Fail(resultsBucket, runDir+"S.json", tt.fail)
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			got, err := maprun.Read(ctx, newSummer(st), e)
			if !tt.check(err) {
				t.Fatalf("Total = %+v, %v (%T); want %s", got, err, err, tt.want)
			}
		})
	}
}

// TestTotalCountsItems checks the results against the Map Run's own count
// of its items: a total is given only when they account for every item,
// summed, failed or skipped; results that cover fewer (a manifest written
// after a redrive that names only the children it re-ran) or more are an
// InvalidResultsError naming both numbers.
func TestTotalCountsItems(t *testing.T) {
	out := func(objects, failed, skipped int64) job.BatchResult {
		r := job.BatchResult{Objects: objects, Count: objects, SumOfSquares: fmt.Sprint(objects), Failed: []job.Failure{},
			FailedObjects: failed, SkippedObjects: skipped}
		for i := range failed {
			r.Failed = append(r.Failed, job.Failure{Bucket: "data", Key: fmt.Sprint("bad/", i), Error: "InvalidContentError", Cause: "x"})
		}
		return r
	}
	files := func(t *testing.T) []resultFile {
		// 3 + 2 summed, 1 failed, 1 skipped, and a failed batch of 2: 9 items.
		return []resultFile{
			{"SUCCEEDED", "SUCCEEDED_0.json", jsonLines(t, out(3, 1, 1), out(2, 0, 0))},
			{"FAILED", "FAILED_0.json", jsonLines(t, execution(t, "FAILED", batchOf("f/1", "f/2"), nil, "States.Timeout", "late"))},
		}
	}
	for _, tt := range []struct {
		name   string
		items  int64
		reason string // "" for a total
	}{
		{"every item", 9, ""},
		{"a child execution left out", 11, "the results account for 9 objects (5 summed, 3 failed, 1 skipped) but the Map Run counted 11 items"},
		{"more than counted", 8, "the results account for 9 objects (5 summed, 3 failed, 1 skipped) but the Map Run counted 8 items"},
		{"a run of no items", 0, "but the Map Run counted 0 items"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := &memstore.Store{}
			e := putRun(t, st, manifestKey, tt.items, files(t)...)
			got, err := maprun.Read(context.Background(), newSummer(st), e)
			if tt.reason == "" {
				if err != nil || got.Objects != 5 || got.FailedObjects != 3 || got.SkippedObjects != 1 {
					t.Fatalf("Total = %+v, %v; want 5 summed, 3 failed, 1 skipped", got, err)
				}
				return
			}
			var ire *job.InvalidResultsError
			if !errors.As(err, &ire) || ire.Key != manifestKey || !strings.Contains(ire.Reason, tt.reason) {
				t.Fatalf("Total = %+v, %v; want an InvalidResultsError for %s with %q", got, err, manifestKey, tt.reason)
			}
			if _, written := st.Get(resultsBucket, runDir+maprun.FailuresFileName); written {
				t.Errorf("%s written; want none from incomplete results", maprun.FailuresFileName)
			}
		})
	}
}

// TestTotalTooManyFailures applies ToleratedFailurePercentage to the run's
// objects, a failed batch counting all its objects as the Map counts its
// items: over it, the list of every failure is written first, and the
// error names the threshold, the counts and the list.
func TestTotalTooManyFailures(t *testing.T) {
	// failed objects: per-object failures in succeeded batches, and the
	// objects of failed batches; skipped objects are not the run's.
	run := func(t *testing.T, summed, perObject, inFailedBatches, skipped int) []resultFile {
		r := job.BatchResult{Objects: int64(summed), Count: int64(summed), SumOfSquares: fmt.Sprint(summed),
			Failed: []job.Failure{}, SkippedObjects: int64(skipped)}
		for i := range perObject {
			r.Failed = append(r.Failed, job.Failure{Bucket: "data", Key: fmt.Sprintf("bad/%03d", i),
				Error: "InvalidContentError", Cause: `line 1 (byte 0): not an integer: "x"`})
		}
		r.FailedObjects = int64(len(r.Failed))
		files := []resultFile{{"SUCCEEDED", "SUCCEEDED_0.json", jsonLines(t, r)}}
		if inFailedBatches > 0 {
			var keys []string
			for i := range inFailedBatches {
				keys = append(keys, fmt.Sprintf("lost/%03d", i))
			}
			files = append(files, resultFile{"FAILED", "FAILED_0.json",
				jsonLines(t, execution(t, "FAILED", batchOf(keys...), nil, "BatchTimeoutError", "late"))})
		}
		return files
	}
	for _, tt := range []struct {
		name                                      string
		summed, perObject, inFailedBatch, skipped int
		percentage                                int
		tooMany                                   bool
	}{
		{"none failed, 0 %", 10, 0, 0, 0, 0, false},
		{"one failed, 0 %", 99, 1, 0, 0, 0, true},
		{"every object bad", 0, 10, 0, 0, 5, true},
		{"5 of 100 at 5 %", 95, 5, 0, 0, 5, false},
		{"6 of 100 at 5 %", 94, 6, 0, 0, 5, true},
		{"3 of 100 at 5 %", 97, 3, 0, 0, 5, false},
		{"1 of 3 at 33 %", 2, 1, 0, 0, 33, true},
		{"1 of 3 at 34 %", 2, 1, 0, 0, 34, false},
		{"a failed batch counts all its objects", 90, 1, 9, 0, 5, true},
		{"failed batches alone", 95, 0, 5, 0, 5, false},
		{"skipped objects are not the run's", 19, 1, 0, 1000, 5, false},
		{"all failed at 100 %", 0, 7, 3, 0, 100, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := &memstore.Store{}
			items := int64(tt.summed + tt.perObject + tt.inFailedBatch + tt.skipped)
			e := putRun(t, st, manifestKey, items, run(t, tt.summed, tt.perObject, tt.inFailedBatch, tt.skipped)...)
			e.ToleratedFailurePercentage = ptr(tt.percentage)
			got, err := maprun.Read(context.Background(), newSummer(st), e)
			failed, objects := int64(tt.perObject+tt.inFailedBatch), int64(tt.summed+tt.perObject+tt.inFailedBatch)
			loc := failuresLocation(st)
			if !tt.tooMany {
				if err != nil || got.FailedObjects != failed || got.Objects != int64(tt.summed) || got.FailuresLocation != "" {
					t.Fatalf("Total = %+v, %v; want %d summed, %d failed, every failure listed, nil", got, err, tt.summed, failed)
				}
				return
			}
			var tm *job.TooManyFailuresError
			if !errors.As(err, &tm) || job.ErrorType(err) != "TooManyFailuresError" {
				t.Fatalf("Total = %+v, %v (%T); want a TooManyFailuresError", got, err, err)
			}
			if tm.Failed != failed || tm.Objects != objects || tm.Percentage != tt.percentage || tm.Location != loc {
				t.Errorf("TooManyFailuresError = {Failed: %d, Objects: %d, Percentage: %d, Location: %q}; want {%d, %d, %d, %q}",
					tm.Failed, tm.Objects, tm.Percentage, tm.Location, failed, objects, tt.percentage, loc)
			}
			msg := err.Error()
			for _, want := range []string{fmt.Sprintf("%d of %d objects failed", failed, objects),
				fmt.Sprintf("the %d%% ToleratedFailurePercentage", tt.percentage), loc, tm.First.Key} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q; want it to contain %q", msg, want)
				}
			}
			// The list is written before the error: every failure, even a
			// list short enough for Total.Failed.
			if all := readFailures(t, st, loc); int64(len(all)) != failed || all[0] != tm.First {
				t.Errorf("%s holds %d failures, the first %+v; want %d, the first %+v", loc, len(all), all, failed, tm.First)
			}
		})
	}
}

// TestTotalManifestTooLarge: a manifest over MaxManifestBytes is refused
// as too large, naming the bound, not as a truncated document; one of
// exactly the bound is read.
func TestTotalManifestTooLarge(t *testing.T) {
	for _, tt := range []struct {
		name   string
		size   int
		reason string // "" for a total
	}{
		{"at the bound", maprun.MaxManifestBytes, ""},
		{"one byte over", maprun.MaxManifestBytes + 1, "manifest is larger than 16777216 bytes (16 MiB)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := &memstore.Store{}
			m := manifestOf(`{}`)
			m = append(m, bytes.Repeat([]byte(" "), tt.size-len(m))...)
			e := putRun(t, st, manifestKey, 0, resultFile{"", "manifest.json", m})
			got, err := maprun.Read(context.Background(), newSummer(st), e)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Total over a manifest of %d bytes = %v; want a total", tt.size, err)
				}
				return
			}
			var ire *job.InvalidResultsError
			if !errors.As(err, &ire) || !strings.Contains(ire.Reason, tt.reason) {
				t.Fatalf("Total = %+v, %v; want an InvalidResultsError with %q", got, err, tt.reason)
			}
		})
	}
}

// TestTotalFailuresNotWritten checks the errors of writing the list of
// all failures: a role without s3:PutObject on the results is permanent.
func TestTotalFailuresNotWritten(t *testing.T) {
	var keys []string
	for i := range job.MaxListedFailures + 1 {
		keys = append(keys, fmt.Sprint(i))
	}
	failed := execution(t, "FAILED", batchOf(keys...), nil, "TimeoutError", "late")
	tests := []struct {
		name  string
		fail  error // of the list's Put
		check func(error) bool
		want  string
	}{
		{"S3 unavailable", &job.StorageError{Kind: job.ErrUnavailable, Err: errors.New("SlowDown")}, is[*job.S3UnavailableError], "S3UnavailableError"},
		{"access denied", &job.StorageError{Kind: job.ErrDenied, Err: errors.New("AccessDenied")}, is[*job.AccessDeniedError], "AccessDeniedError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &memstore.Store{}
			e := putRun(t, st, manifestKey, int64(len(keys)), resultFile{"FAILED", "FAILED_0.json", jsonLines(t, failed)})
			st.Fail(resultsBucket, runDir+maprun.FailuresFileName, tt.fail)
			got, err := maprun.Read(context.Background(), newSummer(st), e)
			if !tt.check(err) {
				t.Fatalf("Total = %+v, %v (%T); want %s", got, err, err, tt.want)
			}
		})
	}
}

// A total with more failures than it lists keeps them all in a temporary
// file: when that cannot be written, the error is a FailureListError, not
// one the runtime would report as wrapError.
func TestTotalFailureListNotKept(t *testing.T) {
	var keys []string
	for i := range job.MaxListedFailures + 1 {
		keys = append(keys, fmt.Sprint(i))
	}
	st := &memstore.Store{}
	e := putRun(t, st, manifestKey, int64(len(keys)), resultFile{"FAILED", "FAILED_0.json",
		jsonLines(t, execution(t, "FAILED", batchOf(keys...), nil, "TimeoutError", "late"))})
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	got, err := maprun.Read(context.Background(), newSummer(st), e)
	if !is[*job.FailureListError](err) || job.ErrorType(err) != "FailureListError" {
		t.Fatalf("Total with no temporary storage = %+v, %v (%T); want a FailureListError", got, err, err)
	}
}

// TestTotalTwice runs the same total twice, as a retry of the Total step
// would: the same result, and the list of failures written over.
func TestTotalTwice(t *testing.T) {
	var keys []string
	for i := range 2 * job.MaxListedFailures {
		keys = append(keys, fmt.Sprint(i))
	}
	st := &memstore.Store{}
	e := putRun(t, st, manifestKey, int64(len(keys)), resultFile{"FAILED", "FAILED_0.json",
		jsonLines(t, execution(t, "FAILED", batchOf(keys...), nil, "TimeoutError", "late"))})
	s := newSummer(st)
	first, err1 := maprun.Read(context.Background(), s, e)
	second, err2 := maprun.Read(context.Background(), s, e)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(first, second) {
		t.Fatalf("Total twice = %+v, %v and %+v, %v; want the same twice", first, err1, second, err2)
	}
	if all := readFailures(t, st, second.FailuresLocation); len(all) != len(keys) {
		t.Errorf("%s holds %d failures; want %d", second.FailuresLocation, len(all), len(keys))
	}
}

// is reports whether err is or wraps an error of type E.
func is[E error](err error) bool {
	var e E
	return errors.As(err, &e)
}

// hugeRecord serves a result file whose one element is n bytes long,
// generated as it is sent.
func hugeRecord(n int64) s3test.Hook {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		w.Header().Set("Content-Length", strconv.FormatInt(hugeRecordSize(n), 10))
		w.Header().Set("ETag", `"huge"`)
		w.Write(hugeHead)
		pad := bytes.Repeat([]byte("x"), 1<<20)
		for left := n; left > 0; left -= int64(len(pad)) {
			if _, err := w.Write(pad[:min(left, int64(len(pad)))]); err != nil {
				return // the reader has gone
			}
		}
		w.Write(hugeTail)
	}
}

var (
	hugeHead = []byte(`{"objects": 1, "count": 1, "sumOfSquares": "1", "failed": [], "pad": "`)
	hugeTail = []byte("\"}\n")
)

func hugeRecordSize(n int64) int64 { return int64(len(hugeHead)) + n + int64(len(hugeTail)) }

// TestTotalRecordTooLarge gives the Total a result file, streamed from S3,
// whose one record is 300 MB: no record Step Functions writes is, so it is
// an InvalidResultsError, found without reading it whole: the heap stays
// small.
func TestTotalRecordTooLarge(t *testing.T) {
	srv := s3test.NewServer(t, resultsBucket)
	const n = 300 << 20
	manifest := manifestOf(fmt.Sprintf(`{"SUCCEEDED": [{"Key": %q, "Size": %d}]}`, runDir+"S.json", hugeRecordSize(n)))
	e := putRun(t, s3Objects{t, srv}, manifestKey, 1, resultFile{"", "manifest.json", manifest})
	srv.Hook(resultsBucket, runDir+"S.json", hugeRecord(n))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := maprun.Read(context.Background(), newSummer(s3store.New(srv.Client())), e)
	runtime.ReadMemStats(&after)
	var ire *job.InvalidResultsError
	if !errors.As(err, &ire) || !strings.Contains(ire.Reason, "record 1 is larger than") {
		t.Fatalf("Total over a 300 MB record = %v; want an InvalidResultsError: record 1 is larger than ...", err)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d KiB", allocated>>10)
	if allocated > 16<<20 {
		t.Errorf("Total allocated %d MiB for a 300 MB record; want at most 16 MiB", allocated>>20)
	}
}

// TestTotalRecordsUpToTheLimit: records of nearly MaxRecordBytes are read.
func TestTotalRecordsUpToTheLimit(t *testing.T) {
	st := &memstore.Store{}
	out := job.BatchResult{Objects: 1, Count: 1, SumOfSquares: "4", Failed: []job.Failure{}}
	b := mustJSON(t, out)
	pad := maprun.MaxRecordBytes - len(b) - len(`,"pad":""`)
	big := append(b[:len(b)-1:len(b)-1], []byte(`,"pad":"`+strings.Repeat("x", pad)+`"}`)...)
	if len(big) != maprun.MaxRecordBytes {
		t.Fatalf("record of %d bytes; want %d", len(big), maprun.MaxRecordBytes)
	}
	body := append(big, '\n')
	e := putRun(t, st, manifestKey, 1, resultFile{"SUCCEEDED", "S.json", body})
	got, err := maprun.Read(context.Background(), newSummer(st), e)
	if err != nil || got.SumOfSquares != "4" {
		t.Fatalf("Total over a record of MaxRecordBytes = %+v, %v; want sum 4", got, err)
	}
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
