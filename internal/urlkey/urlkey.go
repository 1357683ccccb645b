// Package urlkey decodes and encodes S3 object keys URL-encoded as S3
// writes them where a key must be plain text: an S3 Inventory report's CSV
// files, and the items a Distributed Map reads from one.
package urlkey

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Keys in a CSV report are URL-encoded: "When using the CSV file format, the
// key name is URL-encoded and must be decoded before you can use it"
// (storage-inventory.html, "Key name"). AWS does not say which encoding;
// what is known of it:
//
//   - a space is "+", and a plus sign "%2B": the encoding of HTML forms
//     (application/x-www-form-urlencoded), as in S3's event notifications,
//     not "%20". Cloud Custodian's inventory reader decoded "+" wrongly until
//     it called Python's unquote_plus on every key
//     (github.com/cloud-custodian/cloud-custodian issue 1997, "The S3 object
//     key value supplied in S3 Inventory is URL-encoded with space encoded
//     as plus", fixed by pull request 1998);
//   - other bytes are "%" and two hexadecimal digits, UTF-8 byte by byte.
//     S3's URL encoding of keys elsewhere (ListObjectsV2 with
//     EncodingType=url) writes "test_file(3).png" as "test_file%283%29.png"
//     (API_ListObjectsV2.html, EncodingType), and, measured against S3
//     (github.com/brekkylab/backlot issue 178), "a b.txt" as "a+b.txt",
//     "a+b.txt" as "a%2Bb.txt", "100%.csv" as "100%25.csv" and "한글/x.txt"
//     as "%ED%95%9C%EA%B8%80/x.txt": "/" as it is.
//
// Decode therefore undoes the forms encoding, which reads "%2F" and "/",
// "%7E" and "~" alike, whichever S3 chose. Encode writes the forms
// encoding, keeping only letters, digits, "-", "_", "." and "/": any decoder
// of URL-encoded keys reads that back.

// Decode returns the object key that the URL-encoded key field of a CSV
// report stands for: "+" is a space, and "%" followed by two hexadecimal
// digits is the byte they spell. It is an error if a "%" is not followed by
// two hexadecimal digits, or if the key decoded is not UTF-8 (S3's keys are).
func Decode(field string) (string, error) {
	key := field
	// Most keys need no decoding; IndexByte finds that faster than
	// QueryUnescape's loop.
	if strings.IndexByte(field, '%') >= 0 || strings.IndexByte(field, '+') >= 0 {
		var err error
		if key, err = decode(field); err != nil {
			return "", err
		}
	}
	if !utf8.ValidString(key) {
		return "", errors.New("URL-encoded key is not UTF-8 once decoded")
	}
	return key, nil
}

func decode(field string) (string, error) {
	key, err := url.QueryUnescape(field)
	if err != nil {
		var ee url.EscapeError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("bad escape %q in URL-encoded key", string(ee))
		}
		return "", err
	}
	return key, nil
}

// Encode returns key URL-encoded as a CSV report writes it: letters,
// digits, "-", "_", "." and "/" as they are, a space as "+", and every other
// byte as "%" and two upper-case hexadecimal digits.
func Encode(key string) string {
	n := 0
	for i := 0; i < len(key); i++ {
		if !keptInKey(key[i]) && key[i] != ' ' {
			n++
		}
	}
	if n == 0 && !strings.Contains(key, " ") {
		return key
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(key) + 2*n)
	for i := 0; i < len(key); i++ {
		switch c := key[i]; {
		case keptInKey(c):
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// keptInKey reports whether Encode writes c as it is.
func keptInKey(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '/'
}
