package maprun

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/sumsq/sumsq/internal/inventory"
	"github.com/sumsq/sumsq/internal/job"
)

// InventoryEvent asks whether the S3 Inventory report a run was started
// with ({"manifest": "s3://bucket/key"}) can be summed, before the
// SumInventory Map reads it: the workflow's CheckInventory step.
type InventoryEvent struct {
	Inventory *ReportLocation `json:"Inventory"`
}

// ReportLocation is where a report's manifest.json is, and the bucket
// whose objects the run sums, which the report must list: the stack's
// data bucket.
type ReportLocation struct {
	Bucket       string `json:"bucket"`
	Key          string `json:"key"`
	SourceBucket string `json:"sourceBucket"`
}

// Inventory is a report that can be summed: where its manifest is, the
// bucket it lists, its data files and its columns.
type Inventory struct {
	Bucket       string   `json:"bucket"`
	Key          string   `json:"key"`
	SourceBucket string   `json:"sourceBucket"`
	Files        int      `json:"files"`
	Columns      []string `json:"columns"`
}

// CheckInventory reads the manifest e names and checks that the report
// can be summed as SumInventory sums it: a manifest S3 writes (see
// inventory.Destination.Open), of a CSV report, of the bucket the event
// names (SourceBucket) and s reads (s.Bucket, if set), of current versions
// only. A report of every version
// lists each key once a version, and a run, which reads each key as it is
// now, would sum the object as many times: that is refused, as a report of
// another bucket is (the batches would be refused, each). What cannot be
// summed is an *job.InvalidInventoryError saying what to change; a
// transient failure of the storage is the job's error for it, to be
// retried.
func CheckInventory(ctx context.Context, s *job.Summer, e InventoryEvent) (Inventory, error) {
	if e.Inventory == nil || e.Inventory.Bucket == "" || e.Inventory.Key == "" || e.Inventory.SourceBucket == "" {
		return Inventory{}, &job.InvalidEventError{Reason: `want {"Inventory": {"bucket": "...", "key": ".../manifest.json", "sourceBucket": "..."}}`}
	}
	bucket, key := e.Inventory.Bucket, e.Inventory.Key
	loc := s.Storage.Location(bucket, key)
	invalid := func(format string, args ...any) error {
		return &job.InvalidInventoryError{Location: loc, Reason: fmt.Sprintf(format, args...)}
	}
	d := inventory.Destination{Storage: s.Storage, Bucket: bucket}
	r, err := d.Open(ctx, key)
	var bad *inventory.Error
	switch {
	case errors.As(err, &bad):
		return Inventory{}, invalid("%v", bad.Err)
	case errors.Is(err, job.ErrNotFound):
		return Inventory{}, invalid("no such manifest: S3 Inventory delivers one under <prefix>/<bucket>/<configuration>/<date>/manifest.json")
	case errors.Is(err, job.ErrDenied):
		return Inventory{}, invalid("the manifest may not be read: is its bucket the stack's InventoryBucketName (or, empty, its data bucket)?")
	case err != nil:
		return Inventory{}, s.Classify(ctx, err, bucket, key)
	}
	switch {
	case r.SourceBucket != e.Inventory.SourceBucket:
		return Inventory{}, invalid("it lists the objects of bucket %s; this stack sums those of %s", r.SourceBucket, e.Inventory.SourceBucket)
	case s.Bucket != "" && r.SourceBucket != s.Bucket:
		return Inventory{}, invalid("it lists the objects of bucket %s; this function reads those of %s", r.SourceBucket, s.Bucket)
	case slices.Contains(r.Columns, "IsLatest") || slices.Contains(r.Columns, "VersionId"):
		return Inventory{}, invalid("it lists every version of each key (its fileSchema has IsLatest): a run reads each key as it is now, " +
			"and would sum it once a version; configure the inventory with IncludedObjectVersions Current")
	}
	return Inventory{Bucket: bucket, Key: key, SourceBucket: r.SourceBucket, Files: len(r.Files), Columns: r.Columns}, nil
}
