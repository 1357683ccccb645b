package sumsq_test

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/sumsq/sumsq/internal/sumsq"
)

// A sumTest is one input and what parsing it must give: a result, or an
// error with its exact line, offset and excerpt.
type sumTest struct {
	name      string
	in        string
	maxDigits int // 0 for the default
	count     int64
	lines     int64
	sum       string
	err       *sumsq.Error // nil for success
}

func syntaxErr(line, off int64, excerpt string) *sumsq.Error {
	return &sumsq.Error{Line: line, Offset: off, Excerpt: excerpt, Err: sumsq.ErrSyntax}
}

func digitsErr(line, off int64, excerpt string) *sumsq.Error {
	return &sumsq.Error{Line: line, Offset: off, Excerpt: excerpt, Err: sumsq.ErrDigits}
}

const bom = "\uFEFF"

var (
	digits4300 = "1" + strings.Repeat("0", 4299)
	square4300 = "1" + strings.Repeat("0", 2*4299)
)

var sumTests = []sumTest{
	// Valid input.
	{name: "empty", in: "", sum: "0"},
	{name: "one number", in: "3\n", count: 1, lines: 1, sum: "9"},
	{name: "no final newline", in: "1\n2", count: 2, lines: 2, sum: "5"},
	{name: "blank lines", in: "\n\n \n\t\n", lines: 4, sum: "0"},
	{name: "blank lines around", in: "\n4\n\n\n5\n\n", count: 2, lines: 6, sum: "41"},
	{name: "blank last line without newline", in: "4\n  ", count: 1, lines: 2, sum: "16"},
	{name: "CRLF", in: "1\r\n2\r\n", count: 2, lines: 2, sum: "5"},
	{name: "CRLF blank lines", in: "\r\n \r\n1\r\n", count: 1, lines: 3, sum: "1"},
	{name: "CR at the end of the input", in: "1\r\n2\r", count: 2, lines: 2, sum: "5"},
	{name: "lone CR line", in: "\r", lines: 1, sum: "0"},
	{name: "spaces and tabs around", in: " \t 3 \t\n\t-4\t\r\n  +5  ", count: 3, lines: 3, sum: "50"},
	{name: "plus and minus", in: "+5\n-5\n5\n", count: 3, lines: 3, sum: "75"},
	{name: "leading zeros", in: "007\n-0008\n+00\n", count: 3, lines: 3, sum: "113"},
	{name: "minus zero", in: "-0\n+0\n0\n", count: 3, lines: 3, sum: "0"},
	{name: "int64 max", in: "9223372036854775807\n", count: 1, lines: 1, sum: "85070591730234615847396907784232501249"},
	{name: "int64 max plus one", in: "9223372036854775808\n", count: 1, lines: 1, sum: "85070591730234615865843651857942052864"},
	{name: "int64 min", in: "-9223372036854775808\n", count: 1, lines: 1, sum: "85070591730234615865843651857942052864"},
	{name: "int64 min minus one", in: "-9223372036854775809\n", count: 1, lines: 1, sum: "85070591730234615884290395931651604481"},
	{name: "uint64 max", in: "18446744073709551615", count: 1, lines: 1, sum: "340282366920938463426481119284349108225"},
	{name: "uint64 max plus one", in: "18446744073709551616", count: 1, lines: 1, sum: "340282366920938463463374607431768211456"},
	{name: "19 digits with leading zeros", in: "00000000000000000000000012\n", count: 1, lines: 1, sum: "144"},
	{name: "40 digits", in: "1234567890123456789012345678901234567890\n", count: 1, lines: 1,
		sum: "1524157875323883675049535156256668194500533455762536198787501905199875019052100"},
	{name: "40 digits negative with blanks", in: " -1234567890123456789012345678901234567890 \r\n3", count: 2, lines: 2,
		sum: "1524157875323883675049535156256668194500533455762536198787501905199875019052109"},
	{name: "sum over 128 bits", in: strings.Repeat("9999999999999999999\n", 4), count: 4, lines: 4,
		sum: "399999999999999999920000000000000000004"},
	{name: "sum over 128 bits, mixed widths", in: "2\n9999999999999999999\n-9999999999999999999\n9999999999999999999\n99999999999999999999\n", count: 5, lines: 5,
		sum: "10299999999999999999740000000000000000008"},
	{name: "byte order mark", in: bom + "1\n2\n", count: 2, lines: 2, sum: "5"},
	{name: "byte order mark alone", in: bom, sum: "0"},
	{name: "byte order mark and blanks", in: bom + " \r\n", lines: 1, sum: "0"},
	{name: "byte order mark and CRLF", in: bom + "-3\r\n4\r\n", count: 2, lines: 2, sum: "25"},
	{name: "at the digit limit", in: digits4300 + "\n", count: 1, lines: 1, sum: square4300},
	{name: "at a small digit limit", in: "-00012\n99999\n", maxDigits: 5, count: 2, lines: 2, sum: "9999800145"},
	{name: "small limit, 19-digit fast path bound", in: "1234567890123456789\n", maxDigits: 19, count: 1, lines: 1,
		sum: "1524157875323883675019051998750190521"},

	// Invalid lines.
	{name: "letters", in: "1\nabc\n", err: syntaxErr(2, 2, "abc")},
	{name: "letters after digits", in: "12a\n", err: syntaxErr(1, 0, "12a")},
	{name: "lone minus", in: "1\n-\n", err: syntaxErr(2, 2, "-")},
	{name: "lone plus at the end", in: "1\n+", err: syntaxErr(2, 2, "+")},
	{name: "lone sign CRLF", in: " - \r\n", err: syntaxErr(1, 0, " - ")},
	{name: "sign then blank", in: "- 1\n", err: syntaxErr(1, 0, "- 1")},
	{name: "two numbers", in: "1 2\n", err: syntaxErr(1, 0, "1 2")},
	{name: "decimal point", in: "2\n1.5\r\n", err: syntaxErr(2, 2, "1.5")},
	{name: "exponent", in: "1e3", err: syntaxErr(1, 0, "1e3")},
	{name: "hexadecimal", in: "0x10\n", err: syntaxErr(1, 0, "0x10")},
	{name: "underscore", in: "1_000\n", err: syntaxErr(1, 0, "1_000")},
	{name: "two signs", in: "++1\n", err: syntaxErr(1, 0, "++1")},
	{name: "plus minus", in: "+-1\n", err: syntaxErr(1, 0, "+-1")},
	{name: "sign after digits", in: "1-\n", err: syntaxErr(1, 0, "1-")},
	{name: "unicode digits", in: "\u0661\u0662\n", err: syntaxErr(1, 0, "\u0661\u0662")},
	{name: "fullwidth digit", in: "7\n\uFF17\n", err: syntaxErr(2, 2, "\uFF17")},
	{name: "NUL", in: "1\x00\n", err: syntaxErr(1, 0, "1\x00")},
	{name: "NUL line", in: "\x00", err: syntaxErr(1, 0, "\x00")},
	{name: "CR inside a line", in: "1\r2\n", err: syntaxErr(1, 0, "1\r2")},
	{name: "CR before blanks", in: "1\r \n", err: syntaxErr(1, 0, "1\r ")},
	{name: "two CRs", in: "1\r\r\n", err: syntaxErr(1, 0, "1\r")},
	{name: "vertical tab is not a blank", in: "\v1\n", err: syntaxErr(1, 0, "\v1")},
	{name: "form feed is not a blank", in: "1\f", err: syntaxErr(1, 0, "1\f")},
	{name: "no-break space is not a blank", in: "\u00A01\n", err: syntaxErr(1, 0, "\u00A01")},
	{name: "error after good lines", in: "1\n22\n\n333\nx", err: syntaxErr(5, 10, "x")},
	{name: "long line excerpt", in: "1\n" + strings.Repeat("x", 100) + "\n",
		err: syntaxErr(2, 2, strings.Repeat("x", 32))},
	{name: "long line error late", in: strings.Repeat("1", 40) + "x" + strings.Repeat("2", 40),
		err: syntaxErr(1, 0, strings.Repeat("1", 32))},
	{name: "excerpt drops a final CR", in: strings.Repeat("x", 31) + "\r\n", err: syntaxErr(1, 0, strings.Repeat("x", 31))},
	{name: "excerpt of 32 bytes then CR", in: strings.Repeat("x", 32) + "\r\n", err: syntaxErr(1, 0, strings.Repeat("x", 32))},
	{name: "excerpt cut before CR", in: strings.Repeat("x", 31) + "\r5", err: syntaxErr(1, 0, strings.Repeat("x", 31))},
	{name: "byte order mark on line 2", in: "1\n" + bom + "2\n", err: syntaxErr(2, 2, bom+"2")},
	{name: "byte order mark twice", in: bom + bom + "1\n", err: syntaxErr(1, 3, bom+"1")},
	{name: "byte order mark after a blank", in: " " + bom + "1\n", err: syntaxErr(1, 0, " "+bom+"1")},
	{name: "part of a byte order mark", in: "\xEF\xBB1\n", err: syntaxErr(1, 0, "\xEF\xBB1")},
	{name: "first byte of a byte order mark alone", in: "\xEF", err: syntaxErr(1, 0, "\xEF")},
	{name: "error line after byte order mark", in: bom + "1\nx\n", err: syntaxErr(2, 5, "x")},

	// The digit limit.
	{name: "over the digit limit", in: "1\n" + digits4300 + "0\n", err: digitsErr(2, 2, digits4300[:32])},
	{name: "over the digit limit with leading zeros", in: strings.Repeat("0", 4300) + "7", err: digitsErr(1, 0, strings.Repeat("0", 32))},
	{name: "over the digit limit with sign and blanks", in: " -" + digits4300 + "0", err: digitsErr(1, 0, " -"+digits4300[:30])},
	{name: "over a small digit limit", in: "12345\n123456\n", maxDigits: 5, err: digitsErr(2, 6, "123456")},
	{name: "over a small limit, leading zeros count", in: "-000001\n", maxDigits: 5, err: digitsErr(1, 0, "-000001")},
	{name: "over a small limit before a bad byte", in: "1234x\n", maxDigits: 3, err: digitsErr(1, 0, "1234x")},
	{name: "bad byte before the small limit", in: "12x4\n", maxDigits: 3, err: syntaxErr(1, 0, "12x4")},
}

