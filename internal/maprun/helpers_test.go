package maprun_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/maprun"
	"github.com/sumsq/sumsq/internal/memstore"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// The bucket of the Map's results in these tests, and the directories the
// ResultWriter writes the three Map Runs of a total to: the data Map Run
// (SumObjects), TotalParts and SumLargeObjects.
const (
	resultsBucket = "data"
	runID         = "4c0b7a4e-5f7d-3c7a-9a8e-2d0c1f6b9e31"
	runDir        = "results/" + runID + "/"
	manifestKey   = runDir + "manifest.json"
	mapRunArn     = "arn:aws:states:us-east-1:123456789012:mapRun:sumsq/SumObjects:" + runID
	partsDir      = "results/7d2b9c41-0e6f-4a8b-9c3d-5e7f1a2b3c4d/"
	partsArn      = "arn:aws:states:us-east-1:123456789012:mapRun:sumsq/TotalParts:7d2b9c41-0e6f-4a8b-9c3d-5e7f1a2b3c4d"
	largeDir      = "results/9e5a3f70-1b2c-4d3e-8f4a-6b7c8d9e0f1a/"
	largeArn      = "arn:aws:states:us-east-1:123456789012:mapRun:sumsq/SumLargeObjects:9e5a3f70-1b2c-4d3e-8f4a-6b7c8d9e0f1a"
)

// payloadLimit is Step Functions' limit on a state's input and output.
const payloadLimit = 256 << 10

// resultFile is one file a ResultWriter writes: manifest.json or a result file.
type resultFile struct {
	status string // under which ResultFiles lists it; "" for the manifest
	name   string
	body   []byte
}

// A setter stores objects: a *memstore.Store.
type setter interface {
	Set(bucket, key string, data []byte)
}

// putRun stores the result files in manifestKey's directory in st, and a
// manifest of Map Run arn listing them, or the one in files, as
// manifestKey. It returns the Map Run, of items items.
func putRun(t testing.TB, st setter, manifestKey, arn string, items int64, files ...resultFile) *maprun.MapRun {
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
			"MapRunArn":         arn,
			"ResultFiles":       listed,
		})
	}
	st.Set(resultsBucket, manifestKey, manifest)
	return &maprun.MapRun{
		MapRunArn:           arn,
		ResultWriterDetails: &maprun.ResultWriterDetails{Bucket: resultsBucket, Key: manifestKey},
		ItemCounts:          &maprun.ItemCounts{Total: &items},
	}
}

// putData stores the data Map Run's results (see putRun).
func putData(t testing.TB, st setter, items int64, files ...resultFile) *maprun.MapRun {
	t.Helper()
	return putRun(t, st, manifestKey, mapRunArn, items, files...)
}

func ptr[T any](v T) *T { return &v }

// manifestOf is a manifest of the data Map Run with the given ResultFiles,
// as JSON text.
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
		line, err := job.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// newSummer returns a Summer of the Map's results in storage.
func newSummer(storage job.Storage) *job.Summer {
	return &job.Summer{Storage: storage, ResultsPrefix: "results/"}
}

// is reports whether err is or wraps an error of type E.
func is[E error](err error) bool {
	var e E
	return errors.As(err, &e)
}

// invalidResults reports whether err is an *job.InvalidResultsError for
// key whose reason contains reason.
func invalidResults(err error, key, reason string) bool {
	var ire *job.InvalidResultsError
	return errors.As(err, &ire) && ire.Key == key && strings.Contains(ire.Reason, reason)
}

// lines reads the JSON Lines of the object key in st into values of T,
// strictly; nil if there is no such object.
func lines[T any](t testing.TB, st *memstore.Store, key string) []T {
	t.Helper()
	body, ok := st.Get(resultsBucket, key)
	if !ok {
		return nil
	}
	got := []T{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var v T
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("line %d of %s: %v", len(got)+1, key, err)
		}
		got = append(got, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading %s: %v", key, err)
	}
	return got
}

// A chain runs the total of a data Map Run as the workflow does, in
// process: PlanTotal, a TotalPart for each part (whose results it writes
// as TotalParts' ResultWriter would), Gather, a sum of each range of the
// objects set aside (SumLargeObjects, by sumRange or its own ranges
// function), and Finish.
type chain struct {
	st        *memstore.Store
	s         *job.Summer
	data      *maprun.MapRun
	partBytes int64
	split     int64
	tolerated int

	// ranges, if set, gives each range's result in place of sumRange.
	ranges func(t testing.TB, g job.Range) job.RangeResult

	// The manifests of TotalParts and SumLargeObjects, and their Map Runs.
	partsManifest, partsArn string
	largeManifest, largeArn string

	plan     maprun.Plan
	partials []maprun.Partial
	gathered maprun.Gathered
	event    maprun.TotalEvent // Finish's
}

// newChain is a chain over the data Map Run of items items, whose result
// files st holds: one part a file, SplitBytes 1 MiB, every failure
// tolerated.
func newChain(t testing.TB, st *memstore.Store, items int64, files ...resultFile) *chain {
	t.Helper()
	return newChainAt(t, st, manifestKey, mapRunArn, items, files...)
}

