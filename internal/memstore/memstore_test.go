package memstore_test

import (
	"testing"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/memstore"
	"github.com/sumsq/sumsq/internal/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) *storetest.Fixture {
		st := &memstore.Store{}
		const bucket = "b"
		return &storetest.Fixture{
			Storage: st,
			Bucket:  bucket,
			Create:  func(t *testing.T, key string, data []byte) { st.Set(bucket, key, data) },
			Fail: func(t *testing.T, key string, kind error) bool {
				st.Fail(bucket, key, &job.StorageError{Kind: kind})
				return true
			},
			Stream: func(t *testing.T, key string, data []byte) { st.SetStream(bucket, key, data) },
		}
	})
}
