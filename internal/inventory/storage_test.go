package inventory_test

import (
	"bytes"
	"context"
	"io"
	"sync"

	"github.com/sumsq/sumsq/internal/job"
)

// memStorage is a job.Storage in memory. Its readers can be made to
// misbehave, per object, by wrap.
type memStorage struct {
	mu      sync.Mutex
	objects map[[2]string][]byte // by bucket and key

	// wrap, if set, returns the reader of the object key in place of r.
	wrap func(key string, r io.Reader) io.Reader
	// putErr, if set, is what Put returns.
	putErr error
}

var _ job.Storage = (*memStorage)(nil)

func newMemStorage() *memStorage {
	return &memStorage{objects: make(map[[2]string][]byte)}
}

func (s *memStorage) Open(ctx context.Context, bucket, key string, size int64) (job.Source, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	data, ok := s.objects[[2]string{bucket, key}]
	s.mu.Unlock()
	if !ok {
		return nil, &job.StorageError{Kind: job.ErrNotFound}
	}
	return &memSource{s: s, key: key, data: data}, nil
}

// The names of S3, whose reports these are.
func (s *memStorage) Bucket(name string) (string, error) { return name, nil }
func (s *memStorage) CheckKey(string) error              { return nil }
func (s *memStorage) Location(bucket, key string) string { return "s3://" + bucket + "/" + key }

func (s *memStorage) Put(ctx context.Context, bucket, key string, body io.ReadSeeker, size int64) error {
	if s.putErr != nil {
		return s.putErr
	}
	data, err := io.ReadAll(io.LimitReader(body, size))
	if err != nil {
		return err
	}
	s.set(bucket, key, data)
	return nil
}

func (s *memStorage) get(bucket, key string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.objects[[2]string{bucket, key}]
}

func (s *memStorage) set(bucket, key string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[[2]string{bucket, key}] = data
}

type memSource struct {
	s    *memStorage
	key  string
	data []byte
}

func (m *memSource) Size() int64  { return int64(len(m.data)) }
func (m *memSource) Close() error { return nil }
func (m *memSource) Pinned() bool { return true } // an object in memory never changes

func (m *memSource) NewReader(ctx context.Context, off, n int64) (io.ReadCloser, error) {
	end := int64(len(m.data))
	if n >= 0 && off+n < end {
		end = off + n
	}
	var r io.Reader = &ctxReader{ctx: ctx, r: bytes.NewReader(m.data[off:end])}
	if m.s.wrap != nil {
		r = m.s.wrap(m.key, r)
	}
	return io.NopCloser(r), nil
}

// ctxReader reads r until ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
