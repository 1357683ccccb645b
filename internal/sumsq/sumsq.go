// Package sumsq computes the exact sum of the squares of newline-separated
// integers. It has no dependencies outside the standard library.
//
// PLACEHOLDER IMPLEMENTATION: correct but slow; the API is the contract.
package sumsq

import (
	"errors"
	"fmt"
	"io"
	"math/big"
)

// DefaultMaxDigits is the digit limit used when Accumulator.MaxDigits is 0,
// the same as Python's default int max_str_digits.
const DefaultMaxDigits = 4300

var (
	// ErrSyntax means a line is not an optional sign followed by ASCII digits.
	ErrSyntax = errors.New("not an integer")
	// ErrDigits means a number has more digits than the limit.
	ErrDigits = errors.New("too many digits")
)

// Error records where and why the input is invalid.
type Error struct {
	Line    int64  // 1-based line number
	Offset  int64  // byte offset of the start of that line in the input
	Excerpt string // a short prefix of the line, at most 32 bytes
	Err     error  // ErrSyntax or ErrDigits
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d (byte %d): %v: %q", e.Line, e.Offset, e.Err, e.Excerpt)
}

func (e *Error) Unwrap() error { return e.Err }

// Result is an exact sum of squares and the count of numbers in it.
// The zero value is an empty result.
type Result struct {
	Count int64 // numbers summed
	Lines int64 // lines seen, blank ones included
	sum   *big.Int
}

// String returns the sum in decimal.
func (r Result) String() string { return r.Int().String() }

// Int returns the sum as a new big.Int.
func (r Result) Int() *big.Int {
	if r.sum == nil {
		return new(big.Int)
	}
	return new(big.Int).Set(r.sum)
}

// Add adds o to r.
func (r *Result) Add(o Result) {
	r.Count += o.Count
	r.Lines += o.Lines
	r.sum = new(big.Int).Add(r.Int(), o.Int())
}

// Accumulator is fed an input in pieces split anywhere, like a hash.Hash.
type Accumulator struct {
	MaxDigits int // 0 means DefaultMaxDigits

	res  Result
	line []byte
	err  error
	off  int64
}

// Write parses p. It returns the first error found, and the same error on
// every later call.
func (a *Accumulator) Write(p []byte) (int, error) {
	if a.err != nil {
		return 0, a.err
	}
	for i, c := range p {
		if c == '\n' {
			a.endLine()
			if a.err != nil {
				return i, a.err
			}
			continue
		}
		a.line = append(a.line, c)
	}
	return len(p), nil
}

func (a *Accumulator) endLine() {
	a.res.Lines++
	start := a.off
	a.off += int64(len(a.line)) + 1
	s := a.line
	if a.res.Lines == 1 && len(s) >= 3 && string(s[:3]) == "\xef\xbb\xbf" {
		s = s[3:]
	}
	if len(s) > 0 && s[len(s)-1] == '\r' {
		s = s[:len(s)-1]
	}
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	defer func() { a.line = a.line[:0] }()
	if len(s) == 0 {
		return
	}
	digits := s
	if digits[0] == '+' || digits[0] == '-' {
		digits = digits[1:]
	}
	ex := a.line
	if len(ex) > 32 {
		ex = ex[:32]
	}
	if len(digits) == 0 {
		a.err = &Error{Line: a.res.Lines, Offset: start, Excerpt: string(ex), Err: ErrSyntax}
		return
	}
	for _, c := range digits {
		if c-'0' > 9 {
			a.err = &Error{Line: a.res.Lines, Offset: start, Excerpt: string(ex), Err: ErrSyntax}
			return
		}
	}
	max := a.MaxDigits
	if max == 0 {
		max = DefaultMaxDigits
	}
	if len(digits) > max {
		a.err = &Error{Line: a.res.Lines, Offset: start, Excerpt: string(ex), Err: ErrDigits}
		return
	}
	var v big.Int
	v.SetString(string(digits), 10)
	v.Mul(&v, &v)
	a.res.sum = v.Add(&v, a.res.Int())
	a.res.Count++
}

// Finish ends the input (a last line without "\n" counts) and returns the result.
func (a *Accumulator) Finish() (Result, error) {
	if a.err == nil && len(a.line) > 0 {
		a.endLine()
	}
	if a.err != nil {
		return Result{}, a.err
	}
	return a.res, nil
}

// Sum reads r to its end and returns the exact sum of squares of its numbers.
func Sum(r io.Reader) (Result, error) {
	var a Accumulator
	if _, err := io.Copy(&a, r); err != nil {
		return Result{}, err
	}
	return a.Finish()
}
