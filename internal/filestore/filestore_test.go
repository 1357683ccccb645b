package filestore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"

	"github.com/sumsq/sumsq/internal/filestore"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/storetest"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readRange(t *testing.T, s *filestore.Store, path string, off, n int64) (string, error) {
	t.Helper()
	b, err := storetest.Read(context.Background(), s, "", path, -1, off, n)
	return string(b), err
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.log")
	write(t, file, "0123456789")
	s := &filestore.Store{Stdin: strings.NewReader("3\n4\n")}
	tests := []struct {
		name   string
		path   string
		off, n int64
		want   string
	}{
		{"whole", file, 0, -1, "0123456789"},
		{"range", file, 2, 5, "23456"},
		{"to the end", file, 7, -1, "789"},
		{"past the end", file, 7, 100, "789"},
		{"standard input", "-", 0, -1, "3\n4\n"},
	}
	for _, tt := range tests {
		got, err := readRange(t, s, tt.path, tt.off, tt.n)
		if got != tt.want || err != nil {
			t.Errorf("%s: read(%s, %d, %d) = %q, %v; want %q, nil", tt.name, tt.path, tt.off, tt.n, got, err, tt.want)
		}
	}
}

// TestOpenErrors checks the kind of each failure, and that a Summer names
// it with the job's error names, as the function names an S3 object in the
// same state, the path first.
func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	loop := filepath.Join(dir, "loop")
	if err := os.Symlink(loop, loop); err != nil {
		t.Fatal(err)
	}
	denied := filepath.Join(dir, "denied")
	write(t, denied, "1\n")
	os.Chmod(denied, 0)
	type test struct {
		name, path string
		kind       error
		want       string
	}
	tests := []test{
		{"missing", filepath.Join(dir, "missing"), job.ErrNotFound, "ObjectNotFoundError"},
		{"symbolic link loop", loop, job.ErrUnreadable, "ObjectUnreadableError"},
		{"folder", dir, job.ErrUnreadable, "ObjectUnreadableError"},
		{"name too long", filepath.Join(dir, strings.Repeat("n", 300)), job.ErrUnreadable, "ObjectUnreadableError"},
	}
	if f, err := os.Open(denied); err == nil {
		f.Close() // root reads it anyway
	} else {
		tests = append(tests, test{"permission", denied, job.ErrDenied, "AccessDeniedError"})
	}
	s := &filestore.Store{}
	for _, tt := range tests {
		_, err := readRange(t, s, tt.path, 0, -1)
		if !errors.Is(err, tt.kind) {
			t.Errorf("%s: read(%s) = %v; want %v", tt.name, tt.path, err, tt.kind)
		}
		_, err = (&job.Summer{Storage: s}).Sum(context.Background(), job.Object{Key: tt.path})
		if got := job.ErrorType(err); got != tt.want {
			t.Errorf("%s: Sum(%s) = %v (%s); want a %s", tt.name, tt.path, err, got, tt.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), tt.path+": ") {
			t.Errorf("%s: error %q; want it to begin with the path", tt.name, err)
		}
	}
}

// TestFileChanged changes a file between the reads of a reader opened
// before the change: cut short, grown, rewritten at the same size (with a
// new modification time). Every read after the change reports a change
// (job.ErrChanged), as an S3 object replaced while it is read does.
func TestFileChanged(t *testing.T) {
	const content = "1\n2\n3\n4\n5\n6\n7\n8\n"
	tests := []struct {
		name   string
		off, n int64
		change func(path string) error
	}{
		{"cut short", 0, -1, func(path string) error { return os.Truncate(path, 4) }},
		{"cut short, a range", 4, 8, func(path string) error { return os.Truncate(path, 6) }},
		{"grown", 0, -1, func(path string) error {
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			f.WriteString("9\n")
			return f.Close()
		}},
		{"grown, a range", 2, 4, func(path string) error { return os.WriteFile(path, []byte(content+"9\n"), 0o644) }},
		{"rewritten", 0, -1, func(path string) error {
			if err := os.WriteFile(path, []byte(strings.ToUpper(content)), 0o644); err != nil {
				return err
			}
			later := time.Now().Add(time.Hour) // a clock's tick could hide a rewrite
			return os.Chtimes(path, later, later)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.log")
			write(t, path, content)
			ctx := context.Background()
			src, err := (&filestore.Store{}).Open(ctx, "", path, -1)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			r, _ := src.NewReader(ctx, tt.off, tt.n)
			defer r.Close()
			buf := make([]byte, 2)
			if n, err := r.Read(buf); n != 2 || err != nil {
				t.Fatalf("first Read = %d, %v; want 2, nil", n, err)
			}
			if err := tt.change(path); err != nil {
				t.Fatal(err)
			}
			n, err := r.Read(buf)
			if n != 0 || !errors.Is(err, job.ErrChanged) {
				t.Errorf("Read after the change = %d, %v; want 0, a change (job.ErrChanged)", n, err)
			}
		})
	}
}

