package sumsq_test

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/sumsq/sumsq/internal/sumsq"
)

// repeatReader yields n copies of byte b, as a generator: the input is
// never in memory. read counts the bytes handed out.
type repeatReader struct {
	b    byte
	n    int64
	read int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	for i := range p {
		p[i] = r.b
	}
	r.n -= int64(len(p))
	r.read += int64(len(p))
	return len(p), nil
}

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

const (
	hugeLine  = 100 << 20 // a line of 100 MiB
	maxAlloc  = 256 << 10 // far less than a huge line
	maxLookup = 64 << 10  // one read buffer
)

// A line of 100 MiB fails as soon as it is known to be invalid, having
// read at most one buffer and allocated next to nothing.
func TestHugeInvalidLine(t *testing.T) {
	tests := []struct {
		name string
		b    byte
		want *sumsq.Error
	}{
		{"digits", '7', &sumsq.Error{Line: 1, Excerpt: strings.Repeat("7", 32), Err: sumsq.ErrDigits}},
		{"zeros", '0', &sumsq.Error{Line: 1, Excerpt: strings.Repeat("0", 32), Err: sumsq.ErrDigits}},
		{"letters", 'x', &sumsq.Error{Line: 1, Excerpt: strings.Repeat("x", 32), Err: sumsq.ErrSyntax}},
	}
	for _, tt := range tests {
		r := &repeatReader{b: tt.b, n: hugeLine}
		var err error
		alloc := allocated(func() { _, err = sumsq.Sum(r) })
		var e *sumsq.Error
		if !errors.As(err, &e) || *e != *tt.want {
			t.Errorf("%s: Sum(100 MiB line) = %v; want %v", tt.name, err, tt.want)
		}
		if r.read > maxLookup || alloc > maxAlloc {
			t.Errorf("%s: Sum(100 MiB line) read %d bytes and allocated %d; want at most %d and %d", tt.name, r.read, alloc, maxLookup, maxAlloc)
		}
	}
}

// Blanks are not digits: a valid line of 100 MiB is read to its end in
// constant memory.
func TestHugeBlankLine(t *testing.T) {
	n := int64(hugeLine)
	if testing.Short() {
		n = 1 << 20
	}
	blanks := &repeatReader{b: ' ', n: n}
	var got sumsq.Result
	var err error
	alloc := allocated(func() {
		got, err = sumsq.Sum(io.MultiReader(strings.NewReader("1\n-7"), blanks, strings.NewReader("\n\t\n")))
	})
	if err != nil || got.Count != 2 || got.Lines != 3 || got.String() != "50" {
		t.Errorf("Sum(1, -7 and %d blanks, a tab) = %v (count %d, lines %d), %v; want 50 (count 2, lines 3), nil", n, got, got.Count, got.Lines, err)
	}
	if blanks.read != n || alloc > maxAlloc {
		t.Errorf("Sum(%d blanks) read %d of them and allocated %d bytes; want all and at most %d", n, blanks.read, alloc, maxAlloc)
	}
}

// A limit far above the default still parses exactly.
func TestLongNumber(t *testing.T) {
	in := "-1" + strings.Repeat("0", 99_999)
	a := sumsq.Accumulator{MaxDigits: 100_000}
	got, err := writeAll(&a, []byte(in))
	want := "1" + strings.Repeat("0", 199_998)
	if err != nil || got.Count != 1 || got.String() != want {
		t.Errorf("Accumulator{MaxDigits: 100000}: -10**99999 gives %.20s... (%d digits), %v; want 10**199998, nil", got, len(got.String()), err)
	}
}
