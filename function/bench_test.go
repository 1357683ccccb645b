package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
)

// The S3 the shaped benchmarks read from: 20 ms to the first byte of every
// answer, then 8 MB/s per connection, as one GET from S3 might get.
const (
	shapeLatency = 20 * time.Millisecond
	shapeRate    = 8_000_000
)

// shapedHandler is the function with the template's settings
// (SUMSQ_CONCURRENCY=64) over a shaped S3 holding objects.
func shapedHandler(b *testing.B, objects map[string][]byte) *handler {
	b.Helper()
	srv := s3test.NewServer(b, bucket)
	for k, v := range objects {
		srv.Put(b, bucket, k, v)
	}
	srv.ShapeAll(shapeLatency, shapeRate)
	c, err := loadConfig(func(k string) string { return map[string]string{"SUMSQ_CONCURRENCY": "64"}[k] })
	if err != nil {
		b.Fatal(err)
	}
	client, err := s3store.NewClient(srv.Config(), s3store.ClientConfig{Connections: c.Concurrency,
		Getenv: func(k string) string { return map[string]string{s3store.PathStyleEnv: "true"}[k] }})
	if err != nil {
		b.Fatal(err)
	}
	return newHandler(c, s3store.New(client), slog.New(slog.NewJSONHandler(io.Discard, nil)))
}

// numbers is n bytes of lines of numbers.
func numbers(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%d\n", i*7919%1000003)
	}
	return b.Bytes()[:n-n%8]
}

// BenchmarkShapedLargeObject reads one 64 MiB object: in parts, as the
// function does, and as one stream would, and reports the ratio.
//
//	go test -run='^$' -bench=ShapedLargeObject -benchtime=3x ./function
func BenchmarkShapedLargeObject(b *testing.B) {
	body := numbers(64 << 20)
	h := shapedHandler(b, map[string][]byte{"large": body})
	event := []byte(fmt.Sprintf(`{"Items": [{"bucket": %q, "key": "large", "size": %d}]}`, bucket, len(body)))
	invoke := func() time.Duration {
		start := time.Now()
		out, err := h.Invoke(context.Background(), event)
		if err != nil || !bytes.Contains(out, []byte(`"objects":1,`)) {
			b.Fatalf("Invoke = %.200s, %v", out, err)
		}
		return time.Since(start)
	}
	parts := h.summer.PartSize
	h.summer.PartSize = 1 << 40 // one stream
	one := invoke()
	h.summer.PartSize = parts
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	var total time.Duration
	for b.Loop() {
		total += invoke()
	}
	b.ReportMetric(one.Seconds(), "s-one-stream")
	b.ReportMetric(float64(one)/float64(total/time.Duration(b.N)), "x-one-stream")
}

// BenchmarkShapedBatch sums a batch of 1,000 small objects, as the
// template's ItemBatcher sends them, and reports objects a second.
//
//	go test -run='^$' -bench=ShapedBatch -benchtime=5x ./function
func BenchmarkShapedBatch(b *testing.B) {
	const n = 1000
	objects := make(map[string][]byte, n)
	var batch job.Batch
	for i := range n {
		key := fmt.Sprintf("today/random_%d.log", i)
		objects[key] = []byte(fmt.Sprintf("%d\n", i%1000))
		size := int64(len(objects[key]))
		batch.Items = append(batch.Items, job.Object{Bucket: bucket, Key: key, Size: &size})
	}
	h := shapedHandler(b, objects)
	event, _ := json.Marshal(batch)
	b.ResetTimer()
	for b.Loop() {
		out, err := h.Invoke(context.Background(), event)
		if err != nil || !strings.Contains(string(out), fmt.Sprintf(`"objects":%d,`, n)) {
			b.Fatalf("Invoke = %.200s, %v", out, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "objects/s")
}