// TestPipeCanceled: a read that waits on a pipe nobody writes to ends when
// its context does.
func TestPipeCanceled(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	// A writer that never writes, so that open returns.
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	src, err := (&filestore.Store{}).Open(ctx, "", fifo, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if src.Size() != -1 {
		t.Errorf("a FIFO's Size = %d; want -1", src.Size())
	}
	r, _ := src.NewReader(ctx, 0, -1)
	start := time.Now()
	_, err = io.ReadAll(r)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("read of a silent FIFO = %v after %v; want the context's deadline, soon", err, time.Since(start))
	}
}

func TestList(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.txt", "a/b", "a/c/d", "b", "a-"} {
		write(t, filepath.Join(dir, name), name)
	}
	write(t, filepath.Join(dir, "empty"), "")
	os.Symlink(filepath.Join(dir, "b"), filepath.Join(dir, "link")) // skipped
	s := &filestore.Store{}
	var got []string
	for item, err := range s.List(context.Background(), "", dir) {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, item.Key)
		got = append(got, fmt.Sprintf("%s %d", filepath.ToSlash(rel), item.Size))
	}
	// S3's key order: '-' < '.' < '/'. An empty file's size is unknown
	// (files under /proc say 0 and have content).
	want := []string{"a- 2", "a.txt 5", "a/b 3", "a/c/d 5", "b 1", "empty -1"}
	if !slices.Equal(got, want) {
		t.Errorf("List = %v; want %v", got, want)
	}
	var items []job.Item
	var errs []error
	for item, err := range s.List(context.Background(), "", filepath.Join(dir, "missing")) {
		items, errs = append(items, item), append(errs, err)
	}
	if len(items) != 1 || items[0].Key != filepath.Join(dir, "missing") || !errors.Is(errs[0], job.ErrNotFound) {
		t.Errorf("List(missing) = %+v, %v; want one item, not found (job.ErrNotFound)", items, errs)
	}
	for item, err := range s.List(context.Background(), "bucket", dir) {
		if item.Key != "" || err == nil {
			t.Errorf("List of a bucket = %+v, %v; want no item, an error", item, err)
		}
	}
}

// TestPutLeavesNothing: PutStream writes into a file of its own next to the
// target and renames it once the body has ended; a body that fails leaves
// the folder as it was, without that file.
func TestPutLeavesNothing(t *testing.T) {
	errGaveUp := errors.New("the writer gave up")
	for _, tt := range []struct {
		name string
		body io.Reader
		want string // the file's content after Put
	}{
		{"stored", strings.NewReader("new\n"), "new\n"},
		{"body fails", io.MultiReader(strings.NewReader("half"), iotest.ErrReader(errGaveUp)), "old\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "failed.jsonl")
			write(t, path, "old\n")
			err := (&filestore.Store{}).PutStream(context.Background(), "", path, tt.body)
			if tt.want == "old\n" != errors.Is(err, errGaveUp) {
				t.Errorf("PutStream = %v", err)
			}
			got, _ := os.ReadFile(path)
			entries, _ := os.ReadDir(dir)
			if string(got) != tt.want || len(entries) != 1 {
				t.Errorf("after PutStream: %q, %d files in the folder; want %q, 1", got, len(entries), tt.want)
			}
		})
	}
}
