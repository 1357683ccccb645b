package sumsq

import (
	"math/big"
	"math/bits"
	"strconv"
)

// Result is an exact sum of squares, the count of numbers in it and the
// count of lines they came from. The zero value is an empty result.
//
// Results combine exactly with Add, so the Results of parts of an input
// (or of several inputs) add up to the Result of the whole.
type Result struct {
	Count int64 // numbers summed
	Lines int64 // lines seen: blank ones, and a last one without "\n", included

	// The sum is w[0] + w[1]<<64 + w[2]<<128 + big. The fixed-width part
	// takes the square of every number below 2**64: such a square is below
	// 2**128, so fewer than 2**63 of them cannot carry out of 192 bits.
	// big holds the squares of larger numbers, and the carries out of w
	// that only Add can make. It is nil when zero and never changed once
	// set, so copies of a Result are independent.
	w   [3]uint64
	big *big.Int
}

// String returns the sum in decimal.
func (r Result) String() string {
	if r.w[1] == 0 && r.w[2] == 0 && r.big == nil {
		return strconv.FormatUint(r.w[0], 10)
	}
	return r.Int().String()
}

// Int returns the sum as a new big.Int.
func (r Result) Int() *big.Int {
	z := new(big.Int).SetUint64(r.w[2])
	for _, w := range []uint64{r.w[1], r.w[0]} {
		z.Lsh(z, 64)
		z.Or(z, new(big.Int).SetUint64(w))
	}
	if r.big != nil {
		z.Add(z, r.big)
	}
	return z
}

// Add adds o to r: counts, lines and sums.
func (r *Result) Add(o Result) {
	r.Count += o.Count
	r.Lines += o.Lines
	var c uint64
	r.w[0], c = bits.Add64(r.w[0], o.w[0], 0)
	r.w[1], c = bits.Add64(r.w[1], o.w[1], c)
	r.w[2], c = bits.Add64(r.w[2], o.w[2], c)
	if c == 0 && o.big == nil {
		return
	}
	z := new(big.Int)
	if r.big != nil {
		z.Set(r.big)
	}
	if o.big != nil {
		z.Add(z, o.big)
	}
	if c != 0 {
		// Unreachable while the total Count fits in an int64 (see w),
		// but exactness should not rest on that.
		z.Add(z, two192)
	}
	r.big = z
}

var two192 = new(big.Int).Lsh(big.NewInt(1), 192)

// add adds to r n numbers whose squares sum to
// sq[2]<<128 + sq[1]<<64 + sq[0].
func (r *Result) add(sq [3]uint64, n int64) {
	var c uint64
	r.w[0], c = bits.Add64(r.w[0], sq[0], 0)
	r.w[1], c = bits.Add64(r.w[1], sq[1], c)
	r.w[2] += sq[2] + c
	r.Count += n
	r.Lines += n
}

// addSquare adds v*v to the fixed-width part of r.
func (r *Result) addSquare(v uint64) {
	hi, lo := bits.Mul64(v, v)
	var c uint64
	r.w[0], c = bits.Add64(r.w[0], lo, 0)
	r.w[1], c = bits.Add64(r.w[1], hi, c)
	r.w[2] += c
}
