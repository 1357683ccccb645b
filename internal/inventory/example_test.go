package inventory_test

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sumsq/sumsq/internal/inventory"
	"github.com/sumsq/sumsq/internal/memstore"
)

// A report written, then read as a run reads one: the rows that are
// current, with their decoded keys.
func Example() {
	ctx := context.Background()
	dest := inventory.Destination{Storage: &memstore.Store{}, Bucket: "example-reports"}

	w := &inventory.Writer{
		Destination:  dest,
		SourceBucket: "example-numbers",
		Prefix:       "reports",
		ConfigID:     "daily",
		Created:      time.Date(2024, 6, 2, 0, 0, 0, 0, time.UTC),
		Versions:     true,
		RowsPerFile:  2,
	}
	key, err := w.Write(ctx, slices.Values([]inventory.Row{
		{Key: "numbers/a b.txt", Size: 12, VersionID: "v2"},
		{Key: "numbers/a b.txt", Size: 8, VersionID: "v1", Noncurrent: true},
		{Key: "numbers/c++.txt", Size: -1, VersionID: "v7", DeleteMarker: true},
		{Key: "numbers/ü.txt", Size: 0, VersionID: "v3"},
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(key)

	r, err := dest.Open(ctx, key)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.FileSchema, "in", len(r.Files), "files")
	for row, err := range r.Rows(ctx) {
		if err != nil {
			fmt.Println(err)
			return
		}
		if row.Current() {
			fmt.Printf("s3://%s/%s %d bytes\n", row.Bucket, row.Key, row.Size)
		}
	}
	// Output:
	// reports/example-numbers/daily/2024-06-02T00-00Z/manifest.json
	// Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size in 2 files
	// s3://example-numbers/numbers/a b.txt 12 bytes
	// s3://example-numbers/numbers/ü.txt 0 bytes
}
