package job

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// Compressed objects. An object whose bytes begin with gzip's or zstd's
// magic number (a zstd frame's, or a skippable frame's, see zstd.go) is
// decompressed as it is read: no file of numbers begins with those bytes,
// so the rule changes no result, and it covers keys ending in .gz or .zst
// and S3 objects stored with a Content-Encoding of gzip or zstd alike (S3
// sends the stored bytes). A key ending in .gz or .zst whose bytes are not
// what it says is an *InvalidContentError. A compressed object is read as
// one stream, never in parts.
var gzipMagic = []byte{0x1f, 0x8b}

// sniffBytes is how many bytes sniff looks at.
const sniffBytes = 4

// maxZstdWindow bounds the memory a zstd frame may ask for: the window of
// zstd's highest standard level (19), so that any file the zstd command
// writes without --long can be read, and a frame asking for more cannot
// take the function's memory.
const maxZstdWindow = 8 << 20

// compressedKey returns the compression a key's suffix names, or "".
func compressedKey(key string) string {
	switch {
	case strings.HasSuffix(key, ".gz"):
		return "gzip"
	case strings.HasSuffix(key, ".zst"):
		return "zstd"
	}
	return ""
}

// sniff returns the compression r's first bytes say, or "", without
// consuming them.
func sniff(r *bufio.Reader) (string, error) {
	head, err := r.Peek(sniffBytes)
	if err != nil && err != io.EOF {
		return "", err
	}
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		return "gzip", nil
	case isZstd(head):
		return "zstd", nil
	}
	return "", nil
}

// decompressed returns what the object r holds, decompressed if it is
// gzip or zstd, and a function that closes what it opened. key names the
// object for its suffix. It records the codec, and the bytes decompressed,
// in p. window, if not nil, is given each zstd frame's window before it is
// decoded (see zstdReader). Errors reading r come back from Read as they
// are; errors in the compressed data as a *contentError.
//
// There is no bound on how much an object may expand: 4 GiB of newlines
// take 4 MB of gzip and a few KB of zstd, and are a valid object. Memory
// stays constant however much it expands; what a decompression bomb can
// take is time, and a batch bounds that (see share.go).
func decompressed(r io.Reader, key string, p *progress, window func(size int64, drop func()) error) (io.Reader, func(), error) {
	src := &sourceReader{r: r}
	br := bufio.NewReaderSize(src, 64<<10)
	codec, err := sniff(br)
	if err != nil {
		return nil, nil, err
	}
	if want := compressedKey(key); want != "" && codec != want {
		return nil, nil, &contentError{fmt.Errorf("the key ends in %s but the object is not %s data", key[strings.LastIndexByte(key, '.'):], want)}
	}
	p.setCodec(codec)
	switch codec {
	case "gzip":
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, src.blame(err)
		}
		return &expansion{r: z, src: src, codec: codec, p: p}, func() { z.Close() }, nil
	case "zstd":
		z := newZstdReader(br, window)
		return &expansion{r: z, src: src, codec: codec, p: p}, z.Close, nil
	}
	return br, func() {}, nil
}

// A contentError is a fault in an object's bytes found by a decompressor:
// what the job reports as an *InvalidContentError.
type contentError struct{ err error }

func (e *contentError) Error() string { return e.err.Error() }
func (e *contentError) Unwrap() error { return e.err }

// A sourceReader remembers the error of the stored object's reader, to
// tell it from the decompressor's own.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// blame returns the source's error if reading it failed, or else err as a
// fault in the compressed data.
func (s *sourceReader) blame(err error) error {
	if s.err != nil {
		return s.err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err // waiting ended: not the data's fault
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF // a compressed stream cut short
	}
	return &contentError{err}
}

// An expansion is a decompressor's output, counted in p.
type expansion struct {
	r     io.Reader
	src   *sourceReader
	codec string
	p     *progress
}

func (e *expansion) Read(b []byte) (int, error) {
	n, err := e.r.Read(b)
	e.p.out.Add(int64(n))
	if err != nil && err != io.EOF {
		return n, e.src.blame(fmt.Errorf("%s: %w", e.codec, err))
	}
	return n, err
}
