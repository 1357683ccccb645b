package maprun_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/maprun"
	"github.com/sumsq/sumsq/internal/memstore"
)

// benchRun is a SUCCEEDED result file of batches batches of objects
// objects each, as the template's ResultWriter writes it (COMPACT, JSON
// Lines): the function's batch results, with their per-object results,
// of the blog's kind of objects (a few numbers below 1000 each).
func benchRun(batches, objects int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	for i := range batches {
		r := job.BatchResult{Results: make([]job.ObjectResult, objects), Failed: []job.Failure{}}
		var sum int64
		for j := range r.Results {
			count := 1 + rng.Int64N(5)
			var s int64
			for range count {
				n := rng.Int64N(1000)
				s += n * n
			}
			r.Results[j] = job.ObjectResult{Bucket: "sumsq-data", Key: fmt.Sprintf("today/random_%d.log", i*objects+j),
				Count: count, SumOfSquares: fmt.Sprint(s)}
			r.Objects++
			r.Count += count
			sum += s
		}
		r.SumOfSquares = fmt.Sprint(sum)
		line, err := job.Marshal(r)
		if err != nil {
			panic(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// BenchmarkTotal totals the results of a run of 1,000,000 objects, 1,000
// batches of 1,000, in memory: the reading of result records, which is
// what a total spends its time on. MB/s are of result files; objects/s,
// of the run's objects.
//
//	go test -run='^$' -bench=Total -count=6 ./internal/maprun
func BenchmarkTotal(b *testing.B) {
	const batches, objects = 1000, 1000
	file := benchRun(batches, objects)
	st := &memstore.Store{}
	st.Set(resultsBucket, runDir+"SUCCEEDED_0.json", file)
	e := maprun.PartEvent{TotalPart: &maprun.Part{Bucket: resultsBucket, Key: runDir + "SUCCEEDED_0.json", Status: "SUCCEEDED",
		Size: int64(len(file)), End: int64(len(file))}}
	s := newSummer(st)
	b.Run(fmt.Sprintf("batches=%d/objects=%d", batches, objects), func(b *testing.B) {
		b.SetBytes(int64(len(file)))
		b.ReportAllocs()
		for b.Loop() {
			got, err := maprun.TotalPart(context.Background(), s, e)
			if err != nil || got.Objects != batches*objects {
				b.Fatalf("TotalPart = %d objects, %v; want %d", got.Objects, err, batches*objects)
			}
		}
		b.ReportMetric(float64(b.N)*batches*objects/b.Elapsed().Seconds(), "objects/s")
	})
}

// benchFailures is a SUCCEEDED result file of batches batches whose every
// one of objects objects failed, with a cause of the length S3's errors
// have.
func benchFailures(batches, objects int) []byte {
	var b bytes.Buffer
	for i := range batches {
		r := job.BatchResult{SumOfSquares: "0", Results: []job.ObjectResult{}, FailedObjects: int64(objects), Failed: make([]job.Failure, objects)}
		for j := range r.Failed {
			key := fmt.Sprintf("today/random_%d.log", i*objects+j)
			r.Failed[j] = job.Failure{Bucket: "sumsq-data", Key: key, Error: "S3UnavailableError",
				Cause: "s3://sumsq-data/" + key + ": S3 unavailable: operation error S3: GetObject, exceeded maximum number of attempts, 3, " +
					"https response error StatusCode: 503, RequestID: 4GZ1T8SV7J9KQ2XH, api error SlowDown: Please reduce your request rate."}
		}
		line, err := job.Marshal(r)
		if err != nil {
			panic(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// listSink is a memstore whose PutStream reads a body to its end and keeps
// only its length: the lists a part streams, measured without the cost of
// holding them in memory, which a Storage over S3 does not have.
type listSink struct {
	*memstore.Store
	written int64
}

func (s *listSink) PutStream(ctx context.Context, bucket, key string, body io.Reader) error {
	n, err := io.Copy(io.Discard, body)
	s.written = n
	return err
}

// BenchmarkTotalPartFailures totals a part of a million failed objects,
// 1,000 batches of 1,000, in memory: the decoding of the failures and the
// streaming of the list of every one of them (list-MB) to a Storage that
// keeps none of it, so that B/op and allocs/op are the part's own, per
// total of the million.
//
//	go test -run='^$' -bench=TotalPartFailures -count=6 ./internal/maprun
func BenchmarkTotalPartFailures(b *testing.B) {
	const batches, objects = 1000, 1000
	file := benchFailures(batches, objects)
	st := &listSink{Store: &memstore.Store{}}
	st.Set(resultsBucket, runDir+"SUCCEEDED_0.json", file)
	e := maprun.PartEvent{TotalPart: &maprun.Part{Bucket: resultsBucket, Key: runDir + "SUCCEEDED_0.json", Status: "SUCCEEDED",
		Size: int64(len(file)), End: int64(len(file))}}
	s := newSummer(st)
	b.Run(fmt.Sprintf("batches=%d/failed=%d", batches, objects), func(b *testing.B) {
		b.SetBytes(int64(len(file)))
		b.ReportAllocs()
		var got maprun.Partial
		for b.Loop() {
			var err error
			got, err = maprun.TotalPart(context.Background(), s, e)
			if err != nil || got.FailedObjects != batches*objects {
				b.Fatalf("TotalPart = %d failed, %v; want %d", got.FailedObjects, err, batches*objects)
			}
		}
		b.ReportMetric(float64(b.N)*batches*objects/b.Elapsed().Seconds(), "objects/s")
		b.ReportMetric(float64(st.written)/1e6, "list-MB")
	})
}
