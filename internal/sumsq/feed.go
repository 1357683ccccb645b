package sumsq

// feed is the parser's slow path: a state machine that takes one byte at a
// time, so a line can be split across any number of Writes and still use
// constant memory. scan hands it every line its fast path does not take:
// blanks, numbers of 20 digits and more, invalid lines, and lines that do
// not end in the buffer at hand. It keeps the line's first MaxExcerpt
// bytes for an error's excerpt.

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

// begin starts a line at pos (not counting Offset) for feed.
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
