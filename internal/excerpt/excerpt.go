// Package excerpt cuts text for messages: never longer than it is asked to
// be, and never in the middle of a UTF-8 sequence, since a message (a
// failure's cause, an event's error) is JSON, and JSON replaces a broken
// sequence with U+FFFD.
package excerpt

import (
	"strconv"
	"unicode/utf8"
)

// dots marks where text was cut.
const dots = "..."

// QuoteBytes is how many bytes of its text Quote quotes.
const QuoteBytes = 64

// Shorten returns s if it has at most n bytes, or else the longest prefix
// of s that ends in "..." and has at most n bytes, cut at a rune boundary;
// "" if n is too small for the dots.
func Shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n < len(dots) {
		return ""
	}
	return prefix(s, n-len(dots)) + dots
}

// Quote returns s as a Go string literal, as %q writes it, of at most its
// first QuoteBytes bytes, followed by "..." when s is longer: what a
// message shows of a value of any size.
func Quote(s string) string {
	if len(s) <= QuoteBytes {
		return strconv.Quote(s)
	}
	return strconv.Quote(prefix(s, QuoteBytes)) + dots
}

// prefix returns the longest prefix of s with at most n bytes that does
// not split a UTF-8 sequence.
func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
