package maprun_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/maprun"
	"github.com/sumsq/sumsq/internal/memstore"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// The total over a data Map Run's results as the workflow makes it
// (PlanTotal, TotalPart, Gather, Finish), in process, on memstore.

// failuresLocation is the folder of a run's failure lists in st.
func failuresLocation(st job.Names) string {
	return st.Location(resultsBucket, runDir+maprun.FailuresDir)
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
	got, err := newChain(t, st, 10, files...).run(t)

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
		FailuresLocation: failuresLocation(st),
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Total = %+v, %v; want %+v, nil", got, err, want)
	}
	if all := failuresIn(t, st); !reflect.DeepEqual(all, want.Failed) {
		t.Errorf("the failure lists hold %+v; want %+v", all, want.Failed)
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
			got, err := newChain(t, st, tt.want.Objects+tt.want.FailedObjects+tt.want.SkippedObjects, tt.files(t)...).run(t)
			if tt.want.FailedObjects > 0 {
				tt.want.FailuresLocation = failuresLocation(st)
			}
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
	got, err := newChain(t, st, 120, files...).run(t)
	if err != nil || got.SumOfSquares != want.String() || got.Objects != 120 || got.Count != count {
		t.Fatalf("Total = {Objects: %d, Count: %d, %d digits}, %v; want {120, %d, %d digits}, nil",
			got.Objects, got.Count, len(got.SumOfSquares), err, count, len(want.String()))
	}
	if want.BitLen() <= 128 {
		t.Fatalf("test sum has %d bits; want more than 128", want.BitLen())
	}
}

// TestTotalManyFailures has more failures than Total.Failed lists: the
// first are listed, and all of them are written to the run's folder of
// failure lists, in the order of the result files.
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
	got, err := newChain(t, st, 350,
		resultFile{"SUCCEEDED", "SUCCEEDED_0.json", jsonLines(t, succeeded...)},
		resultFile{"FAILED", "FAILED_0.json", jsonLines(t, failed...)}).run(t)
	wantLoc := failuresLocation(st)
	if err != nil || got.FailedObjects != 245 || got.Objects != 105 || got.SumOfSquares != "105" || got.FailuresLocation != wantLoc {
		t.Fatalf("Total = {Objects: %d, SumOfSquares: %s, FailedObjects: %d, FailuresLocation: %q}, %v; want {105, 105, 245, %q}, nil",
			got.Objects, got.SumOfSquares, got.FailedObjects, got.FailuresLocation, err, wantLoc)
	}
	if !reflect.DeepEqual(got.Failed, want[:job.MaxListedFailures]) {
		t.Errorf("Failed = %+v; want the first %d failures %+v", got.Failed, job.MaxListedFailures, want[:job.MaxListedFailures])
	}
	if all := failuresIn(t, st); !reflect.DeepEqual(all, want) {
		t.Errorf("%s holds %d failures %+v; want %d %+v", got.FailuresLocation, len(all), all, len(want), want)
	}
}

