package inventory

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/sumsq/sumsq/internal/urlkey"
)

// DefaultRowsPerFile is the rows a Writer puts in a data file unless told.
const DefaultRowsPerFile = 100_000

// DefaultConfigID is the inventory configuration a Writer names unless told.
const DefaultConfigID = "inventory"

// ManifestVersion is the version of the manifest format S3 writes.
const ManifestVersion = "2016-11-30"

// A Writer writes a CSV report as S3 delivers one
// (storage-inventory-location.html), for tests: data files at
//
//	Prefix/SourceBucket/ConfigID/data/<random UUID>.csv.gz
//
// each of RowsPerFile rows (the last of the rest), then
//
//	Prefix/SourceBucket/ConfigID/YYYY-MM-DDTHH-MMZ/manifest.json
//	Prefix/SourceBucket/ConfigID/YYYY-MM-DDTHH-MMZ/manifest.checksum
//
// The schema is "Bucket, Key, Size", the columns of an inventory
// configured with the optional field Size alone, or, if Versions is set,
// "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size", S3's order. A
// data file is held in memory until it is stored.
type Writer struct {
	Destination

	// DestinationBucket is the destination bucket's name, written in the
	// manifest as an ARN; Destination.Bucket if "".
	DestinationBucket string

	SourceBucket string    // the bucket listed; required
	Prefix       string    // the destination prefix; "" for none
	ConfigID     string    // the inventory configuration's name; DefaultConfigID if ""
	Created      time.Time // when the listing began; the time Write is called if zero
	Versions     bool      // the report lists all versions, not current ones only
	RowsPerFile  int       // DefaultRowsPerFile if 0
}

// Write writes a report of rows and returns its manifest's key in the
// destination bucket. A row's Bucket is SourceBucket if "", and must be
// SourceBucket otherwise; a Size below 0 is written as none. Without
// Versions, a row must be Current and have no VersionID. No manifest is
// written if an error stops Write.
func (w *Writer) Write(ctx context.Context, rows iter.Seq[Row]) (manifestKey string, err error) {
	dest := w.DestinationBucket
	if dest == "" {
		dest = w.Bucket
	}
	switch {
	case w.SourceBucket == "":
		return "", errors.New("inventory: Writer.SourceBucket is empty")
	case dest == "":
		return "", errors.New("inventory: Writer has no DestinationBucket (and no Bucket)")
	case w.RowsPerFile < 0:
		return "", fmt.Errorf("inventory: Writer.RowsPerFile is %d", w.RowsPerFile)
	}
	perFile := w.RowsPerFile
	if perFile == 0 {
		perFile = DefaultRowsPerFile
	}
	config := w.ConfigID
	if config == "" {
		config = DefaultConfigID
	}
	created := w.Created
	if created.IsZero() {
		created = time.Now()
	}
	dir := w.SourceBucket + "/" + config + "/"
	if w.Prefix != "" {
		dir = strings.TrimSuffix(w.Prefix, "/") + "/" + dir
	}
	schema := "Bucket, Key, Size"
	if w.Versions {
		schema = "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size"
	}
	m := Manifest{
		SourceBucket:      w.SourceBucket,
		DestinationBucket: "arn:aws:s3:::" + dest,
		Version:           ManifestVersion,
		CreationTimestamp: strconv.FormatInt(created.UnixMilli(), 10),
		FileFormat:        "CSV",
		FileSchema:        schema,
		Files:             []File{},
	}

	var (
		buf  bytes.Buffer
		zw   *gzip.Writer
		n    int
		line []byte
	)
	flush := func() error {
		if err := zw.Close(); err != nil {
			return err
		}
		f := File{Key: dir + "data/" + newUUID() + ".csv.gz", Size: int64(buf.Len())}
		sum := md5.Sum(buf.Bytes())
		f.MD5Checksum = hex.EncodeToString(sum[:])
		if err := w.put(ctx, f.Key, buf.Bytes()); err != nil {
			return err
		}
		m.Files = append(m.Files, f)
		buf.Reset()
		zw, n = nil, 0
		return nil
	}
	i := 0
	for row := range rows {
		i++
		if err := w.check(row); err != nil {
			return "", fmt.Errorf("inventory: row %d: %w", i, err)
		}
		if zw == nil {
			zw = gzip.NewWriter(&buf)
		}
		line = w.appendRow(line[:0], row)
		if _, err := zw.Write(line); err != nil {
			return "", err
		}
		if n++; n == perFile {
			if err := flush(); err != nil {
				return "", err
			}
		}
	}
	if zw != nil {
		if err := flush(); err != nil {
			return "", err
		}
	}

	data, err := json.MarshalIndent(&m, "", "    ")
	if err != nil {
		return "", err
	}
	manifestDir := dir + created.UTC().Format("2006-01-02T15-04Z") + "/"
	if err := w.put(ctx, manifestDir+"manifest.json", data); err != nil {
		return "", err
	}
	sum := md5.Sum(data)
	if err := w.put(ctx, manifestDir+"manifest.checksum", []byte(hex.EncodeToString(sum[:]))); err != nil {
		return "", err
	}
	return manifestDir + "manifest.json", nil
}

func (w *Writer) put(ctx context.Context, key string, data []byte) error {
	if err := w.Storage.Put(ctx, w.Bucket, w.name(key), bytes.NewReader(data), int64(len(data))); err != nil {
		return w.storageError("inventory: writing the report", w.name(key), err)
	}
	return nil
}

// check says why row cannot be in the report, or returns nil.
func (w *Writer) check(row Row) error {
	switch {
	case row.Bucket != "" && row.Bucket != w.SourceBucket:
		return fmt.Errorf("bucket %q is not the source bucket %q", row.Bucket, w.SourceBucket)
	case row.Key == "":
		return errors.New("empty key")
	case !w.Versions && !row.Current():
		return errors.New("a report of current versions lists no noncurrent version or delete marker")
	case !w.Versions && row.VersionID != "":
		return errors.New("a report of current versions has no VersionId")
	}
	return nil
}

// appendRow appends row's CSV line to b, every field quoted, as S3 writes
// them.
func (w *Writer) appendRow(b []byte, row Row) []byte {
	field := func(b []byte, s string, last bool) []byte {
		b = append(b, '"')
		b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
		b = append(b, '"')
		if last {
			return append(b, '\n')
		}
		return append(b, ',')
	}
	b = field(b, w.SourceBucket, false)
	b = field(b, urlkey.Encode(row.Key), false)
	if w.Versions {
		b = field(b, row.VersionID, false)
		b = field(b, strconv.FormatBool(!row.Noncurrent), false)
		b = field(b, strconv.FormatBool(row.DeleteMarker), false)
	}
	size := ""
	if row.Size >= 0 {
		size = strconv.FormatInt(row.Size, 10)
	}
	return field(b, size, true)
}

// newUUID returns a random (version 4) UUID, as S3 names data files.
func newUUID() string {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
