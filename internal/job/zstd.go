package job

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
)

// zstd streams, frame by frame. A zstd stream (RFC 8878, section 3) is a
// sequence of frames, each decoded on its own: zstd frames, and skippable
// frames that carry no data (pzstd puts one before each of its frames to
// say its size; other tools put metadata in them). A zstdReader walks the
// frames itself, so that it can
//
//   - drop skippable frames before the decoder sees them (the decoder
//     would print a line on standard error for each one);
//   - learn each frame's window from its header before the decoder
//     allocates it, and ask for that much memory first (see budget);
//   - refuse a window over maxZstdWindow without allocating anything.
//
// It parses only headers: a frame's header, then each block's 3-byte
// header, which says how many bytes follow; the decoder checks the rest.
const (
	zstdFrameMagic     = 0xFD2FB528
	zstdSkippableMagic = 0x184D2A50 // to 0x184D2A5F: the low 4 bits are free
	zstdSkippableMask  = 0xFFFFFFF0
)

// isZstd reports whether head, at least 4 bytes, begins a zstd stream: a
// zstd frame or a skippable frame.
func isZstd(head []byte) bool {
	if len(head) < 4 {
		return false
	}
	m := binary.LittleEndian.Uint32(head)
	return m == zstdFrameMagic || m&zstdSkippableMask == zstdSkippableMagic
}

// A zstdReader decompresses a zstd stream read from br.
type zstdReader struct {
	br *bufio.Reader
	// window, if not nil, is called with a frame's window size before the
	// frame is decoded, and returns once there is memory for it. If it
	// must wait for that memory, it first calls drop, which lets go of the
	// decoder (and of the window it holds of earlier frames); the decoder
	// is then made anew.
	window windowFunc

	dec     *zstd.Decoder
	frame   zstdFrame
	inFrame bool // dec has not yet ended the current frame
	eof     bool // no frame left
}

func newZstdReader(br *bufio.Reader, window windowFunc) *zstdReader {
	return &zstdReader{br: br, window: window}
}

func (z *zstdReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		if z.inFrame {
			n, err := z.dec.Read(p)
			if err == io.EOF {
				z.inFrame, err = false, nil
			}
			if n > 0 || err != nil {
				return n, err
			}
			continue
		}
		if z.eof {
			return 0, io.EOF
		}
		if err := z.next(); err != nil {
			return 0, err
		}
	}
}

// next starts the next zstd frame, skipping skippable frames, or sets eof
// at the end of the stream.
func (z *zstdReader) next() error {
	for {
		head, err := z.br.Peek(4)
		switch {
		case len(head) == 0 && err == io.EOF:
			z.eof = true
			return nil
		case len(head) < 4:
			return unexpected(err)
		}
		magic := binary.LittleEndian.Uint32(head)
		if magic&zstdSkippableMask == zstdSkippableMagic {
			head, err := z.br.Peek(8)
			if len(head) < 8 {
				return unexpected(err)
			}
			n := int64(binary.LittleEndian.Uint32(head[4:]))
			if _, err := z.br.Discard(8); err != nil {
				return err
			}
			if m, err := io.CopyN(io.Discard, z.br, n); m < n {
				return unexpected(err)
			}
			continue
		}
		if magic != zstdFrameMagic {
			return zstd.ErrMagicMismatch
		}
		h, err := parseZstdHeader(z.br)
		if err != nil {
			return err
		}
		if h.window > maxZstdWindow {
			return fmt.Errorf("a frame asks for a window size of %d bytes, over the %d allowed "+
				"(compressed with --long or --ultra?)", h.window, int64(maxZstdWindow))
		}
		if z.window != nil {
			if err := z.window(h.window, z.drop); err != nil {
				return err
			}
		}
		z.frame = zstdFrame{br: z.br, left: h.size, checksum: h.checksum}
		if z.dec == nil {
			z.dec, err = zstd.NewReader(&z.frame, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
				zstd.WithDecoderMaxWindow(maxZstdWindow), zstd.WithDecoderMaxMemory(1<<30))
		} else {
			err = z.dec.Reset(&z.frame)
		}
		z.inFrame = err == nil
		return err
	}
}

