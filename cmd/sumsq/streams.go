package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/sumsq/sumsq/internal/filestore"
)

// checkStreams refuses a stream named more than once among the local
// targets: standard input, a pipe, a FIFO, a device or a socket can be read
// only once, and two workers reading one would each get part of it, giving
// a wrong total. Names are compared by identity (device and inode, as
// os.SameFile does): "-" is whatever standard input is, so "- /dev/stdin"
// names one pipe twice. A regular file named twice is read twice, as wc
// reads it, and so is a folder.
//
// "-" is read through the one descriptor standard input is, sharing its
// offset, so "-" twice is refused even when standard input is a regular
// file; a path opens a file of its own.
//
// It reports whether any target is a stream: a size that is not known
// before its end.
func checkStreams(targets []target, stdin io.Reader) (streams bool, err error) {
	type stream struct {
		name string
		fi   fs.FileInfo // nil for standard input when it is not a stream
	}
	var seen []stream
	for _, target := range targets {
		if target.scheme != "" {
			continue
		}
		t := target.arg
		s := stream{name: t}
		if t == filestore.Stdin {
			streams = true // read as a stream, whatever it is
			if f, ok := stdin.(*os.File); ok {
				if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
					s.fi = fi
				}
			}
		} else {
			fi, err := os.Stat(t) // a FIFO's Stat does not wait for a writer, as its Open does
			if err != nil || fi.Mode().IsRegular() || fi.IsDir() {
				continue // read whole each time it is named, or a failure in its place
			}
			s.fi, streams = fi, true
		}
		for _, prev := range seen {
			same := prev.name == filestore.Stdin && t == filestore.Stdin ||
				prev.fi != nil && s.fi != nil && os.SameFile(prev.fi, s.fi)
			if !same {
				continue
			}
			what := fmt.Sprintf("%s is named twice", quoteName(t))
			if prev.name != t {
				what = fmt.Sprintf("%s and %s are the same stream", quoteName(prev.name), quoteName(t))
			}
			return false, usageError{fmt.Sprintf("run: %s: standard input, a pipe, a FIFO or a device can be read only once", what)}
		}
		seen = append(seen, s)
	}
	return streams, nil
}
