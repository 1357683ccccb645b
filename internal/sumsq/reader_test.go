package sumsq_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/sumsq/sumsq/internal/sumsq"
)

var errRead = errors.New("connection reset")

// scriptReader returns its reads in order, then io.EOF, and counts calls.
type scriptReader struct {
	reads []read
	calls int
}

type read struct {
	data string
	n    int // returned count when data is empty and n != 0
	err  error
}

func (r *scriptReader) Read(p []byte) (int, error) {
	r.calls++
	if len(r.reads) == 0 {
		return 0, io.EOF
	}
	rd := r.reads[0]
	r.reads = r.reads[1:]
	if rd.n != 0 {
		return rd.n, rd.err
	}
	return copy(p, rd.data), rd.err
}

// emptyReader returns (0, nil) forever.
type emptyReader struct{ calls int }

func (r *emptyReader) Read([]byte) (int, error) { r.calls++; return 0, nil }

func TestSumReaderErrors(t *testing.T) {
	tests := []struct {
		name string
		r    io.Reader
		want error
	}{
		{"ErrReader", iotest.ErrReader(errRead), errRead},
		{"TimeoutReader", iotest.TimeoutReader(strings.NewReader("1\n2\n")), iotest.ErrTimeout},
		{"error after data", io.MultiReader(strings.NewReader("1\n2"), iotest.ErrReader(errRead)), errRead},
		{"error after a complete line", io.MultiReader(strings.NewReader("1\n2\n"), iotest.ErrReader(errRead)), errRead},
		{"error with data", &scriptReader{reads: []read{{data: "1\n2\n", err: errRead}}}, errRead},
		{"unexpected EOF", &scriptReader{reads: []read{{data: "1\n2", err: io.ErrUnexpectedEOF}}}, io.ErrUnexpectedEOF},
		{"negative count", &scriptReader{reads: []read{{data: "1\n"}, {n: -1}}}, sumsq.ErrBadReadCount},
		{"count past the buffer", &scriptReader{reads: []read{{n: 1 << 30}}}, sumsq.ErrBadReadCount},
		{"no progress", &emptyReader{}, io.ErrNoProgress},
	}
	for _, tt := range tests {
		got, err := sumsq.Sum(tt.r)
		if err != tt.want || got != (sumsq.Result{}) {
			t.Errorf("%s: Sum = %v, %v; want 0, %v", tt.name, got, err, tt.want)
		}
	}
}

func TestSumGivesUpAfterEmptyReads(t *testing.T) {
	r := &emptyReader{}
	_, err := sumsq.Sum(r)
	if err != io.ErrNoProgress || r.calls != 100 {
		t.Errorf("Sum(reader of (0, nil)) = %v after %d reads; want %v after 100", err, r.calls, io.ErrNoProgress)
	}
}

func TestSumToleratesSomeEmptyReads(t *testing.T) {
	var reads []read
	for range 99 {
		reads = append(reads, read{})
	}
	reads = append(reads, read{data: "3\n"})
	for range 99 {
		reads = append(reads, read{})
	}
	reads = append(reads, read{data: "4"})
	got, err := sumsq.Sum(&scriptReader{reads: reads})
	if err != nil || got.Count != 2 || got.String() != "25" {
		t.Errorf("Sum(99 empty reads between lines) = %v (count %d), %v; want 25 (count 2), nil", got, got.Count, err)
	}
}

// A content error in the data that came with a read error is found first:
// the bytes are valid input, and their error is permanent.
func TestSumContentErrorBeforeReadError(t *testing.T) {
	r := &scriptReader{reads: []read{{data: "1\nx\n", err: errRead}}}
	_, err := sumsq.Sum(r)
	want := &sumsq.Error{Line: 2, Offset: 2, Excerpt: "x", Err: sumsq.ErrSyntax}
	var e *sumsq.Error
	if !errors.As(err, &e) || *e != *want {
		t.Errorf("Sum(\"1\\nx\\n\" with a read error) = %v; want %v", err, want)
	}
}

