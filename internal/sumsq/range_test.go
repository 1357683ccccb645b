package sumsq_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sumsq/sumsq/internal/sumsq"
)

// sumRange parses the lines that start in in[start:end], by the rule in
// the package documentation, as a worker holding only that range (and
// what it reads past either end) would.
func sumRange(in []byte, start, end int) (sumsq.Result, error) {
	first := start
	if start > 0 {
		i := bytes.IndexByte(in[start-1:], '\n')
		if i < 0 {
			return sumsq.Result{}, nil
		}
		first = start + i
	}
	if first >= end {
		return sumsq.Result{}, nil
	}
	stop := len(in)
	if i := bytes.IndexByte(in[end-1:], '\n'); i >= 0 {
		stop = end + i
	}
	a := sumsq.Accumulator{Offset: int64(first)}
	if _, err := a.Write(in[first:stop]); err != nil {
		return sumsq.Result{}, err
	}
	return a.Finish()
}

// sumRanges parses in cut at the given offsets, the ranges concurrently,
// and combines the results and the first error.
func sumRanges(in []byte, cuts []int) (sumsq.Result, error) {
	bounds := append(append([]int{0}, cuts...), len(in))
	results := make([]sumsq.Result, len(bounds)-1)
	errs := make([]error, len(bounds)-1)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i], errs[i] = sumRange(in, bounds[i], bounds[i+1]) })
	}
	wg.Wait()
	var total sumsq.Result
	for i, r := range results {
		if err := errs[i]; err != nil {
			var e *sumsq.Error
			if errors.As(err, &e) {
				e.Line += total.Lines // rebase to a line of the whole input
			}
			return sumsq.Result{}, err
		}
		total.Add(r)
	}
	return total, nil
}

// randomInput makes lines of every kind: short and long numbers, blanks,
// CRLF, and a byte order mark; with bad set, one invalid line.
func randomInput(rng *rand.Rand, lines int, bad bool) []byte {
	var b strings.Builder
	if rng.IntN(2) == 0 {
		b.WriteString(bom)
	}
	badLine := -1
	if bad {
		badLine = rng.IntN(lines)
	}
	for i := range lines {
		switch {
		case i == badLine:
			b.WriteString([]string{"1.5", "x", "-", bom + "1", "1 2"}[rng.IntN(5)])
		case rng.IntN(8) == 0:
			b.WriteString([]string{"", " ", "\t \t"}[rng.IntN(3)])
		default:
			b.WriteString([]string{"", " ", "\t"}[rng.IntN(3)])
			b.WriteString([]string{"", "+", "-"}[rng.IntN(3)])
			for range 1 + rng.IntN([]int{3, 19, 45}[rng.IntN(3)]) {
				b.WriteByte(byte('0' + rng.IntN(10)))
			}
		}
		if rng.IntN(3) == 0 {
			b.WriteByte('\r')
		}
		if i < lines-1 || rng.IntN(2) == 0 {
			b.WriteByte('\n')
		}
	}
	return []byte(b.String())
}

func TestRanges(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		in := randomInput(rng, 1+rng.IntN(40), trial%3 == 0)
		want, wantErr := sumsq.Sum(bytes.NewReader(in))
		var cuts []int
		for range rng.IntN(6) {
			cuts = append(cuts, rng.IntN(len(in)+1))
		}
		slices.Sort(cuts)
		cuts = slices.Compact(cuts)
		got, err := sumRanges(in, cuts)
		if !sameOutcome(got, err, want, wantErr) {
			t.Fatalf("ranges of %q cut at %v = %v (count %d, lines %d), %v; want %v (count %d, lines %d), %v",
				in, cuts, got, got.Count, got.Lines, err, want, want.Count, want.Lines, wantErr)
		}
	}
}

// A range that is not the start of the input has no byte order mark.
func TestRangeByteOrderMark(t *testing.T) {
	a := sumsq.Accumulator{Offset: 10}
	_, err := writeAll(&a, []byte(bom+"1\n"))
	want := &sumsq.Error{Line: 1, Offset: 10, Excerpt: bom + "1", Err: sumsq.ErrSyntax}
	var e *sumsq.Error
	if !errors.As(err, &e) || *e != *want {
		t.Errorf("Accumulator{Offset: 10}: %q gives %v; want %v", bom+"1\n", err, want)
	}
}

func sameOutcome(got sumsq.Result, err error, want sumsq.Result, wantErr error) bool {
	if wantErr != nil || err != nil {
		var e, we *sumsq.Error
		return errors.As(err, &e) && errors.As(wantErr, &we) && *e == *we
	}
	return got.Count == want.Count && got.Lines == want.Lines && got.String() == want.String()
}
