package main

import (
	"strings"
	"testing"
)

// TestBackendsDocumented: every scheme a TARGET may have is in run's help,
// so that a new backend cannot go unsaid.
func TestBackendsDocumented(t *testing.T) {
	for scheme := range backends {
		if scheme != "" && !strings.Contains(runHelp, scheme+"://BUCKET") {
			t.Errorf("backend %q: run's help has no %s://BUCKET", scheme, scheme)
		}
	}
	if backends[""] == nil {
		t.Errorf("no backend for local paths")
	}
}

func TestParseTarget(t *testing.T) {
	tests := []struct {
		arg  string
		want target
	}{
		{"examples/today", target{arg: "examples/today", prefix: "examples/today"}},
		{"-", target{arg: "-", prefix: "-"}},
		{"./gs://x", target{arg: "./gs://x", prefix: "./gs://x"}},
		{"s3://b", target{arg: "s3://b", scheme: "s3", bucket: "b"}},
		{"s3://b/", target{arg: "s3://b/", scheme: "s3", bucket: "b"}},
		{"s3://b/today/", target{arg: "s3://b/today/", scheme: "s3", bucket: "b", prefix: "today/"}},
		{"s3://b/inv/b/daily/2026-12-01T01-00Z/manifest.json", target{arg: "s3://b/inv/b/daily/2026-12-01T01-00Z/manifest.json",
			scheme: "s3", bucket: "b", prefix: "inv/b/daily/2026-12-01T01-00Z/manifest.json", manifest: true}},
		{"s3://b/manifest.json", target{arg: "s3://b/manifest.json", scheme: "s3", bucket: "b", prefix: "manifest.json", manifest: true}},
		{"s3://b/my-manifest.json", target{arg: "s3://b/my-manifest.json", scheme: "s3", bucket: "b", prefix: "my-manifest.json"}},
		{"s3://b/manifest.json/", target{arg: "s3://b/manifest.json/", scheme: "s3", bucket: "b", prefix: "manifest.json/"}},
		{"copy/manifest.json", target{arg: "copy/manifest.json", prefix: "copy/manifest.json", manifest: true}},
	}
	for _, tt := range tests {
		if got, err := parseTarget("run", tt.arg); got != tt.want || err != nil {
			t.Errorf("parseTarget(%q) = %+v, %v; want %+v, nil", tt.arg, got, err, tt.want)
		}
	}
}
