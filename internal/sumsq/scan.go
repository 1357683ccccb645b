package sumsq

import (
	"encoding/binary"
	"math/bits"
)

// scan parses p[i:], which starts at a line boundary, and returns how many
// bytes of p it consumed in all: len(p), or fewer after an error. It runs
// fastLines as far as it goes, hands the line that stopped it to line,
// and starts again; the last lines of p go to line.
func (a *Accumulator) scan(p []byte, i int) int {
	stop := len(p) - fastRoom
	if a.maxDigits() < chunkDigits {
		stop = -1 // line checks the limit
	}
	for i < len(p) {
		if i <= stop {
			var sq [3]uint64
			var n int64
			i, sq[0], sq[1], sq[2], n = fastLines(p, i, stop)
			a.res.add(sq, n)
			if i > stop {
				continue
			}
		}
		if i = a.line(p, i); a.err != nil {
			break
		}
	}
	return i
}

// fastRoom is how far from the end of p a line must start for fastLines:
// room for a sign, 19 digits, "\r\n" and more.
const fastRoom = 32

// fastLines parses lines from p[i] while they start at or before stop and
// are an optional sign and 1 to 19 digits, then "\n" or "\r\n". It returns
// the start of the first line it did not parse (or the first after stop),
// the sum of the squares as w2<<128 + w1<<64 + w0, and how many there are.
//
// It is the fast path. The first digits are unrolled: a line's end is
// then found by branches the CPU predicts, so it can start on the next
// line before this one's value is known, where a loop of v = v*10 + d
// would make each line wait for the last. The locals stay in registers
// because nothing else happens here.
func fastLines(p []byte, i, stop int) (next int, w0, w1, w2 uint64, n int64) {
	// Squares of up to 3 digits are summed in 64 bits plus carries
	// (addSquare, inlined: measured as fast as the sums written out). The
	// branches for 1 to 3 digits below, which the common cases above mostly
	// skip, still make the loop 4-6% faster on both benchmark inputs than
	// the general path alone.
	var sum, carries uint64 // carries<<64 + sum
	p = p[:len(p):len(p)]   // one bound for the compiler to track, not two
	for i <= stop {
		// The blog's common case, three digits and "\n", in one load and
		// no branch on the line's length: the next line's start does not
		// wait for this one's bytes.
		x := binary.LittleEndian.Uint32(p[i : i+4])
		if x&0xFFF0F0F0 == 0x0A303030 && (x+0x060606)&0xF0F0F0 == 0x303030 {
			d := x - 0x303030
			v := uint64(d&0xFF)*100 + uint64(d>>8&0xFF)*10 + uint64(d>>16&0xFF)
			sum, carries = addSquare(sum, carries, v)
			n++
			i += 4
			continue
		}
		// Two digits and "\n", the blog's next most common line, from the
		// same load, before the general path below pays for signs.
		if x&0xFFF0F0 == 0x0A3030 && (x+0x0606)&0xF0F0 == 0x3030 {
			d := x - 0x3030
			v := uint64(d&0xFF)*10 + uint64(d>>8&0xFF)
			sum, carries = addSquare(sum, carries, v)
			n++
			i += 3
			continue
		}
		// Skip a sign without a branch: signs of random numbers are a coin
		// toss that a branch predictor loses half the time.
		j := i + signLen(p[i])
		q := (*[4]byte)(p[j : j+4])
		var v uint64
		k := -1 // the end of the digits, if there are 1 to 19
		if d0 := q[0] - '0'; d0 <= 9 {
			if d1 := q[1] - '0'; d1 > 9 {
				v, k = uint64(d0), j+1
				if q[1] == '\n' {
					sum, carries = addSquare(sum, carries, v)
					n++
					i = k + 1
					continue
				}
			} else if d2 := q[2] - '0'; d2 > 9 {
				v, k = uint64(d0)*10+uint64(d1), j+2
				if q[2] == '\n' {
					sum, carries = addSquare(sum, carries, v)
					n++
					i = k + 1
					continue
				}
			} else if d3 := q[3] - '0'; d3 > 9 {
				v, k = uint64(d0)*100+uint64(d1)*10+uint64(d2), j+3
				if q[3] == '\n' {
					sum, carries = addSquare(sum, carries, v)
					n++
					i = k + 1
					continue
				}
			} else {
				v, k = uint64(d0)*1000+uint64(d1)*100+uint64(d2)*10+uint64(d3), j+4
				// With at most 19 digits, v*10 + d < 10**19 < 2**64.
				for end := j + chunkDigits; k < end; k++ {
					d := p[k] - '0'
					if d > 9 {
						break
					}
					v = v*10 + uint64(d)
				}
			}
		}
		if k < 0 {
			break
		}
		c := p[k]
		if c == '\r' {
			k++
			c = p[k]
		}
		if c != '\n' {
			break
		}
		hi, lo := bits.Mul64(v, v)
		var carry uint64
		w0, carry = bits.Add64(w0, lo, 0)
		w1, carry = bits.Add64(w1, hi, carry)
		w2 += carry
		n++
		i = k + 1
	}
	var c uint64
	w0, c = bits.Add64(w0, sum, 0)
	w1, c = bits.Add64(w1, carries, c)
	return i, w0, w1, w2 + c, n
}

// line parses the line that starts at p[i] and returns where the next one
// starts: a line that is an optional sign and at most 19 digits, then "\n"
// or "\r\n", here; any other line, or one that does not end in p, with
// feed.
func (a *Accumulator) line(p []byte, i int) int {
	j := i
	if c := p[j]; c == '-' || c == '+' {
		j++
	} else if c == '\n' {
		a.res.Lines++
		return i + 1
	}
	end := min(j+min(a.maxDigits(), chunkDigits), len(p))
	var v uint64
	k := j
	for ; k < end; k++ {
		d := p[k] - '0'
		if d > 9 {
			break
		}
		v = v*10 + uint64(d)
	}
	if k > j && k < len(p) {
		c := p[k]
		if c == '\r' && k+1 < len(p) {
			k++
			c = p[k]
		}
		if c == '\n' {
			a.res.addSquare(v)
			a.res.Count++
			a.res.Lines++
			return k + 1
		}
	}
	// Blanks, a sign alone, a long number, an error, or a line that
	// continues in the next Write.
	a.begin(a.pos + int64(i))
	return i + a.feed(p[i:])
}

// signLen returns 1 if c is '+' or '-', else 0: c-'+' is 0 or 2 for them.
func signLen(c byte) int {
	var n int
	if (c-'+')&^2 == 0 {
		n = 1
	}
	return n
}

// addSquare adds v*v, for v below 2**32, to carries<<64 + sum.
func addSquare(sum, carries, v uint64) (uint64, uint64) {
	sum, c := bits.Add64(sum, v*v, 0)
	return sum, carries + c
}
