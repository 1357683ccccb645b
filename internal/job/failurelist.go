package job

import (
	"bufio"
	"io"
	"os"

	"github.com/sumsq/sumsq/internal/excerpt"
)

// Bounds on the failures a run's total lists (maprun.Total's Failed), so
// that its JSON stays under Step Functions' 256 KiB payload limit whatever
// the keys and the failures.
//
// Total.Failed holds at most MaxListedFailures failures and at most
// maxListedFailuresBytes of JSON, their Cause cut to MaxListedCauseBytes
// and their Error to maxErrorNameBytes. The rest of a Total takes at most
// 2×MaxDigitsLimit+19 digits of sum, a FailuresLocation of at most 6,213
// bytes (a 1,024-byte key, every byte escaped) and 147 of names and counts:
// maprun's TestTotalOutputBound checks the sum of the bounds against the
// limit.
const (
	MaxListedFailures      = 100
	maxListedFailuresBytes = 150 << 10
	MaxListedCauseBytes    = 256
)

// A FailureList keeps the failures of a run: how many, the first ones
// within the bounds of Total.Failed, and, with Spill set, all of them, in
// order, in an unnamed temporary file of JSON Lines. A run may have
// millions of failures: they go to disk (Lambda's /tmp), not to memory.
// The zero value keeps no file. Close releases the file.
type FailureList struct {
	Spill bool // keep every failure, for All

	n           int64
	listed      []Failure // the first, shortened: Total.Failed
	listedBytes int       // JSON bytes of listed, with separators
	closed      bool      // a failure did not fit in listed: no more are listed

	file *os.File
	w    *bufio.Writer
	size int64
	err  error // the first error keeping the file
}

// Add counts f and keeps it. An error writing the file is kept for All.
func (l *FailureList) Add(f Failure) {
	l.n++
	f = f.Bounded()
	if !l.closed {
		short := f
		short.Cause = excerpt.Shorten(f.Cause, MaxListedCauseBytes)
		size := jsonSize(&short) + 1 // and a comma
		if len(l.listed) < MaxListedFailures && l.listedBytes+size <= maxListedFailuresBytes {
			l.listed = append(l.listed, short)
			l.listedBytes += size
		} else {
			l.closed = true
		}
	}
	if l.Spill {
		l.write(f)
	}
}

func (l *FailureList) write(f Failure) {
	if l.err != nil {
		return
	}
	if l.file == nil {
		if l.file, l.err = os.CreateTemp("", "sumsq-failed-*.jsonl"); l.err != nil {
			return
		}
		// Unnamed from the start: nothing is left behind, however the
		// process ends.
		os.Remove(l.file.Name())
		l.w = bufio.NewWriterSize(l.file, 1<<20)
	}
	b, err := Marshal(f)
	if err == nil {
		b = append(b, '\n')
		_, err = l.w.Write(b)
		l.size += int64(len(b))
	}
	l.err = err
}

// Count counts n more failures without keeping them: failures a list of
// them elsewhere holds (a part of a run's total, listed in its own file).
// As with a failure past the bounds, none added after them is listed.
func (l *FailureList) Count(n int64) {
	if n > 0 {
		l.n += n
		l.closed = true
	}
}

// Len returns how many failures were added.
func (l *FailureList) Len() int64 { return l.n }

// Listed returns the first failures, as Total.Failed lists them: never nil.
func (l *FailureList) Listed() []Failure {
	if l.listed == nil {
		return []Failure{}
	}
	return l.listed
}

// Complete reports whether Listed holds every failure.
func (l *FailureList) Complete() bool { return l.n == int64(len(l.listed)) }

// All returns every failure as JSON Lines, one Failure a line, and the
// size in bytes. It needs Spill; no Add may follow.
func (l *FailureList) All() (io.ReadSeeker, int64, error) {
	if l.err == nil && l.file == nil {
		return &emptyReader{}, 0, nil
	}
	if l.err == nil {
		l.err = l.w.Flush()
	}
	if l.err == nil {
		_, l.err = l.file.Seek(0, io.SeekStart)
	}
	if l.err != nil {
		return nil, 0, &FailureListError{Err: l.err}
	}
	return l.file, l.size, nil
}

// Close releases the temporary file, if any.
func (l *FailureList) Close() {
	if l.file != nil {
		l.file.Close()
		l.file = nil
	}
}

type emptyReader struct{}

func (*emptyReader) Read([]byte) (int, error)       { return 0, io.EOF }
func (*emptyReader) Seek(int64, int) (int64, error) { return 0, nil }
