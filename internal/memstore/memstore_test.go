package memstore_test

import (
	"testing"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/memstore"
	"github.com/sumsq/sumsq/internal/storetest"
)

func TestConformance(t *testing.T) { storetest.Run(t, newFixture) }

// newFixture is an empty store, whose objects, failures and streams are
// set directly.
func newFixture(*testing.T) *storetest.Fixture {
	st := &memstore.Store{}
	const bucket = "b"
	return &storetest.Fixture{
		Storage: st,
		Bucket:  bucket,
		Create:  func(_ *testing.T, key string, data []byte) { st.Set(bucket, key, data) },
		Fail: func(_ *testing.T, key string, kind error) bool {
			st.Fail(bucket, key, &job.StorageError{Kind: kind})
			return true
		},
		Stream: func(_ *testing.T, key string, data []byte) { st.SetStream(bucket, key, data) },
	}
}
