package maprun

import (
	"errors"
	"fmt"
	"math"
)

// A scanner reads one JSON text, a record of a result file, in place: the
// members a total needs are taken as they are met, and the rest of the
// text (a batch's per-object "results", the bulk of every record) is only
// checked to be JSON, never decoded into values. It follows RFC 8259's
// grammar, as encoding/json does (which reports the same texts invalid);
// the words of an error are encoding/json's, the scanner only saying that
// there is one (see syntaxError).
type scanner struct {
	b []byte
	i int
}

// errSyntax says that the text is not JSON; syntaxError words it.
var errSyntax = errors.New("invalid JSON")

// maxDepth bounds the nesting of arrays and objects, as encoding/json's.
const maxDepth = 10000

// ws skips JSON white space.
func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next byte, or 0 at the end.
func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// eat consumes c if it is the next byte.
func (s *scanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// stringSafe[c] is whether byte c stands for itself in a JSON string: not
// the quote that ends it, not a backslash, not a control character.
var stringSafe = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c != '"' && c != '\\'
	}
	return t
}()

// str reads a string and returns its content as written, escapes
// included, and whether it has any.
func (s *scanner) str() (raw []byte, escaped bool, err error) {
	if !s.eat('"') {
		return nil, false, errSyntax
	}
	start := s.i
	for {
		i, b := s.i, s.b
		for i < len(b) && stringSafe[b[i]] {
			i++
		}
		s.i = i
		if i == len(b) {
			return nil, false, errSyntax
		}
		switch b[i] {
		case '"':
			s.i++
			return b[start:i], escaped, nil
		case '\\':
			escaped = true
			if err := s.escape(); err != nil {
				return nil, false, err
			}
		default: // a control character
			return nil, false, errSyntax
		}
	}
}

// escape reads the escape at s.i: \" \\ \/ \b \f \n \r \t or \u and four
// hexadecimal digits.
func (s *scanner) escape() error {
	if s.i+1 >= len(s.b) {
		return errSyntax
	}
	switch s.b[s.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i += 2
		return nil
	case 'u':
		if s.i+6 > len(s.b) {
			return errSyntax
		}
		for _, c := range s.b[s.i+2 : s.i+6] {
			if !isHex(c) {
				return errSyntax
			}
		}
		s.i += 6
		return nil
	}
	return errSyntax
}

func isHex(c byte) bool { return c-'0' < 10 || (c|0x20)-'a' < 6 }

// number reads a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
// It returns the text and whether it is an integer (no fraction, no
// exponent).
func (s *scanner) number() (raw []byte, integer bool, err error) {
	start := s.i
	s.eat('-')
	switch {
	case s.eat('0'):
	case s.i < len(s.b) && s.b[s.i]-'1' < 9:
		s.digits()
	default:
		return nil, false, errSyntax
	}
	integer = true
	if s.eat('.') {
		integer = false
		if s.digits() == 0 {
			return nil, false, errSyntax
		}
	}
	if s.eat('e') || s.eat('E') {
		integer = false
		if !s.eat('+') {
			s.eat('-')
		}
		if s.digits() == 0 {
			return nil, false, errSyntax
		}
	}
	return s.b[start:s.i], integer, nil
}

// digits skips ASCII digits and returns how many.
func (s *scanner) digits() int {
	start := s.i
	for s.i < len(s.b) && s.b[s.i]-'0' < 10 {
		s.i++
	}
	return s.i - start
}

// literal reads the literal word (true, false, null).
func (s *scanner) literal(word string) error {
	if len(s.b)-s.i < len(word) || string(s.b[s.i:s.i+len(word)]) != word {
		return errSyntax
	}
	s.i += len(word)
	return nil
}

// skip reads one value of any kind, checking its grammar only. Arrays and
// objects are followed with a stack of their kinds, not by recursion, so
// that the deepest nesting costs a bit, not a call frame.
func (s *scanner) skip() error {
	var stack []bool // true: an object; false: an array
	for {
		// A value.
		s.ws()
		switch c := s.peek(); {
		case c == '"':
			if _, _, err := s.str(); err != nil {
				return err
			}
		case c == '{' || c == '[':
			s.i++
			if len(stack) == maxDepth {
				return errSyntax
			}
			stack = append(stack, c == '{')
			s.ws()
			if c == '{' && s.eat('}') || c == '[' && s.eat(']') {
				stack = stack[:len(stack)-1]
				break
			}
			if c == '{' {
				if err := s.member(); err != nil {
					return err
				}
			}
			continue // to the first value
		case c == '-' || c-'0' < 10:
			if _, _, err := s.number(); err != nil {
				return err
			}
		case c == 't':
			if err := s.literal("true"); err != nil {
				return err
			}
		case c == 'f':
			if err := s.literal("false"); err != nil {
				return err
			}
		case c == 'n':
			if err := s.literal("null"); err != nil {
				return err
			}
		default:
			return errSyntax
		}
		// After a value: the next one, or the ends of the arrays and
		// objects it ends.
		for {
			if len(stack) == 0 {
				return nil
			}
			s.ws()
			object := stack[len(stack)-1]
			if s.eat(',') {
				if object {
					if err := s.member(); err != nil {
						return err
					}
				}
				break
			}
			if object && s.eat('}') || !object && s.eat(']') {
				stack = stack[:len(stack)-1]
				continue
			}
			return errSyntax
		}
	}
}

// member reads an object member's name and the colon after it.
func (s *scanner) member() error {
	s.ws()
	if _, _, err := s.str(); err != nil {
		return err
	}
	s.ws()
	if !s.eat(':') {
		return errSyntax
	}
	return nil
}

// int64 reads a JSON number that must be an integer that fits an int64.
func (s *scanner) int64(name string) (int64, error) {
	if c := s.peek(); c != '-' && c-'0' >= 10 {
		return 0, fmt.Errorf("%s is not a number", name)
	}
	raw, integer, err := s.number()
	if err != nil {
		return 0, err
	}
	if !integer {
		return 0, fmt.Errorf("%s %s is not an integer", name, raw)
	}
	neg := raw[0] == '-'
	if neg {
		raw = raw[1:]
	}
	// The cutoff, as strconv's: n*10+d overflows int64 once n passes it.
	var n uint64
	for _, c := range raw {
		if n > (math.MaxInt64-9)/10 && n*10+uint64(c-'0') > math.MaxInt64+1 {
			return 0, fmt.Errorf("%s %s does not fit in an int64", name, excerptBytes(raw))
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case neg:
		return -int64(n), nil // math.MinInt64 too
	case n > math.MaxInt64:
		return 0, fmt.Errorf("%s %s does not fit in an int64", name, excerptBytes(raw))
	}
	return int64(n), nil
}
