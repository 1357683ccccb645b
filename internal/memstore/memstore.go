// Package memstore is the job's Storage and Lister in memory, for tests of
// what reads through a Storage (the job, a Map Run's results, inventory
// reports): objects in buckets, set whole; objects of unknown size, read
// once, as a pipe is; and failures of any kind, and readers of any
// behaviour, on demand. It keeps to what package storetest says every
// Storage does.
package memstore

import (
	"bytes"
	"cmp"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"sync"

	"github.com/sumsq/sumsq/internal/job"
)

// A Store holds objects in memory. Its zero value is an empty store ready
// to use; its methods may be called from any goroutine.
type Store struct {
	mu      sync.Mutex
	objects map[name]*object
	opens   map[name]int // Opens, by object
	readers map[name]int // NewReaders, by object
}

var (
	_ job.Storage = (*Store)(nil)
	_ job.Lister  = (*Store)(nil)
)

// A name is an object's bucket and key.
type name struct{ bucket, key string }

// An object is one version of an object: a Set or Put makes a new one.
type object struct {
	stored bool // set, not only failed or wrapped
	data   []byte
	etag   string // its version, as S3's ETag of a single PUT: the MD5 of data, quoted
	stream bool   // of unknown size, read once
	read   bool   // a stream's reader was made

	fail error                                                       // what its Open returns
	wrap func(ctx context.Context, off int64, r io.Reader) io.Reader // its readers' reader
}

// Set stores data as the object key of bucket, replacing it: a new
// version, so that a Source of the old one reports a change.
func (s *Store) Set(bucket, key string, data []byte) {
	s.set(bucket, key, &object{stored: true, data: data, etag: etag(data)})
}

// etag returns data's ETag as S3 gives it for an object of one PUT: its MD5
// in hexadecimal, quoted
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Object.html, ETag).
// Equal data, equal versions: as S3's ETag, it tells contents apart.
func etag(data []byte) string {
	sum := md5.Sum(data)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// ETag returns the version of the object key of bucket that a Source of it
// reads (see job.Source's Version), or "" if there is no such object or it
// is a stream.
func (s *Store) ETag(bucket, key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.objects[name{bucket, key}]
	if !o.exists() || o.stream {
		return ""
	}
	return o.etag
}

// SetStream stores data as an object whose size cannot be known before its
// end is read (as standard input or a pipe): it can be read once, from
// byte 0.
func (s *Store) SetStream(bucket, key string, data []byte) {
	s.set(bucket, key, &object{stored: true, data: data, etag: etag(data), stream: true})
}

func (s *Store) set(bucket, key string, o *object) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.objects == nil {
		s.objects = make(map[name]*object)
	}
	if old := s.objects[name{bucket, key}]; old != nil {
		o.fail, o.wrap = old.fail, old.wrap
	}
	s.objects[name{bucket, key}] = o
}

// Get returns the data of the object key of bucket, if there is one.
func (s *Store) Get(bucket, key string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.objects[name{bucket, key}]
	if !o.exists() {
		return nil, false
	}
	return o.data, true
}

// Delete removes the object key of bucket.
func (s *Store) Delete(bucket, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.objects, name{bucket, key})
}

// Fail makes every Open of the object key of bucket, and every Put of it,
// fail with err: a kind of job.Storage's failures (job.ErrDenied, ...), a
// *job.StorageError, or any error; nil ends that. The object need not
// exist.
func (s *Store) Fail(bucket, key string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.object(bucket, key).fail = err
}

// Wrap makes every reader of the object key of bucket read through
// wrap(ctx, off, r), where r reads the bytes asked of it from byte off and
// ctx is the reader's: to misbehave (fail, stall until ctx ends, trickle).
// nil ends that.
func (s *Store) Wrap(bucket, key string, wrap func(ctx context.Context, off int64, r io.Reader) io.Reader) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.object(bucket, key).wrap = wrap
}

// object returns the object key of bucket, made missing (not stored: not
// listed, not found) if there is none. s.mu is held.
func (s *Store) object(bucket, key string) *object {
	if s.objects == nil {
		s.objects = make(map[name]*object)
	}
	o := s.objects[name{bucket, key}]
	if o == nil {
		o = &object{}
		s.objects[name{bucket, key}] = o
	}
	return o
}

// exists reports whether o holds an object, rather than only its faults.
func (o *object) exists() bool { return o != nil && o.stored }

// Opens returns how many times the object key of bucket was opened.
func (s *Store) Opens(bucket, key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opens[name{bucket, key}]
}

// Readers returns how many readers of the object key of bucket were made.
func (s *Store) Readers(bucket, key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readers[name{bucket, key}]
}

// Bucket takes any name but "": a bucket of this store is any non-empty
// string.
func (s *Store) Bucket(bucket string) (string, error) {
	if bucket == "" {
		return "", errors.New("no bucket: an object in memory has one")
	}
	return bucket, nil
}

// CheckKey takes any key.
func (s *Store) CheckKey(string) error { return nil }

// Location returns mem://bucket/key.
func (s *Store) Location(bucket, key string) string { return "mem://" + bucket + "/" + key }

// Open opens the object key of bucket. size is not checked: a Source
// always has the object's size.
func (s *Store) Open(ctx context.Context, bucket, key string, size int64) (job.Source, error) {
	return s.open(ctx, bucket, key, "")
}

