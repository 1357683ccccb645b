package job_test

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

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/sumsq/sumsq/internal/job"
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

// putRun stores the result files in manifestKey's directory in srv, and a manifest
// listing them, or the one in files, as manifestKey. It returns the event
// for the total.
func putRun(t *testing.T, srv *s3test.Server, manifestKey string, files ...resultFile) job.TotalEvent {
	t.Helper()
	listed := map[string][]map[string]any{"FAILED": {}, "PENDING": {}, "SUCCEEDED": {}}
	var manifest []byte
	dir, _ := path.Split(manifestKey)
	for _, f := range files {
		if f.status == "" {
			manifest = f.body
			continue
		}
		srv.Put(t, resultsBucket, dir+f.name, f.body)
		listed[f.status] = append(listed[f.status], map[string]any{"Key": dir + f.name, "Size": len(f.body)})
	}
	if manifest == nil {
		manifest = mustJSON(t, map[string]any{
			"DestinationBucket": resultsBucket,
			"MapRunArn":         mapRunArn,
			"ResultFiles":       listed,
		})
	}
	srv.Put(t, resultsBucket, manifestKey, manifest)
	return job.TotalEvent{
		MapRunArn:           mapRunArn,
		ResultWriterDetails: &job.ResultWriterDetails{Bucket: resultsBucket, Key: manifestKey},
	}
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
	b := job.Batch{BatchInput: json.RawMessage(`{}`)}
	for _, k := range keys {
		size := int64(len(k))
		b.Items = append(b.Items, job.Object{Bucket: resultsBucket, Key: k, Size: &size})
	}
	return b
}

// jsonArray is a result file of the default OutputType, JSON.
func jsonArray(t testing.TB, records ...any) []byte {
	t.Helper()
	return mustJSON(t, records)
}

