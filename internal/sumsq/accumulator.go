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
	// time to parse one number grow with it.
	MaxDigits int

	// Offset is the position in the whole input of the first byte
	// written. Zero means the input starts here and may begin with a byte
	// order mark. A non-zero Offset says the bytes are a range of a larger
	// input that starts at a line boundary (see the package documentation):
	// no byte order mark is looked for, and Error.Offset counts from the
	// start of the whole input.
	Offset int64

	res      Result  // numbers and lines completed; res.big stays nil
	sum      big.Int // squares of numbers of 2**64 and more
	err      error   // the first error, returned forever after
	pos      int64   // bytes consumed, not counting Offset
	started  bool    // the byte order mark question is settled
	bom      int     // bytes of a byte order mark matched so far
	finished bool

	// The line in progress, when it did not fit in one Write. All lines
	// but those are parsed by the fast loop in Write without touching
	// these fields.
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

// States of the line in progress.
const (
	stLead   uint8 = iota // nothing but blanks yet
	stSign                // a sign, no digit yet
	stDigits              // in the digits
	stTrail               // blanks after the digits
	stBad                 // invalid; collecting the excerpt
)

// chunkDigits is the most digits held in a uint64 before they move to a
// big.Int: 19 digits are below 10**19 < 2**64, so v*10+d cannot overflow
// while nv < chunkDigits.
const chunkDigits = 19

var pow10 = [chunkDigits + 1]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

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

// begin starts a line at pos in the slow path.
func (a *Accumulator) begin(pos int64) {
	a.mid = true
	a.state = stLead
	a.cr = false
	a.lineStart = pos
	a.digits = 0
	a.v = 0
	a.nv = 0
	a.spilled = false
	a.exN = 0
}

// scan parses p[i:], which starts at a line boundary, and returns how many
// bytes of p it consumed in all. It holds the counts and the fixed-width
// sum in locals and parses each line that is a complete, short number
// with no blanks in place; any other line goes to feed from its start.
func (a *Accumulator) scan(p []byte, i int) int {
	fast := chunkDigits
	if m := a.maxDigits(); m < fast {
		fast = m
	}
	res := a.res
	for i < len(p) {
		j := i
		if c := p[j]; c == '-' || c == '+' {
			j++
		} else if c == '\n' {
			res.Lines++
			i++
			continue
		}
		q := p[j:]
		if len(q) > fast {
			q = q[:fast]
		}
		var v uint64
		k := 0
		for ; k < len(q); k++ {
			d := q[k] - '0'
			if d > 9 {
				break
			}
			v = v*10 + uint64(d)
		}
		if j += k; k > 0 && j < len(p) {
			c := p[j]
			if c == '\r' && j+1 < len(p) {
				j++
				c = p[j]
			}
			if c == '\n' {
				res.addSquare(v)
				res.Count++
				res.Lines++
				i = j + 1
				continue
			}
		}
		// Anything else: blanks, a long number, an error, or a line
		// that continues in the next Write.
		a.res = res
		a.begin(a.pos + int64(i))
		i += a.feed(p[i:])
		res = a.res
		if a.err != nil {
			break
		}
	}
	a.res = res
	return i
}

// feed parses p as the continuation of the line in progress, one byte at
// a time, and returns how many bytes it consumed: through the line's
// "\n", through the byte that completed an error, or all of p.
func (a *Accumulator) feed(p []byte) int {
	for i, c := range p {
		if c != '\n' && a.exN < len(a.ex) {
			a.ex[a.exN] = c
			a.exN++
		}
		if a.state == stBad {
			if c == '\n' || a.exN == len(a.ex) {
				a.fail()
				return i + 1
			}
			continue
		}
		if a.cr && c != '\n' {
			// A "\r" is allowed only at the end of a line.
			if a.bad(ErrSyntax, c) {
				return i + 1
			}
			continue
		}
		switch d := c - '0'; {
		case d <= 9:
			switch a.state {
			case stLead, stSign:
				a.state = stDigits
			case stTrail:
				if a.bad(ErrSyntax, c) {
					return i + 1
				}
				continue
			}
			if a.digits++; a.digits > a.maxDigits() {
				if a.bad(ErrDigits, c) {
					return i + 1
				}
				continue
			}
			if a.nv == chunkDigits {
				a.spill()
			}
			a.v = a.v*10 + uint64(d)
			a.nv++
		case c == ' ' || c == '\t':
			switch a.state {
			case stSign:
				if a.bad(ErrSyntax, c) {
					return i + 1
				}
			case stDigits:
				a.state = stTrail
			}
		case c == '+' || c == '-':
			if a.state != stLead {
				if a.bad(ErrSyntax, c) {
					return i + 1
				}
				continue
			}
			a.state = stSign
		case c == '\r':
			a.cr = true
		case c == '\n':
			a.end()
			if a.err != nil {
				return i + 1
			}
			a.mid = false
			return i + 1
		default:
			if a.bad(ErrSyntax, c) {
				return i + 1
			}
		}
	}
	return len(p)
}

// bad marks the line in progress invalid because of byte c, which feed
// has already added to the excerpt. It reports whether the excerpt is
// complete, in which case the error is recorded.
func (a *Accumulator) bad(kind error, c byte) bool {
	a.state = stBad
	a.kind = kind
	if c == '\n' || a.exN == len(a.ex) {
		a.fail()
		return true
	}
	return false
}

// fail records the error of the invalid line in progress.
func (a *Accumulator) fail() {
	ex := a.ex[:a.exN]
	if n := len(ex); n > 0 && ex[n-1] == '\r' {
		ex = ex[:n-1]
	}
	a.err = &Error{
		Line:    a.res.Lines + 1,
		Offset:  a.Offset + a.lineStart,
		Excerpt: string(ex),
		Err:     a.kind,
	}
	a.mid = false
}

// spill moves the digits held in v into x.
func (a *Accumulator) spill() {
	if !a.spilled {
		a.x.SetUint64(a.v)
		a.spilled = true
	} else {
		a.mulAdd()
	}
	a.v = 0
	a.nv = 0
}

// mulAdd sets x to x*10**nv + v.
func (a *Accumulator) mulAdd() {
	a.t.Mul(&a.x, a.y.SetUint64(pow10[a.nv]))
	a.x.Add(&a.t, a.y.SetUint64(a.v))
}

// end completes the line in progress at its "\n" or at the end of the
// input.
func (a *Accumulator) end() {
	switch a.state {
	case stSign:
		a.kind = ErrSyntax
		fallthrough
	case stBad:
		a.fail()
		return
	case stDigits, stTrail:
		if a.spilled {
			a.mulAdd()
			a.t.Mul(&a.x, &a.x)
			a.sum.Add(&a.sum, &a.t)
		} else {
			a.res.addSquare(a.v)
		}
		a.res.Count++
	}
	a.res.Lines++
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
