// Package storetest is the conformance suite of the job's Storage and
// Lister: what every backend must do, checked the same way for each, in
// the spirit of testing/fstest.TestFS. A backend's tests call Run with a
// Fixture that sets objects up in it. A new backend is done when it
// passes.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/iotest"

	"github.com/sumsq/sumsq/internal/job"
)

// A Fixture is a Storage under test, fresh for each test, and what the
// suite needs to set objects up in it other than through it.
type Fixture struct {
	// Storage is the backend under test. If it is also a job.Lister (every
	// backend of the CLI is), its listing is tested too.
	Storage job.Storage

	// Bucket is where the suite makes objects: "" for a Storage without
	// buckets.
	Bucket string

	// Prefix begins every key the suite makes: "" in a bucket of its own;
	// for local files, a folder and "/".
	Prefix string

	// Create stores data as the object key of Bucket, replacing any, by
	// the backend's own means (folders made as needed).
	Create func(t *testing.T, key string, data []byte)

	// Fail, if not nil, makes reading the object key of Bucket fail with
	// kind, one of job.ErrNotFound, job.ErrDenied, job.ErrUnreadable and
	// job.ErrUnavailable, and reports whether it could: a backend that
	// cannot be made to fail so (a local file is never unavailable) says
	// false, and that test is skipped.
	Fail func(t *testing.T, key string, kind error) bool

	// Stream, if not nil, stores data as an object whose size cannot be
	// known before its end (standard input, a pipe), read once: for a
	// backend that has such objects.
	Stream func(t *testing.T, key string, data []byte)
}

// Kinds are the kinds of failure a Storage reports.
var Kinds = []error{job.ErrNotFound, job.ErrDenied, job.ErrUnreadable, job.ErrUnavailable, job.ErrChanged}

// KindOf returns the kind of failure err is, or nil.
func KindOf(err error) error {
	for _, k := range Kinds {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}

// Run runs the suite against the backend newFixture sets up, once for
// each test.
func Run(t *testing.T, newFixture func(t *testing.T) *Fixture) {
	t.Run("Names", func(t *testing.T) { testNames(t, newFixture(t)) })
	t.Run("Windows", func(t *testing.T) { testWindows(t, newFixture(t)) })
	t.Run("ConcurrentReaders", func(t *testing.T) { testConcurrentReaders(t, newFixture(t)) })
	t.Run("Empty", func(t *testing.T) { testEmpty(t, newFixture(t)) })
	t.Run("Stream", func(t *testing.T) { testStream(t, newFixture(t)) })
	t.Run("PutOpen", func(t *testing.T) { testPutOpen(t, newFixture(t)) })
	t.Run("PutStream", func(t *testing.T) { testPutStream(t, newFixture(t)) })
	t.Run("PutBodyFails", func(t *testing.T) { testPutBodyFails(t, newFixture(t)) })
	t.Run("List", func(t *testing.T) { testList(t, newFixture(t)) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, newFixture(t)) })
	for _, kind := range []error{job.ErrNotFound, job.ErrDenied, job.ErrUnreadable, job.ErrUnavailable} {
		t.Run("Fail/"+kind.Error(), func(t *testing.T) { testFail(t, newFixture(t), kind) })
	}
	t.Run("Changed", func(t *testing.T) { testChanged(t, newFixture(t)) })
	t.Run("Version", func(t *testing.T) { testVersion(t, newFixture(t)) })
	t.Run("Canceled", func(t *testing.T) { testCanceled(t, newFixture(t)) })
}

// content returns n bytes that differ from one position to the next, so
// that a window read from a wrong offset cannot go unnoticed.
func content(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%d\n", i*7919)
	}
	return b.Bytes()[:n]
}

// read opens key of size (-1: unknown) and reads [off, off+n) of it.
func read(ctx context.Context, f *Fixture, key string, size, off, n int64) ([]byte, error) {
	return Read(ctx, f.Storage, f.Bucket, key, size, off, n)
}

