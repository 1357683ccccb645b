package memstore_test

import (
	"errors"
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

// TestSetNil: nil data is an empty object, not a missing one; a failure set
// on a missing object leaves it missing.
func TestSetNil(t *testing.T) {
	st := &memstore.Store{}
	st.Set("b", "empty", nil)
	st.Fail("b", "missing", job.ErrDenied)
	st.Fail("b", "missing", nil)
	if got, err := storetest.Read(t.Context(), st, "b", "empty", -1, 0, -1); len(got) != 0 || err != nil {
		t.Errorf("read of an object set to nil = %q, %v; want nothing, nil", got, err)
	}
	if _, err := storetest.Read(t.Context(), st, "b", "missing", -1, 0, -1); !errors.Is(err, job.ErrNotFound) {
		t.Errorf("read of an object only failed and mended = %v; want job.ErrNotFound", err)
	}
}
