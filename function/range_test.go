package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
)

// TestHandleRange invokes the handler with {"Range": {...}} events, the
// items of the Map that sums the ranges of objects set aside, and checks
// the exact answer: the lines that begin in the range, or why it could not
// be read.
func TestHandleRange(t *testing.T) {
	srv := newTestServer(t)
	body := []byte("1\n-22\n333\n")
	etag := srv.Put(t, bucket, "large/k", body)
	quoted := strings.ReplaceAll(etag, `"`, `\"`)
	h := newTestHandler(srv, testConfig(t))
	tests := []struct {
		name, event, want string
	}{
		{"first part", `{"Range": {"bucket": "my-bucket", "key": "large/k", "size": 10, "etag": "` + quoted + `", "start": 0, "end": 3, "part": 0, "parts": 2}}`,
			`{"bucket":"my-bucket","key":"large/k","part":0,"parts":2,"count":2,"sumOfSquares":"485","lines":2}`},
		{"last part", `{"Range": {"bucket": "my-bucket", "key": "large/k", "size": 10, "etag": "` + quoted + `", "start": 3, "end": 10, "part": 1, "parts": 2}}`,
			`{"bucket":"my-bucket","key":"large/k","part":1,"parts":2,"count":1,"sumOfSquares":"110889","lines":1}`},
		{"bad line", `{"Range": {"bucket": "my-bucket", "key": "today/bad.log", "size": 10, "etag": "", "start": 1, "end": 10, "part": 1, "parts": 2}}`,
			`{"bucket":"my-bucket","key":"today/bad.log","part":1,"parts":2,"count":0,"sumOfSquares":"0","lines":0,` +
				`"failure":{"error":"InvalidContentError","cause":"line 2 (byte 4): not an integer: \"seven\"","line":2,"byte":4,"excerpt":"\"seven\""}}`},
		{"replaced", `{"Range": {"bucket": "my-bucket", "key": "large/k", "size": 10, "etag": "\"0123456789abcdef0123456789abcdef\"", "start": 0, "end": 10, "part": 0, "parts": 1}}`,
			`{"bucket":"my-bucket","key":"large/k","part":0,"parts":1,"count":0,"sumOfSquares":"0","lines":0,` +
				`"failure":{"error":"ObjectChangedError","cause":"object changed while being read"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.Invoke(context.Background(), []byte(tt.event))
			if string(got) != tt.want || err != nil {
				t.Errorf("Invoke =\n%s, %v\nwant\n%s, nil", got, err, tt.want)
			}
		})
	}
}

func TestHandleRangeInvalid(t *testing.T) {
	tests := []struct {
		name, event, reason string
	}{
		{"null", `{"Range": null}`, `range event: "Range" must be an object`},
		{"unknown field", `{"Range": {"bucket": "my-bucket", "key": "k", "size": 1, "etag": "", "start": 0, "end": 1, "part": 0, "parts": 1, "read": 1}}`, `range event: unknown field "read"`},
		{"beside another field", `{"Range": {}, "bucket": "my-bucket"}`, `range event: unknown field "bucket"`},
		{"not a range of its parts", `{"Range": {"bucket": "my-bucket", "key": "k", "size": 10, "etag": "", "start": 0, "end": 5, "part": 0, "parts": 1}}`,
			`range of "k": part 0 of 1 ends at byte 5 of 10: the last part, and only it, ends at the end`},
	}
	h := newTestHandler(newTestServer(t), testConfig(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.Handle(context.Background(), []byte(tt.event))
			var e *job.InvalidEventError
			if !errors.As(err, &e) || !strings.Contains(e.Reason, tt.reason) {
				t.Errorf("Handle(%s) = %v; want an InvalidEventError: %s", tt.event, err, tt.reason)
			}
		})
	}
}
