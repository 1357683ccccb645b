package job

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/sumsq/sumsq/internal/sumsq"
)

// Ranged reads. An object of at least PartSize bytes whose size is known is
// read as parts of PartSize bytes, up to RangeConcurrency at once, each
// parsed on its own by the rule of package sumsq's documentation ("Parsing
// ranges in parallel") and combined exactly: a part parses every line that
// starts in it, reading past its end to finish its last line. Over S3 that
// is concurrent ranged GETs of one version of the object, each resumable;
// over local files, pread on every core.
const (
	// DefaultPartSize is a part's size when PartSize is 0: big enough that
	// a GET's latency is small next to its transfer, small enough that an
	// object of 64 MiB keeps 8 connections busy.
	DefaultPartSize = 8 << 20

	// DefaultRangeConcurrency is how many parts of one object are read at
	// once when RangeConcurrency is 0.
	DefaultRangeConcurrency = 8

	// partSlack is how far past its end a part first reads to finish its
	// last line; a longer line is read on in growing windows.
	partSlack = 4 << 10
)

// errAbandoned ends a part that need not finish: an earlier part failed,
// and the object's first error is there.
var errAbandoned = errors.New("part abandoned: an earlier part failed")

// sumParts parses the lines of the object src that begin in [start, end)
// in parts, concurrently, by the rule of package sumsq's ranges, and returns
// the exact result, or the error of the first invalid line (its Line
// counted from the first line that begins at or after start) or the first
// failed read.
func (s *Summer) sumParts(ctx context.Context, src Source, start, end int64, st *streams, p *progress) (sumsq.Result, error) {
	size := src.Size()
	part := s.partSize()
	n := int((end - start + part - 1) / part)
	results := make([]sumsq.Result, n)
	errs := make([]error, n)
	var failed firstFailed
	var g errgroup.Group
	g.SetLimit(s.rangeConcurrency())
	for i := range n {
		if failed.before(i) {
			break // no need to read past an error
		}
		g.Go(func() error { // once a slot is free
			if failed.before(i) {
				return nil // an earlier part failed meanwhile
			}
			from, to := start+int64(i)*part, min(start+int64(i+1)*part, end)
			results[i], errs[i] = s.sumPart(ctx, src, from, to, size, st, p, func() bool { return failed.before(i) })
			if errs[i] != nil {
				failed.add(i)
			}
			return nil
		})
	}
	g.Wait()
	var total sumsq.Result
	for i := range results {
		if err := errs[i]; err != nil {
			var e *sumsq.Error
			if errors.As(err, &e) {
				e.Line += total.Lines // a line of the whole range
			}
			return sumsq.Result{}, err
		}
		total.Add(results[i])
	}
	return total, nil
}

// firstFailed is the first part of an object that failed, of those that
// have: the parts after it need not be read, since the object's error is
// its.
type firstFailed struct {
	mu  sync.Mutex
	set bool
	i   int
}

// add records that part i failed.
func (f *firstFailed) add(i int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.set || i < f.i {
		f.set, f.i = true, i
	}
}

// before reports whether a part before part i has failed.
func (f *firstFailed) before(i int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.set && f.i < i
}

