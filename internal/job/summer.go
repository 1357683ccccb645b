package job

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/sumsq/sumsq/internal/excerpt"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// DefaultConcurrency is how many objects of a batch a Summer reads at once
// when its Concurrency is 0.
const DefaultConcurrency = 8

// DefaultResultsPrefix is where the template's Map writes its result files
// in the data bucket: the ResultWriter's Prefix in statemachine.asl.json,
// and a key prefix of its own, under which a run's directory is named after
// its Map Run.
const DefaultResultsPrefix = "results/"

// MaxDigitsLimit is the largest MaxDigits a Summer takes: the largest for
// which every batch the template allows still fits its result in
// maxOutputBytes (TestBatchTemplateLimits), a sum of squares having about
// twice the digits of its largest number.
const MaxDigitsLimit = 30000

// A Summer sums the numbers in stored objects: one object, or a batch of
// them (and, through package maprun, the total over a Map Run's results).
// Its methods may be called concurrently; it holds no state between calls.
type Summer struct {
	Storage Storage

	// MaxDigits is the digit limit of a number (see sumsq.Accumulator);
	// 0 means sumsq.DefaultMaxDigits. At most MaxDigitsLimit.
	MaxDigits int

	// Concurrency is how many objects of a batch are read at once;
	// 0 means DefaultConcurrency.
	Concurrency int

	// Bucket, if set, is the only bucket the Summer reads or writes: an
	// object or a Map run in another is an *InvalidEventError.
	Bucket string

	// PartSize is the size of the parts an object is read in, concurrently,
	// when it is at least that large and its size is known (see ranges.go);
	// 0 means DefaultPartSize.
	PartSize int64

	// RangeConcurrency is how many parts of one object are read at once;
	// 0 means DefaultRangeConcurrency. In a batch, all the reads of all the
	// objects together are bounded by Concurrency.
	RangeConcurrency int

	// OnRead, if set, is called with the count of bytes read from
	// objects, as they are read, from any goroutine: for a progress bar.
	OnRead func(n int64)

	// Memory bounds the memory, in bytes, that the streams of a batch (or
	// of one object) hold at once: their buffers, decoders and zstd
	// windows (see memory.go). 0 means no bound.
	Memory int64

	// ResultsPrefix is where the Map writes its result files in a bucket,
	// "results/" in the template (see IsResult). A batch skips the objects
	// under it (a run over the whole bucket lists them), an object event
	// under it is refused, and a Total reads and writes nothing outside it.
	// Empty: no such prefix, and Total refuses every run.
	ResultsPrefix string
}

// The Summer's settings, defaults applied.
func (s *Summer) concurrency() int { return orDefault(s.Concurrency, DefaultConcurrency) }
func (s *Summer) partSize() int64  { return orDefault(s.PartSize, DefaultPartSize) }
func (s *Summer) rangeConcurrency() int {
	return orDefault(s.RangeConcurrency, DefaultRangeConcurrency)
}

// DigitLimit is the digit limit in effect: MaxDigits, or its default.
func (s *Summer) DigitLimit() int { return orDefault(s.MaxDigits, sumsq.DefaultMaxDigits) }

// IsResult reports whether the object key of bucket is under ResultsPrefix:
// one of the Map's result files, not data. A storage without buckets (local
// files) has none: its keys are paths, not keys of the bucket the Map
// writes to.
func (s *Summer) IsResult(bucket, key string) bool {
	return bucket != "" && s.ResultsPrefix != "" && strings.HasPrefix(key, s.ResultsPrefix)
}

