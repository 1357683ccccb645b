package filestore

import (
	"cmp"
	"context"
	"iter"
	"os"
	"path/filepath"
	"slices"
)

// An Item is a file a listing found, or a path that could not be listed.
type Item struct {
	Path string
	Size int64 // -1 for a stream (standard input, a pipe, a device)
	Err  error // the path could not be listed: a kind of job.Storage's failures
}

// List lists the files of a path named on a command line: the file itself
// (a symbolic link is followed), or every regular file under a folder in
// key order: sorted by their slash-separated paths relative to the folder,
// the order in which S3 lists them had the folder been uploaded. Under a
// folder only regular files count: symbolic links, devices, sockets and
// the like are skipped, as "find DIR -type f" would, which also keeps a
// link cycle from walking forever. A folder that cannot be read is an Item
// with Err, in its place: what is under it is unknown, and must not be
// dropped silently.
func List(ctx context.Context, path string) iter.Seq[Item] {
	return func(yield func(Item) bool) {
		if path == Stdin {
			yield(Item{Path: path, Size: -1})
			return
		}
		fi, err := os.Stat(path)
		switch {
		case err != nil:
			yield(Item{Path: path, Size: -1, Err: classify(err, path)})
		case fi.IsDir():
			walk(ctx, path, yield)
		case fi.Mode().IsRegular():
			yield(Item{Path: path, Size: fi.Size()})
		default:
			yield(Item{Path: path, Size: -1})
		}
	}
}

// walk yields the regular files under dir in key order, and reports false
// if yield did.
//
// filepath.WalkDir is not that order: it visits folder "a" (and "a/b")
// before file "a.txt", while "a.txt" < "a/b" because '.' < '/'. Sorting
// each folder's entries with a "/" appended to the names of sub-folders
// gives the key order, one folder in memory at a time.
func walk(ctx context.Context, dir string, yield func(Item) bool) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return yield(Item{Path: dir, Size: -1, Err: classify(err, dir)})
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
			item := Item{Path: path}
			if fi, err := e.Info(); err != nil {
				item.Size, item.Err = -1, classify(err, path) // removed since it was listed
			} else {
				item.Size = fi.Size()
			}
			if !yield(item) {
				return false
			}
		}
	}
	return true
}
