package job_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/sumsq/sumsq/internal/filestore"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/memstore"
	"github.com/sumsq/sumsq/internal/sumsq"
)

func gzipped(t testing.TB, members ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, m := range members { // several members: what `cat a.gz b.gz` makes
		w := gzip.NewWriter(&b)
		w.Write([]byte(m))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func zstded(t testing.TB, s string, opts ...zstd.EOption) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := zstd.NewWriter(&b, opts...)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestCompressed sums gzip and zstd objects through both storages, whole
// and at a size that would otherwise be read in parts, and compares with
// the plain text's sum.
func TestCompressed(t *testing.T) {
	var text strings.Builder
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		fmt.Fprintln(&text, rng.Int64()>>rng.IntN(63)) // of every length
	}
	plain := text.String()
	want, err := sumsq.Sum(strings.NewReader(plain))
	if err != nil {
		t.Fatal(err)
	}
	half := len(plain) / 2
	tests := []struct {
		key  string
		body []byte
	}{
		{"a.gz", gzipped(t, plain)},
		{"two-members.gz", gzipped(t, plain[:half], plain[half:])},
		{"a.zst", zstded(t, plain)},
		{"gzip-without-suffix", gzipped(t, plain)},
		{"zstd-without-suffix.log", zstded(t, plain)},
	}
	dir := t.TempDir()
	st := &memstore.Store{}
	for _, tt := range tests {
		st.Set(dataBucket, tt.key, tt.body)
		if err := os.WriteFile(filepath.Join(dir, tt.key), tt.body, 0o644); err != nil {
			t.Fatal(err)
		}
		size := int64(len(tt.body))
		for name, s := range map[string]struct {
			summer *job.Summer
			object job.Object
		}{
			// PartSize below the object's size: sniffed, read as one stream.
			"memory": {&job.Summer{Storage: st, PartSize: 1000}, job.Object{Bucket: dataBucket, Key: tt.key, Size: &size}},
			"files":  {&job.Summer{Storage: &filestore.Store{}, PartSize: 1000}, job.Object{Key: filepath.Join(dir, tt.key)}},
		} {
			got, err := s.summer.Sum(context.Background(), s.object)
			if err != nil || got.String() != want.String() || got.Count != want.Count {
				t.Errorf("%s %s: Sum = %s (%d numbers), %v; want %s (%d)", name, tt.key, got.String(), got.Count, err, want.String(), want.Count)
			}
		}
	}
}

// TestCompressedInvalid checks that what is wrong with a compressed object
// is an InvalidContentError, with the line in the decompressed text where
// the text is at fault.
func TestCompressedInvalid(t *testing.T) {
	good := gzipped(t, "1\n2\n3\n")
	tests := []struct {
		key  string
		body []byte
		want string // in the message
		is   error
	}{
		{"plain.gz", []byte("1\n2\n"), "the key ends in .gz but the object is not gzip data", nil},
		{"plain.zst", []byte("1\n2\n"), "the key ends in .zst but the object is not zstd data", nil},
		{"truncated.gz", good[:len(good)-6], "unexpected EOF", nil},
		{"corrupt.gz", append(append([]byte{}, good[:12]...), bytes.Repeat([]byte{0xff}, 20)...), "gzip", nil},
		{"bad-line.gz", gzipped(t, "1\n2\nthree\n"), `line 3 (byte 4): not an integer: "three"`, sumsq.ErrSyntax},
		// A frame that asks for a window of 1 GiB (descriptor 0xA0), then
		// one raw block of "1\n".
		{"truncated-skippable.zst", skippable(0, []byte("abc"))[:9], "unexpected EOF", nil},
		{"skippable-then-garbage.zst", append(skippable(0, nil), "1\n2\n"...), "magic number mismatch", nil},
		{"truncated-frame.zst", zstded(t, "1\n2\n3\n")[:10], "unexpected EOF", nil},
		{"huge-window.zst", []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa0, 0x11, 0x00, 0x00, '1', '\n'}, "window size", nil},
	}
	st := &memstore.Store{}
	s := &job.Summer{Storage: st}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			st.Set(dataBucket, tt.key, tt.body)
			_, err := s.Sum(context.Background(), job.Object{Bucket: dataBucket, Key: tt.key})
			var ce *job.InvalidContentError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Sum(%s) = %v; want an InvalidContentError with %q", tt.key, err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Sum(%s) = %v; want it to wrap %v", tt.key, err, tt.is)
			}
		})
	}
}

// newlines is an endless reader of "\n".
type newlines struct{}

func (newlines) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '\n'
	}
	return len(p), nil
}

// skippable is a zstd skippable frame (RFC 8878, 3.1.2) with the given
// magic number's low nibble and payload.
func skippable(nibble byte, payload []byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 0x184D2A50|uint32(nibble))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
	return append(b, payload...)
}

// pzstded writes each part of s as a zstd frame preceded by a skippable
// frame holding the frame's size, as pzstd does.
func pzstded(t testing.TB, parts ...string) []byte {
	var b []byte
	for _, p := range parts {
		frame := zstded(t, p)
		b = append(b, skippable(0, binary.LittleEndian.AppendUint32(nil, uint32(len(frame))))...)
		b = append(b, frame...)
	}
	return b
}

// TestZstdSkippableFrames sums zstd streams with skippable frames where
// they may be (before, between and after zstd frames), as `zstd -d` reads
// them: pzstd's output, and metadata frames of every magic number.
func TestZstdSkippableFrames(t *testing.T) {
	const a, b = "1\n2\n3\n", "4\n-5\n"
	tests := []struct {
		name string
		body []byte
		want string // the sum of squares
	}{
		{"pzstd", pzstded(t, a, b), "55"},
		{"metadata first", append(skippable(0xF, []byte(`{"source":"sensor 7"}`)), zstded(t, a)...), "14"},
		{"empty metadata first", append(skippable(0x3, nil), zstded(t, a)...), "14"},
		{"between and after", slices.Concat(zstded(t, a), skippable(0x1, []byte("x")), zstded(t, b), skippable(0x2, []byte("yz"))), "55"},
		{"no zstd frame at all", skippable(0x5, []byte("nothing here")), "0"},
	}
	dir := t.TempDir()
	st := &memstore.Store{}
	for _, tt := range tests {
		for _, key := range []string{tt.name + ".zst", tt.name} {
			t.Run(key, func(t *testing.T) {
				st.Set(dataBucket, key, tt.body)
				path := filepath.Join(dir, key)
				if err := os.WriteFile(path, tt.body, 0o644); err != nil {
					t.Fatal(err)
				}
				for _, s := range []struct {
					summer *job.Summer
					object job.Object
				}{
					{&job.Summer{Storage: st}, job.Object{Bucket: dataBucket, Key: key}},
					{&job.Summer{Storage: &filestore.Store{}, PartSize: 10}, job.Object{Key: path}},
				} {
					got, err := s.summer.Sum(context.Background(), s.object)
					if err != nil || got.String() != tt.want {
						t.Errorf("Sum(%s) = %s, %v; want %s, nil", s.object.Key, got.String(), err, tt.want)
					}
				}
			})
		}
	}
}
