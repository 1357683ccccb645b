package job_test

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
)

// TestBatchMemory reads a batch of zstd objects whose frames each ask for
// an 8 MiB window (as `zstd -19` output does), 12 at once, with the
// Summer's Memory set to room for two such streams. The decoders' windows
// are allocated only once their memory is free: the live heap (as the
// collector, run often, marks it) never grows by much more than two
// windows, where 12 at once would take over 100 MiB. (The function's own peak resident memory, under the
// emulator at 128 MB, is e2e's TestBatchMemory.)
func TestBatchMemory(t *testing.T) {
	const window = 8 << 20
	var text strings.Builder
	for i := range 50000 {
		fmt.Fprintln(&text, i)
	}
	body := zstded(t, text.String(), zstd.WithWindowSize(window), zstd.WithEncoderLevel(zstd.SpeedFastest))
	srv := s3test.NewServer(t, dataBucket)
	var b job.Batch
	for i := range 24 {
		key := fmt.Sprintf("k%02d.zst", i)
		srv.Put(t, dataBucket, key, body)
		b.Items = append(b.Items, job.Object{Bucket: dataBucket, Key: key, Size: int64p(int64(len(body)))})
	}
	const concurrency = 12
	memory := int64(concurrency*96<<10 + 2*(window+1<<20))

	defer debug.SetGCPercent(debug.SetGCPercent(5)) // a collection, and a mark of the live heap, every 5 %
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	before := sample[0].Value.Uint64()
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		s := []metrics.Sample{{Name: sample[0].Name}}
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	s := &job.Summer{Storage: s3store.New(srv.Client()), Concurrency: concurrency, Memory: memory}
	got, err := s.Batch(context.Background(), b)
	close(stop)
	<-sampled
	if err != nil || got.Objects != 24 {
		t.Fatalf("Batch = %d objects, %v; want 24 summed", got.Objects, err)
	}
	growth := int64(peak.Load()) - int64(before)
	t.Logf("live heap: %d MiB before, grew by %d MiB at most", before>>20, growth>>20)
	if bound := memory + 8<<20; growth > bound {
		t.Errorf("the heap grew by %d MiB; want at most %d MiB, the Summer's Memory and a little", growth>>20, bound>>20)
	}
}
