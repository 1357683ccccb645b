package sumsq

import (
	"errors"
	"fmt"
)

// MaxExcerpt is the most bytes of a line that an Error quotes.
const MaxExcerpt = 32

var (
	// ErrSyntax means a line is not blank and not an optional sign
	// followed by ASCII digits.
	ErrSyntax = errors.New("not an integer")

	// ErrDigits means a number has more digits than the limit.
	ErrDigits = errors.New("too many digits")

	// ErrBadReadCount means an io.Reader returned a negative count or
	// one larger than the buffer it was given.
	ErrBadReadCount = errors.New("sumsq: Read returned an impossible count")
)

// Error records where and why the input is invalid.
// Its Err is ErrSyntax or ErrDigits, so errors.Is(err, ErrSyntax) and
// errors.As(err, &e) both work on it and on errors that wrap it.
type Error struct {
	// Line is the 1-based number of the invalid line, counted from the
	// first line written to the Accumulator.
	Line int64

	// Offset is the position of the line's first byte in the input,
	// plus Accumulator.Offset. A byte order mark is not part of line 1.
	Offset int64

	// Excerpt is the line's first MaxExcerpt bytes (or fewer, if the
	// line is shorter), without its "\n" and without a final "\r".
	// It is raw input: quote it before showing it.
	Excerpt string

	// Err is ErrSyntax or ErrDigits.
	Err error
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d (byte %d): %v: %q", e.Line, e.Offset, e.Err, e.Excerpt)
}

func (e *Error) Unwrap() error { return e.Err }
