//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sumsq/sumsq/internal/job"
)

// The total's benchmarks run the built function, as deployed, under the
// Lambda runtime emulator on one core (GOMAXPROCS=1), with the template's
// TotalFunction memory, against versitygw, a real S3 gateway, over HTTPS:
// the whole path of one invocation, its S3 reads and writes included. The
// emulator does not share out the CPU as Lambda does: a function has one
// vCPU at 1,769 MB and CPU in proportion to its memory below that
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html),
// so at the template's 1,024 MB about 58 % of the core measured here.
//
//	go test -tags e2e -run='^$' -bench='TotalPart$' -benchtime=5x -count=6 ./e2e
//	go test -tags e2e -run='^$' -bench=TotalPartFailures -benchtime=2x -count=6 ./e2e
const (
	benchBucket     = "sumsq-bench"
	benchRunDir     = "results/6c1f0b9e-0a3e-4d4f-8a43-0d2c6f0e5b21/"
	benchMemoryMB   = "1024"
	benchTimeout    = 900 * time.Second
	benchBatches    = 1000
	benchObjects    = 1000 // per batch
	benchResultFile = benchRunDir + "SUCCEEDED_0.json"
)

// benchResults is a SUCCEEDED result file of batches batches of objects
// objects, as the template's ResultWriter writes it (COMPACT, JSON Lines):
// the function's batch results with their per-object results, of the
// blog's kind of objects; and the total of their sums.
func benchResults(batches, objects int) ([]byte, *big.Int) {
	rng := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	total := new(big.Int)
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
			r.Results[j] = job.ObjectResult{Bucket: benchBucket, Key: fmt.Sprintf("today/random_%d.log", i*objects+j),
				Count: count, SumOfSquares: strconv.FormatInt(s, 10)}
			r.Objects++
			r.Count += count
			sum += s
		}
		r.SumOfSquares = strconv.FormatInt(sum, 10)
		total.Add(total, big.NewInt(sum))
		line, err := job.Marshal(r)
		if err != nil {
			panic(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes(), total
}

// benchTotal is the fixture of a total's benchmark: versitygw holding a
// result file, and the function under the emulator.
type benchTotal struct {
	emu    *emulator
	client *s3.Client
}

func startBenchTotal(b *testing.B, env ...string) *benchTotal {
	b.Helper()
	logDir := b.TempDir()
	gw := startVersityGW(b, logDir)
	emu := startEmulator(b, logDir, "rie-total", functionEnv{
		S3Endpoint: gw.URL,
		Timeout:    benchTimeout,
		Extra: append([]string{
			"AWS_CA_BUNDLE=" + gw.CAFile,
			"GOMAXPROCS=1",
			"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + benchMemoryMB,
			"SUMSQ_BUCKET=" + benchBucket,
		}, env...),
	})
	client := gw.client()
	if err := createBucket(testContext(b, time.Minute), client, benchBucket); err != nil {
		b.Fatal(err)
	}
	return &benchTotal{emu: emu, client: client}
}

func (f *benchTotal) put(b *testing.B, key string, body []byte) {
	b.Helper()
	_, err := f.client.PutObject(testContext(b, 5*time.Minute), &s3.PutObjectInput{
		Bucket: aws.String(benchBucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		b.Fatal(err)
	}
}

// invoke sends event and decodes the function's result into v, failing
// on a function error.
func (f *benchTotal) invoke(b *testing.B, event []byte, v any) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), benchTimeout)
	defer cancel()
	status, body, err := f.emu.invoke(ctx, event)
	if err != nil || status != 200 {
		b.Fatalf("invoke = HTTP %d, %.300s, %v", status, body, err)
	}
	if _, isErr := functionError(body); isErr {
		b.Fatalf("invoke = %.1000s; want a result", body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		b.Fatalf("invoke = %.300s: %v", body, err)
	}
}

// partEvent is the TotalPart event of the whole result file key of size
// bytes: one part, as PlanTotal plans a file no larger than TotalPartBytes.
func partEvent(key string, size int) []byte {
	event, _ := json.Marshal(map[string]any{"TotalPart": map[string]any{
		"bucket": benchBucket, "key": key, "status": "SUCCEEDED", "size": size, "start": 0, "end": size, "index": 0}})
	return event
}

// BenchmarkTotalPart totals the results of a run of 1,000,000 objects
// (1,000 batches of 1,000, with their per-object results) in one
// invocation, a TotalPart of the whole result file: objects/s is the
// goal's number, MB/s the result file's.
func BenchmarkTotalPart(b *testing.B) {
	f := startBenchTotal(b)
	file, sum := benchResults(benchBatches, benchObjects)
	f.put(b, benchResultFile, file)
	event := partEvent(benchResultFile, len(file))
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		var got struct {
			Objects      int64  `json:"objects"`
			SumOfSquares string `json:"sumOfSquares"`
		}
		f.invoke(b, event, &got)
		if got.Objects != benchBatches*benchObjects || got.SumOfSquares != sum.String() {
			b.Fatalf("total = %d objects, sum %s; want %d, %s", got.Objects, got.SumOfSquares, benchBatches*benchObjects, sum)
		}
	}
	b.ReportMetric(float64(b.N)*benchBatches*benchObjects/b.Elapsed().Seconds(), "objects/s")
	b.ReportMetric(float64(peakRSS(b, f.emu))/(1<<20), "peak-RSS-MiB")
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
			r.Failed[j] = job.Failure{Bucket: benchBucket, Key: key, Error: "S3UnavailableError",
				Cause: "s3://" + benchBucket + "/" + key + ": S3 unavailable: operation error S3: GetObject, exceeded maximum number of attempts, 3, " +
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

// BenchmarkTotalPartFailures totals a part of a million failed objects:
// the part streams its list of every failure to S3 (a multipart upload),
// with no temporary file (TMPDIR, an empty directory of the function's
// own, stays empty) and memory that does not grow with the list
// (peak-RSS-MiB). list-MB is the size of the list written.
func BenchmarkTotalPartFailures(b *testing.B) {
	tmp := b.TempDir()
	f := startBenchTotal(b, "TMPDIR="+tmp)
	file := benchFailures(benchBatches, benchObjects)
	key := benchRunDir + "SUCCEEDED_1.json"
	f.put(b, key, file)
	event := partEvent(key, len(file))
	b.SetBytes(int64(len(file)))
	var got struct {
		FailedObjects int64  `json:"failedObjects"`
		FailuresKey   string `json:"failuresKey"`
	}
	for b.Loop() {
		f.invoke(b, event, &got)
		if got.FailedObjects != benchBatches*benchObjects || got.FailuresKey != benchRunDir+"failed/000000.jsonl" {
			b.Fatalf("total = %d failed, list %q; want %d, %s", got.FailedObjects, got.FailuresKey, benchBatches*benchObjects, benchRunDir+"failed/000000.jsonl")
		}
	}
	b.ReportMetric(float64(b.N)*benchBatches*benchObjects/b.Elapsed().Seconds(), "objects/s")
	b.ReportMetric(float64(peakRSS(b, f.emu))/(1<<20), "peak-RSS-MiB")
	head, err := f.client.HeadObject(testContext(b, time.Minute), &s3.HeadObjectInput{Bucket: aws.String(benchBucket), Key: aws.String(got.FailuresKey)})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(aws.ToInt64(head.ContentLength))/1e6, "list-MB")
	if entries, err := os.ReadDir(tmp); err != nil || len(entries) > 0 {
		b.Errorf("the function's TMPDIR holds %d files, %v; want none", len(entries), err)
	}
}
