package urlkey_test

import (
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/sumsq/sumsq/internal/storetest"
	"github.com/sumsq/sumsq/internal/urlkey"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name, field, want string
	}{
		{"plain", "data/part-0001.txt", "data/part-0001.txt"},
		{"space as plus", "a+b.txt", "a b.txt"},
		{"space as %20", "a%20b.txt", "a b.txt"},
		{"plus sign", "a%2Bb.txt", "a+b.txt"},
		{"plus sign, lower-case hex", "a%2bb.txt", "a+b.txt"},
		{"percent sign", "100%25.csv", "100%.csv"},
		{"percent sign then digits", "100%2525.csv", "100%25.csv"},
		{"slash as it is", "a/b/c", "a/b/c"},
		{"slash encoded", "a%2Fb%2Fc", "a/b/c"},
		{"parentheses", "test_file%283%29.png", "test_file(3).png"},
		{"non-ASCII", "%ED%95%9C%EA%B8%80/x.txt", "한글/x.txt"},
		{"four-byte UTF-8", "emoji+%F0%9F%98%80.txt", "emoji 😀.txt"},
		{"needs care", "%26%24%40%3D%3B%3A%2C%3F", "&$@=;:,?"},
		{"to avoid", "%5C%7B%7D%5E%60%5D%22%3E%5B%7E%3C%23%7C", `\{}^` + "`" + `]">[~<#|`},
		{"tilde as it is", "~user", "~user"},
		{"control characters", "%01%1F%7F", "\x01\x1f\x7f"},
		{"new line", "a%0Ab", "a\nb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := urlkey.Decode(tt.field)
			if got != tt.want || err != nil {
				t.Errorf("Decode(%q) = %q, %v; want %q, nil", tt.field, got, err, tt.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, field, want string
	}{
		{"percent alone", "100%", `bad escape "%" in URL-encoded key`},
		{"one digit", "a%2", `bad escape "%2" in URL-encoded key`},
		{"not hexadecimal", "a%zzb", `bad escape "%zz" in URL-encoded key`},
		{"half a character", "%C3", "URL-encoded key is not UTF-8 once decoded"},
		{"not UTF-8", "%FF%FE", "URL-encoded key is not UTF-8 once decoded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := urlkey.Decode(tt.field)
			if err == nil || err.Error() != tt.want {
				t.Errorf("Decode(%q) = %q, %v; want error %q", tt.field, got, err, tt.want)
			}
		})
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name, key, want string
	}{
		{"kept as it is", "Data/part-0_1.txt", "Data/part-0_1.txt"},
		{"space", "a b.txt", "a+b.txt"},
		{"plus sign", "a+b.txt", "a%2Bb.txt"},
		{"percent sign", "100%.csv", "100%25.csv"},
		{"parentheses", "test_file(3).png", "test_file%283%29.png"},
		{"non-ASCII", "한글/x.txt", "%ED%95%9C%EA%B8%80/x.txt"},
		{"quote and comma", `a,"b"`, "a%2C%22b%22"},
		{"tilde and star", "~*", "%7E%2A"},
		{"control characters", "\x00\n\x7f", "%00%0A%7F"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := urlkey.Encode(tt.key); got != tt.want {
				t.Errorf("Encode(%q) = %q; want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestKeyRoundTrip(t *testing.T) {
	keys := append([]string(nil), storetest.TrickyKeys...)
	for c := range utf8.RuneSelf {
		keys = append(keys, "x"+string(rune(c))+"y")
	}
	for _, key := range keys {
		enc := urlkey.Encode(key)
		got, err := urlkey.Decode(enc)
		if got != key || err != nil {
			t.Errorf("Decode(Encode(%q) = %q) = %q, %v; want %q, nil", key, enc, got, err, key)
		}
	}
}

// FuzzDecode checks Decode against decodeKeyReference, and that
// Encode's output, with only safe bytes, decodes back to the key.
func FuzzDecode(f *testing.F) {
	for _, k := range storetest.TrickyKeys {
		f.Add(k)
		f.Add(urlkey.Encode(k))
	}
	f.Add("%")
	f.Add("%zz")
	f.Add("%C3%A9+%2B")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := urlkey.Decode(s)
		want, ok := decodeKeyReference(s)
		if (err == nil) != ok || got != want {
			t.Errorf("Decode(%q) = %q, %v; reference %q, %v", s, got, err, want, ok)
		}
		if !utf8.ValidString(s) {
			return
		}
		enc := urlkey.Encode(s)
		for i := 0; i < len(enc); i++ {
			if c := enc[i]; c <= ' ' || c >= 0x7f || c == '"' || c == ',' {
				t.Fatalf("Encode(%q) = %q: byte %q is not safe in a CSV field", s, enc, c)
			}
		}
		if back, err := urlkey.Decode(enc); back != s || err != nil {
			t.Errorf("Decode(Encode(%q) = %q) = %q, %v", s, enc, back, err)
		}
	})
}

// decodeKeyReference decodes a URL-encoded key the slow, obvious way.
func decodeKeyReference(s string) (string, bool) {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+3 > len(s) {
				return "", false
			}
			v, err := strconv.ParseUint(s[i+1:i+3], 16, 8) // no sign taken
			if err != nil {
				return "", false
			}
			b = append(b, byte(v))
			i += 2
		default:
			b = append(b, s[i])
		}
	}
	if !utf8.Valid(b) {
		return "", false
	}
	return string(b), true
}
