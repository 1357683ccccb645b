package maprun

import (
	"bufio"
	"fmt"
	"io"
)

// MaxRecordBytes bounds one element of a result file. No record Step
// Functions writes is larger: a child execution's input and output are
// each at most 256 KiB (the payload limit), and written as JSON strings
// they at most double (every '"' and '\' escaped); with its names, times
// and error it stays under 1 MiB. A larger element is refused unread.
const MaxRecordBytes = 1 << 20

// eachRecord reads a result file from r, JSON Lines of objects (the
// template's WriterConfig OutputType JSONL), and calls fn with each object
// and its 1-based position. It holds one object in memory at a time,
// refusing one of more than MaxRecordBytes before reading it whole, so a
// result file of any size and any content costs bounded memory. An empty
// file has no records. A JSON array (OutputType JSON) is refused: its first
// record is a '[', where an object belongs.
//
// The error is fn's, r's, or one saying what is wrong with the text.
func eachRecord(r io.Reader, fn func(n int64, raw []byte) error) error {
	s := recordScanner{r: bufio.NewReaderSize(r, 64<<10)}
	var buf []byte
	for n := int64(1); ; n++ {
		_, err := s.skipSpace()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if buf, err = s.object(buf[:0], n); err != nil {
			return err
		}
		if err := fn(n, buf); err != nil {
			return err
		}
	}
}

type recordScanner struct {
	r *bufio.Reader
}

// skipSpace skips JSON white space and returns the next byte, unread.
func (s *recordScanner) skipSpace() (byte, error) {
	for {
		c, err := s.r.ReadByte()
		if err != nil {
			return 0, err
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c, s.r.UnreadByte()
	}
}

// object appends the JSON object that starts at the next byte to buf,
// finding its end by its braces outside strings. The text is checked by
// the caller's decoder; this only bounds it.
func (s *recordScanner) object(buf []byte, n int64) ([]byte, error) {
	c, _ := s.r.ReadByte()
	if c != '{' {
		return nil, fmt.Errorf("record %d: %q where a JSON object belongs", n, c)
	}
	buf = append(buf, c)
	depth, inString, escaped := 1, false, false
	for depth > 0 {
		c, err := s.r.ReadByte()
		if err == io.EOF {
			return nil, fmt.Errorf("record %d: unexpected end of file", n)
		}
		if err != nil {
			return nil, err
		}
		if len(buf) == MaxRecordBytes {
			return nil, fmt.Errorf("record %d is larger than %d bytes: no record Step Functions writes is", n, MaxRecordBytes)
		}
		buf = append(buf, c)
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		}
	}
	return buf, nil
}