// sumWith parses r with an Accumulator that has the given digit limit,
// through ReadFrom, or through Sum when the limit is the default.
func sumWith(r io.Reader, maxDigits int) (sumsq.Result, error) {
	if maxDigits == 0 {
		return sumsq.Sum(r)
	}
	a := sumsq.Accumulator{MaxDigits: maxDigits}
	if _, err := a.ReadFrom(r); err != nil {
		return sumsq.Result{}, err
	}
	return a.Finish()
}

// check reports whether got and err are what tt wants.
func (tt sumTest) check(t *testing.T, how string, got sumsq.Result, err error) {
	t.Helper()
	if tt.err != nil {
		var e *sumsq.Error
		if !errors.As(err, &e) || *e != *tt.err {
			t.Errorf("%s(%.80q) = %v, %#v; want error %#v", how, tt.in, got, err, tt.err)
		}
		if got != (sumsq.Result{}) {
			t.Errorf("%s(%.80q) = %v, %v; want the zero Result with an error", how, tt.in, got, err)
		}
		return
	}
	if err != nil || got.Count != tt.count || got.Lines != tt.lines || got.String() != tt.sum {
		t.Errorf("%s(%.80q) = {Count: %d, Lines: %d, Sum: %.80s}, %v; want {Count: %d, Lines: %d, Sum: %.80s}, nil",
			how, tt.in, got.Count, got.Lines, got, err, tt.count, tt.lines, tt.sum)
	}
}

