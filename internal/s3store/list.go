package s3store

import (
	"context"
	"iter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// An Item is an object a listing found.
type Item struct {
	Key  string
	Size int64
}

// List lists the objects under prefix in bucket, in key order, one page of
// at most 1,000 keys at a time, as the state machine's ItemReader does. A
// failed page ends the sequence with the SDK's error; the objects after
// it are unknown.
func List(ctx context.Context, api s3.ListObjectsV2APIClient, bucket, prefix string) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		pages := s3.NewListObjectsV2Paginator(api, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				yield(Item{}, err)
				return
			}
			for _, o := range page.Contents {
				if !yield(Item{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size)}, nil) {
					return
				}
			}
		}
	}
}