// Read opens the object key of bucket in st, telling it size (-1:
// unknown), and reads n bytes of it from byte off (n < 0: to its end): the
// first error, of Open, NewReader or a Read, is Read's.
func Read(ctx context.Context, st job.Storage, bucket, key string, size, off, n int64) ([]byte, error) {
	src, err := st.Open(ctx, bucket, key, size)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	r, err := src.NewReader(ctx, off, n)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func testNames(t *testing.T, f *Fixture) {
	if got, err := f.Storage.Bucket(f.Bucket); got != f.Bucket || err != nil {
		t.Errorf("Bucket(%q) = %q, %v; want %q, nil", f.Bucket, got, err, f.Bucket)
	}
	key := f.Prefix + "today/random_1.log"
	if err := f.Storage.CheckKey(key); err != nil {
		t.Errorf("CheckKey(%q) = %v; want nil", key, err)
	}
	if loc := f.Storage.Location(f.Bucket, key); !strings.Contains(loc, key) {
		t.Errorf("Location(%q, %q) = %q; want it to name the key", f.Bucket, key, loc)
	}
}

// testWindows reads windows of every kind of an object, opened with its
// size and without, each checked with iotest.TestReader: in small and
// odd reads, 0 bytes at EOF again and again.
func testWindows(t *testing.T, f *Fixture) {
	const n = 10000
	data := content(n)
	key := f.Prefix + "windows"
	f.Create(t, key, data)
	windows := [][2]int64{
		{0, -1}, {0, n}, {0, n + 10}, {0, 1}, {0, 0},
		{1, -1}, {1, 100}, {n / 2, -1}, {n / 2, n / 4}, {n - 1, -1}, {n - 1, 10}, {n, -1}, {n, 0},
	}
	ctx := context.Background()
	for _, size := range []int64{n, -1} {
		src, err := f.Storage.Open(ctx, f.Bucket, key, size)
		if err != nil {
			t.Fatalf("Open(size %d) = %v", size, err)
		}
		if got := src.Size(); got != n {
			t.Errorf("Open(size %d): Size() = %d; want %d", size, got, n)
		}
		for _, w := range windows {
			off, m := w[0], w[1]
			end := int64(n)
			if m >= 0 {
				end = min(end, off+m)
			}
			r, err := src.NewReader(ctx, off, m)
			if err != nil {
				t.Errorf("Open(size %d): NewReader(%d, %d) = %v", size, off, m, err)
				continue
			}
			if err := iotest.TestReader(r, data[off:end]); err != nil {
				t.Errorf("Open(size %d): NewReader(%d, %d): %v", size, off, m, err)
			}
			r.Close()
		}
		if src.Version() == "" {
			t.Errorf("Open(size %d): Version() = \"\" after reading; want the version of an object of known size", size)
		}
		src.Close()
	}
}

// testConcurrentReaders reads windows of one Source from many goroutines.
func testConcurrentReaders(t *testing.T, f *Fixture) {
	const n, part = 64 << 10, 4 << 10
	data := content(n)
	key := f.Prefix + "parts"
	f.Create(t, key, data)
	ctx := context.Background()
	src, err := f.Storage.Open(ctx, f.Bucket, key, n)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var wg sync.WaitGroup
	for off := int64(0); off < n; off += part {
		wg.Go(func() {
			r, err := src.NewReader(ctx, off, part)
			if err != nil {
				t.Errorf("NewReader(%d, %d) = %v", off, part, err)
				return
			}
			defer r.Close()
			if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, data[off:off+part]) {
				t.Errorf("window [%d, %d) = %d bytes (equal: %v), %v", off, off+part, len(got), bytes.Equal(got, data[off:off+part]), err)
			}
		})
	}
	wg.Wait()
}

func testEmpty(t *testing.T, f *Fixture) {
	key := f.Prefix + "empty"
	f.Create(t, key, []byte{})
	for _, size := range []int64{0, -1} {
		got, err := read(context.Background(), f, key, size, 0, -1)
		if len(got) != 0 || err != nil {
			t.Errorf("read of an empty object (size %d) = %q, %v; want nothing, nil", size, got, err)
		}
	}
}

