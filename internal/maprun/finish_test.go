package maprun_test

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/maprun"
	"github.com/sumsq/sumsq/internal/memstore"
)

// largeRun is a data Map Run of one batch: an object summed, one failed,
// and the objects set aside, whose bodies st holds.
func largeRun(t *testing.T, st *memstore.Store, partFailure job.Failure, objects map[string][]byte, order ...string) *chain {
	t.Helper()
	r := job.BatchResult{Objects: 1, Count: 1, SumOfSquares: "1", Results: []job.ObjectResult{},
		FailedObjects: 1, Failed: []job.Failure{partFailure}}
	for _, key := range order {
		body := objects[key]
		st.Set(resultsBucket, key, body)
		r.Deferred = append(r.Deferred, job.Deferred{Bucket: resultsBucket, Key: key, Size: int64(len(body)), ETag: `"e"`, Reason: job.DeferredLarge})
	}
	r.DeferredObjects = int64(len(r.Deferred))
	return newChain(t, st, 2+r.DeferredObjects, resultFile{"SUCCEEDED", "SUCCEEDED_0.json", jsonLines(t, r)})
}

// wholeFailure is the failure of reading body whole, as one range: what
// the combination of its ranges must name.
func wholeFailure(key string, body []byte, maxDigits int) job.Failure {
	r := sumRange(job.Range{Bucket: resultsBucket, Key: key, Size: int64(len(body)), End: int64(len(body)), Parts: 1}, body, maxDigits)
	return job.Failure{Bucket: resultsBucket, Key: key, Error: r.Failure.Error, Cause: r.Failure.Cause}
}

// TestFinishCombinesRanges sums objects set aside in ranges of awkward
// sizes: the sum is exact (checked with math/big), the count is every
// number, and a failed object is named once, by the first failed range,
// at its line in the whole object, as reading it whole would name it.
func TestFinishCombinesRanges(t *testing.T) {
	// Numbers of 30 digits, whose squares and their sum are far beyond
	// 64 and 128 bits.
	var huge bytes.Buffer
	want := new(big.Int)
	for i := range 300 {
		n, _ := new(big.Int).SetString(fmt.Sprintf("%d%s", 1+i%9, strings.Repeat("7", 29)), 10)
		if i%2 == 1 {
			n.Neg(n)
		}
		fmt.Fprintf(&huge, "%s\n", n)
		want.Add(want, new(big.Int).Mul(n, n))
	}
	twoBad := bigText(400, map[int]string{57: "x57", 300: "y300"})
	lastBad := bigText(100, map[int]string{99: "z"})
	tooLong := bigText(100, map[int]string{40: strings.Repeat("9", 5000)})
	partFailure := job.Failure{Bucket: "data", Key: "small", Error: "ObjectNotFoundError", Cause: "s3://data/small: object not found"}
	maxDigits := newSummer(nil).DigitLimit()

	for _, split := range []int64{7, 64, 1000, 1 << 20} {
		t.Run(fmt.Sprintf("SplitBytes=%d", split), func(t *testing.T) {
			st := &memstore.Store{}
			c := largeRun(t, st, partFailure, map[string][]byte{"big/huge": huge.Bytes(), "big/two-bad": twoBad, "big/last-bad": lastBad, "big/too-long": tooLong},
				"big/huge", "big/two-bad", "big/last-bad", "big/too-long")
			c.split = split
			got, err := c.run(t)
			if err != nil {
				t.Fatal(err)
			}
			wantFailed := []job.Failure{partFailure,
				wholeFailure("big/two-bad", twoBad, maxDigits), wholeFailure("big/last-bad", lastBad, maxDigits), wholeFailure("big/too-long", tooLong, maxDigits)}
			wantTotal := maprun.Total{Objects: 2, Count: 1 + 300, SumOfSquares: new(big.Int).Add(want, big.NewInt(1)).String(),
				FailedObjects: 4, Failed: wantFailed, FailuresLocation: failuresLocation(st)}
			if !reflect.DeepEqual(got, wantTotal) {
				t.Fatalf("Total =\n%+v\nwant\n%+v", got, wantTotal)
			}
			for _, w := range []string{`line 58 (byte `, `line 100 (byte `, `line 41 (byte `} {
				if !strings.Contains(fmt.Sprint(got.Failed), w) {
					t.Errorf("Failed %+v; want a cause naming %q", got.Failed, w)
				}
			}
			// The list of every failure: the parts' lists in the plan's
			// order, then the objects set aside, in the ranges' order.
			if all := failuresIn(t, st); !reflect.DeepEqual(all, wantFailed) {
				t.Errorf("the failure lists hold\n%+v\nwant\n%+v", all, wantFailed)
			}
		})
	}
}

