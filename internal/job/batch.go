package job

import (
	"context"
	"errors"
	"strings"

	"github.com/sumsq/sumsq/internal/sumsq"
	"github.com/sumsq/sumsq/internal/urlkey"
	"golang.org/x/sync/errgroup"
)

// Batch sums the objects of a batch, reading up to Concurrency of them at
// once. Objects of size 0 and folder markers (keys ending in "/") are
// counted as empty without being read. Objects under ResultsPrefix (the
// Map's own result files, which a run over the whole bucket lists) are
// counted in SkippedObjects and not read.
//
// Every item ends up summed (in the subtotal, and in Results unless left
// out for size), named in Failed, skipped, or set aside in Deferred for the
// workflow to sum in ranges (see Range): Objects + FailedObjects +
// SkippedObjects + DeferredObjects is the number of items. A permanent
// failure of one object (*InvalidEventError for an item that names no
// object the Summer may read, *InvalidContentError, *ObjectNotFoundError,
// *AccessDeniedError, *ObjectUnreadableError, *ObjectTimeoutError) is
// recorded there and the other objects go on. A transient failure
// (*S3UnavailableError, *ObjectChangedError) stops the batch: Batch returns
// it, unwrapped, so that Step Functions retries the whole batch.
//
// With b.BatchInput, an object of at least SplitBytes that is not
// compressed is not read: its first bytes tell that it is not compressed,
// and its version, and it is set aside (DeferredLarge). With Keys "url",
// every key is URL-encoded (urlkey.Decode): the decoded key is read, or the
// key as given if the decoded one is not found; and the items are an S3
// Inventory report's rows, a day old or more, so that an object is read as
// it is now, whatever size the report gives (but for size 0: not read).
//
// If ctx has a deadline, each object has a share of the time left (see
// share.go), and a batch never fails for lack of time: an object that is
// not compressed and was stopped at its share, or at the deadline, is set
// aside with the bytes it had read (DeferredSlow); one never started by the
// deadline is set aside (DeferredUnstarted), compressed or not. A
// compressed object stopped so fails alone with an *ObjectTimeoutError
// (its bytes mean nothing without those before them, so it cannot be
// summed in ranges), and so does one that cannot be set aside because
// nothing pins its version or says its size.
//
// The result's JSON has at most maxOutputBytes (see bound). A batch that
// could not name all its objects in that many bytes, were they all to fail
// or be set aside, is refused before anything is read, with an
// *InvalidEventError; the template's limits on batches keep them well below
// that.
func (s *Summer) Batch(ctx context.Context, b Batch) (BatchResult, error) {
	var in BatchInput
	if b.BatchInput != nil {
		in = *b.BatchInput
	}
	var skipped int64
	objects := make([]batchObject, 0, len(b.Items))
	for _, o := range b.Items {
		var raw string
		if in.Keys == KeysURL {
			if key, err := urlkey.Decode(o.Key); err == nil && key != o.Key {
				raw, o.Key = o.Key, key
			}
		}
		if s.IsResult(o.Bucket, o.Key) {
			skipped++
			continue
		}
		bucket, err := s.check(o)
		if err != nil {
			bucket = o.Bucket // as given: it names no bucket the Summer reads
		}
		objects = append(objects, batchObject{Object: o, raw: raw, hint: in.Keys == KeysURL, bucket: bucket, err: err, size: o.size(), p: newProgress()})
	}
	_, deadline := ctx.Deadline()
	if err := s.checkBatchSize(objects, deadline || in.SplitBytes > 0); err != nil {
		return BatchResult{}, err
	}

	toRead := 0
	for i := range objects {
		if o := &objects[i]; o.err == nil && needsRead(o.Object) {
			toRead++
		}
	}
	var c *clock
	if deadline, ok := ctx.Deadline(); ok {
		c = newClock(deadline, s.concurrency(), toRead)
		stop := make(chan struct{})
		defer close(stop)
		go c.run(stop)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.concurrency())
	st := newStreams(s.concurrency(), s.Memory)
	for i := range objects {
		o := &objects[i]
		if o.err != nil || !needsRead(o.Object) {
			continue
		}
		if gctx.Err() != nil {
			o.setAside(DeferredUnstarted) // a transient failure, or ctx's end: no use starting more
			continue
		}
		g.Go(func() error {
			octx, stop := context.WithCancelCause(gctx)
			defer stop(nil)
			o.p.clock, o.p.stop = c, stop
			large, r, err := s.readItem(octx, o, in.SplitBytes, st)
			if c != nil {
				c.done(o.p)
			}
			var timeout *TimeoutError
			timedOut := errors.As(err, &timeout) && (context.Cause(octx) == errShare || ctx.Err() != nil)
			switch {
			case large:
				o.setAside(DeferredLarge)
				return nil
			case timedOut && o.p.started.Load() == 0:
				o.setAside(DeferredUnstarted) // never begun: the batch ran out of time
				return nil
			case timedOut && o.compressed():
				err = o.p.timeout(o.bucket, o.Key, s.Storage.Location(o.bucket, o.Key)) // it fails alone
			case timedOut:
				o.setAside(DeferredSlow)
				return nil
			case IsTransient(err):
				return err
			}
			o.res, o.err = r, err
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return BatchResult{}, err
	}

	res := BatchResult{Results: []ObjectResult{}, Failed: []Failure{}}
	var total sumsq.Result
	for i := range objects {
		o := &objects[i]
		if o.deferred != "" && !o.deferrable() {
			// Nothing would keep its ranges to one version, or say where
			// they end: it fails as an object that took too long.
			o.deferred, o.err = "", o.p.timeout(o.bucket, o.Key, s.Storage.Location(o.bucket, o.Key))
		}
		switch {
		case o.deferred != "":
			d := Deferred{Bucket: o.bucket, Key: o.Key, Size: o.size, ETag: o.version, Reason: o.deferred}
			if o.deferred == DeferredSlow {
				d.Read = min(o.p.read.Load(), o.size)
			}
			res.Deferred = append(res.Deferred, d)
		case o.err != nil:
			res.Failed = append(res.Failed, NewFailure(o.bucket, o.Key, o.err))
		default:
			total.Add(o.res)
			res.Results = append(res.Results, ObjectResult{Bucket: o.bucket, Key: o.Key, Count: o.res.Count, SumOfSquares: o.res.String()})
		}
	}
	res.Objects = int64(len(res.Results))
	res.Count = total.Count
	res.SumOfSquares = total.String()
	res.FailedObjects = int64(len(res.Failed))
	res.SkippedObjects = skipped
	res.DeferredObjects = int64(len(res.Deferred))
	if err := bound(&res); err != nil {
		return BatchResult{}, err
	}
	return res, nil
}

// KeysURL is BatchInput.Keys for keys URL-encoded as an S3 Inventory's CSV
// report writes them.
const KeysURL = "url"

// maxVersionBytes bounds the JSON of a Deferred's ETag, so that a batch
// can tell its result's size before it reads anything: S3's ETags are at
// most 40 characters, quotes included, 44 bytes of JSON (the MD5's 32 hex
// digits, "-" and the count of parts, at most 10,000, for a multipart
// upload: https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html);
// a local file's version, its size and modification time, at most 41. An
// object whose version is longer is not set aside.
const maxVersionBytes = 44

// batchObject is one item of a batch and what became of it.
type batchObject struct {
	Object
	raw      string       // the key as given, if Keys is "url" and Key is its decoding
	hint     bool         // the item's size is a report's, maybe older than the object: read it as it is now
	bucket   string       // the bucket's name, or Object.Bucket if invalid
	res      sumsq.Result // the sum, if err is nil and deferred is ""
	err      error        // a permanent failure
	deferred string       // why it was set aside, if it was: DeferredLarge, ...
	size     int64        // its size: the item's, or the storage's once opened; -1: unknown
	version  string       // its version, once a read has named it
	codec    bool         // its first bytes are compressed data
	p        *progress    // how far its read got
}

// setAside sets o aside for reason. An object not started has no version:
// the first of its ranges pins one.
func (o *batchObject) setAside(reason string) {
	o.deferred = reason
	if reason == DeferredUnstarted {
		o.version = ""
	}
}

// compressed reports whether o's bytes are known, or said by its key, to
// be compressed.
func (o *batchObject) compressed() bool {
	c := o.p.codec.Load()
	return o.codec || (c != nil && *c != "") || codecOfKey(o.Key) != nil
}

// deferrable reports whether o can be summed in ranges by other
// invocations: its size is known, and its version is (or, not started,
// will be pinned by its first range) and fits its bound.
func (o *batchObject) deferrable() bool {
	if o.size < 0 {
		return false
	}
	if o.deferred == DeferredUnstarted {
		return true
	}
	return o.version != "" && jsonSize(o.version) <= maxVersionBytes
}

// readItem reads o for its batch: the decoded key, then, if that is not
// found, the key as given. large reports that o was not read but is to be
// set aside, being at least splitBytes (if positive), not compressed, and
// of a known version.
func (s *Summer) readItem(ctx context.Context, o *batchObject, splitBytes int64, st *streams) (large bool, res sumsq.Result, err error) {
	large, res, err = s.readVersion(ctx, o, o.Key, splitBytes, st)
	if o.raw != "" && errors.Is(err, ErrNotFound) && s.Storage.CheckKey(o.raw) == nil {
		if l, r, e := s.readVersion(ctx, o, o.raw, splitBytes, st); !errors.Is(e, ErrNotFound) {
			o.Key, o.raw = o.raw, ""
			large, res, err = l, r, e
		}
	}
	if err != nil {
		err = s.Classify(ctx, err, o.bucket, o.Key)
	}
	return large, res, err
}

// readVersion reads the object key of o's bucket, recording its size and
// version in o as they become known. Its errors are not classified.
func (s *Summer) readVersion(ctx context.Context, o *batchObject, key string, splitBytes int64, st *streams) (large bool, res sumsq.Result, err error) {
	size := o.Object.size()
	if o.hint {
		size = -1 // a report's size: the object may have been rewritten since
	}
	obj, err := s.Storage.Open(ctx, o.bucket, key, size)
	if err != nil {
		return false, sumsq.Result{}, err
	}
	defer obj.Close()
	o.size = obj.Size()
	defer func() { o.version = obj.Version() }()
	if size := obj.Size(); splitBytes > 0 && size >= splitBytes && codecOfKey(key) == nil {
		o.p.size.Store(size)
		c, err := s.sniff(ctx, obj, st, o.p)
		if err != nil {
			return false, sumsq.Result{}, err
		}
		if c == nil && obj.Version() != "" && jsonSize(obj.Version()) <= maxVersionBytes {
			return true, sumsq.Result{}, nil
		}
		o.codec = c != nil
	}
	res, err = s.read(ctx, obj, key, st, o.p)
	return false, res, err
}

// needsRead reports whether o's content must be read: it has a size other
// than 0 or none, and is not a folder marker.
func needsRead(o Object) bool {
	return (o.Size == nil || *o.Size != 0) && !strings.HasSuffix(o.Key, "/")
}

// size returns o's size, or -1 if it has none.
func (o Object) size() int64 {
	if o.Size == nil {
		return -1
	}
	return *o.Size
}

// longerKey returns the longer of the keys o may be named by: the decoded
// one, or the one given.
func (o *batchObject) longerKey() string {
	if jsonSize(o.raw) > jsonSize(o.Key) {
		return o.raw
	}
	return o.Key
}
