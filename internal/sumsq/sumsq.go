package sumsq

import (
	"io"
	"sync"
)

// Sum reads r to its end and returns the exact sum of the squares of the
// numbers in it, as an Accumulator with the default digit limit does. It
// reads as io.Copy does: with r's WriteTo method if it has one, else with
// Accumulator.ReadFrom.
//
// The error is the first *Error in the input, or the first error r
// returned other than io.EOF (an error from Read that came with data
// counts only after that data is parsed), or ErrBadReadCount, or
// io.ErrNoProgress after many reads that return neither data nor an
// error. On any error the Result is zero: Sum never returns a partial sum.
func Sum(r io.Reader) (Result, error) {
	// A pooled Accumulator: r.WriteTo(a) would make a new one escape to
	// the heap on every call.
	a := accumulators.Get().(*Accumulator)
	defer accumulators.Put(a)
	*a = Accumulator{}
	if _, err := io.Copy(a, r); err != nil {
		return Result{}, err
	}
	return a.Finish()
}

var accumulators = sync.Pool{New: func() any { return new(Accumulator) }}

// bufSize is the size of the buffers ReadFrom reads into.
const bufSize = 64 << 10

// maxEmptyReads is how many reads in a row may return neither data nor
// an error before ReadFrom gives up, as in bufio.
const maxEmptyReads = 100

var buffers = sync.Pool{New: func() any { return new([bufSize]byte) }}

// ReadFrom writes the data read from r to a until r returns io.EOF or an
// error, and returns the number of bytes read. It implements
// io.ReaderFrom, so io.Copy(a, r) uses it unless r has a WriteTo method.
// Its 64 KiB buffer comes from a pool: it does not allocate in the steady
// state.
//
// The error is nil at io.EOF; otherwise as for Sum. A read error leaves a
// usable: every byte read has been written to it, so the input may go on
// from the byte after them with another reader (say, after a dropped
// connection) or end with Finish.
func (a *Accumulator) ReadFrom(r io.Reader) (n int64, err error) {
	if a.err != nil {
		return 0, a.err
	}
	buf := buffers.Get().(*[bufSize]byte)
	defer buffers.Put(buf)
	for empty := 0; ; {
		m, rerr := r.Read(buf[:])
		if m < 0 || m > len(buf) {
			return n, ErrBadReadCount
		}
		n += int64(m)
		if m > 0 {
			empty = 0
			if _, werr := a.Write(buf[:m]); werr != nil {
				return n, werr
			}
		} else if rerr == nil {
			if empty++; empty >= maxEmptyReads {
				return n, io.ErrNoProgress
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}
