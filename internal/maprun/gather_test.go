package maprun_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/maprun"
	"github.com/sumsq/sumsq/internal/memstore"
)

// TestGather adds up the Partials of a plan of three parts, as TotalParts'
// ResultWriter wrote them, and checks that no total is made of results
// that leave out a part, count one twice, or do not account for every item
// of the data Map Run.
func TestGather(t *testing.T) {
	const split = 10
	deferred := func(key string, size int64) job.Deferred {
		return job.Deferred{Bucket: "data", Key: key, Size: size, ETag: `"e-` + key + `"`, Reason: job.DeferredLarge}
	}
	bad := job.Failure{Bucket: "data", Key: "x", Error: "ObjectNotFoundError", Cause: "s3://data/x: object not found"}
	// One record a file, a part a file: part i is record i. 7 items.
	records := []job.BatchResult{
		{Objects: 2, Count: 2, SumOfSquares: "2", Results: []job.ObjectResult{}, Failed: []job.Failure{},
			DeferredObjects: 1, Deferred: []job.Deferred{deferred("big/a", split)}},
		{Objects: 1, Count: 1, SumOfSquares: "1", Results: []job.ObjectResult{}, FailedObjects: 1, Failed: []job.Failure{bad}},
		{SumOfSquares: "0", Results: []job.ObjectResult{}, Failed: []job.Failure{},
			DeferredObjects: 2, Deferred: []job.Deferred{deferred("big/b", 0), deferred("big/c", 2*split+5)}},
	}
	setup := func(t *testing.T, st *memstore.Store) (*chain, []any) {
		var files []resultFile
		for i, r := range records {
			files = append(files, resultFile{"SUCCEEDED", "SUCCEEDED_" + string(rune('0'+i)) + ".json", jsonLines(t, r)})
		}
		c := newChain(t, st, 7, files...)
		c.split = split
		return c, planAndTotalParts(t, c)
	}
	rng := func(key string, size, start, end int64, part, parts int) job.Range {
		return job.Range{Bucket: "data", Key: key, Size: size, ETag: `"e-` + key + `"`, Start: start, End: end, Part: part, Parts: parts}
	}

	tests := []struct {
		name    string
		results func(p []any) []any // TotalParts' SUCCEEDED records
		counted int64               // TotalParts' count of its items
		items   int64               // the data Map Run's
		wantErr string              // an InvalidResultsError's message contains it
	}{
		{name: "every part once", results: func(p []any) []any { return p }, counted: 3, items: 7},
		{name: "every part once, in another order", results: func(p []any) []any { return []any{p[2], p[0], p[1]} }, counted: 3, items: 7},
		{name: "a part missing", results: func(p []any) []any { return []any{p[0], p[2]} }, counted: 3, items: 7,
			wantErr: "part 1 of 3 has no result among TotalParts' SUCCEEDED results"},
		{name: "a part twice", results: func(p []any) []any { return []any{p[0], p[1], p[1], p[2]} }, counted: 3, items: 7,
			wantErr: "part 1: a second result of the part"},
		{name: "a part not of the plan", results: func(p []any) []any {
			q := p[2].(maprun.Partial)
			q.Index = 3
			return []any{p[0], p[1], p[2], q}
		}, counted: 3, items: 7, wantErr: "part 3: not a part of the plan's 3"},
		{name: "TotalParts counted fewer items than the plan's parts", results: func(p []any) []any { return p }, counted: 2, items: 7,
			wantErr: "TotalParts counted 2 items but the plan has 3 parts"},
		{name: "the parts account for fewer items than the data Map Run counted", results: func(p []any) []any { return p }, counted: 3, items: 8,
			wantErr: "the results account for 7 objects (3 summed, 1 failed, 0 skipped, 3 set aside) but the Map Run counted 8 items"},
		{name: "the parts account for more items than the data Map Run counted", results: func(p []any) []any { return p }, counted: 3, items: 6,
			wantErr: "the results account for 7 objects (3 summed, 1 failed, 0 skipped, 3 set aside) but the Map Run counted 6 items"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &memstore.Store{}
			c, partials := setup(t, st)
			*c.data.ItemCounts.Total = tt.items
			parts := putRun(t, st, c.partsManifest, c.partsArn, tt.counted,
				resultFile{"SUCCEEDED", "SUCCEEDED_0.json", jsonLines(t, tt.results(partials)...)})
			got, err := maprun.Gather(context.Background(), c.s, maprun.GatherEvent{Gather: parts, Objects: c.data, Plan: &c.plan, SplitBytes: ptr[int64](split)})
			if tt.wantErr != "" {
				if !is[*job.InvalidResultsError](err) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Gather = %+v, %v; want an InvalidResultsError containing %q", got, err, tt.wantErr)
				}
				return
			}
			want := maprun.Gathered{
				Partial: maprun.Subtotal{Objects: 3, Count: 3, SumOfSquares: "3", FailedObjects: 1, Failed: []job.Failure{bad},
					FailuresLocation: failuresLocation(st), DeferredObjects: 3, MapRun: c.data},
				Ranges: maprun.RangesFile{Bucket: resultsBucket, Key: runDir + maprun.RangesFileName, Count: 5},
			}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("Gather =\n%+v, %v\nwant\n%+v, nil", got, err, want)
			}
			// ceil(size/SplitBytes) ranges an object, at least one, in the
			// order of the parts' lists.
			wantRanges := []job.Range{
				rng("big/a", split, 0, split, 0, 1),
				rng("big/b", 0, 0, 0, 0, 1),
				rng("big/c", 2*split+5, 0, split, 0, 3), rng("big/c", 2*split+5, split, 2*split, 1, 3), rng("big/c", 2*split+5, 2*split, 2*split+5, 2, 3),
			}
			if got := lines[job.Range](t, st, want.Ranges.Key); !reflect.DeepEqual(got, wantRanges) {
				t.Errorf("%s holds\n%+v\nwant\n%+v", want.Ranges.Key, got, wantRanges)
			}
		})
	}
}

