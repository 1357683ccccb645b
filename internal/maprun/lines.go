package maprun

import (
	"bytes"
	"fmt"
	"io"
	"math"
)

// MaxRecordBytes bounds one record (one line) of a result file. No record
// Step Functions writes is larger: a child execution's input and output
// are each at most 256 KiB (the payload limit), and written as JSON
// strings they at most double (every '"' and '\' escaped); with its names,
// times and error it stays under 1 MiB. A longer line is refused, unread
// past the bound.
const MaxRecordBytes = 1 << 20

// lineBufferSize is the buffer a part's lines are read into: a record of
// MaxRecordBytes and as much again of reading ahead.
const lineBufferSize = 2 * MaxRecordBytes

// A line is one line of a result file, without its "\n".
type line struct {
	text []byte
	at   int64 // the offset of its first byte in the file
	n    int64 // its number, 1 for the first line of the part
}

// where names l in messages: by its number in the file when the part
// begins the file, and always by its offset, which names it exactly
// whatever part reads it.
func (l line) where(partStart int64) string {
	if partStart == 0 {
		return fmt.Sprintf("line %d (byte %d)", l.n, l.at)
	}
	return fmt.Sprintf("the line at byte %d", l.at)
}

// eachLine calls fn with each line of a file that begins in [start, end),
// by the rule of package sumsq's parallel ranges (a file read in parts
// reads each line once, in the part it begins in): r reads the file from
// byte from = max(start-1, 0) to byte limit, which is the file's end
// (toEnd) or at least MaxRecordBytes+1 past end, so that the part's last
// line can be read whole; a longer one is an error. Lines hold no "\n";
// empty ones are passed too. The text fn gets is valid until it returns.
//
// A file that ends before limit (a file shorter than its manifest says) is
// an error, and so is r's. limit < 0 reads a whole file of unknown size
// (see eachLineOf).
func eachLine(r io.Reader, from, start, end, limit int64, toEnd bool, fn func(line) error) error {
	buf := make([]byte, lineBufferSize)
	var (
		n       int    // bytes in buf
		pos     = from // the file offset of buf[0]
		i       int    // where the line being read begins in buf
		scanned int    // buf[i:scanned] holds no "\n"
		seeking = start > 0
		number  int64
		eof     bool
	)
	for {
		// Every line whole in buf.
		for {
			if seeking {
				j := bytes.IndexByte(buf[scanned:n], '\n')
				if j < 0 {
					scanned = n
					if pos+int64(n) >= end {
						return nil // no line begins in the part
					}
					break
				}
				first := pos + int64(scanned+j) + 1
				if first >= end {
					return nil
				}
				i, scanned, seeking = scanned+j+1, scanned+j+1, false
			}
			if pos+int64(i) >= end {
				return nil // the next line begins in the next part
			}
			j := bytes.IndexByte(buf[scanned:n], '\n')
			if j < 0 {
				scanned = n
				break
			}
			number++
			if err := fn(line{text: buf[i : scanned+j], at: pos + int64(i), n: number}); err != nil {
				return err
			}
			i, scanned = scanned+j+1, scanned+j+1
		}
		if !seeking && n-i > MaxRecordBytes {
			return fmt.Errorf("%s is longer than %d bytes: no record Step Functions writes is",
				line{at: pos + int64(i), n: number + 1}.where(start), MaxRecordBytes)
		}
		if eof {
			if limit >= 0 && pos+int64(n) < limit {
				return fmt.Errorf("the file ends at byte %d, before byte %d: shorter than its manifest says", pos+int64(n), limit)
			}
			if seeking || i == n {
				return nil
			}
			if !toEnd {
				return fmt.Errorf("%s is longer than %d bytes: no record Step Functions writes is",
					line{at: pos + int64(i), n: number + 1}.where(start), MaxRecordBytes)
			}
			number++
			return fn(line{text: buf[i:n], at: pos + int64(i), n: number}) // the last, without "\n"
		}
		// Keep the line being read (nothing, while seeking the first),
		// and read on.
		if seeking {
			i = n
		}
		if i > 0 {
			copy(buf, buf[i:n])
			pos += int64(i)
			n -= i
			scanned -= i
			i = 0
		}
		m, err := readSome(r, buf[n:])
		n += m
		switch {
		case err == io.EOF:
			eof = true
		case err != nil:
			return err
		}
	}
}

// readSome reads at least one byte into p, unless r ends or fails; a
// reader that keeps returning nothing is io.ErrNoProgress, as in bufio.
func readSome(r io.Reader, p []byte) (int, error) {
	for range 100 {
		n, err := r.Read(p)
		if n < 0 || n > len(p) {
			return 0, fmt.Errorf("a reader returned an impossible count %d", n)
		}
		if n > 0 || err != nil {
			if err == io.EOF && n > 0 {
				err = nil // the next read says it again
			}
			return n, err
		}
	}
	return 0, io.ErrNoProgress
}

// eachLineOf calls fn with each line of the file r reads whole.
func eachLineOf(r io.Reader, fn func(line) error) error {
	return eachLine(r, 0, 0, math.MaxInt64, -1, true, fn)
}
