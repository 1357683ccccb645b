package sumsq_test

import (
	"bytes"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/sumsq/sumsq/internal/sumsq"
)

// reference parses in the obvious way, straight from the grammar in the
// package documentation: the whole input in memory, strings.Split, and
// math/big for every number. It is slow and obviously right.
func reference(in string, maxDigits int) (count, lines int64, sum *big.Int, err *sumsq.Error) {
	if maxDigits <= 0 {
		maxDigits = sumsq.DefaultMaxDigits
	}
	sum = new(big.Int)
	off := int64(0)
	if strings.HasPrefix(in, bom) {
		in = in[len(bom):]
		off = int64(len(bom))
	}
	if in == "" {
		return 0, 0, sum, nil
	}
	raw := strings.Split(in, "\n")
	if raw[len(raw)-1] == "" { // in ends with "\n"
		raw = raw[:len(raw)-1]
	}
	for i, r := range raw {
		line := strings.Trim(strings.TrimSuffix(r, "\r"), " \t")
		if line != "" {
			digits := line
			if digits[0] == '+' || digits[0] == '-' {
				digits = digits[1:]
			}
			// The digit limit is checked as digits arrive, so it is
			// the error even if something invalid follows them.
			run := len(digits) - len(strings.TrimLeft(digits, "0123456789"))
			var kind error
			switch {
			case run > maxDigits:
				kind = sumsq.ErrDigits
			case run == 0 || run < len(digits):
				kind = sumsq.ErrSyntax
			}
			if kind != nil {
				excerpt := strings.TrimSuffix(r[:min(len(r), sumsq.MaxExcerpt)], "\r")
				return 0, 0, nil, &sumsq.Error{Line: int64(i + 1), Offset: off, Excerpt: excerpt, Err: kind}
			}
			n, ok := new(big.Int).SetString(line, 10)
			if !ok {
				panic("reference: big.Int does not take " + line)
			}
			sum.Add(sum, n.Mul(n, n))
			count++
		}
		off += int64(len(r)) + 1
	}
	return count, int64(len(raw)), sum, nil
}

// FuzzSum checks Accumulator.Write (with the input split in two at any
// point), ReadFrom through a HalfReader, and Sum against reference.
// maxDigits 0 is the default limit; small values exercise the limit.
//
// CI fuzzes it for a minute:
//
//	go test -run='^$' -fuzz=FuzzSum -fuzztime=60s ./internal/sumsq
//
// A plain go test runs the seeds below and testdata/fuzz/FuzzSum: the
// seed-* files, and inputs the fuzzer found that cover new code, one for
// each mix of features (byte order mark, "\r", small limit, 20 digits or
// more, invalid bytes, signs, blanks, long input). A failure the fuzzer
// finds is written there too; keep it once fixed. The "0/sec" pauses in
// its progress are the fuzzer minimizing a new input, not a hang.
func FuzzSum(f *testing.F) {
	for _, tt := range sumTests {
		if len(tt.in) < 200 {
			f.Add([]byte(tt.in), uint8(tt.maxDigits), uint16(len(tt.in)/2))
		}
	}
	seeds := []struct {
		in        string
		maxDigits uint8
		split     uint16
	}{
		{"1\n2\n3\n", 0, 3},                    // the blog's kind of data, split after "\n"
		{"-12\r\n+34\r\n", 0, 4},               // split between "\r" and "\n"
		{bom + "5\n", 0, 1},                    // split inside the byte order mark
		{"\xEF\xBB\n", 0, 1},                   // part of a byte order mark, then a line end
		{" \t-0007 \t\r\n", 0, 6},              // everything around one number
		{"12345678901234567890\n", 0, 10},      // 20 digits: over 64 bits
		{"99999999999999999999\n", 0, 19},      // split at the 19-digit chunk bound
		{"123\n1234\n", 3, 7},                  // over the limit on line 2
		{"0000\n", 3, 2},                       // leading zeros count
		{"12\n-\n", 0, 5},                      // lone sign at the end
		{"1\n\n\n2\r", 0, 6},                   // blank lines, final "\r"
		{"1\r1\n", 0, 2},                       // "\r" not at the end
		{strings.Repeat("9", 40) + "x", 0, 33}, // error past the excerpt
	}
	for _, s := range seeds {
		f.Add([]byte(s.in), s.maxDigits, s.split)
	}
	f.Fuzz(func(t *testing.T, in []byte, maxDigits uint8, split uint16) {
		count, lines, sum, wantErr := reference(string(in), int(maxDigits))
		check := func(how string, got sumsq.Result, err error) {
			t.Helper()
			if wantErr != nil {
				var e *sumsq.Error
				if !errors.As(err, &e) || *e != *wantErr {
					t.Fatalf("%s(%q, max %d) = %v, %#v; want error %#v", how, in, maxDigits, got, err, wantErr)
				}
				return
			}
			if err != nil || got.Count != count || got.Lines != lines || got.Int().Cmp(sum) != 0 {
				t.Fatalf("%s(%q, max %d) = %v (count %d, lines %d), %v; want %v (count %d, lines %d), nil",
					how, in, maxDigits, got, got.Count, got.Lines, err, sum, count, lines)
			}
		}
		k := int(split) % (len(in) + 1)
		a := sumsq.Accumulator{MaxDigits: int(maxDigits)}
		got, err := writeAll(&a, in[:k], in[k:])
		check("Write split", got, err)
		got, err = sumWith(iotest.HalfReader(bytes.NewReader(in)), int(maxDigits))
		check("HalfReader", got, err)
		if maxDigits == 0 {
			got, err = sumsq.Sum(bytes.NewReader(in))
			check("Sum", got, err)
		}
		// Repeated and padded, the input reaches the fast path, which
		// leaves the last 32 bytes of each Write to the slower ones.
		long := slices.Concat(in, []byte("\n"), in, []byte("\n"), in, bytes.Repeat([]byte("\n"), 40))
		count, lines, sum, wantErr = reference(string(long), int(maxDigits))
		a = sumsq.Accumulator{MaxDigits: int(maxDigits)}
		got, err = writeAll(&a, long)
		check("Write repeated", got, err)
	})
}