// TestGatherPinsUnstarted: an object a batch set aside before reading a
// byte of it has no ETag in its list; Gather learns the version (and the
// size) it has now, so that all its ranges read that one. One that is gone
// keeps none: its range fails, naming it.
func TestGatherPinsUnstarted(t *testing.T) {
	const split = 10
	ctx := context.Background()
	st := &memstore.Store{}
	body := "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n" // 27 bytes: it grew since it was listed
	if err := st.Put(ctx, "data", "big/u", strings.NewReader(body), int64(len(body))); err != nil {
		t.Fatal(err)
	}
	src, err := st.Open(ctx, "data", "big/u", -1)
	if err != nil {
		t.Fatal(err)
	}
	version := src.Version()
	src.Close()
	record := job.BatchResult{SumOfSquares: "0", Results: []job.ObjectResult{}, Failed: []job.Failure{}, DeferredObjects: 2,
		Deferred: []job.Deferred{
			{Bucket: "data", Key: "big/u", Size: 12, Reason: job.DeferredUnstarted},
			{Bucket: "data", Key: "big/gone", Size: 12, Reason: job.DeferredUnstarted},
		}}
	c := newChain(t, st, 2, resultFile{"SUCCEEDED", "SUCCEEDED_0.json", jsonLines(t, record)})
	c.split = split
	partials := planAndTotalParts(t, c)
	parts := putRun(t, st, c.partsManifest, c.partsArn, int64(len(partials)),
		resultFile{"SUCCEEDED", "SUCCEEDED_0.json", jsonLines(t, partials...)})
	got, err := maprun.Gather(ctx, c.s, maprun.GatherEvent{Gather: parts, Objects: c.data, Plan: &c.plan, SplitBytes: ptr[int64](split)})
	if err != nil {
		t.Fatal(err)
	}
	want := []job.Range{
		{Bucket: "data", Key: "big/u", Size: 27, ETag: version, Start: 0, End: 10, Part: 0, Parts: 3},
		{Bucket: "data", Key: "big/u", Size: 27, ETag: version, Start: 10, End: 20, Part: 1, Parts: 3},
		{Bucket: "data", Key: "big/u", Size: 27, ETag: version, Start: 20, End: 27, Part: 2, Parts: 3},
		{Bucket: "data", Key: "big/gone", Size: 12, Start: 0, End: 10, Part: 0, Parts: 2},
		{Bucket: "data", Key: "big/gone", Size: 12, Start: 10, End: 12, Part: 1, Parts: 2},
	}
	if version == "" {
		t.Fatal("memstore gives no version")
	}
	if ranges := lines[job.Range](t, st, got.Ranges.Key); !reflect.DeepEqual(ranges, want) {
		t.Errorf("%s holds\n%+v\nwant\n%+v", got.Ranges.Key, ranges, want)
	}
}

// planAndTotalParts runs the steps before Gather on c and returns the
// parts' results, as TotalParts' ResultWriter would write them.
func planAndTotalParts(t *testing.T, c *chain) []any {
	t.Helper()
	if err := c.planParts(t); err != nil {
		t.Fatal(err)
	}
	var partials []any
	for _, p := range c.partials {
		partials = append(partials, p)
	}
	return partials
}