// orDefault returns v if it is positive, else def: a setting's zero value
// means its default.
func orDefault[T int | int64](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// Sum sums the object o names and returns the exact result, for a caller
// that adds results (sumsq.Result.Add). An object whose size is 0, or whose
// key ends in "/" (a folder marker), is counted as empty without being read.
//
// The error, unwrapped, is one of *InvalidEventError (o names no object, or
// one the Summer may not read), *InvalidContentError, *ObjectNotFoundError,
// *AccessDeniedError, *ObjectUnreadableError, *S3UnavailableError,
// *ObjectChangedError and *TimeoutError.
func (s *Summer) Sum(ctx context.Context, o Object) (sumsq.Result, error) {
	_, r, err := s.object(ctx, o)
	return r, err
}

// Object sums the object o names, as Sum does, and returns what the function
// answers for one object: the result named by the bucket's name.
func (s *Summer) Object(ctx context.Context, o Object) (ObjectResult, error) {
	bucket, r, err := s.object(ctx, o)
	if err != nil {
		return ObjectResult{}, err
	}
	return ObjectResult{Bucket: bucket, Key: o.Key, Count: r.Count, SumOfSquares: r.String()}, nil
}

// object checks and sums o, and returns its bucket's name with the result.
func (s *Summer) object(ctx context.Context, o Object) (string, sumsq.Result, error) {
	bucket, err := s.check(o)
	if err != nil {
		return "", sumsq.Result{}, err
	}
	if s.IsResult(bucket, o.Key) {
		return "", sumsq.Result{}, &InvalidEventError{Reason: fmt.Sprintf("key %s is under %s, where the Map writes its results, not data",
			excerpt.Quote(o.Key), excerpt.Quote(s.ResultsPrefix))}
	}
	r, err := s.sum(ctx, bucket, o, newStreams(s.rangeConcurrency(), s.Memory), newProgress())
	return bucket, r, err
}

// sum reads the valid object o in bucket through the parser, whole or in
// parts, each stream within st, and records how far it got in p.
// Its errors are the exported types, unwrapped.
func (s *Summer) sum(ctx context.Context, bucket string, o Object, st *streams, p *progress) (sumsq.Result, error) {
	if !needsRead(o) {
		return sumsq.Result{}, nil
	}
	obj, err := s.Storage.Open(ctx, bucket, o.Key, o.size())
	if err != nil {
		return sumsq.Result{}, s.Classify(ctx, err, bucket, o.Key)
	}
	defer obj.Close()
	res, err := s.read(ctx, obj, o.Key, st, p)
	if err != nil {
		return sumsq.Result{}, s.Classify(ctx, err, bucket, o.Key)
	}
	return res, nil
}

// read reads the whole object key, open as obj, through the parser: in
// parts if it is at least PartSize bytes, not compressed and of a known
// version, else as one stream, decompressed if it is compressed.
func (s *Summer) read(ctx context.Context, obj Source, key string, st *streams, p *progress) (sumsq.Result, error) {
	p.size.Store(obj.Size())
	if size := obj.Size(); size >= s.partSize() && codecOfKey(key) == nil {
		c, err := s.sniff(ctx, obj, st, p)
		if err != nil {
			return sumsq.Result{}, err
		}
		// The sniff made the object's first read: Version knows.
		if c == nil && obj.Version() != "" {
			return s.sumParts(ctx, obj, 0, size, st, p)
		}
	}
	return s.readStream(ctx, obj, key, st, p)
}

// readStream reads the whole object key, open as obj, as one stream,
// decompressed if it is compressed.
func (s *Summer) readStream(ctx context.Context, obj Source, key string, st *streams, p *progress) (sumsq.Result, error) {
	p.size.Store(obj.Size())
	h, err := st.take(ctx, streamMemory, p)
	if err != nil {
		return sumsq.Result{}, err
	}
	defer h.give()
	r, err := obj.NewReader(ctx, 0, -1)
	if err != nil {
		return sumsq.Result{}, err
	}
	defer r.Close()
	// Progress counts the bytes stored, compressed or not.
	window := func(size int64, drop func()) error { return h.grow(ctx, zstdMemory(size), drop) }
	in, done, err := decompressed(s.watch(&guardedReader{r: r, end: obj.Size()}, p), key, p, window)
	if err != nil {
		return sumsq.Result{}, err
	}
	defer done()
	a := sumsq.Accumulator{MaxDigits: s.MaxDigits}
	if _, err := a.ReadFrom(in); err != nil {
		return sumsq.Result{}, err
	}
	return a.Finish()
}

// sniff returns the codec whose magic number the object's first bytes are,
// or nil, before it is read in parts: one small read, the object's first.
func (s *Summer) sniff(ctx context.Context, obj Source, st *streams, p *progress) (*codec, error) {
	h, err := st.take(ctx, sniffMemory, p)
	if err != nil {
		return nil, err
	}
	defer h.give()
	r, err := obj.NewReader(ctx, 0, int64(sniffBytes))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return sniff(bufio.NewReaderSize(&guardedReader{r: r, end: -1}, sniffBytes))
}

// watch returns r, counting what is read from it in p and reporting it
// to s.OnRead, if set.
func (s *Summer) watch(r io.Reader, p *progress) io.Reader {
	return &watchedReader{r: r, p: p, onRead: s.OnRead}
}

type watchedReader struct {
	r      io.Reader
	p      *progress
	onRead func(int64)
}

func (w *watchedReader) Read(b []byte) (int, error) {
	n, err := w.r.Read(b)
	if n > 0 {
		w.p.read.Add(int64(n))
		if w.onRead != nil {
			w.onRead(int64(n))
		}
	}
	return n, err
}