// testStream reads an object of unknown size: once, whole, from 0.
func testStream(t *testing.T, f *Fixture) {
	if f.Stream == nil {
		t.Skip("no objects of unknown size")
	}
	data := content(5000)
	key := f.Prefix + "stream"
	f.Stream(t, key, data)
	ctx := context.Background()
	src, err := f.Storage.Open(ctx, f.Bucket, key, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if src.Size() != -1 || src.Version() != "" {
		t.Errorf("a stream: Size() = %d, Version() = %q; want -1, \"\"", src.Size(), src.Version())
	}
	if src, err := f.Storage.OpenVersion(ctx, f.Bucket, key, -1, "v"); !errors.Is(err, job.ErrUnreadable) {
		if src != nil {
			src.Close()
		}
		t.Errorf("OpenVersion of a stream = %v; want a job.ErrUnreadable: a stream has no version", err)
	}
	if _, err := src.NewReader(ctx, 1, -1); err == nil {
		t.Errorf("NewReader(1, -1) of a stream = nil error; want one: a stream is read from 0")
	}
	r, err := src.NewReader(ctx, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	if err := iotest.TestReader(r, data); err != nil {
		t.Error(err)
	}
	r.Close()
	if r, err := src.NewReader(ctx, 0, -1); err == nil || !errors.Is(err, job.ErrUnreadable) {
		if r != nil {
			r.Close()
		}
		t.Errorf("second NewReader of a stream = %v; want a job.ErrUnreadable: it is read once", err)
	}
}

// testPutOpen puts an object, reads it back, and replaces it.
func testPutOpen(t *testing.T, f *Fixture) {
	ctx := context.Background()
	key := f.Prefix + "put"
	for _, data := range [][]byte{content(3000), content(100)} {
		if err := f.Storage.Put(ctx, f.Bucket, key, bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatalf("Put of %d bytes = %v", len(data), err)
		}
		got, err := read(ctx, f, key, -1, 0, -1)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read after Put of %d bytes = %d bytes (equal: %v), %v", len(data), len(got), bytes.Equal(got, data), err)
		}
	}
}

// StreamBytes is the length of the bodies of unknown size the suite puts:
// more than two parts of S3's least part size (5 MiB), so that an upload
// in parts has a first, a middle and a last one.
const StreamBytes = 11<<20 + 5

// A streamBody is n bytes of content read in pieces of odd sizes, as a
// pipe gives them, then err (io.EOF for a body that ends well): a reader
// with Read alone, whose length cannot be known before its end.
type streamBody struct {
	data []byte
	err  error
	read int
}

func (b *streamBody) Read(p []byte) (int, error) {
	if b.read == len(b.data) {
		return 0, b.err
	}
	n := copy(p[:min(len(p), 1+(b.read*7919)%(100<<10))], b.data[b.read:])
	b.read += n
	return n, nil
}

// testPutStream puts bodies of unknown size with PutStream, of StreamBytes and of
// nothing, through an io.Pipe as a writer streams them, and reads them back.
func testPutStream(t *testing.T, f *Fixture) {
	ctx := context.Background()
	for _, n := range []int{StreamBytes, 0, 100} {
		key := fmt.Sprintf("%sstream-put-%d", f.Prefix, n)
		data := content(n)
		pr, pw := io.Pipe()
		go func() {
			_, err := io.Copy(pw, &streamBody{data: data, err: io.EOF})
			pw.CloseWithError(err)
		}()
		if err := f.Storage.PutStream(ctx, f.Bucket, key, pr); err != nil {
			t.Fatalf("PutStream of %d bytes = %v", n, err)
		}
		got, err := read(ctx, f, key, -1, 0, -1)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("read after PutStream of %d bytes = %d bytes (equal: %v), %v", n, len(got), bytes.Equal(got, data), err)
		}
	}
}

// errBroken is what a body that breaks off fails with.
var errBroken = errors.New("the writer gave up")

