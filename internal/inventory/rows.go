package inventory

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"iter"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/sumsq/sumsq/internal/excerpt"
	"github.com/sumsq/sumsq/internal/urlkey"
)

// A Row is an object, or a version of one, that a report lists.
type Row struct {
	Bucket string // the source bucket
	Key    string // decoded
	Size   int64  // in bytes; -1 if the report has no Size column or the row none (a delete marker)

	// The fields of a report that lists all versions; in one of current
	// versions only, they are "", false and false.
	VersionID    string // VersionId
	Noncurrent   bool   // IsLatest is false: a newer version of Key exists
	DeleteMarker bool   // IsDeleteMarker is true: Key was deleted
}

// Current reports whether r is an object of the bucket as ListObjectsV2
// lists it: the latest version of its key, and not a delete marker. A run
// over a report sums the rows that are current and skips the others, so
// that it sums what a run over a listing of the bucket would sum.
func (r Row) Current() bool { return !r.Noncurrent && !r.DeleteMarker }

// MaxLineBytes bounds a row of a data file. A key has at most 1,024 bytes,
// at most 3,072 URL-encoded, and the other fields S3 writes are short: a
// longer line is not S3's, and is not kept in memory.
const MaxLineBytes = 64 << 10

// Rows yields the rows of the report's data files, in the order the
// manifest lists the files and the files list the rows. It stops at the
// first error, which it yields with a zero Row: an *Error wrapping ErrData
// for a data file that is not what the manifest says or not what S3
// writes, or an error of the Storage, wrapped.
//
// A data file's size and MD5 are checked when its last byte has been read,
// after its rows have been yielded: a caller must not take the rows as
// final until the sequence has ended without an error.
func (r *Report) Rows(ctx context.Context) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for _, f := range r.Files {
			if err := r.readFile(ctx, f, yield); err != nil {
				if err != errStopped {
					yield(Row{}, err)
				}
				return
			}
		}
	}
}

// errStopped means the caller stopped the iteration.
var errStopped = errors.New("stopped")

// readFile yields the rows of the data file f.
func (r *Report) readFile(ctx context.Context, f File, yield func(Row, error) bool) error {
	name := r.dest.name(f.Key)
	src, err := r.dest.Storage.Open(ctx, r.dest.Bucket, name, -1)
	if err != nil {
		return r.dest.storageError("inventory data file", name, err)
	}
	defer src.Close()
	rc, err := src.NewReader(ctx, 0, -1)
	if err != nil {
		return r.dest.storageError("inventory data file", name, err)
	}
	defer rc.Close()

	cr := &checkedReader{r: rc, md5: md5.New(), size: f.Size, sum: f.MD5Checksum}
	bad := func(line int, format string, args ...any) error {
		return r.dest.error(name, line, fmt.Errorf("%w: "+format, append([]any{ErrData}, args...)...))
	}
	// failed explains an error of gzip or of the CSV reader: the Storage's
	// error, if reading failed; the size or checksum, if the file is not
	// the one the manifest names (read to its end to know); else err.
	failed := func(line int, err error) error {
		if cr.err == nil && cr.bad == "" {
			io.Copy(io.Discard, cr)
		}
		switch {
		case cr.err != nil:
			return r.dest.storageError("inventory data file", name, cr.err)
		case cr.bad != "":
			return bad(0, "%s", cr.bad)
		case err == io.ErrUnexpectedEOF:
			err = errors.New("the gzip stream ends early")
		}
		return bad(line, "%v", err)
	}

	zr, err := gzip.NewReader(bufio.NewReaderSize(cr, 64<<10))
	if err != nil {
		if err == io.EOF {
			err = errors.New("empty, not gzip")
		}
		return failed(0, err)
	}
	cs := csv.NewReader(&lineLimiter{r: zr})
	cs.ReuseRecord = true
	cs.FieldsPerRecord = len(r.Columns)
	for {
		rec, err := cs.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line, err = pe.Line, pe.Err
			}
			return failed(line, err)
		}
		row, err := r.row(rec)
		if err != nil {
			line, _ := cs.FieldPos(0)
			return bad(line, "%v", err)
		}
		if !yield(row, nil) {
			return errStopped
		}
	}
	// gzip has read to the end of the file (it looks for another member
	// until then), so the file has been checked; read on in case it has not.
	if _, err := io.Copy(io.Discard, cr); err != nil || !cr.checked {
		return failed(0, errors.New("data after the end of the gzip stream"))
	}
	return nil
}

