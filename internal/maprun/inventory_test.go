package maprun_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sumsq/sumsq/internal/inventory"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/maprun"
	"github.com/sumsq/sumsq/internal/memstore"
)

// TestCheckInventory: a run started with an S3 Inventory report goes on
// only with a report SumInventory sums right: CSV, of the bucket the stack
// reads, of current versions only; any other is refused by name, saying
// what to change, before anything is read.
func TestCheckInventory(t *testing.T) {
	ctx := context.Background()
	st := &memstore.Store{}
	write := func(t *testing.T, source, config string, versions bool) string {
		t.Helper()
		w := &inventory.Writer{Destination: inventory.Destination{Storage: st, Bucket: "data"}, SourceBucket: source,
			Prefix: "inventory", ConfigID: config, Versions: versions, Created: time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)}
		key, err := w.Write(ctx, slices.Values([]inventory.Row{{Key: "a b.log", Size: 4}, {Key: "c.log", Size: 2}}))
		if err != nil {
			t.Fatal(err)
		}
		return key
	}
	current := write(t, "data", "current", false)
	versions := write(t, "data", "versions", true)
	other := write(t, "elsewhere", "other", false)
	st.Set("data", "inventory/data/orc/2026-12-01T01-00Z/manifest.json",
		[]byte(`{"sourceBucket": "data", "destinationBucket": "arn:aws:s3:::data", "version": "2016-11-30", "fileFormat": "ORC", "fileSchema": "struct<bucket:string,key:string>", "files": []}`))

	s := &job.Summer{Storage: st} // the bucket is the event's; a function bound to one (SUMSQ_BUCKET) checks it too
	for _, tt := range []struct {
		name, key string
		reason    string // of the InvalidInventoryError; "" for none
	}{
		{"current versions", current, ""},
		{"every version", versions, "lists every version of each key"},
		{"another bucket", other, "it lists the objects of bucket elsewhere; this stack sums those of data"},
		{"ORC", "inventory/data/orc/2026-12-01T01-00Z/manifest.json", "only CSV reports can be read"},
		{"no manifest", "inventory/data/none/2026-12-01T01-00Z/manifest.json", "no such manifest"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := maprun.CheckInventory(ctx, s, maprun.InventoryEvent{Inventory: &maprun.ReportLocation{Bucket: "data", Key: tt.key, SourceBucket: "data"}})
			if tt.reason == "" {
				if err != nil || got.SourceBucket != "data" || got.Files != 1 || got.Key != tt.key {
					t.Errorf("CheckInventory = %+v, %v; want the report of data, 1 file", got, err)
				}
				return
			}
			var inv *job.InvalidInventoryError
			if !errors.As(err, &inv) || !strings.Contains(err.Error(), tt.reason) || !strings.Contains(err.Error(), tt.key) {
				t.Errorf("CheckInventory = %+v, %v; want an InvalidInventoryError naming the manifest and saying %q", got, err, tt.reason)
			}
		})
	}
}
