package inventory

import (
	"context"
	"iter"
	"strings"

	"github.com/sumsq/sumsq/internal/job"
)

var _ job.Lister = (*Report)(nil)

// List yields, as a [job.Lister], the objects the report lists in bucket
// under prefix, in the report's order (see Rows): its rows that are
// Current, the older versions and delete markers skipped, so that a run
// over a report sums what a run over a listing of the bucket would. bucket
// "" is the report's source bucket, the only one a report lists; an
// Item's Size is its row's, -1 if the report has no Size column.
//
// A failure to read the report (a data file missing, corrupt, or not what
// S3 writes; the Storage failing) comes with an Item with no Key and ends
// the listing: the rows after it are unknown.
func (r *Report) List(ctx context.Context, bucket, prefix string) iter.Seq2[job.Item, error] {
	return func(yield func(job.Item, error) bool) {
		if bucket != "" && bucket != r.SourceBucket {
			return // the report lists no object of bucket
		}
		for row, err := range r.Rows(ctx) {
			if err != nil {
				yield(job.Item{}, err)
				return
			}
			if !row.Current() || !strings.HasPrefix(row.Key, prefix) {
				continue
			}
			if !yield(job.Item{Bucket: row.Bucket, Key: row.Key, Size: row.Size}, nil) {
				return
			}
		}
	}
}
