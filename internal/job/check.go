package job

import (
	"fmt"

	"github.com/sumsq/sumsq/internal/excerpt"
)

// check returns an *InvalidEventError if o cannot name an object the
// Summer may read, by its Storage's names (see Names), or else its
// bucket's name.
func (s *Summer) check(o Object) (string, error) {
	bucket, err := s.Storage.Bucket(o.Bucket)
	if err != nil {
		return "", &InvalidEventError{Reason: err.Error()}
	}
	switch {
	case s.Bucket != "" && bucket != s.Bucket:
		return "", &InvalidEventError{Reason: fmt.Sprintf("bucket %s: this function reads only bucket %s", excerpt.Quote(bucket), excerpt.Quote(s.Bucket))}
	case o.Key == "":
		return "", &InvalidEventError{Reason: `missing or empty "key"`}
	}
	if err := s.Storage.CheckKey(o.Key); err != nil {
		return "", &InvalidEventError{Reason: err.Error()}
	}
	if o.Size != nil && *o.Size < 0 {
		return "", &InvalidEventError{Reason: fmt.Sprintf(`"size" %d is negative`, *o.Size)}
	}
	return bucket, nil
}
