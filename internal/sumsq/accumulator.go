package sumsq

import (
	"errors"
	"math/big"
)

// DefaultMaxDigits is the digit limit used when Accumulator.MaxDigits is
// zero or negative: Python's default int max_str_digits.
const DefaultMaxDigits = 4300

// An Accumulator is fed an input in pieces split anywhere, like a
// hash.Hash, and sums the squares of the numbers in it. Call Write (or
// ReadFrom) any number of times, then Finish. The zero value is ready to
// use; an Accumulator must not be copied after its first Write.
type Accumulator struct {
	// MaxDigits is the most digits a number may have, leading zeros
	// included; zero or negative means DefaultMaxDigits. Memory and the
	// time to parse one number grow with it. Set it before the first
	// Write.
	MaxDigits int

	// Offset is the position in the whole input of the first byte
	// written; set it before the first Write. Zero means the input
	// starts here and may begin with a byte order mark. A non-zero Offset
	// says the bytes are a range of a larger input that starts at a line
	// boundary (see the package documentation): no byte order mark is
	// looked for, and Error.Offset counts from the start of the whole
	// input.
	Offset int64

	res      Result  // numbers and lines completed; res.big stays nil
	sum      big.Int // squares of numbers of 2**64 and more
	err      error   // the first error, returned forever after
	pos      int64   // bytes consumed, not counting Offset
	started  bool    // the byte order mark question is settled
	bom      int     // bytes of a byte order mark matched so far
	finished bool

	// The line in progress in feed (see feed.go): one that did not end
	// in one Write, or one that scan leaves to feed.
	mid       bool   // a line is in progress
	state     uint8  // stLead ...
	cr        bool   // the last byte was '\r'
	kind      error  // why the line is invalid, in state stBad
	lineStart int64  // pos of the line's first byte
	digits    int    // digits seen
	v         uint64 // value of the last nv digits
	nv        int
	spilled   bool    // x holds the digits before the last nv
	x, t, y   big.Int // the number, and scratch
	exN       int
	ex        [MaxExcerpt]byte // the line's first bytes
}

var bom = [3]byte{0xEF, 0xBB, 0xBF}

var errFinished = errors.New("sumsq: Write after Finish")

func (a *Accumulator) maxDigits() int {
	if a.MaxDigits <= 0 {
		return DefaultMaxDigits
	}
	return a.MaxDigits
}

// Write parses p as the next bytes of the input. It returns len(p), nil,
// or the number of bytes consumed and the first error in the input, a
// *Error. Once it has returned an error, Write returns that error on
// every later call.
//
// An invalid line is reported once its excerpt is complete: after its
// first MaxExcerpt bytes or at its end, whichever comes first. A number
// over the digit limit is invalid as soon as the limit is crossed, so a
// line of any length costs constant memory.
func (a *Accumulator) Write(p []byte) (int, error) {
	if a.err != nil {
		return 0, a.err
	}
	if a.finished {
		return 0, errFinished
	}
	i := 0
	if !a.started {
		i = a.matchBOM(p)
	}
	if a.mid && i < len(p) {
		i += a.feed(p[i:])
	}
	if !a.mid && a.err == nil {
		i = a.scan(p, i)
	}
	a.pos += int64(i)
	if a.err != nil {
		return i, a.err
	}
	return len(p), nil
}

// matchBOM consumes the bytes of a byte order mark at the start of the
// input and returns how many bytes of p it used. If the input starts with
// only part of one, those bytes become the start of line 1.
func (a *Accumulator) matchBOM(p []byte) int {
	if a.Offset != 0 {
		a.started = true
		return 0
	}
	i := 0
	for i < len(p) && a.bom < len(bom) && p[i] == bom[a.bom] {
		a.bom++
		i++
	}
	switch {
	case a.bom == len(bom):
		a.started = true
	case i < len(p):
		a.started = true
		a.replayBOM()
	}
	return i
}

// replayBOM feeds the bytes of an incomplete byte order mark to line 1.
func (a *Accumulator) replayBOM() {
	if a.bom > 0 {
		a.begin(0)
		a.feed(bom[:a.bom])
	}
}

// Finish ends the input: a last line without "\n" counts like any other.
// It returns the result, or the error Write returned or the one in that
// last line. Calling Finish again returns the same; Write after Finish
// is an error.
func (a *Accumulator) Finish() (Result, error) {
	if a.err == nil && !a.finished {
		a.finished = true
		if !a.started {
			a.started = true
			a.replayBOM()
		}
		if a.mid {
			a.end()
			a.mid = false
		}
	}
	if a.err != nil {
		return Result{}, a.err
	}
	r := a.res
	if a.sum.Sign() != 0 {
		r.big = new(big.Int).Set(&a.sum)
	}
	return r, nil
}
