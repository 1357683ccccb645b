package maprun_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/maprun"
	"github.com/sumsq/sumsq/internal/memstore"
)

// TestTotalPart totals one part, a whole result file, and checks the
// Partial and the lists the part writes: every failure and every object
// set aside, as JSON Lines, in the order of the records, only when there
// is any.
func TestTotalPart(t *testing.T) {
	fail := func(key string) job.Failure {
		return job.Failure{Bucket: "data", Key: key, Error: "InvalidContentError", Cause: "line 1 (byte 0): not an integer: \"x\""}
	}
	deferred := func(key string, size int64) job.Deferred {
		return job.Deferred{Bucket: "data", Key: key, Size: size, ETag: `"e-` + key + `"`, Reason: job.DeferredLarge}
	}
	var many []job.Failure
	for i := range job.MaxListedFailures + 5 {
		many = append(many, fail(fmt.Sprintf("bad/%03d", i)))
	}
	const index = 3
	failedKey := runDir + maprun.FailuresDir + "000003.jsonl"
	deferredKey := runDir + maprun.DeferredDir + "000003.jsonl"
	tests := []struct {
		name         string
		status       string
		body         func(t *testing.T) []byte
		want         maprun.Partial
		wantFailures []job.Failure  // in failed/000003.jsonl; nil: no file
		wantDeferred []job.Deferred // in deferred/000003.jsonl; nil: no file
		wantErr      string         // an InvalidResultsError's reason contains it
	}{
		{
			name:   "batches summed, failed, skipped and set aside",
			status: "SUCCEEDED",
			body: func(t *testing.T) []byte {
				return jsonLines(t,
					job.BatchResult{Objects: 2, Count: 3, SumOfSquares: "14", Results: []job.ObjectResult{},
						FailedObjects: 1, Failed: []job.Failure{fail("a")}, SkippedObjects: 1,
						DeferredObjects: 1, Deferred: []job.Deferred{deferred("big/1", 10<<30)}},
					job.BatchResult{Objects: 1, Count: 1, SumOfSquares: "4", Results: []job.ObjectResult{},
						FailedObjects: 2, Failed: []job.Failure{fail("b"), fail("c")},
						DeferredObjects: 1, Deferred: []job.Deferred{deferred("big/2", 1)}})
			},
			want: maprun.Partial{Index: index, Objects: 3, Count: 4, SumOfSquares: "18", FailedObjects: 3,
				Failed: []job.Failure{fail("a"), fail("b"), fail("c")}, SkippedObjects: 1, DeferredObjects: 2,
				FailuresKey: failedKey, DeferredKey: deferredKey},
			wantFailures: []job.Failure{fail("a"), fail("b"), fail("c")},
			wantDeferred: []job.Deferred{deferred("big/1", 10<<30), deferred("big/2", 1)},
		},
		{
			name:   "nothing failed, nothing set aside: no list",
			status: "SUCCEEDED",
			body: func(t *testing.T) []byte {
				return jsonLines(t, job.BatchResult{Objects: 1, Count: 2, SumOfSquares: "5", Results: []job.ObjectResult{}, Failed: []job.Failure{}})
			},
			want: maprun.Partial{Index: index, Objects: 1, Count: 2, SumOfSquares: "5", Failed: []job.Failure{}},
		},
		{
			name:   "more failures than a Partial lists: every one in the list",
			status: "SUCCEEDED",
			body: func(t *testing.T) []byte {
				return jsonLines(t, job.BatchResult{SumOfSquares: "0", Results: []job.ObjectResult{},
					FailedObjects: int64(len(many)), Failed: many})
			},
			want: maprun.Partial{Index: index, SumOfSquares: "0", FailedObjects: int64(len(many)),
				Failed: many[:job.MaxListedFailures], FailuresKey: failedKey},
			wantFailures: many,
		},
		{
			// The per-object results are JSON the total skips, unread as
			// ObjectResults: any JSON value is let through.
			name:   "per-object results skipped undecoded",
			status: "SUCCEEDED",
			body: func(t *testing.T) []byte {
				return []byte(`{"objects":1,"count":1,"sumOfSquares":"9","results":[1,"x",{"y":[null,true]},[]],"failedObjects":0,"failed":[]}` + "\n")
			},
			want: maprun.Partial{Index: index, Objects: 1, Count: 1, SumOfSquares: "9", Failed: []job.Failure{}},
		},
		{
			name:   "per-object results not JSON",
			status: "SUCCEEDED",
			body: func(t *testing.T) []byte {
				return []byte(`{"objects":1,"count":1,"sumOfSquares":"9","results":[{"bucket":"data",}],"failedObjects":0,"failed":[]}` + "\n")
			},
			wantErr: "line 1",
		},
		{
			name:   "failedObjects not the failures named",
			status: "SUCCEEDED",
			body: func(t *testing.T) []byte {
				return jsonLines(t, job.BatchResult{SumOfSquares: "0", Results: []job.ObjectResult{}, FailedObjects: 2, Failed: []job.Failure{fail("a")}})
			},
			wantErr: "failedObjects is 2 but failed names 1",
		},
		{
			name:   "a failed execution: each object of its batch failed, results skipped",
			status: "FAILED",
			body: func(t *testing.T) []byte {
				return jsonLines(t, execution(t, "FAILED", batchOf("a", "results/x/SUCCEEDED_0.json", "b"), nil, "States.Timeout", "late"))
			},
			want: maprun.Partial{Index: index, SumOfSquares: "0", FailedObjects: 2, SkippedObjects: 1, FailuresKey: failedKey,
				Failed: []job.Failure{{Bucket: "data", Key: "a", Error: "States.Timeout", Cause: "late"}, {Bucket: "data", Key: "b", Error: "States.Timeout", Cause: "late"}}},
			wantFailures: []job.Failure{{Bucket: "data", Key: "a", Error: "States.Timeout", Cause: "late"}, {Bucket: "data", Key: "b", Error: "States.Timeout", Cause: "late"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &memstore.Store{}
			body := tt.body(t)
			key := runDir + tt.status + "_0.json"
			st.Set(resultsBucket, key, body)
			got, err := maprun.TotalPart(context.Background(), newSummer(st), maprun.PartEvent{TotalPart: &maprun.Part{
				Bucket: resultsBucket, Key: key, Status: tt.status, Size: int64(len(body)), End: int64(len(body)), Index: index}})
			if tt.wantErr != "" {
				if !invalidResults(err, key, tt.wantErr) {
					t.Fatalf("TotalPart = %+v, %v; want an InvalidResultsError for %s containing %q", got, err, key, tt.wantErr)
				}
				if _, ok := st.Get(resultsBucket, failedKey); ok {
					t.Errorf("%s written by a part that failed", failedKey)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("TotalPart =\n%+v, %v\nwant\n%+v, nil", got, err, tt.want)
			}
			if got := lines[job.Failure](t, st, failedKey); !reflect.DeepEqual(got, tt.wantFailures) {
				t.Errorf("%s holds %+v; want %+v", failedKey, got, tt.wantFailures)
			}
			if got := lines[job.Deferred](t, st, deferredKey); !reflect.DeepEqual(got, tt.wantDeferred) {
				t.Errorf("%s holds %+v; want %+v", deferredKey, got, tt.wantDeferred)
			}
		})
	}
}
