package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxExecutionName is the longest execution name Step Functions accepts.
const maxExecutionName = 80

// newExecutionName returns a name for an execution started at t that is
// unique (a time to the second and 32 random bits) and valid: it uses only
// letters, digits, "-" and "_", which CloudWatch logging also asks for.
// For example: sumsq-20261129T142233Z-9f86d081.
func newExecutionName(t time.Time) string {
	var b [4]byte
	rand.Read(b[:]) // never fails
	return "sumsq-" + t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// checkExecutionName reports why Step Functions would reject name, if it
// would: it must be 1 to 80 characters long, without whitespace, control
// characters or any of < > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : /.
func checkExecutionName(name string) error {
	switch n := utf8.RuneCountInString(name); {
	case !utf8.ValidString(name):
		return fmt.Errorf("execution name %q is not valid UTF-8", name)
	case n == 0:
		return fmt.Errorf("execution name is empty")
	case n > maxExecutionName:
		return fmt.Errorf("execution name %q has %d characters; at most %d are allowed", name, n, maxExecutionName)
	}
	for _, r := range name {
		switch {
		case unicode.IsSpace(r):
			return fmt.Errorf("execution name %q contains whitespace", name)
		case r < 0x20 || r >= 0x7f && r <= 0x9f:
			return fmt.Errorf("execution name %q contains control character %U", name, r)
		case strings.ContainsRune(`<>{}[]?*"#%\^|~`+"`"+`$&,;:/`, r):
			return fmt.Errorf("execution name %q contains %q, which is not allowed", name, r)
		}
	}
	return nil
}
