package job

import (
	"context"

	"golang.org/x/sync/semaphore"
)

// Streams and their memory. A batch reads up to Concurrency streams at
// once (whole objects, parts, the first bytes of objects), and each holds
// memory while it reads: its connection's buffers, the parser's, a part's,
// a decompressor's state, and for zstd each frame's window, up to 8 MiB
// (64 streams of `zstd -19` output would need more than half a GB).
// Summer.Memory bounds what they hold together: a stream takes a slot and
// its weight in bytes before it reads, and a zstd stream more for each
// frame's window, before its decoder allocates it. A stream waiting for
// memory holds at most its slot, its connection and its reader's buffer
// (a zstd stream between two frames): Memory counts that much for every
// slot, and gives the rest to the streams being read.
const (
	// waitingMemory is what a stream holds while it waits for more: its
	// connection's buffers (the TLS records and the HTTP reader's), its
	// goroutines' stacks, and the 64 KiB buffer that sniffs its codec.
	waitingMemory = 96 << 10
	// streamMemory is what a stream holds as it reads an object whole:
	// waitingMemory, the parser's 64 KiB buffer and a gzip decoder's
	// window and tables. Measured (peak resident memory under the Lambda
	// emulator, 64 and 256 streams at once, garbage included): 95 to 110
	// KiB a plain stream, 180 to 240 KiB a gzip one.
	streamMemory = 256 << 10
	// partMemory is what a stream holds as it reads a part.
	partMemory = waitingMemory + partBufferSize
	// sniffMemory is what a stream holds as it reads an object's first
	// bytes.
	sniffMemory = waitingMemory
)

// zstdMemory is what a zstd stream holds for a frame's window: the window
// and room for two blocks, which the decoder keeps as its history, and the
// block decoder's buffers and tables.
func zstdMemory(window int64) int64 {
	return streamMemory + window + 2*min(window, 128<<10) + 256<<10
}

// streams bounds the streams of a batch, or of one object: how many read at
// once (slots), and the memory they hold.
type streams struct {
	slots chan struct{}
	mem   *semaphore.Weighted // nil: no bound
	size  int64               // of mem
}

// newStreams returns a bound of n streams at once holding at most memory
// bytes together; memory 0 means no bound.
func newStreams(n int, memory int64) *streams {
	st := &streams{slots: make(chan struct{}, n)}
	if memory > 0 {
		// Every slot may hold a waiting stream's memory; what is left is
		// for reading, and at least one stream of any kind reads.
		st.size = max(memory-int64(n)*waitingMemory, zstdMemory(maxZstdWindow))
		st.mem = semaphore.NewWeighted(st.size)
	}
	return st
}

// take waits for a slot and n bytes for a stream of p's object, which has
// then begun to be read.
func (st *streams) take(ctx context.Context, n int64, p *progress) (*hold, error) {
	select {
	case st.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	h := &hold{st: st}
	if st.mem != nil {
		h.n = min(n, st.size)
		if err := st.mem.Acquire(ctx, h.n); err != nil {
			<-st.slots
			return nil, err
		}
	}
	p.begin()
	return h, nil
}

// A hold is a stream's slot and memory.
type hold struct {
	st *streams
	n  int64 // bytes held
}

// grow makes h hold at least n bytes. If they are not free at once, h
// gives up what it holds while it waits, so that waiting streams never
// hold back those that read (a stream holding memory never waits for
// more, and no two wait on each other): it calls drop first, which must
// let go of what that memory was for.
func (h *hold) grow(ctx context.Context, n int64, drop func()) error {
	if h.st.mem == nil {
		return nil
	}
	n = min(n, h.st.size)
	if n <= h.n || h.st.mem.TryAcquire(n-h.n) {
		h.n = max(h.n, n)
		return nil
	}
	drop()
	h.st.mem.Release(h.n)
	h.n = 0
	if err := h.st.mem.Acquire(ctx, n); err != nil {
		return err
	}
	h.n = n
	return nil
}

// give gives the slot and the memory back.
func (h *hold) give() {
	if h.st.mem != nil && h.n > 0 {
		h.st.mem.Release(h.n)
		h.n = 0
	}
	<-h.st.slots
}