// TestTotalOutputBound checks the JSON of what every step of a total
// returns, and of the Total's event, against the payload limit, with the
// largest keys, causes and sums there can be.
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
			// Every manifest's key is as long as S3 allows, and so are the
			// keys of the lists and the locations; the Map Runs' ARNs as
			// long as Step Functions makes them (a state machine's name of
			// 80 characters, a label of 40).
			long := func(n int) string {
				return "results/" + strings.Repeat(tt.keyRune, (s3store.MaxKeyBytes-len("results//")-n)/len(tt.keyRune)) + "/"
			}
			dir := long(len(maprun.FailuresDir + maprun.LargeFailuresFileName))
			arn := func(id string) string {
				return "arn:aws:states:us-east-1:123456789012:mapRun:" + strings.Repeat("m", 80) + "/" + strings.Repeat("L", 40) + ":" + id
			}
			c := newChainAt(t, st, dir+"manifest.json", arn(runID), 151,
				resultFile{"SUCCEEDED", "SUCCEEDED_0.json", jsonLines(t, records...)},
				resultFile{"FAILED", "FAILED_0.json", jsonLines(t, failed...)})
			c.partsManifest, c.partsArn = long(len("SUCCEEDED_0.json"))+"manifest.json", arn("parts")
			c.largeManifest, c.largeArn = long(len("SUCCEEDED_0.json"))+"manifest.json", arn("large")
			c.s.MaxDigits = job.MaxDigitsLimit
			got, err := c.run(t)
			if err != nil {
				t.Fatalf("Total: %v", err)
			}
			// What each state of the workflow gets and returns.
			outputs := []struct {
				name string
				v    any
			}{{"Gathered", c.gathered}, {"Finish's event", c.event}, {"the Total", got}}
			for i, p := range c.partials {
				outputs = append(outputs, struct {
					name string
					v    any
				}{fmt.Sprintf("Partial %d", i), p})
			}
			for _, v := range outputs {
				b, _ := job.Marshal(v.v)
				if len(b) >= payloadLimit {
					t.Errorf("job.Marshal(%s) is %d bytes; want under %d", v.name, len(b), payloadLimit)
				}
				t.Logf("%s: %s: %d bytes", tt.name, v.name, len(b))
			}
			t.Logf("%s: %d failures listed, sum of %d digits", tt.name, len(got.Failed), len(got.SumOfSquares))
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
			all := failuresUnder(t, st, dir)
			if len(all) != 150 {
				t.Fatalf("%d failures in the lists; want 150", len(all))
			}
			for i, f := range all {
				if f.Key != keys[i] || len(f.Cause) > job.MaxCauseBytes {
					t.Fatalf("list line %d = {Key: %.20q…, %d-byte Cause}; want {Key: %.20q…, at most %d bytes}",
						i+1, f.Key, len(f.Cause), keys[i], job.MaxCauseBytes)
				}
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
				jsonLines(t, execution(t, "FAILED", batchOf(keys...), nil, "Sandbox.Timedout", "late"))})
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
			c := newChain(t, st, items, run(t, tt.summed, tt.perObject, tt.inFailedBatch, tt.skipped)...)
			c.tolerated = tt.percentage
			got, err := c.run(t)
			failed, objects := int64(tt.perObject+tt.inFailedBatch), int64(tt.summed+tt.perObject+tt.inFailedBatch)
			loc := failuresLocation(st)
			if !tt.tooMany {
				wantLoc := ""
				if failed > 0 {
					wantLoc = loc
				}
				if err != nil || got.FailedObjects != failed || got.Objects != int64(tt.summed) || got.FailuresLocation != wantLoc {
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
			if all := failuresIn(t, st); int64(len(all)) != failed || all[0] != tm.First {
				t.Errorf("%s holds %d failures, the first %+v; want %d, the first %+v", loc, len(all), all, failed, tm.First)
			}
		})
	}
}

// TestTotalTwice runs the same total twice, as a retry of each step
// would: the same result, and the lists of failures written over.
func TestTotalTwice(t *testing.T) {
	var keys []string
	for i := range 2 * job.MaxListedFailures {
		keys = append(keys, fmt.Sprint(i))
	}
	st := &memstore.Store{}
	c := newChain(t, st, int64(len(keys)), resultFile{"FAILED", "FAILED_0.json",
		jsonLines(t, execution(t, "FAILED", batchOf(keys...), nil, "TimeoutError", "late"))})
	first, err1 := c.run(t)
	second, err2 := c.run(t)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(first, second) {
		t.Fatalf("Total twice = %+v, %v and %+v, %v; want the same twice", first, err1, second, err2)
	}
	if all := failuresIn(t, st); len(all) != len(keys) {
		t.Errorf("%s holds %d failures; want %d", second.FailuresLocation, len(all), len(keys))
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
