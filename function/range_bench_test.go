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
// byte, 8 MB/s a connection), with the template's settings (64 parts at
// once at most), and reports its read rate (MB/s). Each part is one
// connection: the rate is that of the parts in flight, the range's size
// over PartSize, 8 with the default 8 MiB parts; a range of the default
// SplitSizeMiB (256) has 32.
//
//	go test -run='^$' -bench=ShapedRange -benchtime=2x -count=6 ./function
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
		name string
		part int64
	}{
		{"parts=8MiB(default),8-at-once", 0},
		{"parts=2MiB,32-at-once", 2 << 20},
		{"parts=1MiB,64-at-once", 1 << 20},
	} {
		b.Run(tt.name, func(b *testing.B) {
			h.summer.PartSize = tt.part
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
