package inventory_test

import (
	"fmt"
	"iter"
	"testing"

	"github.com/sumsq/sumsq/internal/inventory"
	"github.com/sumsq/sumsq/internal/memstore"
)

// benchRows are n rows of keys as a bucket of dated parts has them, one in
// ten with a space (which the CSV encodes).
func benchRows(n int) iter.Seq[inventory.Row] {
	return func(yield func(inventory.Row) bool) {
		for i := range n {
			key := fmt.Sprintf("numbers/2024/%02d/%02d/part-%07d.txt", i/100000%12+1, i/1000%28+1, i)
			if i%10 == 0 {
				key = fmt.Sprintf("numbers/2024/late arrivals/part %07d.txt", i)
			}
			if !yield(inventory.Row{Key: key, Size: int64(i*7919) % (1 << 20)}) {
				return
			}
		}
	}
}

// BenchmarkRows reads a report of current versions in data files of
// 100,000 rows, from memory: the cost of gunzip, CSV, checks and key
// decoding, in rows a second.
func BenchmarkRows(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			st := &memstore.Store{}
			w := &inventory.Writer{
				Destination:  inventory.Destination{Storage: st, Bucket: destBucket},
				SourceBucket: sourceBucket,
				Created:      created,
			}
			key, err := w.Write(b.Context(), benchRows(n))
			if err != nil {
				b.Fatal(err)
			}
			r, err := w.Open(b.Context(), key)
			if err != nil {
				b.Fatal(err)
			}
			var compressed int64
			for _, f := range r.Files {
				compressed += f.Size
			}
			b.SetBytes(compressed)
			b.ReportAllocs()
			for b.Loop() {
				rows := 0
				for _, err := range r.Rows(b.Context()) {
					if err != nil {
						b.Fatal(err)
					}
					rows++
				}
				if rows != n {
					b.Fatalf("%d rows; want %d", rows, n)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
