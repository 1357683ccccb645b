package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/sumsq"
)

func TestLocalError(t *testing.T) {
	syntax := &sumsq.Error{Line: 2, Offset: 3, Excerpt: "x", Err: sumsq.ErrSyntax}
	eio := &fs.PathError{Op: "read", Path: "p", Err: syscall.EIO}
	tests := []struct {
		name  string
		err   error
		error string // the failure's name
		cause string
	}{
		{"syntax", syntax, "InvalidContentError", `line 2 (byte 3): not an integer: "x"`},
		{"wrapped syntax", fmt.Errorf("reading: %w", syntax), "InvalidContentError", `line 2 (byte 3): not an integer: "x"`},
		{"not found", &fs.PathError{Op: "open", Path: "p", Err: syscall.ENOENT}, "ObjectNotFoundError", "object not found"},
		{"permission", &fs.PathError{Op: "open", Path: "p", Err: syscall.EACCES}, "AccessDeniedError", "access denied: open p: permission denied"},
		{"I/O error", eio, "PathError", "read p: input/output error"},
		{"cancelled", context.Canceled, "", ""},
	}
	for _, tt := range tests {
		err := localError("p", tt.err)
		if tt.error == "" {
			if err != tt.err {
				t.Errorf("%s: localError(%v) = %v; want it unchanged", tt.name, tt.err, err)
			}
			continue
		}
		f := job.NewFailure("", "p", err)
		if f.Error != tt.error || f.Cause != tt.cause || f.Key != "p" || f.Bucket != "" {
			t.Errorf("%s: job.NewFailure(localError(%v)) = %+v; want Key p, Error %s, Cause %q", tt.name, tt.err, f, tt.error, tt.cause)
		}
		// The cause stays reachable, for errors.Is and errors.As.
		var serr *sumsq.Error
		if tt.error == "InvalidContentError" && (!errors.As(err, &serr) || serr != syntax) {
			t.Errorf("%s: localError(%v) = %v; does not wrap the *sumsq.Error", tt.name, tt.err, err)
		}
	}
}
