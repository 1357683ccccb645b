package excerpt_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sumsq/sumsq/internal/excerpt"
)

func TestShorten(t *testing.T) {
	tests := []struct {
		name string
		s    string
		n    int
		want string
	}{
		{"fits", "abc", 3, "abc"},
		{"empty", "", 0, ""},
		{"cut", "abcdef", 5, "ab..."},
		{"room for the dots only", "abcdef", 3, "..."},
		{"no room for the dots", "abcdef", 2, ""},
		{"nothing", "abcdef", 0, ""},
		{"a rune is not split", "aé€x", 5, "a..."}, // é is 2 bytes: "a" and half of it would be 2
		{"a rune that fits is kept", "aé€x", 6, "aé..."},
		{"4-byte runes", "😀😀😀", 10, "😀..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := excerpt.Shorten(tt.s, tt.n)
			if got != tt.want {
				t.Errorf("Shorten(%q, %d) = %q; want %q", tt.s, tt.n, got, tt.want)
			}
			if len(got) > max(tt.n, 0) && got != tt.s || !utf8.ValidString(got) {
				t.Errorf("Shorten(%q, %d) = %q: longer than %d bytes, or invalid UTF-8", tt.s, tt.n, got, tt.n)
			}
		})
	}
}

// TestShortenEveryLength cuts text of runes of every width at every length:
// never longer than asked, always valid UTF-8, always a prefix.
func TestShortenEveryLength(t *testing.T) {
	s := strings.Repeat("aé€😀", 5)
	for n := range len(s) + 2 {
		got := excerpt.Shorten(s, n)
		head := strings.TrimSuffix(got, "...")
		if len(got) > n || !utf8.ValidString(got) || !strings.HasPrefix(s, head) {
			t.Fatalf("Shorten(%q, %d) = %q; want a valid prefix of at most %d bytes", s, n, got, n)
		}
		if n >= len(s) && got != s {
			t.Fatalf("Shorten(%q, %d) = %q; want s itself", s, n, got)
		}
	}
}

func TestQuote(t *testing.T) {
	long := strings.Repeat("x", 5000)
	tests := []struct {
		name, s, want string
	}{
		{"short", "my bucket", `"my bucket"`},
		{"control characters escaped", "a\tb\x00", `"a\tb\x00"`},
		{"long", long, `"` + long[:excerpt.QuoteBytes] + `"...`},
		{"a rune is not split", strings.Repeat("x", excerpt.QuoteBytes-1) + "é", `"` + strings.Repeat("x", excerpt.QuoteBytes-1) + `"...`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := excerpt.Quote(tt.s); got != tt.want {
				t.Errorf("Quote(%.80q) = %s; want %s", tt.s, got, tt.want)
			}
		})
	}
}