func TestSum(t *testing.T) {
	readers := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"Sum", func(r io.Reader) io.Reader { return r }},
		{"OneByteReader", iotest.OneByteReader},
		{"HalfReader", iotest.HalfReader},
		{"DataErrReader", iotest.DataErrReader},
		{"OneByteDataErrReader", func(r io.Reader) io.Reader { return iotest.DataErrReader(iotest.OneByteReader(r)) }},
	}
	for _, tt := range sumTests {
		t.Run(tt.name, func(t *testing.T) {
			for _, rd := range readers {
				got, err := sumWith(rd.wrap(strings.NewReader(tt.in)), tt.maxDigits)
				tt.check(t, rd.name, got, err)
			}
		})
	}
}

// TestWriteSplit feeds every table case to Write in two pieces split at
// every byte boundary (a sample of them for long inputs), and one byte at
// a time.
func TestWriteSplit(t *testing.T) {
	for _, tt := range sumTests {
		t.Run(tt.name, func(t *testing.T) {
			step := 1
			if len(tt.in) > 200 {
				step = 97
			}
			for i := 0; i <= len(tt.in); i += step {
				a := sumsq.Accumulator{MaxDigits: tt.maxDigits}
				got, err := writeAll(&a, []byte(tt.in[:i]), []byte(tt.in[i:]))
				tt.check(t, "Write split at "+strconv.Itoa(i), got, err)
				if t.Failed() {
					return
				}
			}
			a := sumsq.Accumulator{MaxDigits: tt.maxDigits}
			var pieces [][]byte
			for i := range len(tt.in) {
				pieces = append(pieces, []byte(tt.in[i:i+1]))
			}
			got, err := writeAll(&a, pieces...)
			tt.check(t, "Write bytes", got, err)
		})
	}
}

