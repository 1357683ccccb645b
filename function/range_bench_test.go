package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkShapedRange is one SumLargeObjects invocation: the function sums
// a 64 MiB range in the middle of an object, every GET pinned to its ETag,
// from the shaped S3 of the other shaped benchmarks (20 ms to the first
// byte, 8 MB/s a connection), and reports its read rate (MB/s). With the
// defaults, the range is read in parts of 8 MiB, 8 at once; more parts at
// once (smaller parts, more connections) read it faster, for the same
// memory a part.
//
//	go test -run='^$' -bench=ShapedRange -benchtime=2x -count=5 ./function
func BenchmarkShapedRange(b *testing.B) {
	const (
		size       = 72 << 20
		start, end = 4 << 20, 68 << 20
	)
	body := numbers(size)
	h := shapedHandler(b, map[string][]byte{"large": body})
	etag := fmt.Sprintf(`"%x"`, md5.Sum(body))
	event := []byte(fmt.Sprintf(`{"Range": {"bucket": %q, "key": "large", "size": %d, "etag": %q, "start": %d, "end": %d, "part": 1, "parts": 3}}`,
		bucket, len(body), etag, start, end))
	want := fmt.Sprintf(`"lines":%d`, bytes.Count(body[start-1:end-1], []byte("\n")))
	for _, tt := range []struct {
		name    string
		part    int64
		streams int
	}{
		{"defaults,parts=8MiB,streams=8", 0, 0},
		{"parts=2MiB,streams=32", 2 << 20, 32},
		{"parts=1MiB,streams=64", 1 << 20, 64},
	} {
		b.Run(tt.name, func(b *testing.B) {
			h.summer.PartSize, h.summer.RangeConcurrency = tt.part, tt.streams
			b.SetBytes(end - start)
			for b.Loop() {
				out, err := h.Invoke(context.Background(), event)
				if err != nil || !strings.Contains(string(out), want) || strings.Contains(string(out), "failure") {
					b.Fatalf("Invoke = %.300s, %v; want %s", out, err, want)
				}
			}
		})
	}
}