// TestFinishChecksRanges gives Finish the results of SumLargeObjects with
// a range missing, counted twice, or counted apart from what Gather
// wrote: no total is made of an object read in part.
func TestFinishChecksRanges(t *testing.T) {
	body := bigText(30, nil) // 3 ranges of 32 bytes
	tests := []struct {
		name    string
		results func(r []any) []any // SumLargeObjects' SUCCEEDED records
		counted func(n int64) int64 // its count of its items, from Gather's
		wantErr string
	}{
		{"every range once", func(r []any) []any { return r }, func(n int64) int64 { return n }, ""},
		{"in another order", func(r []any) []any { return []any{r[2], r[0], r[1]} }, func(n int64) int64 { return n }, ""},
		{"a range missing", func(r []any) []any { return []any{r[0], r[2]} }, func(n int64) int64 { return n },
			`part 1 of 3 of "big/a" has no result among SumLargeObjects' SUCCEEDED results`},
		{"a range twice", func(r []any) []any { return []any{r[0], r[1], r[1], r[2]} }, func(n int64) int64 { return n },
			`a second result of part 1 of "big/a": it would count twice`},
		{"a range not of the object", func(r []any) []any {
			x := r[2].(job.RangeResult)
			x.Part, x.Parts = 3, 4
			return []any{r[0], r[1], r[2], x}
		}, func(n int64) int64 { return n }, `part 3 of 4 of "big/a", not one of its 3 parts`},
		{"an object not set aside", func(r []any) []any {
			x := r[0].(job.RangeResult)
			x.Key = "big/other"
			return append(r, x)
		}, func(n int64) int64 { return n }, `a range of "big/other", which is not set aside`},
		{"SumLargeObjects counted fewer items than Gather wrote", func(r []any) []any { return r }, func(n int64) int64 { return n - 1 },
			"SumLargeObjects counted 2 items but Gather wrote 3 ranges"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &memstore.Store{}
			c := largeRun(t, st, job.Failure{Bucket: "data", Key: "small", Error: "E", Cause: "c"}, map[string][]byte{"big/a": body}, "big/a")
			c.split = 32
			var results []any
			c.ranges = func(t testing.TB, g job.Range) job.RangeResult {
				r := sumRange(g, body, c.s.DigitLimit())
				results = append(results, r)
				return r
			}
			if _, err := c.run(t); err != nil {
				t.Fatal(err)
			}
			large := putRun(t, st, c.largeManifest, c.largeArn, tt.counted(*c.event.Ranges.Count),
				resultFile{"SUCCEEDED", "SUCCEEDED_0.json", jsonLines(t, tt.results(results)...)})
			c.event.Ranges.MapRun = *large
			got, err := maprun.Finish(context.Background(), c.s, c.event)
			if tt.wantErr == "" {
				if err != nil || got.Objects != 2 || got.Count != 31 {
					t.Fatalf("Finish = %+v, %v; want 2 objects, 31 numbers", got, err)
				}
				return
			}
			if !is[*job.InvalidResultsError](err) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Finish = %+v, %v; want an InvalidResultsError containing %q", got, err, tt.wantErr)
			}
		})
	}
}

// TestFinishTolerance: a failed object set aside counts against
// ToleratedFailurePercentage as any other, once however many of its ranges
// failed; over it, the TooManyFailuresError comes after every list of
// failures is written, the objects set aside's included.
func TestFinishTolerance(t *testing.T) {
	bad := bigText(100, map[int]string{10: "x", 20: "y", 90: "z"}) // 3 ranges, each bad
	partFailure := job.Failure{Bucket: "data", Key: "small", Error: "ObjectNotFoundError", Cause: "s3://data/small: object not found"}
	// 4 objects: 1 summed, 1 failed in its batch, 2 set aside, one of
	// them bad: 2 failed of 4, 50 %.
	for _, tt := range []struct {
		percentage int
		tooMany    bool
	}{{49, true}, {50, false}, {100, false}, {0, true}} {
		t.Run(fmt.Sprintf("%d%%", tt.percentage), func(t *testing.T) {
			st := &memstore.Store{}
			c := largeRun(t, st, partFailure, map[string][]byte{"big/bad": bad, "big/good": bigText(100, nil)}, "big/bad", "big/good")
			c.split = 100
			c.tolerated = tt.percentage
			got, err := c.run(t)
			wantFailed := []job.Failure{partFailure, wholeFailure("big/bad", bad, c.s.DigitLimit())}
			if !tt.tooMany {
				if err != nil || got.FailedObjects != 2 || got.Objects != 2 || !reflect.DeepEqual(got.Failed, wantFailed) {
					t.Fatalf("Finish = %+v, %v; want 2 summed, 2 failed %+v", got, err, wantFailed)
				}
			} else {
				var tm *job.TooManyFailuresError
				if !is[*job.TooManyFailuresError](err) {
					t.Fatalf("Finish = %+v, %v; want a TooManyFailuresError", got, err)
				}
				tm = err.(*job.TooManyFailuresError)
				if tm.Failed != 2 || tm.Objects != 4 || tm.First != partFailure || tm.Location != failuresLocation(st) {
					t.Errorf("TooManyFailuresError %+v; want 2 of 4 failed, the first %+v, in %s", tm, partFailure, failuresLocation(st))
				}
			}
			if all := failuresIn(t, st); !reflect.DeepEqual(all, wantFailed) {
				t.Errorf("the failure lists hold %+v; want %+v", all, wantFailed)
			}
			if got := lines[job.Failure](t, st, runDir+maprun.FailuresDir+maprun.LargeFailuresFileName); len(got) != 1 {
				t.Errorf("%s holds %+v; want the one failed object set aside", maprun.LargeFailuresFileName, got)
			}
		})
	}
}
