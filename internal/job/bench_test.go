package job_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/sumsq/sumsq/internal/filestore"
	"github.com/sumsq/sumsq/internal/job"
)

// BenchmarkSumFile sums one 64 MiB file of the blog's numbers as the CLI
// does (filestore, parts on every core), plain and compressed; the bytes
// are those of the numbers, so MB/s compare.
//
//	go test -run='^$' -bench=SumFile -count=6 ./internal/job
func BenchmarkSumFile(b *testing.B) {
	var text strings.Builder
	rng := rand.New(rand.NewPCG(1, 2))
	for text.Len() < 64<<20 {
		fmt.Fprintln(&text, rng.IntN(1000))
	}
	plain := text.String()
	dir := b.TempDir()
	files := map[string][]byte{
		"plain": []byte(plain),
		"gzip":  gzipped(b, plain),
		"zstd":  zstded(b, plain, zstd.WithEncoderLevel(zstd.SpeedDefault)),
	}
	for _, name := range []string{"plain", "gzip", "zstd"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			s := &job.Summer{Storage: &filestore.Store{}}
			b.SetBytes(int64(len(plain)))
			for b.Loop() {
				if _, err := s.Sum(context.Background(), job.Object{Key: path}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(plain))/float64(len(files[name])), "x-compression")
		})
	}
}
