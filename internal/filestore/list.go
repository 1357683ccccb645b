package filestore

import (
	"cmp"
	"context"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"

	"github.com/sumsq/sumsq/internal/job"
)

var _ job.Lister = (*Store)(nil)

// List lists the files of prefix, a path named on a command line (bucket
// must be ""): the file itself (a symbolic link is followed), or every
// regular file under a folder in key order: sorted by their
// slash-separated paths relative to the folder, the order in which S3
// lists them had the folder been uploaded. Under a folder only regular
// files count: symbolic links, devices, sockets and the like are skipped,
// as "find DIR -type f" would, which also keeps a link cycle from walking
// forever. A path that cannot be listed (the path named, a folder under
// it) is an item with its error, in its place, and the walk goes on: what
// is under it is unknown, and must not be dropped silently.
//
// An item's Size is -1 for a stream (standard input, a pipe, a device),
// and for a regular file whose stat says 0 bytes: it may have some, as
// the files under /proc do, and is read to its end.
func (s *Store) List(ctx context.Context, bucket, prefix string) iter.Seq2[job.Item, error] {
	return func(yield func(job.Item, error) bool) {
		if _, err := s.Bucket(bucket); err != nil {
			yield(job.Item{}, err)
			return
		}
		if prefix == Stdin {
			yield(job.Item{Key: prefix, Size: -1}, nil)
			return
		}
		fi, err := os.Stat(prefix)
		switch {
		case err != nil:
			yield(job.Item{Key: prefix, Size: -1}, classify(err, prefix))
		case fi.IsDir():
			walk(ctx, prefix, yield)
		case fi.Mode().IsRegular():
			yield(job.Item{Key: prefix, Size: listedSize(fi)}, nil)
		default:
			yield(job.Item{Key: prefix, Size: -1}, nil)
		}
	}
}

// listedSize is a regular file's size as a listing says it (see List).
func listedSize(fi fs.FileInfo) int64 {
	if fi.Size() == 0 {
		return -1
	}
	return fi.Size()
}

// walk yields the regular files under dir in key order, and reports false
// if yield did.
//
// filepath.WalkDir is not that order: it visits folder "a" (and "a/b")
// before file "a.txt", while "a.txt" < "a/b" because '.' < '/'. Sorting
// each folder's entries with a "/" appended to the names of sub-folders
// gives the key order, one folder in memory at a time.
func walk(ctx context.Context, dir string, yield func(job.Item, error) bool) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return yield(job.Item{Key: dir, Size: -1}, classify(err, dir))
	}
	sortKey := func(e os.DirEntry) string {
		if e.IsDir() {
			return e.Name() + "/"
		}
		return e.Name()
	}
	slices.SortFunc(entries, func(a, b os.DirEntry) int { return cmp.Compare(sortKey(a), sortKey(b)) })
	for _, e := range entries {
		if ctx.Err() != nil {
			return false
		}
		path := filepath.Join(dir, e.Name())
		switch {
		case e.IsDir():
			if !walk(ctx, path, yield) {
				return false
			}
		case e.Type().IsRegular():
			fi, err := e.Info()
			if err != nil {
				err = classify(err, path) // removed since it was listed
			}
			item := job.Item{Key: path, Size: -1}
			if err == nil {
				item.Size = listedSize(fi)
			}
			if !yield(item, err) {
				return false
			}
		}
	}
	return true
}
