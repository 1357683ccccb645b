//go:build e2e

package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestIsFunction(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"sumsq", true},
		{"sumsq:$LATEST", true},
		{"123456789012:function:sumsq", true},
		{functionARN, true},
		{functionARN + ":live", true},
		{"other", false},
		{"arn:aws:lambda:us-east-1:123456789012:function:sumsq2", false},
		{"arn:aws:lambda:eu-west-1:123456789012:function:sumsq", false},
	} {
		if got := isFunction(tc.name); got != tc.want {
			t.Errorf("isFunction(%q) = %v; want %v", tc.name, got, tc.want)
		}
	}
}

func TestEmulatorAnswers(t *testing.T) {
	for _, tc := range []struct {
		body      string
		errorType string
		isError   bool
		isTimeout bool
	}{
		{`{"errorMessage": "bad", "errorType": "InvalidEventError"}`, "InvalidEventError", true, false},
		{`{"objects": 1, "count": 2, "sumOfSquares": "5"}`, "", false, false},
		{`{"errorType": "X"}`, "", false, false}, // a result that happens to have the field
		{`[1, 2]`, "", false, false},
		{"Task timed out after 2.00 seconds", "", false, true},
	} {
		errorType, isError := functionError([]byte(tc.body))
		_, isTimeout := timeoutText([]byte(tc.body))
		if errorType != tc.errorType || isError != tc.isError || isTimeout != tc.isTimeout {
			t.Errorf("functionError, timeoutText(%q) = %q, %v, %v; want %q, %v, %v",
				tc.body, errorType, isError, isTimeout, tc.errorType, tc.isError, tc.isTimeout)
		}
	}
}

// TestFailNextBatches drives the serve mode's switch as a person does,
// over HTTP, and checks that it fails batches only, as many as asked.
func TestFailNextBatches(t *testing.T) {
	p := newLambdaProxy(t)
	call := func(method, query string) (int, string) {
		w := httptest.NewRecorder()
		p.ServeHTTP(w, httptest.NewRequest(method, FailNextBatchesPath+query, nil))
		return w.Code, strings.TrimSpace(w.Body.String())
	}
	for _, tc := range []struct {
		method, query string
		code          int
		body          string
	}{
		{http.MethodGet, "", 200, `{"n":0,"errorType":""}`},
		{http.MethodPost, "?n=x", 400, "n must be a whole number of batch invocations to fail, 0 or more"},
		{http.MethodPost, "?n=-1", 400, "n must be a whole number of batch invocations to fail, 0 or more"},
		{http.MethodPut, "?n=1", 405, "POST ?n=N[&error=TYPE] or GET"},
		{http.MethodPost, "?n=2&error=S3UnavailableError", 200, `{"n":2,"errorType":"S3UnavailableError"}`},
		{http.MethodPost, "?n=2", 200, `{"n":2,"errorType":"Sandbox.Timedout"}`},
	} {
		if code, body := call(tc.method, tc.query); code != tc.code || body != tc.body {
			t.Errorf("%s %s%s = %d %s; want %d %s", tc.method, FailNextBatchesPath, tc.query, code, body, tc.code, tc.body)
		}
	}
	batch := []byte(`{"Items": [{"bucket": "b", "key": "k"}], "BatchInput": {}}`)
	total := []byte(`{"TotalPart": {"bucket": "b", "key": "results/x/SUCCEEDED_0.json", "status": "SUCCEEDED", "start": 0, "end": 9, "index": 0}}`)
	for i, tc := range []struct {
		event []byte
		want  string
	}{{total, ""}, {batch, "Sandbox.Timedout"}, {total, ""}, {batch, "Sandbox.Timedout"}, {batch, ""}} {
		if got, _ := p.injectedFailure(tc.event); got != tc.want {
			t.Errorf("invocation %d (%.12s...): injected %q; want %q", i+1, tc.event, got, tc.want)
		}
	}
	if code, body := call(http.MethodGet, ""); code != 200 || body != `{"n":0,"errorType":"Sandbox.Timedout"}` {
		t.Errorf("GET after two failed batches = %d %s; want none left", code, body)
	}
}
