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

// Compressed objects. An object whose bytes begin with a codec's magic
// number (gzip's, or a zstd frame's or skippable frame's, see zstd.go) is
// decompressed as it is read: no file of numbers begins with those bytes,
// so the rule changes no result, and it covers keys ending in .gz or .zst
// and S3 objects stored with a Content-Encoding of gzip or zstd alike (S3
// sends the stored bytes). A key ending in a codec's suffix whose bytes are
// not that codec's is an *InvalidContentError. A compressed object is read
// as one stream, never in parts.
//
// Each codec is one row of codecs; a new one is a new row.
var codecs = []codec{
	{name: "gzip", suffix: ".gz", magic: []byte{0x1f, 0x8b}, open: openGzip},
	{name: "zstd", suffix: ".zst", sniffBytes: 4, sniff: isZstd, open: openZstd},
}

// A codec is a compression an object may be stored in.
type codec struct {
	name   string // in messages and in ObjectTimeoutError.Codec
	suffix string // of the keys that say the object is compressed so

	// What the object's first bytes begin with: magic, or else what sniff
	// says of the first sniffBytes bytes (for magic numbers with free bits).
	magic      []byte
	sniffBytes int
	sniff      func(head []byte) bool

	// open returns a reader of the data decompressed from br, and a
	// function that releases it. window, if not nil, is given the memory
	// a frame will need before it is allocated (see zstdReader). An error
	// is the source's, or a fault of the data's, which decompressed tells
	// apart.
	open func(br *bufio.Reader, window windowFunc) (io.Reader, func(), error)
}

// A windowFunc is given the size of the window a decoder needs before it
// allocates it, and returns once there is memory for it; if it must wait,
// it first calls drop, which lets go of what the decoder holds.
type windowFunc func(size int64, drop func()) error

// begins reports whether head, an object's first bytes (fewer if the
// object is shorter), begins data of c.
func (c *codec) begins(head []byte) bool {
	if c.magic != nil {
		return bytes.HasPrefix(head, c.magic)
	}
	return len(head) >= c.sniffBytes && c.sniff(head)
}

func (c *codec) headBytes() int { return max(len(c.magic), c.sniffBytes) }

// sniffBytes is how many first bytes sniff reads: enough for every codec.
var sniffBytes = func() int {
	n := 0
	for i := range codecs {
		n = max(n, codecs[i].headBytes())
	}
	return n
}()

func openGzip(br *bufio.Reader, _ windowFunc) (io.Reader, func(), error) {
	z, err := gzip.NewReader(br)
	if err != nil {
		return nil, nil, err
	}
	return z, func() { z.Close() }, nil
}

func openZstd(br *bufio.Reader, window windowFunc) (io.Reader, func(), error) {
	z := newZstdReader(br, window)
	return z, z.Close, nil
}

// maxZstdWindow bounds the memory a zstd frame may ask for: the window of
// zstd's highest standard level (19), so that any file the zstd command
// writes without --long can be read, and a frame asking for more cannot
// take the function's memory.
const maxZstdWindow = 8 << 20

// codecOfKey returns the codec a key's suffix names, or nil.
func codecOfKey(key string) *codec {
	for i := range codecs {
		if strings.HasSuffix(key, codecs[i].suffix) {
			return &codecs[i]
		}
	}
	return nil
}

// notIt is the error of an object whose key ends in c's suffix, and whose
// bytes are not c's.
func (c *codec) notIt() error {
	return &contentError{fmt.Errorf("the key ends in %s but the object is not %s data", c.suffix, c.name)}
}

// sniff returns the codec r's first bytes begin, or nil, without
// consuming them. r's buffer must hold sniffBytes.
func sniff(r *bufio.Reader) (*codec, error) {
	head, err := r.Peek(sniffBytes)
	if err != nil && err != io.EOF {
		return nil, err
	}
	for i := range codecs {
		if codecs[i].begins(head) {
			return &codecs[i], nil
		}
	}
	return nil, nil
}

// decompressed returns what the object r holds, decompressed if it is
// compressed, and a function that closes what it opened. key names the
// object for its suffix. It records the codec, and the bytes decompressed,
// in p. window, if not nil, is given each frame's window before it is
// decoded (see zstdReader). Errors reading r come back from Read as they
// are; errors in the compressed data as a *contentError.
//
// There is no bound on how much an object may expand: 4 GiB of newlines
// take 4 MB of gzip and a few KB of zstd, and are a valid object. Memory
// stays constant however much it expands; what a decompression bomb can
// take is time, and a batch bounds that (see share.go).
func decompressed(r io.Reader, key string, p *progress, window windowFunc) (io.Reader, func(), error) {
	src := &sourceReader{r: r}
	br := bufio.NewReaderSize(src, 64<<10)
	c, err := sniff(br)
	if err != nil {
		return nil, nil, err
	}
	if want := codecOfKey(key); want != nil && c != want {
		return nil, nil, want.notIt()
	}
	if c == nil {
		return br, func() {}, nil
	}
	p.setCodec(c.name)
	z, done, err := c.open(br, window)
	if err != nil {
		return nil, nil, src.blame(err)
	}
	return &expansion{r: z, src: src, codec: c.name, p: p}, done, nil
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