// row returns the Row of the record rec.
func (r *Report) row(rec []string) (Row, error) {
	c := &r.cols
	if b := rec[c.bucket]; b != r.SourceBucket {
		return Row{}, fmt.Errorf("column Bucket is %s, not the report's source bucket %q", excerpt.Quote(b), r.SourceBucket)
	}
	row := Row{Bucket: r.SourceBucket, Size: -1}
	var err error
	if row.Key, err = urlkey.Decode(rec[c.key]); err != nil {
		return Row{}, fmt.Errorf("column Key, %s: %v", excerpt.Quote(rec[c.key]), err)
	}
	if row.Key == "" {
		return Row{}, errors.New("column Key is empty")
	}
	if c.size >= 0 && rec[c.size] != "" {
		// A digit check first: ParseInt takes a sign, which S3 never writes.
		s := rec[c.size]
		if row.Size, err = strconv.ParseInt(s, 10, 64); err != nil || s[0] < '0' || s[0] > '9' {
			return Row{}, fmt.Errorf("column Size is %s, not a number of bytes", excerpt.Quote(s))
		}
	}
	if c.versionID >= 0 {
		row.VersionID = rec[c.versionID]
	}
	if c.isLatest >= 0 {
		latest, err := parseBool(rec[c.isLatest], true)
		if err != nil {
			return Row{}, fmt.Errorf("column IsLatest %v", err)
		}
		row.Noncurrent = !latest
	}
	if c.isDeleteMarker >= 0 {
		if row.DeleteMarker, err = parseBool(rec[c.isDeleteMarker], false); err != nil {
			return Row{}, fmt.Errorf("column IsDeleteMarker %v", err)
		}
	}
	return row, nil
}

// parseBool reads a boolean field, "true" or "false" (S3's documentation
// also writes "True"); an empty field is def.
func parseBool(s string, def bool) (bool, error) {
	switch {
	case s == "":
		return def, nil
	case strings.EqualFold(s, "true"):
		return true, nil
	case strings.EqualFold(s, "false"):
		return false, nil
	}
	return false, fmt.Errorf("is %s, not true or false", excerpt.Quote(s))
}

// A checkedReader reads a data file and checks, at its end, that it has
// the size and MD5 its manifest says. It remembers the first error of the
// Storage (err) and what does not match (bad), so that an error that gzip
// or the CSV reader reports about a broken stream can be told for what it
// is.
type checkedReader struct {
	r       io.Reader
	md5     hash.Hash
	n, size int64
	sum     string // hexadecimal, lower case

	err     error  // the Storage's
	bad     string // the size or MD5 differs
	checked bool   // the end was reached and matched
}

func (c *checkedReader) Read(p []byte) (int, error) {
	switch {
	case c.err != nil:
		return 0, c.err
	case c.bad != "":
		return 0, errors.New(c.bad)
	}
	n, err := c.r.Read(p)
	if n < 0 || n > len(p) {
		n, err = 0, fmt.Errorf("Read returned %d bytes for a buffer of %d", n, len(p))
	}
	if int64(n) > c.size-c.n {
		// Not a byte past the size is passed on: no row comes from them.
		n = int(c.size - c.n)
		c.bad = fmt.Sprintf("longer than the %d bytes its manifest says: the file was replaced, or the manifest is not its own", c.size)
		err = errors.New(c.bad)
	}
	c.md5.Write(p[:n])
	c.n += int64(n)
	if c.bad != "" {
		return n, err
	}
	switch {
	case err == io.EOF:
		if c.n < c.size {
			c.bad = fmt.Sprintf("%d bytes, not the %d its manifest says: the file is truncated or was replaced", c.n, c.size)
			return n, errors.New(c.bad)
		}
		if sum := hex.EncodeToString(c.md5.Sum(nil)); sum != c.sum {
			c.bad = fmt.Sprintf("MD5 is %s, not the %s its manifest says: the file is corrupt or was replaced", sum, c.sum)
			return n, errors.New(c.bad)
		}
		c.checked = true
	case err != nil:
		c.err = err
	}
	return n, err
}

// A lineLimiter fails a stream with a line longer than MaxLineBytes.
type lineLimiter struct {
	r   io.Reader
	run int // bytes since the last "\n"
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if i := bytes.LastIndexByte(p[:n], '\n'); i >= 0 {
		l.run = n - 1 - i
	} else {
		l.run += n
	}
	if l.run > MaxLineBytes {
		return n, fmt.Errorf("a line longer than %d KiB", MaxLineBytes>>10)
	}
	return n, err
}
