package maprun

import (
	"context"

	"github.com/sumsq/sumsq/internal/job"
)

// PlanTotal plans the total of the data Map Run e.PlanTotal: it reads the
// run's manifest (checked as readManifest says) and cuts each result file,
// in the manifest's order (SUCCEEDED, FAILED, PENDING, then other
// statuses), into parts of at most e.PartBytes bytes, each owning the
// records (lines) that begin in it, by the rule of package sumsq's
// parallel ranges. It writes them, one Part a line, to PlanFileName next to
// the manifest, and returns where; a run of no result files, or of empty
// ones, has a plan of no lines. Nothing is summed: the manifest is all
// PlanTotal reads, but for the size of a file the manifest does not give.
func PlanTotal(ctx context.Context, s *job.Summer, e PlanEvent) (Plan, error) {
	if e.PartBytes == nil || *e.PartBytes <= 0 {
		return Plan{}, &job.InvalidEventError{Reason: "PartBytes is required: the most bytes of result files a part reads, more than 0"}
	}
	bucket, dir, files, err := readManifest(ctx, s, e.PlanTotal, "PlanTotal")
	if err != nil {
		return Plan{}, err
	}
	key := dir + PlanFileName
	w := newLinesWriter(ctx, s.Storage, bucket, key)
	var parts int64
	for _, f := range files {
		size := f.Size
		if size < 0 {
			if size, err = sizeOf(ctx, s, bucket, f.Key); err != nil {
				w.abort(err)
				return Plan{}, err
			}
		}
		for start := int64(0); start < size; start += *e.PartBytes {
			p := Part{Bucket: bucket, Key: f.Key, Status: f.Status, Size: size,
				Start: start, End: min(start+*e.PartBytes, size), Index: parts}
			b, err := job.Marshal(p)
			if err != nil {
				w.abort(err)
				return Plan{}, err
			}
			if err := w.line(b); err != nil {
				return Plan{}, failedWriter(ctx, s, w, bucket)
			}
			parts++
		}
	}
	if err := w.close(); err != nil {
		return Plan{}, s.Classify(ctx, err, bucket, key)
	}
	return Plan{Bucket: bucket, Key: key, Parts: parts, MapRunArn: e.PlanTotal.MapRunArn}, nil
}

// sizeOf returns the size of the result file bucket/key.
func sizeOf(ctx context.Context, s *job.Summer, bucket, key string) (int64, error) {
	src, err := s.Storage.Open(ctx, bucket, key, -1)
	if err != nil {
		return 0, resultsError(ctx, s, err, bucket, key)
	}
	defer src.Close()
	if src.Size() < 0 {
		return 0, &job.InvalidResultsError{Key: key, Reason: "a result file of unknown size"}
	}
	return src.Size(), nil
}