// writeAll writes the pieces to a, checking the io.Writer contract and
// that an error, once returned, is returned again, then finishes.
func writeAll(a *sumsq.Accumulator, pieces ...[]byte) (sumsq.Result, error) {
	var first error
	for _, p := range pieces {
		n, err := a.Write(p)
		switch {
		case first != nil:
			if n != 0 || err != first {
				return sumsq.Result{}, fmt.Errorf("Write after an error = %d, %v; want 0, %v", n, err, first)
			}
		case err != nil:
			first = err
			if n > len(p) {
				return sumsq.Result{}, fmt.Errorf("Write(%d bytes) = %d, %v; want a count within its input", len(p), n, err)
			}
		case n != len(p):
			return sumsq.Result{}, fmt.Errorf("Write(%d bytes) = %d, nil; want %[1]d, nil", len(p), n)
		}
	}
	got, err := a.Finish()
	if first != nil && err != first {
		return sumsq.Result{}, fmt.Errorf("Finish after a Write error = %v; want %v", err, first)
	}
	return got, err
}

// TestLong runs every table case, repeated and padded so that the fast
// path parses it, against the reference parser in fuzz_test.go.
func TestLong(t *testing.T) {
	for _, tt := range sumTests {
		in := strings.Repeat(tt.in+"\n", 3) + strings.Repeat("\n", 40)
		checkReference(t, in, tt.maxDigits)
	}
}

// TestDigitLengths puts numbers of every length from 1 to 25 digits, of
// every digit, with and without a sign and "\r", and followed by what is
// not a digit, among others, against the reference: the fast path reads
// up to 8 digits at a time, and each length ends its words differently.
func TestDigitLengths(t *testing.T) {
	for n := 1; n <= 25; n++ {
		for _, form := range []string{"%s", "-%s", "+%s", "%s\r", "-%s\r", " %s", "%s ", "%sx", "%s9x"} {
			var b strings.Builder
			for _, digits := range []string{strings.Repeat("9", n), "1" + strings.Repeat("0", n-1), strings.Repeat("0", n),
				"3141592653589793238462643"[:n], "2718281828459045235360287"[:n]} {
				b.WriteString("123\n")
				fmt.Fprintf(&b, form, digits)
				b.WriteString("\n7\n")
			}
			b.WriteString(strings.Repeat("\n", 40))
			checkReference(t, b.String(), 0)
			checkReference(t, b.String(), n)
			checkReference(t, b.String(), n-1)
		}
	}
}

// checkReference checks in, written in one piece, against reference.
func checkReference(t *testing.T, in string, maxDigits int) {
	t.Helper()
	count, lines, sum, wantErr := reference(in, maxDigits)
	a := sumsq.Accumulator{MaxDigits: maxDigits}
	got, err := writeAll(&a, []byte(in))
	if wantErr != nil {
		var e *sumsq.Error
		if !errors.As(err, &e) || *e != *wantErr {
			t.Errorf("Write(%.60q..., max %d) = %v, %v; want error %v", in, maxDigits, got, err, wantErr)
		}
		return
	}
	if err != nil || got.Count != count || got.Lines != lines || got.Int().Cmp(sum) != 0 {
		t.Errorf("Write(%.60q..., max %d) = %v (count %d, lines %d), %v; want %v (count %d, lines %d), nil",
			in, maxDigits, got, got.Count, got.Lines, err, sum, count, lines)
	}
}
