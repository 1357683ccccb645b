package maprun_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/maprun"
	"github.com/sumsq/sumsq/internal/memstore"
)

// recordsOf is a SUCCEEDED result file of n batch results, record i of
// one object and count i+1, padded by per-object results of keys of
// pad(i) bytes: records of awkward and very different lengths.
func recordsOf(t testing.TB, first, n int, pad func(i int) int) []byte {
	var records []any
	for i := first; i < first+n; i++ {
		r := job.BatchResult{Objects: 1, Count: int64(i + 1), SumOfSquares: fmt.Sprint(i + 1), Failed: []job.Failure{},
			Results: []job.ObjectResult{{Bucket: "data", Key: strings.Repeat("k", pad(i)), SumOfSquares: "0"}}}
		records = append(records, r)
	}
	return jsonLines(t, records...)
}

// owned returns the objects and the count of the records of file (JSON
// Lines made by recordsOf, from record first) that begin in [start, end).
func owned(file []byte, first int, start, end int64) (objects, count int64) {
	var at int64
	for i, line := range bytes.SplitAfter(file, []byte("\n")) {
		if len(line) > 0 && at >= start && at < end {
			objects++
			count += int64(first + i + 1)
		}
		at += int64(len(line))
	}
	return objects, count
}

// TestPlanOwnsEachRecordOnce cuts result files into parts of awkward
// sizes, down to a byte and far below a record's length: the plan's parts
// cover each file, in order, with parts of at most PartBytes, and each
// part's total holds exactly the records that begin in it, so that every
// record is counted by exactly one part.
func TestPlanOwnsEachRecordOnce(t *testing.T) {
	pad := func(i int) int { return []int{0, 1, 50, 300, 3, 700}[i%6] }
	files := []struct {
		name  string
		first int // the number of its first record
		body  []byte
	}{
		{"SUCCEEDED_0.json", 0, recordsOf(t, 0, 13, pad)},
		{"SUCCEEDED_1.json", 13, recordsOf(t, 13, 1, func(int) int { return 2000 })}, // one record longer than most parts
		{"SUCCEEDED_2.json", 14, nil},                                                // empty: no part
	}
	var size0 = int64(len(files[0].body))
	for _, partBytes := range []int64{1, 2, 7, 64, 100, 257, 1000, size0 - 1, size0, size0 + 1, 1 << 20} {
		t.Run(fmt.Sprintf("PartBytes=%d", partBytes), func(t *testing.T) {
			t.Parallel()
			st := &memstore.Store{}
			var rf []resultFile
			var wantParts int64
			for _, f := range files {
				rf = append(rf, resultFile{"SUCCEEDED", f.name, f.body})
				wantParts += (int64(len(f.body)) + partBytes - 1) / partBytes
			}
			c := newChain(t, st, 14, rf...)
			c.partBytes = partBytes
			got, err := c.run(t)
			if err != nil || got.Objects != 14 || got.Count != 14*15/2 {
				t.Fatalf("Total = %+v, %v; want 14 objects, count %d", got, err, 14*15/2)
			}
			if c.plan.Parts != wantParts {
				t.Errorf("Plan.Parts = %d; want %d: ceil(size/PartBytes) a file", c.plan.Parts, wantParts)
			}
			parts := lines[maprun.Part](t, st, c.plan.Key)
			if int64(len(parts)) != c.plan.Parts {
				t.Fatalf("the plan has %d lines; Plan.Parts = %d", len(parts), c.plan.Parts)
			}
			next := map[string]int64{} // by file: where its next part begins
			for i, p := range parts {
				f := files[0]
				for _, g := range files {
					if runDir+g.name == p.Key {
						f = g
					}
				}
				if p.Index != int64(i) || p.Start != next[p.Key] || p.End <= p.Start || p.End-p.Start > partBytes ||
					p.Size != int64(len(f.body)) || p.Status != "SUCCEEDED" || p.Bucket != resultsBucket {
					t.Errorf("part %d = %+v; want index %d, from byte %d, at most %d bytes, of %s (%d bytes)",
						i, p, i, next[p.Key], partBytes, f.name, len(f.body))
				}
				next[p.Key] = p.End
				objects, count := owned(f.body, f.first, p.Start, p.End)
				if got := c.partials[i]; got.Objects != objects || got.Count != count {
					t.Errorf("part %d [%d, %d) of %s: %d objects, count %d; want the records that begin in it: %d, count %d",
						i, p.Start, p.End, f.name, got.Objects, got.Count, objects, count)
				}
			}
			for _, f := range files {
				if next[runDir+f.name] != int64(len(f.body)) {
					t.Errorf("the parts of %s end at byte %d; want %d", f.name, next[runDir+f.name], len(f.body))
				}
			}
		})
	}
}

// TestPlanNoResults: a run of no result files has a plan of no line, and
// of no part.
func TestPlanNoResults(t *testing.T) {
	st := &memstore.Store{}
	data := putData(t, st, 0)
	got, err := maprun.PlanTotal(context.Background(), newSummer(st), maprun.PlanEvent{PlanTotal: data, PartBytes: ptr[int64](100)})
	want := maprun.Plan{Bucket: resultsBucket, Key: runDir + maprun.PlanFileName, Parts: 0, MapRunArn: mapRunArn}
	if err != nil || got != want {
		t.Fatalf("PlanTotal = %+v, %v; want %+v, nil", got, err, want)
	}
	if body, ok := st.Get(resultsBucket, want.Key); !ok || len(body) != 0 {
		t.Errorf("%s = %q, %v; want an empty file", want.Key, body, ok)
	}
}