// drop lets go of the decoder.
func (z *zstdReader) drop() {
	if z.dec != nil {
		z.dec.Close()
		z.dec = nil
	}
}

// Close releases the decoder.
func (z *zstdReader) Close() { z.drop() }

// unexpected turns the end of the stream inside a frame into
// io.ErrUnexpectedEOF; other errors are the source's.
func unexpected(err error) error {
	if err == nil || err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// A zstdHeader is what a zstd frame's header says (RFC 8878, 3.1.1.1).
type zstdHeader struct {
	size     int64 // of the header, magic number included
	window   int64 // the Window_Size a decoder must keep
	checksum bool  // a 4-byte checksum follows the last block
}

// parseZstdHeader reads, without consuming it, the header of the zstd frame
// at the start of br.
func parseZstdHeader(br *bufio.Reader) (zstdHeader, error) {
	const most = 4 + 1 + 1 + 4 + 8 // magic, descriptor, window, dictionary ID, content size
	b, err := br.Peek(most)
	if len(b) < 5 {
		return zstdHeader{}, unexpected(err)
	}
	fhd := b[4]
	single := fhd&0x20 != 0
	h := zstdHeader{size: 5, checksum: fhd&0x04 != 0}
	if !single {
		h.size++
	}
	h.size += [4]int64{0, 1, 2, 4}[fhd&3] // Dictionary_ID
	fcsSize := [4]int64{0, 2, 4, 8}[fhd>>6]
	if fcsSize == 0 && single {
		fcsSize = 1
	}
	h.size += fcsSize
	if int64(len(b)) < h.size {
		return zstdHeader{}, unexpected(err)
	}
	if single {
		// No window descriptor: the window is the frame's content.
		var fcs [8]byte
		copy(fcs[:], b[h.size-fcsSize:h.size])
		h.window = int64(binary.LittleEndian.Uint64(fcs[:]))
		if fcsSize == 2 {
			h.window += 256
		}
		if h.window < 0 { // content of 2^63 bytes or more
			h.window = 1 << 62
		}
		h.window = max(h.window, 1<<10) // a decoder's least window
	} else {
		wd := b[5]
		base := int64(1) << (10 + wd>>3)
		h.window = base + base/8*int64(wd&7)
	}
	return h, nil
}

// A zstdFrame reads one zstd frame from br, header included, and ends
// there, walking its blocks (RFC 8878, 3.1.1.2): each has a 3-byte header
// saying whether it is the frame's last, its type and its size.
type zstdFrame struct {
	br       *bufio.Reader
	left     int64 // bytes to pass on before the next block header
	last     bool  // the block being passed is the frame's last
	checksum bool  // a 4-byte checksum follows the last block
	done     bool
}

func (f *zstdFrame) Read(p []byte) (int, error) {
	for f.left == 0 {
		switch {
		case f.done:
			return 0, io.EOF
		case f.last:
			f.done = true
			if f.checksum {
				f.left = 4
			}
			continue
		}
		h, err := f.br.Peek(3)
		if len(h) < 3 {
			// Cut short: pass on what there is, for the decoder to say.
			if err != io.EOF {
				return 0, err
			}
			f.left, f.done = int64(len(h)), true
			if f.left == 0 {
				return 0, io.EOF
			}
			break
		}
		bh := uint32(h[0]) | uint32(h[1])<<8 | uint32(h[2])<<16
		f.last = bh&1 != 0
		size := int64(bh >> 3)
		switch bh >> 1 & 3 {
		case 1: // RLE: one byte, repeated size times
			size = 1
		case 3: // reserved: the decoder refuses the header
			size = 0
		}
		f.left = 3 + size
	}
	if int64(len(p)) > f.left {
		p = p[:f.left]
	}
	n, err := f.br.Read(p)
	f.left -= int64(n)
	if err == io.EOF && f.left > 0 {
		f.left, f.done = 0, true // cut short: the decoder says so
	}
	return n, err
}
