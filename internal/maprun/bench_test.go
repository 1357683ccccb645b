package maprun_test

import (
	"bytes"
	"context"
	"fmt"
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