// sumPart parses the lines that start in [start, end) of src, by the rule
// of package sumsq: it begins after the first "\n" at or after start-1
// (at 0 for the first part) and stops after the first "\n" at or after
// end-1, or at the end of the object. abandon reports whether an earlier
// part has failed.
func (s *Summer) sumPart(ctx context.Context, src Source, start, end, size int64, st *streams, p *progress, abandon func() bool) (sumsq.Result, error) {
	h, err := st.take(ctx, partMemory, p)
	if err != nil {
		return sumsq.Result{}, err
	}
	defer h.give()
	from := max(start-1, 0)
	r := &windowReader{ctx: ctx, src: src, pos: from, size: size, window: min(end+partSlack, size) - from}
	defer r.Close()
	buf := partBuffers.Get().(*[partBufferSize]byte)
	defer partBuffers.Put(buf)
	in := s.watch(r, p)

	a := sumsq.Accumulator{MaxDigits: s.MaxDigits}
	pos := from          // the position of the next byte read
	seeking := start > 0 // for the first line that starts in the part
	for {
		if abandon() {
			return sumsq.Result{}, errAbandoned
		}
		n, err := in.Read(buf[:])
		chunk := buf[:n]
		if seeking && n > 0 {
			// A line starts in the part only after a "\n" before byte
			// end-1: the part never reads on past that to find one, so
			// that a long line is read by the part it starts in alone,
			// not again by every part it covers.
			look := chunk[:min(int64(n), max(end-1-pos, 0))]
			i := bytes.IndexByte(look, '\n')
			if i < 0 {
				if pos += int64(n); pos >= end-1 {
					return sumsq.Result{}, nil // no line starts in the part
				}
				chunk = nil
			} else {
				first := pos + int64(i) + 1
				a.Offset = first
				chunk, pos, seeking = chunk[i+1:], first, false
			}
		}
		done := false
		if len(chunk) > 0 {
			if last := end - 1 - pos; last < int64(len(chunk)) {
				if j := bytes.IndexByte(chunk[max(last, 0):], '\n'); j >= 0 {
					chunk, done = chunk[:max(last, 0)+int64(j)+1], true
				}
			}
			if _, werr := a.Write(chunk); werr != nil {
				return sumsq.Result{}, werr
			}
			pos += int64(len(chunk))
		}
		switch {
		case done:
			return a.Finish()
		case err == io.EOF && seeking:
			return sumsq.Result{}, nil // the object's last line started before the part
		case err == io.EOF:
			return a.Finish()
		case err != nil:
			return sumsq.Result{}, err
		}
	}
}

// partBufferSize is the size of the buffers parts are read into: large
// enough that a local file is read in few preads.
const partBufferSize = 256 << 10

var partBuffers = sync.Pool{New: func() any { return new([partBufferSize]byte) }}

// A windowReader reads a Source from pos to its end in windows: a first
// one of window bytes, then windows twice as large each time, each one
// reader (over S3, one ranged GET). A part reads its first window, which
// takes it just past its end, and a second only for a line that goes on.
type windowReader struct {
	ctx    context.Context
	src    Source
	pos    int64
	size   int64
	window int64
	r      io.ReadCloser
	g      guardedReader // over r
}

func (w *windowReader) Read(p []byte) (int, error) {
	if w.r == nil {
		if w.pos >= w.size {
			return 0, io.EOF
		}
		n := min(w.window, w.size-w.pos)
		r, err := w.src.NewReader(w.ctx, w.pos, n)
		if err != nil {
			return 0, err
		}
		w.r, w.g, w.window = r, guardedReader{r: r, pos: w.pos, end: w.pos + n}, max(2*w.window, 64<<10)
	}
	n, err := w.g.Read(p)
	w.pos += int64(n)
	if err == io.EOF {
		w.r.Close()
		w.r = nil
		if w.pos < w.size {
			err = nil
		}
	}
	return n, err
}

func (w *windowReader) Close() error {
	if w.r != nil {
		return w.r.Close()
	}
	return nil
}

// A guardedReader reads a Source's reader without trusting it, as the
// parser does not trust its io.Reader: one that ends before the bytes
// asked of it means that the object is shorter than its size (a file cut
// short while it is read), a *shortError; one that keeps returning
// nothing and no error is io.ErrNoProgress, and an impossible count
// sumsq.ErrBadReadCount; never a loop or a panic.
type guardedReader struct {
	r     io.Reader
	pos   int64 // of the next byte read
	end   int64 // where r must end; -1: anywhere
	empty int   // reads in a row that returned nothing
}

// maxEmptyReads is how many reads in a row may return neither data nor an
// error before a reader is taken to make no progress, as in bufio.
const maxEmptyReads = 100

func (g *guardedReader) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	switch {
	case n < 0 || n > len(p):
		return 0, sumsq.ErrBadReadCount
	case n == 0 && err == nil && len(p) > 0:
		if g.empty++; g.empty >= maxEmptyReads {
			return 0, io.ErrNoProgress
		}
		return 0, nil
	}
	g.empty = 0
	g.pos += int64(n)
	if err == io.EOF && g.pos < g.end {
		return n, &shortError{at: g.pos, want: g.end}
	}
	return n, err
}

// A shortError means a Source's reader ended before the bytes asked of it:
// the object is no longer the size it was opened at.
type shortError struct{ at, want int64 }

func (e *shortError) Error() string {
	return fmt.Sprintf("the object ended at byte %d, before byte %d", e.at, e.want)
}
