//go:build e2e

package e2e

import "testing"

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