// testPutBodyFails streams bodies that fail, at the start, after a few
// bytes and after more than two parts: PutStream's error wraps the body's, and the
// object is as it was, the old one or none.
func testPutBodyFails(t *testing.T, f *Fixture) {
	ctx := context.Background()
	old := content(300)
	for _, at := range []int{0, 10, StreamBytes} {
		for _, existing := range []bool{true, false} {
			key := fmt.Sprintf("%sput-fails-%d-%v", f.Prefix, at, existing)
			if existing {
				f.Create(t, key, old)
			}
			body := &streamBody{data: content(at), err: errBroken}
			err := f.Storage.PutStream(ctx, f.Bucket, key, body)
			if !errors.Is(err, errBroken) {
				t.Errorf("PutStream of a body that fails after %d bytes = %v; want an error wrapping the body's", at, err)
			}
			got, err := read(ctx, f, key, -1, 0, -1)
			switch {
			case existing && (err != nil || !bytes.Equal(got, old)):
				t.Errorf("after a PutStream that failed after %d bytes, the object = %d bytes (the old one: %v), %v; want the old one", at, len(got), bytes.Equal(got, old), err)
			case !existing && !errors.Is(err, job.ErrNotFound):
				t.Errorf("after a PutStream that failed after %d bytes, the object = %d bytes, %v; want none (job.ErrNotFound)", at, len(got), err)
			}
		}
	}
}

// testList lists objects in S3's key order ('-' < '.' < '/'), with their
// sizes, and none outside the prefix.
func testList(t *testing.T, f *Fixture) {
	l, ok := f.Storage.(job.Lister)
	if !ok {
		t.Skip("not a job.Lister")
	}
	names := []string{"b", "a/c/d", "a-", "a/b", "a.txt"}
	for i, name := range names {
		f.Create(t, f.Prefix+"list/"+name, content(10*(i+1)))
	}
	f.Create(t, f.Prefix+"listed-not", content(7))
	var got []string
	for item, err := range l.List(context.Background(), f.Bucket, f.Prefix+"list/") {
		if err != nil {
			t.Fatalf("List: item %+v, %v", item, err)
		}
		if item.Bucket != f.Bucket {
			t.Errorf("List: item %+v; want bucket %q", item, f.Bucket)
		}
		got = append(got, fmt.Sprintf("%s %d", strings.TrimPrefix(item.Key, f.Prefix), item.Size))
	}
	want := []string{"list/a- 30", "list/a.txt 50", "list/a/b 40", "list/a/c/d 20", "list/b 10"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("List = %q; want %q", got, want)
	}
	n := 0
	for range l.List(context.Background(), f.Bucket, f.Prefix+"list/") {
		if n++; n == 2 {
			break // a listing stops when its caller does
		}
	}
}

// testNotFound reads an object that does not exist.
func testNotFound(t *testing.T, f *Fixture) {
	for _, size := range []int64{-1, 10} {
		_, err := read(context.Background(), f, f.Prefix+"missing", size, 0, -1)
		if !errors.Is(err, job.ErrNotFound) {
			t.Errorf("read of a missing object (size %d) = %v; want job.ErrNotFound", size, err)
		}
	}
}

// testFail reads an object the fixture made fail with kind.
func testFail(t *testing.T, f *Fixture, kind error) {
	if f.Fail == nil {
		t.Skip("the fixture makes no failures")
	}
	key := f.Prefix + "failing"
	f.Create(t, key, content(100))
	if !f.Fail(t, key, kind) {
		t.Skipf("this backend cannot be made to fail with %v", kind)
	}
	for _, size := range []int64{-1, 100} {
		_, err := read(context.Background(), f, key, size, 0, -1)
		if got := KindOf(err); got != kind {
			t.Errorf("read (size %d) = %v, of kind %v; want %v", size, err, got, kind)
		}
	}
}