// OpenVersion opens the object key of bucket if it is still the version
// that version names (its ETag), and fails with job.ErrChanged otherwise.
func (s *Store) OpenVersion(ctx context.Context, bucket, key string, size int64, version string) (job.Source, error) {
	return s.open(ctx, bucket, key, version)
}

func (s *Store) open(ctx context.Context, bucket, key, version string) (job.Source, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("opening %s: %w", s.Location(bucket, key), err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opens == nil {
		s.opens = make(map[name]int)
	}
	s.opens[name{bucket, key}]++
	o := s.objects[name{bucket, key}]
	switch {
	case o != nil && o.fail != nil:
		return nil, o.fail
	case !o.exists():
		return nil, &job.StorageError{Kind: job.ErrNotFound}
	case version != "" && o.stream:
		return nil, &job.StorageError{Kind: job.ErrUnreadable, Err: errors.New("a stream has no version to open")}
	case version != "" && o.etag != version:
		return nil, &job.StorageError{Kind: job.ErrChanged, Err: fmt.Errorf("ETag %s, not %s", o.etag, version)}
	}
	return &source{s: s, name: name{bucket, key}, o: o}, nil
}

// Put stores size bytes of body as the object key of bucket.
func (s *Store) Put(ctx context.Context, bucket, key string, body io.ReadSeeker, size int64) error {
	return s.put(ctx, bucket, key, body, size)
}

// PutStream stores body, read to its end, as the object key of bucket.
func (s *Store) PutStream(ctx context.Context, bucket, key string, body io.Reader) error {
	return s.put(ctx, bucket, key, body, -1)
}

// put stores size bytes of body (size < 0: all of it) as the object key of
// bucket, once it has been read: if body fails, the object is as it was.
func (s *Store) put(ctx context.Context, bucket, key string, body io.Reader, size int64) error {
	s.mu.Lock()
	o := s.objects[name{bucket, key}]
	s.mu.Unlock()
	if o != nil && o.fail != nil {
		return o.fail
	}
	if size >= 0 {
		body = io.LimitReader(body, size)
	}
	data, err := io.ReadAll(body)
	if err == nil && size >= 0 && int64(len(data)) < size {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return &job.StorageError{Kind: job.ErrUnavailable, Err: fmt.Errorf("reading the body to put: %w", err)}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("putting %s: %w", s.Location(bucket, key), err)
	}
	s.Set(bucket, key, data)
	return nil
}

// List lists the objects under prefix in bucket in key order (the objects
// whose Open fails are listed too: they exist).
func (s *Store) List(ctx context.Context, bucket, prefix string) iter.Seq2[job.Item, error] {
	return func(yield func(job.Item, error) bool) {
		s.mu.Lock()
		var items []job.Item
		for n, o := range s.objects {
			if n.bucket == bucket && strings.HasPrefix(n.key, prefix) && o.exists() {
				size := int64(len(o.data))
				if o.stream {
					size = -1
				}
				items = append(items, job.Item{Bucket: bucket, Key: n.key, Size: size})
			}
		}
		s.mu.Unlock()
		slices.SortFunc(items, func(a, b job.Item) int { return cmp.Compare(a.Key, b.Key) })
		for _, item := range items {
			if err := ctx.Err(); err != nil {
				yield(job.Item{}, fmt.Errorf("listing %s: %w", s.Location(bucket, prefix), err))
				return
			}
			if !yield(item, nil) {
				return
			}
		}
	}
}

// A source is one version of an object: it reports a change once the
// store holds another.
type source struct {
	s    *Store
	name name
	o    *object
}

func (src *source) Size() int64 {
	if src.o.stream {
		return -1
	}
	return int64(len(src.o.data))
}

func (src *source) Version() string {
	if src.o.stream {
		return ""
	}
	return src.o.etag
}
func (src *source) Close() error { return nil }

func (src *source) NewReader(ctx context.Context, off, n int64) (io.ReadCloser, error) {
	s := src.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.readers == nil {
		s.readers = make(map[name]int)
	}
	s.readers[src.name]++
	if src.o.stream {
		if src.o.read || off != 0 || n >= 0 {
			return nil, &job.StorageError{Kind: job.ErrUnreadable, Err: errors.New("a stream is read once, whole")}
		}
		src.o.read = true
	}
	data := src.o.data
	off = min(off, int64(len(data)))
	end := int64(len(data))
	if n >= 0 {
		end = min(end, off+n)
	}
	var r io.Reader = bytes.NewReader(data[off:end])
	if src.o.wrap != nil {
		r = src.o.wrap(ctx, off, r)
	}
	return &reader{ctx: ctx, src: src, r: r}, nil
}

// A reader reads a window of a source until ctx ends or the object
// changes.
type reader struct {
	ctx context.Context
	src *source
	r   io.Reader
}

func (r *reader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, fmt.Errorf("reading %s: %w", r.src.s.Location(r.src.name.bucket, r.src.name.key), err)
	}
	s := r.src.s
	s.mu.Lock()
	now := s.objects[r.src.name]
	s.mu.Unlock()
	if now != r.src.o && (now == nil || now.etag != r.src.o.etag || now.stream != r.src.o.stream) {
		return 0, &job.StorageError{Kind: job.ErrChanged, Err: errors.New("replaced since it was opened")}
	}
	return r.r.Read(p)
}

// Close closes what Wrap's wrapper returned, if it is an io.Closer.
func (r *reader) Close() error {
	if c, ok := r.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
