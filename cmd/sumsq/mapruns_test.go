package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

func TestMapRunLabel(t *testing.T) {
	tests := []struct{ arn, want string }{
		{"arn:aws:states:us-east-1:123456789012:mapRun:sumsq/SumObjects:4c0b7a4e-5f7d-3c7a-9a8e-2d0c1f6b9e31", "SumObjects"},
		{"arn:aws-cn:states:cn-north-1:123456789012:mapRun:m/Label:with:colons:0f0e", "Label:with:colons"},
		{"arn:aws:states:us-east-1:123456789012:mapRun:sumsq/0f0e", "arn:aws:states:us-east-1:123456789012:mapRun:sumsq/0f0e"},
		{"arn:aws:states:us-east-1:123456789012:execution:sumsq:run", "arn:aws:states:us-east-1:123456789012:execution:sumsq:run"},
	}
	for _, tt := range tests {
		if got := mapRunLabel(tt.arn); got != tt.want {
			t.Errorf("mapRunLabel(%q) = %q; want %q", tt.arn, got, tt.want)
		}
	}
}

// A total that grows again after it looked stable hides the percentage
// until it is stable again and the percentage is back to the last shown.
func TestMapRunPercentNeverGoesBack(t *testing.T) {
	r := &mapRun{label: "SumObjects"}
	now := time.Now()
	var shown []int
	for i, c := range []struct{ succeeded, total int64 }{
		{10, 100}, {20, 100}, {50, 100}, // 50%
		{60, 200}, {70, 200}, {80, 200}, // 40%: hidden
		{100, 200}, {120, 200}, // 60%
	} {
		d := &sfn.DescribeMapRunOutput{Status: sfntypes.MapRunStatusRunning,
			ItemCounts: &sfntypes.MapRunItemCounts{Succeeded: c.succeeded, Total: c.total, Pending: c.total - c.succeeded}}
		r.observe(d, now.Add(time.Duration(i)*time.Second))
		shown = append(shown, r.progress(now.Add(time.Duration(i)*time.Second)).percent)
	}
	if got, want := fmt.Sprint(shown), "[-1 -1 50 -1 -1 -1 50 60]"; got != want {
		t.Errorf("percentages shown %s; want %s", got, want)
	}
}