// jsonLines is a result file of OutputType JSONL.
func jsonLines(t testing.TB, records ...any) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, r := range records {
		b.Write(mustJSON(t, r))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func newSummer(srv *s3test.Server) *job.Summer {
	return &job.Summer{Storage: s3store.New(srv.Client()), ResultsPrefix: "results/"}
}

// TestTotalRun totals the run in testdata/total/run, written as AWS
// documents it for the template's WriterConfig (COMPACT): two SUCCEEDED
// files of batch results, and the whole records of a batch that failed
// after its retries and of one left pending.
func TestTotalRun(t *testing.T) {
	srv := s3test.NewServer(t, resultsBucket)
	var files []resultFile
	for _, f := range []struct{ status, name string }{
		{"", "manifest.json"},
		{"SUCCEEDED", "SUCCEEDED_0.json"},
		{"SUCCEEDED", "SUCCEEDED_1.json"},
		{"FAILED", "FAILED_0.json"},
		{"PENDING", "PENDING_0.json"},
	} {
		body, err := os.ReadFile(filepath.Join("testdata", "total", "run", f.name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, resultFile{f.status, f.name, body})
	}
	e := putRun(t, srv, manifestKey, files...)

	got, err := newSummer(srv).Total(context.Background(), e)

	s3Cause := `{"errorMessage":"s3://data/today/f.txt: S3 unavailable: api error SlowDown: Please reduce your request rate.","errorType":"S3UnavailableError"}`
	want := job.Total{
		Objects:       5, // a, b, c, empty and d
		Count:         8,
		SumOfSquares:  "180", // 1+4+9 + 9+16 + 16+25 + 100
		FailedObjects: 5,
		Failed: []job.Failure{
			{Bucket: "data", Key: "today/bad.txt", Error: "InvalidContentError", Cause: `s3://data/today/bad.txt: line 2 (byte 2): not an integer: "x"`},
			{Bucket: "data", Key: "today/e.txt", Error: "S3UnavailableError", Cause: s3Cause},
			{Bucket: "data", Key: "today/f.txt", Error: "S3UnavailableError", Cause: s3Cause},
			{Bucket: "data", Key: "today/g.txt", Error: "S3UnavailableError", Cause: s3Cause},
			{Bucket: "data", Key: "today/h.txt", Error: job.MapItemPending,
				Cause: "child execution 00000005-6b1c-4d8e-9f2a-000000000005 ended with status PENDING"},
		},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Total = %+v, %v; want %+v, nil", got, err, want)
	}
	if n := srv.Requests(http.MethodPut, resultsBucket, runDir+job.FailuresFileName); n != 0 {
		t.Errorf("PUT %s: %d requests; want none, Failed lists every failure", job.FailuresFileName, n)
	}
}

// TestTotalLayouts covers the ResultWriter's other documented layouts and
// the edges of the default one.
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
		want  job.Total
	}{
		{
			name:  "no results",
			files: func(t *testing.T) []resultFile { return nil },
			want:  job.Total{SumOfSquares: "0", Failed: []job.Failure{}},
		},
		{
			// An empty run: whatever manifest AWS writes for it, its total is 0.
			name: "manifest without ResultFiles",
			files: func(t *testing.T) []resultFile {
				return []resultFile{{"", "manifest.json", []byte(`{"DestinationBucket": "data", "MapRunArn": "` + mapRunArn + `"}`)}}
			},
			want: job.Total{SumOfSquares: "0", Failed: []job.Failure{}},
		},
		{
			name: "ResultFiles null",
			files: func(t *testing.T) []resultFile {
				return []resultFile{{"", "manifest.json", []byte(`{"ResultFiles": null}`)}}
			},
			want: job.Total{SumOfSquares: "0", Failed: []job.Failure{}},
		},
		{
			name: "ResultFiles of empty lists",
			files: func(t *testing.T) []resultFile {
				return []resultFile{{"", "manifest.json", []byte(`{"ResultFiles": {"SUCCEEDED": [], "FAILED": [], "PENDING": []}}`)}}
			},
			want: job.Total{SumOfSquares: "0", Failed: []job.Failure{}},
		},
		{
			name: "empty array",
			files: func(t *testing.T) []resultFile {
				return []resultFile{{"SUCCEEDED", "SUCCEEDED_0.json", []byte(" [ ]\n")}}
			},
			want: job.Total{SumOfSquares: "0", Failed: []job.Failure{}},
		},
		{
			name: "several SUCCEEDED files",
			files: func(t *testing.T) []resultFile {
				return []resultFile{
					{"SUCCEEDED", "SUCCEEDED_0.json", jsonArray(t,
						execution(t, "SUCCEEDED", batchOf("a", "b"), out(2, 10, "385"), "", ""),
						execution(t, "SUCCEEDED", batchOf("c", "x"), out(1, 1, "4", bad), "", ""))},
					{"SUCCEEDED", "SUCCEEDED_1.json", jsonArray(t,
						execution(t, "SUCCEEDED", batchOf("d"), out(1, 3, "0014"), "", ""))},
				}
			},
			want: job.Total{Objects: 4, Count: 14, SumOfSquares: "403", FailedObjects: 1, Failed: []job.Failure{bad}},
		},
		{
			name: "JSONL output type",
			files: func(t *testing.T) []resultFile {
				return []resultFile{{"SUCCEEDED", "SUCCEEDED_0.jsonl", jsonLines(t,
					execution(t, "SUCCEEDED", batchOf("a", "b"), out(2, 10, "385"), "", ""),
					execution(t, "SUCCEEDED", batchOf("c"), out(1, 1, "4"), "", ""))},
					{"FAILED", "FAILED_0.jsonl", jsonLines(t,
						execution(t, "FAILED", batchOf("e"), nil, "TimeoutError", "stopped"))},
				}
			},
			want: job.Total{Objects: 3, Count: 11, SumOfSquares: "389", FailedObjects: 1,
				Failed: []job.Failure{{Bucket: "data", Key: "e", Error: "TimeoutError", Cause: "stopped"}}},
		},
		{
			name: "COMPACT transformation",
			files: func(t *testing.T) []resultFile {
				return []resultFile{{"SUCCEEDED", "SUCCEEDED_0.json", jsonArray(t,
					out(2, 10, "385"), out(1, 2, "13"))},
				}
			},
			want: job.Total{Objects: 3, Count: 12, SumOfSquares: "398", Failed: []job.Failure{}},
		},
		{
			// The batch would have skipped the Map's own result files: the
			// total counts them as skipped, not as failed.
			name: "FAILED batch with result files",
			files: func(t *testing.T) []resultFile {
				b := batchOf("a", "results/old/manifest.json")
				b.BatchInput = json.RawMessage(`{"bucket":"data","resultsPrefix":"results/"}`)
				return []resultFile{{"FAILED", "FAILED_0.json", jsonArray(t,
					execution(t, "FAILED", b, nil, "TimeoutError", "late"))}}
			},
			want: job.Total{SumOfSquares: "0", FailedObjects: 1, SkippedObjects: 1, Failed: []job.Failure{
				{Bucket: "data", Key: "a", Error: "TimeoutError", Cause: "late"}}},
		},
		{
			name: "status unknown to the manifest's documentation",
			files: func(t *testing.T) []resultFile {
				return []resultFile{{"ABORTED", "ABORTED_0.json", jsonArray(t,
					execution(t, "ABORTED", batchOf("a", "b"), nil, "States.Aborted", ""))}}
			},
			want: job.Total{SumOfSquares: "0", FailedObjects: 2, Failed: []job.Failure{
				{Bucket: "data", Key: "a", Error: "States.Aborted", Cause: "child execution exec ended with status ABORTED"},
				{Bucket: "data", Key: "b", Error: "States.Aborted", Cause: "child execution exec ended with status ABORTED"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := s3test.NewServer(t, resultsBucket)
			e := putRun(t, srv, manifestKey, tt.files(t)...)
			got, err := newSummer(srv).Total(context.Background(), e)
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
	srv := s3test.NewServer(t, resultsBucket)
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
			records = append(records, execution(t, "SUCCEEDED", batchOf("k"),
				job.BatchResult{Objects: 1, Count: int64(n), SumOfSquares: sum, Failed: []job.Failure{}}, "", ""))
		}
		files = append(files, resultFile{"SUCCEEDED", fmt.Sprintf("SUCCEEDED_%d.json", f), jsonArray(t, records...)})
	}
	e := putRun(t, srv, manifestKey, files...)
	got, err := newSummer(srv).Total(context.Background(), e)
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
		records = append(records, execution(t, "SUCCEEDED", batchOf("k"),
			job.BatchResult{Objects: 1, Count: 5, SumOfSquares: randomSum(r, 5, 300, want), Failed: []job.Failure{}}, "", ""))
	}
	body := jsonArray(t, records...)
	e := putRun(t, srv, manifestKey, resultFile{"SUCCEEDED", "SUCCEEDED_0.json", body})
	srv.Hook(resultsBucket, runDir+"SUCCEEDED_0.json", s3test.BreakAfter(int64(len(body)/2), 1))

	got, err := newSummer(srv).Total(context.Background(), e)
	if err != nil || got.SumOfSquares != want.String() || got.Count != 1000 {
		t.Fatalf("Total = {Count: %d, sum equal: %v}, %v; want {1000, true}, nil",
			got.Count, got.SumOfSquares == want.String(), err)
	}
	if n := srv.Requests(http.MethodGet, resultsBucket, runDir+"SUCCEEDED_0.json"); n != 2 {
		t.Errorf("GET requests = %d; want 2", n)
	}
}

// readFailures reads the JSON Lines list of failures at loc, an s3:// URL.
func readFailures(t *testing.T, srv *s3test.Server, loc string) []job.Failure {
	t.Helper()
	bucket, key, ok := strings.Cut(strings.TrimPrefix(loc, "s3://"), "/")
	if !ok || !strings.HasPrefix(loc, "s3://") {
		t.Fatalf("FailuresLocation = %q; want s3://bucket/key", loc)
	}
	out, err := srv.Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("GetObject(%s): %v", loc, err)
	}
	defer out.Body.Close()
	var got []job.Failure
	sc := bufio.NewScanner(out.Body)
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
	srv := s3test.NewServer(t, resultsBucket)
	var want []job.Failure
	var succeeded, failed []any
	for b := range 15 { // 15 batches of 10 objects, 3 of them failed in each
		var fs []job.Failure
		for i := range 3 {
			fs = append(fs, job.Failure{Bucket: "data", Key: fmt.Sprintf("in/%02d/%d", b, i),
				Error: "InvalidContentError", Cause: fmt.Sprintf("line %d: not an integer", i+1)})
		}
		want = append(want, fs...)
		succeeded = append(succeeded, execution(t, "SUCCEEDED", batchOf("…"),
			job.BatchResult{Objects: 7, Count: 7, SumOfSquares: "7", FailedObjects: 3, Failed: fs}, "", ""))
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
	e := putRun(t, srv, manifestKey,
		resultFile{"SUCCEEDED", "SUCCEEDED_0.json", jsonArray(t, succeeded...)},
		resultFile{"FAILED", "FAILED_0.json", jsonArray(t, failed...)})

	got, err := newSummer(srv).Total(context.Background(), e)
	wantLoc := "s3://" + resultsBucket + "/" + runDir + job.FailuresFileName
	if err != nil || got.FailedObjects != 245 || got.Objects != 105 || got.SumOfSquares != "105" || got.FailuresLocation != wantLoc {
		t.Fatalf("Total = {Objects: %d, SumOfSquares: %s, FailedObjects: %d, FailuresLocation: %q}, %v; want {105, 105, 245, %q}, nil",
			got.Objects, got.SumOfSquares, got.FailedObjects, got.FailuresLocation, err, wantLoc)
	}
	if !reflect.DeepEqual(got.Failed, want[:job.MaxListedFailures]) {
		t.Errorf("Failed = %+v; want the first %d failures %+v", got.Failed, job.MaxListedFailures, want[:job.MaxListedFailures])
	}
	if all := readFailures(t, srv, got.FailuresLocation); !reflect.DeepEqual(all, want) {
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
			srv := s3test.NewServer(t, resultsBucket)
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
			records = append(records, execution(t, "SUCCEEDED", batchOf("k"),
				job.BatchResult{Objects: 1, Count: maxCount, SumOfSquares: longest, Failed: []job.Failure{}}, "", ""))
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
			dir := "results/" + strings.Repeat(tt.keyRune, (job.MaxKeyBytes-len("results//SUCCEEDED_0.json"))/len(tt.keyRune)) + "/"
			e := putRun(t, srv, dir+"manifest.json",
				resultFile{"SUCCEEDED", "SUCCEEDED_0.json", jsonArray(t, records...)},
				resultFile{"FAILED", "FAILED_0.json", jsonArray(t, failed...)})

			s := newSummer(srv)
			s.MaxDigits = job.MaxDigitsLimit
			got, err := s.Total(context.Background(), e)
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
			all := readFailures(t, srv, got.FailuresLocation)
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
	ok := execution(t, "SUCCEEDED", batchOf("a"), job.BatchResult{Objects: 1, Count: 1, SumOfSquares: "4", Failed: []job.Failure{}}, "", "")
	withOutput := func(output string) map[string]any {
		r := execution(t, "SUCCEEDED", batchOf("a"), nil, "", "")
		r["Output"] = output
		return r
	}
	tests := []struct {
		name    string
		files   []resultFile
		wantKey string // the file InvalidResultsError names
		reason  string // in its Reason
	}{
		{"manifest not JSON", []resultFile{{"", "manifest.json", []byte("<html>")}}, manifestKey, "invalid character"},
		{"manifest an array", []resultFile{{"", "manifest.json", []byte(`[{"ResultFiles": {}}]`)}}, manifestKey, "cannot unmarshal array"},
		{"manifest twice", []resultFile{{"", "manifest.json", []byte(`{"ResultFiles": {}} {}`)}}, manifestKey, "data after the manifest"},
		{"manifest of another run", []resultFile{{"", "manifest.json", []byte(`{"MapRunArn": "arn:other", "ResultFiles": {}}`)}}, manifestKey, "Map Run arn:other"},
		{"manifest of another bucket", []resultFile{{"", "manifest.json", []byte(`{"DestinationBucket": "other", "ResultFiles": {}}`)}}, manifestKey, `manifest names bucket "other", not "data"`},
		{"result file missing", []resultFile{{"", "manifest.json", []byte(`{"ResultFiles": {"SUCCEEDED": [{"Key": "` + runDir + `gone.json", "Size": 2}]}}`)}}, runDir + "gone.json", "not found"},
		{"result file of another run", []resultFile{{"", "manifest.json", []byte(`{"ResultFiles": {"SUCCEEDED": [{"Key": "results/other/SUCCEEDED_0.json"}]}}`)}}, manifestKey, `"results/other/SUCCEEDED_0.json" is not a result file of this run`},
		{"result file outside results", []resultFile{{"", "manifest.json", []byte(`{"ResultFiles": {"SUCCEEDED": [{"Key": "today/random_1.log"}]}}`)}}, manifestKey, `"today/random_1.log" is not a result file of this run`},
		{"result file in a folder", []resultFile{{"", "manifest.json", []byte(`{"ResultFiles": {"SUCCEEDED": [{"Key": "` + runDir + `sub/S.json"}]}}`)}}, manifestKey, "is not a result file of this run"},
		{"manifest as a result file", []resultFile{{"", "manifest.json", []byte(`{"ResultFiles": {"SUCCEEDED": [{"Key": "` + manifestKey + `"}]}}`)}}, manifestKey, "is not a result file of this run"},
		{"result file twice", []resultFile{{"", "manifest.json", []byte(`{"ResultFiles": {"SUCCEEDED": [{"Key": "` + runDir + `S.json"}, {"Key": "` + runDir + `S.json"}]}}`)}}, manifestKey, "ResultFiles.SUCCEEDED[1]: " + strconv.Quote(runDir+"S.json") + " is listed twice (also under SUCCEEDED)"},
		{"result file under two statuses", []resultFile{{"", "manifest.json", []byte(`{"ResultFiles": {"FAILED": [{"Key": "` + runDir + `S.json"}], "SUCCEEDED": [{"Key": "` + runDir + `S.json"}]}}`)}}, manifestKey, "ResultFiles.FAILED[0]: " + strconv.Quote(runDir+"S.json") + " is listed twice (also under SUCCEEDED)"},
		{"negative Size", []resultFile{{"", "manifest.json", []byte(`{"ResultFiles": {"SUCCEEDED": [{"Key": "` + runDir + `S.json", "Size": -1}]}}`)}}, manifestKey, "negative Size -1"},
		{"result file without Key", []resultFile{{"", "manifest.json", []byte(`{"ResultFiles": {"SUCCEEDED": [{"Size": 2}]}}`)}}, manifestKey, "ResultFiles.SUCCEEDED[0] has no Key"},
		{"file not JSON", []resultFile{{"SUCCEEDED", "S.json", []byte("SUCCEEDED")}}, runDir + "S.json", `record 1: 'S' where a JSON object belongs`},
		{"file truncated", []resultFile{{"SUCCEEDED", "S.json", jsonArray(t, ok, ok)[:100]}}, runDir + "S.json", "record 1: unexpected end of file"},
		{"unclosed array", []resultFile{{"SUCCEEDED", "S.json", bytes.TrimSuffix(jsonArray(t, ok, ok), []byte("]"))}}, runDir + "S.json", "record 3: unexpected end of file, the array is not closed"},
		{"data after the array", []resultFile{{"SUCCEEDED", "S.json", append(jsonArray(t, ok), "[]"...)}}, runDir + "S.json", "'[' after the end of the array"},
		{"record a number", []resultFile{{"SUCCEEDED", "S.json", jsonArray(t, ok, 7)}}, runDir + "S.json", "record 2: '7' where a JSON object belongs"},
		{"record not JSON inside", []resultFile{{"SUCCEEDED", "S.json", []byte(`[{"objects": 1, oops}]`)}}, runDir + "S.json", "record 1: invalid character 'o'"},
		{"bare output in a FAILED file", []resultFile{{"FAILED", "F.json", jsonArray(t, job.BatchResult{Objects: 1, Count: 1, SumOfSquares: "1", Failed: []job.Failure{}})}}, runDir + "F.json", "record 1: a bare output in a FAILED file"},
		{"Output missing", []resultFile{{"SUCCEEDED", "S.json", jsonArray(t, ok, execution(t, "SUCCEEDED", batchOf("a"), nil, "", ""))}}, runDir + "S.json", "record 2: Output of SUCCEEDED execution exec: missing"},
		{"Output not JSON", []resultFile{{"SUCCEEDED", "S.json", jsonArray(t, withOutput("{oops"))}}, runDir + "S.json", "record 1: Output of SUCCEEDED execution exec: invalid character 'o'"},
		{"Output no batch result", []resultFile{{"SUCCEEDED", "S.json", jsonArray(t, withOutput(`{"count": 1, "sumOfSquares": "1"}`))}}, runDir + "S.json", "not a batch result"},
		{"sum negative", []resultFile{{"SUCCEEDED", "S.json", jsonArray(t, withOutput(`{"objects": 1, "count": 1, "sumOfSquares": "-4", "failed": []}`))}}, runDir + "S.json", `record 1: Output of SUCCEEDED execution exec: sumOfSquares "-4" is not a non-negative decimal integer`},
		{"sum a number", []resultFile{{"SUCCEEDED", "S.json", jsonArray(t, withOutput(`{"objects": 1, "count": 1, "sumOfSquares": 4, "failed": []}`))}}, runDir + "S.json", "cannot unmarshal number"},
		{"sum exponent", []resultFile{{"SUCCEEDED", "S.json", jsonArray(t, withOutput(`{"objects": 1, "count": 1, "sumOfSquares": "4e2", "failed": []}`))}}, runDir + "S.json", "not a non-negative decimal integer"},
		{"sum empty", []resultFile{{"SUCCEEDED", "S.json", jsonArray(t, withOutput(`{"objects": 1, "count": 1, "sumOfSquares": "", "failed": []}`))}}, runDir + "S.json", "not a non-negative decimal integer"},
		{"sum missing", []resultFile{{"SUCCEEDED", "S.json", jsonArray(t, withOutput(`{"objects": 1, "count": 1, "failed": []}`))}}, runDir + "S.json", "objects, count or sumOfSquares missing"},
		{"sum of no numbers", []resultFile{{"SUCCEEDED", "S.json", jsonArray(t, withOutput(`{"objects": 1, "count": 0, "sumOfSquares": "9", "failed": []}`))}}, runDir + "S.json", `sumOfSquares "9" of no numbers`},
		{"sum too long", []resultFile{{"SUCCEEDED", "S.json", jsonArray(t, withOutput(`{"objects": 1, "count": 1, "sumOfSquares": "1`+strings.Repeat("0", 2*sumsq.DefaultMaxDigits+1)+`", "failed": []}`))}}, runDir + "S.json", "more than 1 squares"},
		{"count negative", []resultFile{{"SUCCEEDED", "S.json", jsonArray(t, withOutput(`{"objects": 1, "count": -1, "sumOfSquares": "0", "failed": []}`))}}, runDir + "S.json", "negative count"},
		{"objects negative", []resultFile{{"SUCCEEDED", "S.json", jsonArray(t, withOutput(`{"objects": -1, "count": 0, "sumOfSquares": "0", "failed": []}`))}}, runDir + "S.json", "negative count"},
		{"count overflows", []resultFile{{"SUCCEEDED", "S.json", jsonArray(t,
			withOutput(`{"objects": 1, "count": 9223372036854775807, "sumOfSquares": "1", "failed": []}`),
			withOutput(`{"objects": 1, "count": 1, "sumOfSquares": "1", "failed": []}`))}}, runDir + "S.json", "record 2: Output of SUCCEEDED execution exec: counts overflow int64"},
		{"failures not all named", []resultFile{{"SUCCEEDED", "S.json", jsonArray(t, withOutput(`{"objects": 1, "count": 1, "sumOfSquares": "1", "failedObjects": 2, "failed": [{"key": "x"}]}`))}}, runDir + "S.json", "failedObjects is 2 but failed names 1"},
		{"FAILED record without Input", []resultFile{{"FAILED", "F.json", []byte(`[{"Name": "n", "Status": "FAILED", "Error": "E"}]`)}}, runDir + "F.json", "record 1: Input of FAILED execution n: missing"},
		{"FAILED record Input no objects", []resultFile{{"FAILED", "F.json", jsonArray(t, execution(t, "FAILED", map[string]int{"n": 1}, nil, "E", "C"))}}, runDir + "F.json", `not a batch: no "Items"`},
		{"record without Status", []resultFile{{"SUCCEEDED", "S.json", []byte(`[{"Output": "{}"}]`)}}, runDir + "S.json", "not a batch result"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := s3test.NewServer(t, resultsBucket)
			e := putRun(t, srv, manifestKey, tt.files...)
			got, err := newSummer(srv).Total(context.Background(), e)
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
	tests := []struct {
		name  string
		ctx   context.Context // nil: Background
		event *job.TotalEvent // nil: the run's
		hook  s3test.Hook     // on the run's result file
		check func(error) bool
		want  string
	}{
		{"no ResultWriterDetails", nil, &job.TotalEvent{}, nil,
			is[*job.InvalidEventError], "InvalidEventError"},
		{"no Key", nil, &job.TotalEvent{ResultWriterDetails: &job.ResultWriterDetails{Bucket: resultsBucket}}, nil,
			is[*job.InvalidEventError], "InvalidEventError"},
		{"manifest missing", nil, &job.TotalEvent{ResultWriterDetails: &job.ResultWriterDetails{Bucket: resultsBucket, Key: missing}}, nil,
			func(err error) bool {
				var e *job.InvalidResultsError
				return errors.As(err, &e) && e.Key == missing
			}, "InvalidResultsError for " + missing},
		{"S3 unavailable", nil, nil, s3test.Fail(http.StatusServiceUnavailable, "SlowDown"),
			is[*job.S3UnavailableError], "S3UnavailableError"},
		{"access denied", nil, nil, s3test.Fail(http.StatusForbidden, "AccessDenied"),
			is[*job.AccessDeniedError], "AccessDeniedError"},
		{"deadline", canceled, nil, nil,
			is[*job.TimeoutError], "TimeoutError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := s3test.NewServer(t, resultsBucket)
			e := putRun(t, srv, manifestKey, resultFile{"SUCCEEDED", "S.json", []byte("[]")})
			if tt.event != nil {
				e = *tt.event
			}
			srv.Hook(resultsBucket, runDir+"S.json", tt.hook)
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			got, err := newSummer(srv).Total(ctx, e)
			if !tt.check(err) {
				t.Fatalf("Total = %+v, %v (%T); want %s", got, err, err, tt.want)
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
		hook  s3test.Hook
		check func(error) bool
		want  string
	}{
		{"S3 unavailable", s3test.Fail(http.StatusServiceUnavailable, "SlowDown"), is[*job.S3UnavailableError], "S3UnavailableError"},
		{"access denied", s3test.Fail(http.StatusForbidden, "AccessDenied"), is[*job.AccessDeniedError], "AccessDeniedError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := s3test.NewServer(t, resultsBucket)
			e := putRun(t, srv, manifestKey, resultFile{"FAILED", "FAILED_0.json", jsonArray(t, failed)})
			srv.Hook(resultsBucket, runDir+job.FailuresFileName, tt.hook)
			got, err := newSummer(srv).Total(context.Background(), e)
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
	srv := s3test.NewServer(t, resultsBucket)
	e := putRun(t, srv, manifestKey, resultFile{"FAILED", "FAILED_0.json",
		jsonArray(t, execution(t, "FAILED", batchOf(keys...), nil, "TimeoutError", "late"))})
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	got, err := newSummer(srv).Total(context.Background(), e)
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
	srv := s3test.NewServer(t, resultsBucket)
	e := putRun(t, srv, manifestKey, resultFile{"FAILED", "FAILED_0.json",
		jsonArray(t, execution(t, "FAILED", batchOf(keys...), nil, "TimeoutError", "late"))})
	s := newSummer(srv)
	first, err1 := s.Total(context.Background(), e)
	second, err2 := s.Total(context.Background(), e)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(first, second) {
		t.Fatalf("Total twice = %+v, %v and %+v, %v; want the same twice", first, err1, second, err2)
	}
	if all := readFailures(t, srv, second.FailuresLocation); len(all) != len(keys) {
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
	hugeHead = []byte(`[{"objects": 1, "count": 1, "sumOfSquares": "1", "failed": [], "pad": "`)
	hugeTail = []byte(`"}]`)
)

func hugeRecordSize(n int64) int64 { return int64(len(hugeHead)) + n + int64(len(hugeTail)) }

// TestTotalRecordTooLarge gives the Total a result file whose one record
// is 300 MB: no record Step Functions writes is, so it is an
// InvalidResultsError, found without reading it whole: the heap stays
// small.
func TestTotalRecordTooLarge(t *testing.T) {
	srv := s3test.NewServer(t, resultsBucket)
	const n = 300 << 20
	manifest := fmt.Sprintf(`{"ResultFiles": {"SUCCEEDED": [{"Key": %q, "Size": %d}]}}`, runDir+"S.json", hugeRecordSize(n))
	e := putRun(t, srv, manifestKey, resultFile{"", "manifest.json", []byte(manifest)})
	srv.Hook(resultsBucket, runDir+"S.json", hugeRecord(n))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := newSummer(srv).Total(context.Background(), e)
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
	srv := s3test.NewServer(t, resultsBucket)
	out := job.BatchResult{Objects: 1, Count: 1, SumOfSquares: "4", Failed: []job.Failure{}}
	b := mustJSON(t, out)
	pad := job.MaxRecordBytes - len(b) - len(`,"pad":""`)
	big := append(b[:len(b)-1:len(b)-1], []byte(`,"pad":"`+strings.Repeat("x", pad)+`"}`)...)
	if len(big) != job.MaxRecordBytes {
		t.Fatalf("record of %d bytes; want %d", len(big), job.MaxRecordBytes)
	}
	body := append(append([]byte("["), big...), ']')
	e := putRun(t, srv, manifestKey, resultFile{"SUCCEEDED", "S.json", body})
	got, err := newSummer(srv).Total(context.Background(), e)
	if err != nil || got.SumOfSquares != "4" {
		t.Fatalf("Total over a record of MaxRecordBytes = %+v, %v; want sum 4", got, err)
	}
}
