package job

import (
	"context"
	"iter"
)

// List yields the objects l lists under prefix in bucket (see Lister), an
// object that could not be listed with its error as the contract names it
// (*ObjectNotFoundError, *AccessDeniedError, ...), where the Storage says
// it is. A failure of the whole listing comes, as l gave it, with an Item
// with no Key, and ends it.
func (s *Summer) List(ctx context.Context, l Lister, bucket, prefix string) iter.Seq2[Item, error] {
	return func(yield func(Item, error) bool) {
		for item, err := range l.List(ctx, bucket, prefix) {
			if err != nil && item.Key != "" {
				err = s.Classify(ctx, err, item.Bucket, item.Key)
			}
			if !yield(item, err) || err != nil && item.Key == "" {
				return
			}
		}
	}
}
