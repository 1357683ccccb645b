package maprun

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/sumsq/sumsq/internal/excerpt"
)

// A sum adds decimal sums of squares exactly: those of at most 19 digits
// (below 10^19 < 2^64) in 128 bits, which fewer than 2^64 of them cannot
// overflow, and longer ones with math/big. The zero value is 0.
type sum struct {
	lo, hi uint64
	big    *big.Int
}

// addDecimal adds the decimal integer digits, ASCII digits only (see
// checkSum).
func (s *sum) addDecimal(digits []byte) {
	for len(digits) > 1 && digits[0] == '0' {
		digits = digits[1:]
	}
	if len(digits) <= 19 {
		var v uint64
		for _, c := range digits {
			v = v*10 + uint64(c-'0')
		}
		var carry uint64
		s.lo, carry = bits.Add64(s.lo, v, 0)
		s.hi += carry
		return
	}
	v, _ := new(big.Int).SetString(string(digits), 10)
	s.addBig(v)
}

func (s *sum) addBig(v *big.Int) {
	if s.big == nil {
		s.big = new(big.Int)
	}
	s.big.Add(s.big, v)
}

// add adds o to s.
func (s *sum) add(o *sum) {
	var carry uint64
	s.lo, carry = bits.Add64(s.lo, o.lo, 0)
	var c2 uint64
	s.hi, c2 = bits.Add64(s.hi, o.hi, carry)
	if c2 != 0 {
		s.addBig(new(big.Int).Lsh(big.NewInt(1), 128))
	}
	if o.big != nil {
		s.addBig(o.big)
	}
}

// Int returns the sum.
func (s *sum) Int() *big.Int {
	v := new(big.Int).SetUint64(s.hi)
	v.Lsh(v, 64)
	v.Or(v, new(big.Int).SetUint64(s.lo))
	if s.big != nil {
		v.Add(v, s.big)
	}
	return v
}

// String returns the sum in decimal.
func (s *sum) String() string {
	if s.hi == 0 && s.big == nil {
		return strconv.FormatUint(s.lo, 10)
	}
	return s.Int().String()
}

// checkSum checks digits, a sum of count squares as a result records it: a
// non-negative decimal integer, 0 if count is 0, and of no more digits
// than count squares of numbers of at most maxDigits digits can have. The
// last check is what bounds the digits of a total's sum.
func checkSum(digits []byte, count int64, maxDigits int) error {
	if len(digits) == 0 {
		return fmt.Errorf("sumOfSquares %q is not a non-negative decimal integer", digits)
	}
	significant := 0
	for _, c := range digits {
		if c-'0' >= 10 {
			return fmt.Errorf("sumOfSquares %q is not a non-negative decimal integer", excerpt.Shorten(string(digits), 40))
		}
		if c != '0' || significant > 0 {
			significant++
		}
	}
	if count == 0 && significant > 0 {
		return fmt.Errorf("sumOfSquares %q of no numbers", excerpt.Shorten(string(digits), 40))
	}
	if significant > 2*maxDigits+len(strconv.FormatInt(count, 10)) {
		return fmt.Errorf("sumOfSquares has %d digits, more than %d squares of %d-digit numbers can have",
			significant, count, maxDigits)
	}
	return nil
}

// errOverflow: counts that an int64 cannot hold.
var errOverflow = errors.New("counts overflow int64")

// addCount adds n, not negative, to *c, or fails if the sum overflows.
func addCount(c *int64, n int64) error {
	if *c > math.MaxInt64-n {
		return errOverflow
	}
	*c += n
	return nil
}