// testChanged replaces an object between two windows read of one Source:
// the second reports a change rather than read another version.
func testChanged(t *testing.T, f *Fixture) {
	key := f.Prefix + "changing"
	f.Create(t, key, content(5000))
	ctx := context.Background()
	src, err := f.Storage.Open(ctx, f.Bucket, key, 5000)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	first, err := src.NewReader(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(first); err != nil {
		t.Fatal(err)
	}
	first.Close()
	f.Create(t, key, content(4321)) // another size: a local file of the same size could keep its time
	second, err := src.NewReader(ctx, 1000, 1000)
	if err == nil {
		_, err = io.ReadAll(second)
		second.Close()
	}
	if !errors.Is(err, job.ErrChanged) {
		t.Errorf("read of a window after the object was replaced = %v; want job.ErrChanged", err)
	}
}

// testVersion reads an object at the version a Source of it names, as the
// invocations summing ranges of one object do: the same data, opened with
// its size and without, until the object is replaced; then a change
// (job.ErrChanged), at OpenVersion or at the first read.
func testVersion(t *testing.T, f *Fixture) {
	const n = 5000
	data := content(n)
	key := f.Prefix + "versioned"
	f.Create(t, key, data)
	ctx := context.Background()
	src, err := f.Storage.Open(ctx, f.Bucket, key, n)
	if err != nil {
		t.Fatal(err)
	}
	r, err := src.NewReader(ctx, 0, 4) // as a sniff of the codec: pins the version
	if err == nil {
		_, err = io.ReadAll(r)
		r.Close()
	}
	version := src.Version()
	src.Close()
	if err != nil || version == "" {
		t.Fatalf("Open, read 4 bytes: Version() = %q, %v; want a version", version, err)
	}
	// readAt opens key at version, telling it size, and reads [off, off+m).
	readAt := func(size, off, m int64) ([]byte, string, error) {
		src, err := f.Storage.OpenVersion(ctx, f.Bucket, key, size, version)
		if err != nil {
			return nil, "", err
		}
		defer src.Close()
		r, err := src.NewReader(ctx, off, m)
		if err != nil {
			return nil, "", err
		}
		defer r.Close()
		got, err := io.ReadAll(r)
		return got, src.Version(), err
	}
	for _, size := range []int64{n, -1} {
		for _, w := range [][2]int64{{0, -1}, {1000, 1000}} {
			off, m := w[0], w[1]
			end := int64(n)
			if m >= 0 {
				end = off + m
			}
			got, v, err := readAt(size, off, m)
			if err != nil || !bytes.Equal(got, data[off:end]) || v != version {
				t.Errorf("OpenVersion(size %d, %s): window [%d, %d) = %d bytes (equal: %v), Version() %q, %v; want the data, the version",
					size, version, off, end, len(got), bytes.Equal(got, data[off:end]), v, err)
			}
		}
	}
	f.Create(t, key, content(4321)) // another size: a local file of the same size could keep its time
	for _, size := range []int64{n, -1} {
		if _, _, err := readAt(size, 0, -1); !errors.Is(err, job.ErrChanged) {
			t.Errorf("OpenVersion(size %d, %s) of the object replaced, then a read = %v; want job.ErrChanged", size, version, err)
		}
	}
	if _, err := read(ctx, f, key, -1, 0, 10); err != nil {
		t.Fatal(err)
	}
	src, err = f.Storage.Open(ctx, f.Bucket, key, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if r, err := src.NewReader(ctx, 0, 4); err == nil {
		io.ReadAll(r)
		r.Close()
	}
	if v := src.Version(); v == version || v == "" {
		t.Errorf("Version() of the object replaced = %q; want a version other than %q", v, version)
	}
}

// testCanceled reads with a context that has ended: the error wraps the
// context's, with detail (the job reads the end of its context in it, and
// mints the TimeoutError itself).
func testCanceled(t *testing.T, f *Fixture) {
	key := f.Prefix + "canceled"
	f.Create(t, key, content(100))
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, size := range []int64{-1, 100} {
		_, err := read(canceled, f, key, size, 0, -1)
		if !errors.Is(err, context.Canceled) || err == context.Canceled {
			t.Errorf("read (size %d) with a canceled context = %#v; want an error wrapping context.Canceled", size, err)
		}
		// Opened before the end, read after it.
		src, err := f.Storage.Open(context.Background(), f.Bucket, key, size)
		if err != nil {
			t.Fatal(err)
		}
		r, err := src.NewReader(canceled, 0, -1)
		if err == nil {
			_, err = io.ReadAll(r)
			r.Close()
		}
		src.Close()
		if !errors.Is(err, context.Canceled) || err == context.Canceled {
			t.Errorf("read (size %d) with a context canceled since Open = %#v; want an error wrapping context.Canceled", size, err)
		}
	}
}
