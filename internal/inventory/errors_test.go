package inventory_test

import (
	"errors"
	"testing"

	"github.com/sumsq/sumsq/internal/inventory"
)

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *inventory.Error
		want string
	}{
		{"in S3", &inventory.Error{Bucket: "b", Key: "k/manifest.json", Location: "s3://b/k/manifest.json", Err: inventory.ErrManifest},
			"s3://b/k/manifest.json: invalid S3 Inventory manifest"},
		{"a local file", &inventory.Error{Key: "copy/k/manifest.json", Location: "copy/k/manifest.json", Err: inventory.ErrFormat},
			"copy/k/manifest.json: unsupported S3 Inventory format"},
		{"no location", &inventory.Error{Key: "k/manifest.json", Err: inventory.ErrManifest},
			"k/manifest.json: invalid S3 Inventory manifest"},
		{"a line", &inventory.Error{Bucket: "b", Key: "d.csv.gz", Location: "s3://b/d.csv.gz", Line: 7, Err: inventory.ErrData},
			"s3://b/d.csv.gz: line 7: invalid S3 Inventory data file"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%s: Error() = %q; want %q", tt.name, got, tt.want)
		}
		if !errors.Is(tt.err, tt.err.Err) {
			t.Errorf("%s: errors.Is(err, err.Err) = false", tt.name)
		}
	}
}
