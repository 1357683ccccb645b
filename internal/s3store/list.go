package s3store

import (
	"context"
	"iter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sumsq/sumsq/internal/job"
)

var _ job.Lister = (*Store)(nil)

// List lists the objects under prefix in bucket, in key order, one page of
// at most 1,000 keys at a time (ListObjectsV2), as the state machine's
// ItemReader does. A failed page ends the listing with the SDK's error, of
// its kind of failure (see kindOf): the objects after it are unknown.
func (s *Store) List(ctx context.Context, bucket, prefix string) iter.Seq2[job.Item, error] {
	return func(yield func(job.Item, error) bool) {
		pages := s3.NewListObjectsV2Paginator(s.S3, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				yield(job.Item{}, &job.StorageError{Kind: kindOf(err), Err: err})
				return
			}
			for _, o := range page.Contents {
				if !yield(job.Item{Bucket: bucket, Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size)}, nil) {
					return
				}
			}
		}
	}
}