// After a read error the Accumulator has taken every byte read, so the
// input can go on from there with another reader.
func TestReadFromResumes(t *testing.T) {
	var a sumsq.Accumulator
	n, err := a.ReadFrom(io.MultiReader(strings.NewReader("10\n2"), iotest.ErrReader(errRead)))
	if n != 4 || err != errRead {
		t.Fatalf("ReadFrom(\"10\\n2\" then an error) = %d, %v; want 4, %v", n, err, errRead)
	}
	n, err = a.ReadFrom(strings.NewReader("0\n3\n"))
	if n != 4 || err != nil {
		t.Fatalf("ReadFrom(\"0\\n3\\n\") = %d, %v; want 4, nil", n, err)
	}
	got, err := a.Finish()
	if err != nil || got.Count != 3 || got.Lines != 3 || got.String() != "509" {
		t.Errorf("Finish() = %v (count %d, lines %d), %v; want 509 (count 3, lines 3), nil", got, got.Count, got.Lines, err)
	}
}

// io.Copy uses ReadFrom (or the reader's WriteTo) and reports content
// errors as write errors.
func TestCopy(t *testing.T) {
	for _, r := range []io.Reader{
		strings.NewReader("1\n2\n3\n"),                    // has WriteTo
		iotest.HalfReader(strings.NewReader("1\n2\n3\n")), // uses ReadFrom
	} {
		var a sumsq.Accumulator
		n, err := io.Copy(&a, r)
		got, ferr := a.Finish()
		if n != 6 || err != nil || ferr != nil || got.String() != "14" {
			t.Errorf("io.Copy(a, %T) = %d, %v; Finish() = %v, %v; want 6, nil; 14, nil", r, n, err, got, ferr)
		}
	}
	var a sumsq.Accumulator
	_, err := io.Copy(&a, iotest.OneByteReader(strings.NewReader("1\n-\n3\n")))
	if !errors.Is(err, sumsq.ErrSyntax) {
		t.Errorf("io.Copy(a, \"1\\n-\\n3\\n\") = %v; want %v", err, sumsq.ErrSyntax)
	}
}

func TestWriteAfterError(t *testing.T) {
	var a sumsq.Accumulator
	n, err := a.Write([]byte("1\n2\nabc\n4\n"))
	var e *sumsq.Error
	if !errors.As(err, &e) || n != 8 || e.Line != 3 {
		t.Fatalf("Write(\"1\\n2\\nabc\\n4\\n\") = %d, %v; want 8, an *Error on line 3", n, err)
	}
	if n2, err2 := a.Write([]byte("5\n")); n2 != 0 || err2 != err {
		t.Errorf("Write after an error = %d, %v; want 0, %v", n2, err2, err)
	}
	if n2, err2 := a.ReadFrom(strings.NewReader("5\n")); n2 != 0 || err2 != err {
		t.Errorf("ReadFrom after an error = %d, %v; want 0, %v", n2, err2, err)
	}
	if got, err2 := a.Finish(); err2 != err || got != (sumsq.Result{}) {
		t.Errorf("Finish after an error = %v, %v; want 0, %v", got, err2, err)
	}
}

func TestFinish(t *testing.T) {
	var a sumsq.Accumulator
	if _, err := a.Write([]byte("3\n4")); err != nil {
		t.Fatalf("Write = %v", err)
	}
	for i := range 2 {
		got, err := a.Finish()
		if err != nil || got.Count != 2 || got.Lines != 2 || got.String() != "25" {
			t.Errorf("Finish() call %d = %v (count %d, lines %d), %v; want 25 (count 2, lines 2), nil", i+1, got, got.Count, got.Lines, err)
		}
	}
	n, err := a.Write([]byte("5\n"))
	var e *sumsq.Error
	if n != 0 || err == nil || errors.As(err, &e) {
		t.Errorf("Write after Finish = %d, %v; want 0 and an error that is not about the input", n, err)
	}
}
