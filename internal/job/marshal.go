package job

import (
	"bytes"
	"encoding/json"
)

// Marshal returns v's JSON as the function answers with it: as
// encoding/json writes it, but without escaping <, > and &, and with
// U+2028 and U+2029 written as themselves (3 bytes) rather than as \u2028
// (6 bytes), which encoding/json always does for the sake of JavaScript
// embedded in HTML. Step Functions needs neither, and the unescaped form
// keeps a result's size within its input's: a key of U+2028s must not
// double in size between the batch that names it and the result that names
// it again.
func Marshal(v any) ([]byte, error) {
	var e Encoder
	return e.Encode(v)
}

// An Encoder encodes values one after the other as Marshal does, into a
// buffer of its own that it reuses: for a list of many values, written a
// line at a time. The zero Encoder is ready to use.
type Encoder struct {
	b   bytes.Buffer
	enc *json.Encoder
}

// Encode returns v's JSON as Marshal does. The bytes are valid until the
// next Encode.
func (e *Encoder) Encode(v any) ([]byte, error) {
	if e.enc == nil {
		e.enc = json.NewEncoder(&e.b)
		e.enc.SetEscapeHTML(false)
	}
	e.b.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return unescapeLineSeparators(bytes.TrimSuffix(e.b.Bytes(), []byte("\n"))), nil
}

// unescapeLineSeparators replaces the escapes \u2028 and \u2029 in JSON
// text by the characters themselves. An escape is one whose backslash is
// not itself escaped: preceded by an even number of backslashes.
func unescapeLineSeparators(b []byte) []byte {
	out := b[:0]
	backslashes := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\\' && backslashes%2 == 0 && i+6 <= len(b) && string(b[i+1:i+5]) == "u202" && (b[i+5] == '8' || b[i+5] == '9') {
			// U+2028 is E2 80 A8 in UTF-8, U+2029 E2 80 A9.
			out = append(out, 0xE2, 0x80, 0xA8+(b[i+5]-'8'))
			i += 5
			backslashes = 0
			continue
		}
		if c == '\\' {
			backslashes++
		} else {
			backslashes = 0
		}
		out = append(out, c)
	}
	return out
}

// jsonSize returns the length of Marshal(v).
func jsonSize(v any) int {
	b, err := Marshal(v)
	if err != nil {
		panic(err) // the types here are plain strings and numbers
	}
	return len(b)
}