// newChainAt is newChain of the data Map Run arn, whose manifest is at key.
func newChainAt(t testing.TB, st *memstore.Store, key, arn string, items int64, files ...resultFile) *chain {
	t.Helper()
	return &chain{st: st, s: newSummer(st), data: putRun(t, st, key, arn, items, files...), partBytes: 1 << 30, split: 1 << 20, tolerated: 100,
		partsManifest: partsDir + "manifest.json", partsArn: partsArn, largeManifest: largeDir + "manifest.json", largeArn: largeArn}
}

// planParts runs the chain's first steps: PlanTotal, recorded in c.plan,
// then TotalPart on each part of the plan, recorded in c.partials.
func (c *chain) planParts(t testing.TB) error {
	t.Helper()
	ctx := context.Background()
	var err error
	if c.plan, err = maprun.PlanTotal(ctx, c.s, maprun.PlanEvent{PlanTotal: c.data, PartBytes: ptr(c.partBytes)}); err != nil {
		return err
	}
	c.partials = nil
	for _, p := range lines[maprun.Part](t, c.st, c.plan.Key) {
		partial, err := maprun.TotalPart(ctx, c.s, maprun.PartEvent{TotalPart: &p})
		if err != nil {
			return err
		}
		c.partials = append(c.partials, partial)
	}
	return nil
}

// run runs the chain and returns the total, or the first error.
func (c *chain) run(t testing.TB) (maprun.Total, error) {
	t.Helper()
	ctx := context.Background()
	if err := c.planParts(t); err != nil {
		return maprun.Total{}, err
	}
	var err error
	var records []any
	for _, p := range c.partials {
		records = append(records, p)
	}
	parts := putRun(t, c.st, c.partsManifest, c.partsArn, int64(len(c.partials)),
		resultFile{"SUCCEEDED", "SUCCEEDED_0.json", jsonLines(t, records...)})
	c.gathered, err = maprun.Gather(ctx, c.s, maprun.GatherEvent{Gather: parts, Objects: c.data, Plan: &c.plan, SplitBytes: ptr(c.split)})
	if err != nil {
		return maprun.Total{}, err
	}
	var results []any
	for _, g := range lines[job.Range](t, c.st, c.gathered.Ranges.Key) {
		if c.ranges != nil {
			results = append(results, c.ranges(t, g))
			continue
		}
		data, ok := c.st.Get(g.Bucket, g.Key)
		if !ok {
			t.Fatalf("range of %s/%s, which the store does not hold", g.Bucket, g.Key)
		}
		results = append(results, sumRange(g, data, c.s.DigitLimit()))
	}
	large := putRun(t, c.st, c.largeManifest, c.largeArn, int64(len(results)),
		resultFile{"SUCCEEDED", "SUCCEEDED_0.json", jsonLines(t, results...)})
	c.event = maprun.TotalEvent{
		Total:                      &c.gathered.Partial,
		Ranges:                     &maprun.RangesRun{MapRun: *large, Count: ptr(c.gathered.Ranges.Count)},
		ToleratedFailurePercentage: ptr(c.tolerated),
	}
	return maprun.Finish(ctx, c.s, c.event)
}

// sumRange sums the lines of data that begin in g's range, by the rule of
// package sumsq's parallel ranges, as SumLargeObjects' function does: the
// reference the Total's combination is checked against.
func sumRange(g job.Range, data []byte, maxDigits int) job.RangeResult {
	r := job.RangeResult{Bucket: g.Bucket, Key: g.Key, Part: g.Part, Parts: g.Parts, SumOfSquares: "0"}
	first := g.Start
	if g.Start > 0 {
		i := bytes.IndexByte(data[g.Start-1:], '\n')
		if i < 0 {
			return r
		}
		first = g.Start + int64(i)
	}
	if first >= g.End && g.Start > 0 {
		return r
	}
	last := int64(len(data))
	if i := bytes.IndexByte(data[max(g.End-1, 0):], '\n'); i >= 0 && g.End > 0 {
		last = g.End + int64(i)
	}
	a := sumsq.Accumulator{MaxDigits: maxDigits, Offset: first}
	a.Write(data[first:last])
	res, err := a.Finish()
	var e *sumsq.Error
	if errors.As(err, &e) {
		r.Failure = &job.RangeFailure{Error: "InvalidContentError", Cause: e.Error(), Line: e.Line, Byte: e.Offset,
			Excerpt: e.Excerpt, Digits: errors.Is(err, sumsq.ErrDigits)}
		return r
	}
	r.Count, r.Lines, r.SumOfSquares = res.Count, res.Lines, res.String()
	return r
}

// failuresIn returns every failure the folder of the data Map Run's
// failure lists in st holds, in the order of its files' names.
func failuresIn(t testing.TB, st *memstore.Store) []job.Failure {
	t.Helper()
	return failuresUnder(t, st, runDir)
}

// failuresUnder returns the failures of the run whose directory is dir.
func failuresUnder(t testing.TB, st *memstore.Store, dir string) []job.Failure {
	t.Helper()
	var all []job.Failure
	for item, err := range st.List(context.Background(), resultsBucket, dir+maprun.FailuresDir) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, lines[job.Failure](t, st, item.Key)...)
	}
	return all
}

// bigText is a file of numbers for the objects set aside.
func bigText(n int, bad map[int]string) []byte {
	var b bytes.Buffer
	for i := range n {
		if text, ok := bad[i]; ok {
			b.WriteString(text + "\n")
			continue
		}
		fmt.Fprintf(&b, "%d\n", i%1000)
	}
	return b.Bytes()
}
