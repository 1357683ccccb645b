package inventory

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sumsq/sumsq/internal/job"
)

// A Destination is a report's destination bucket, as a Storage holds it: a
// bucket in S3, or a copy of one on local disk (as "aws s3 sync" makes it).
type Destination struct {
	Storage job.Storage

	// Bucket is the destination bucket's name in Storage, or "" for local
	// files.
	Bucket string

	// Root is put before each key of the destination bucket to name it in
	// Storage: "" in S3; for local files, the folder that holds the copy
	// of the bucket. A "/" is added to a Root that does not end with one.
	// For local files, a Root of "" is found from the path of the
	// manifest Open is given: the folder its prefix begins in (see
	// localRoot), else the working directory.
	Root string
}

// error is an *Error about the file name in the Storage.
func (d *Destination) error(name string, line int, err error) *Error {
	return &Error{Bucket: d.Bucket, Key: name, Location: d.Storage.Location(d.Bucket, name), Line: line, Err: err}
}

// storageError is err, an error of the Storage reading or writing the file
// name (what), wrapped with where the file is.
func (d *Destination) storageError(what, name string, err error) error {
	return fmt.Errorf("%s: %s: %w", what, d.Storage.Location(d.Bucket, name), err)
}

// name returns key's name in the Storage.
func (d *Destination) name(key string) string {
	if d.Root == "" || strings.HasSuffix(d.Root, "/") {
		return d.Root + key
	}
	return d.Root + "/" + key
}

// A Manifest is a report's manifest.json, as S3 writes it
// (storage-inventory-location.html, "Inventory manifest").
type Manifest struct {
	SourceBucket      string `json:"sourceBucket"`      // the bucket whose objects are listed
	DestinationBucket string `json:"destinationBucket"` // where the report is, as an ARN: "arn:aws:s3:::name"
	Version           string `json:"version"`           // of the format: "2016-11-30"
	CreationTimestamp string `json:"creationTimestamp"` // milliseconds since 1970, in a string
	FileFormat        string `json:"fileFormat"`        // "CSV"; "ORC" and "Parquet" are not read
	FileSchema        string `json:"fileSchema"`        // the data files' columns: "Bucket, Key, Size, ..."
	Files             []File `json:"files"`             // the data files, in the order their rows are read
}

// A File is a data file of a report.
type File struct {
	Key         string `json:"key"`         // in the destination bucket
	Size        int64  `json:"size"`        // in bytes
	MD5Checksum string `json:"MD5checksum"` // of its bytes, in hexadecimal
}

// Created returns the time the report's listing began, if the manifest
// says it.
func (m *Manifest) Created() (time.Time, bool) {
	ms, err := strconv.ParseInt(m.CreationTimestamp, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}

// A Report is a report whose manifest has been read and checked.
type Report struct {
	Manifest

	// Columns are the names of the data files' columns, from FileSchema.
	Columns []string

	dest Destination
	cols columns
}

// columns are the positions in a row of the columns a Row has, -1 for
// those the report does not have.
type columns struct {
	bucket, key, size, versionID, isLatest, isDeleteMarker int
}

// MaxManifestBytes bounds the manifest read into memory: a manifest names
// each data file in about 150 bytes, and S3 writes data files of many
// thousands of rows, so this is room for billions of rows.
const MaxManifestBytes = 16 << 20

// Open reads the manifest.json whose key in the destination bucket is key,
// and checks it: every field a report needs is there, the format is CSV,
// the schema has a Bucket and a Key column, and the data files are in the
// destination bucket, each named once. If d.Bucket is not "", the manifest
// must name it as its destination bucket: S3 delivers a report's manifest
// and data files to the same bucket.
//
// A manifest that does not pass is an *Error wrapping ErrManifest or
// ErrFormat; an error reading it is the Storage's, wrapped.
func (d *Destination) Open(ctx context.Context, key string) (*Report, error) {
	name := d.name(key)
	data, err := d.readManifest(ctx, name)
	if err != nil {
		return nil, err
	}
	return d.report(name, key, data)
}

// report returns the report whose manifest, read from key (name in the
// Storage), is data.
func (d *Destination) report(name, key string, data []byte) (*Report, error) {
	r, reason := parseManifest(data, d.Bucket, key)
	if reason != nil {
		return nil, d.error(name, 0, reason)
	}
	r.dest = *d
	if d.Bucket == "" && d.Root == "" {
		r.dest.Root = localRoot(key, r.Files)
	}
	return r, nil
}

// Detect reads the object key of d and, if it is an S3 Inventory
// manifest, returns its report, as Open does. It returns ok false and no
// error if the object is not one at all: there is no such object, or it is
// not a JSON object naming a "sourceBucket" or a "fileSchema" (a Map
// Run's manifest.json, a file of numbers). Such an object is something
// else to the caller: a TARGET that names a manifest or a prefix. A
// manifest that names one of them but fails Open's checks is an error, as
// from Open; so is any other error of the Storage.
func (d *Destination) Detect(ctx context.Context, key string) (r *Report, ok bool, err error) {
	name := d.name(key)
	data, err := d.readManifest(ctx, name)
	switch {
	case errors.Is(err, job.ErrNotFound):
		return nil, false, nil
	case errors.Is(err, ErrManifest):
		return nil, false, nil // larger than any manifest
	case err != nil:
		return nil, false, err
	}
	var marks struct {
		SourceBucket json.RawMessage `json:"sourceBucket"`
		FileSchema   json.RawMessage `json:"fileSchema"`
	}
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return nil, false, nil
	}
	if json.Unmarshal(data, &marks) != nil {
		// Not JSON: a manifest cut short or edited by hand still names
		// its fields, and Open says what is wrong with it.
		if !bytes.Contains(data, []byte(`"sourceBucket"`)) && !bytes.Contains(data, []byte(`"fileSchema"`)) {
			return nil, false, nil
		}
	} else if marks.SourceBucket == nil && marks.FileSchema == nil {
		return nil, false, nil
	}
	r, err = d.report(name, key, data)
	return r, true, err
}

// localRoot returns the folder that holds the copy of the destination
// bucket, for a manifest read from local files at path with no Root: the
// part of path before the key the manifest has in the bucket. S3 delivers
// a report's manifest and data files under one prefix
// (prefix/source-bucket/config-ID/, storage-inventory-location.html): that
// key begins where path's folders begin as the data files' keys do, with
// as many of their folders as it can. With no data file, or no folder in
// common, it is "": the keys are paths from the working directory.
func localRoot(path string, files []File) string {
	if len(files) == 0 {
		return ""
	}
	dirs := strings.Split(path, "/")
	dirs = dirs[:len(dirs)-1]
	data := strings.Split(files[0].Key, "/")
	data = data[:len(data)-1]
	at, most := -1, 0
	for i := range dirs {
		n := 0
		for n < len(data) && i+n < len(dirs) && dirs[i+n] == data[n] {
			n++
		}
		if n > most || n == most && n > 0 {
			at, most = i, n
		}
	}
	if at <= 0 {
		return ""
	}
	return strings.Join(dirs[:at], "/") + "/"
}

func (d *Destination) readManifest(ctx context.Context, name string) ([]byte, error) {
	src, err := d.Storage.Open(ctx, d.Bucket, name, -1)
	if err != nil {
		return nil, d.storageError("inventory manifest", name, err)
	}
	defer src.Close()
	rc, err := src.NewReader(ctx, 0, -1)
	if err != nil {
		return nil, d.storageError("inventory manifest", name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, MaxManifestBytes+1))
	if err != nil {
		return nil, d.storageError("inventory manifest", name, err)
	}
	if len(data) > MaxManifestBytes {
		return nil, d.error(name, 0, fmt.Errorf("%w: larger than %d MiB", ErrManifest, MaxManifestBytes>>20))
	}
	return data, nil
}

// rawManifest is a manifest as decoded, before it is checked: a field that
// is missing (or null) is nil.
type rawManifest struct {
	SourceBucket      *string         `json:"sourceBucket"`
	DestinationBucket *string         `json:"destinationBucket"`
	Version           *string         `json:"version"`
	CreationTimestamp json.RawMessage `json:"creationTimestamp"`
	FileFormat        *string         `json:"fileFormat"`
	FileSchema        *string         `json:"fileSchema"`
	Files             *[]rawFile      `json:"files"`
}

type rawFile struct {
	Key         *string `json:"key"`
	Size        *int64  `json:"size"`
	MD5Checksum *string `json:"MD5checksum"`
}

// parseManifest decodes and checks the manifest data, read from bucket
// ("" for local files) at key. It returns the report, or what is wrong,
// wrapping ErrManifest or ErrFormat.
func parseManifest(data []byte, bucket, key string) (*Report, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrManifest}, args...)...)
	}
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return nil, bad("not a JSON object")
	}
	var raw rawManifest
	if err := json.Unmarshal(data, &raw); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, bad("not JSON: %s at byte %d", se, se.Offset)
		case errors.As(err, &te):
			want := "number"
			if te.Type.Kind() == reflect.String {
				want = "string"
			}
			return nil, bad("%q is a %s, not a %s", te.Field, te.Value, want)
		}
		return nil, bad("%v", err)
	}
	for _, f := range []struct {
		name string
		v    *string
	}{
		{"sourceBucket", raw.SourceBucket},
		{"destinationBucket", raw.DestinationBucket},
		{"fileFormat", raw.FileFormat},
		{"fileSchema", raw.FileSchema},
	} {
		switch {
		case f.v == nil:
			return nil, bad("no %q", f.name)
		case *f.v == "":
			return nil, bad("%q is empty", f.name)
		}
	}
	if raw.Files == nil {
		return nil, bad(`no "files"`)
	}
	if !strings.EqualFold(*raw.FileFormat, "CSV") {
		return nil, fmt.Errorf("%w: fileFormat is %q; only CSV reports can be read, not ORC or Parquet: "+
			"choose CSV as the inventory's output format", ErrFormat, *raw.FileFormat)
	}
	m := Manifest{
		SourceBucket:      *raw.SourceBucket,
		DestinationBucket: *raw.DestinationBucket,
		FileFormat:        *raw.FileFormat,
		FileSchema:        *raw.FileSchema,
	}
	if raw.Version != nil {
		m.Version = *raw.Version
	}
	if raw.CreationTimestamp != nil && string(raw.CreationTimestamp) != "null" {
		// S3 writes a string of digits; a number is taken as well.
		var s string
		if json.Unmarshal(raw.CreationTimestamp, &s) != nil {
			s = string(raw.CreationTimestamp)
		}
		m.CreationTimestamp = s
		if _, ok := m.Created(); !ok {
			return nil, bad("creationTimestamp is %s: want milliseconds since 1970, such as \"1514944800000\"", raw.CreationTimestamp)
		}
	}

	dest, ok := bucketOfARN(m.DestinationBucket)
	switch {
	case !ok:
		return nil, bad("destinationBucket is %q: want a bucket's ARN, such as \"arn:aws:s3:::%s\"", m.DestinationBucket, orExample(bucket))
	case bucket != "" && dest != bucket:
		return nil, bad("destinationBucket is %q, but the manifest is in bucket %q: "+
			"S3 delivers a report's manifest and data files to its destination bucket", m.DestinationBucket, bucket)
	}

	r := &Report{Manifest: m}
	var err error
	if r.Columns, r.cols, err = parseSchema(m.FileSchema); err != nil {
		return nil, bad("%v", err)
	}

	r.Files = make([]File, len(*raw.Files))
	seen := make(map[string]int, len(*raw.Files))
	for i, f := range *raw.Files {
		switch {
		case f.Key == nil:
			return nil, bad("files[%d] has no \"key\"", i)
		case f.Size == nil:
			return nil, bad("files[%d] has no \"size\"", i)
		case f.MD5Checksum == nil:
			return nil, bad("files[%d] has no \"MD5checksum\"", i)
		}
		k := *f.Key
		if why := badFileKey(k); why != "" {
			return nil, bad("files[%d]: key %q %s", i, k, why)
		}
		if k == key {
			return nil, bad("files[%d]: key %q is the manifest's own", i, k)
		}
		if j, ok := seen[k]; ok {
			return nil, bad("files[%d]: key %q is listed twice (also files[%d]): its rows would count twice", i, k, j)
		}
		seen[k] = i
		if *f.Size < 0 {
			return nil, bad("files[%d]: size is %d, less than 0", i, *f.Size)
		}
		if len(*f.MD5Checksum) != 32 || !isHex(*f.MD5Checksum) {
			return nil, bad("files[%d]: MD5checksum is %q: want 32 hexadecimal digits", i, *f.MD5Checksum)
		}
		r.Files[i] = File{Key: k, Size: *f.Size, MD5Checksum: strings.ToLower(*f.MD5Checksum)}
	}
	return r, nil
}

// parseSchema returns the columns fileSchema names, and where the columns a
// Row has are among them.
func parseSchema(schema string) ([]string, columns, error) {
	names := strings.Split(schema, ",")
	for i, n := range names {
		names[i] = strings.TrimSpace(n)
	}
	c := columns{-1, -1, -1, -1, -1, -1}
	for i, n := range names {
		if n == "" {
			return nil, c, fmt.Errorf("fileSchema %q has an empty column name", schema)
		}
		if j := slices.Index(names[:i], n); j >= 0 {
			return nil, c, fmt.Errorf("fileSchema %q names %s twice", schema, n)
		}
		for _, col := range []struct {
			name string
			at   *int
		}{
			{"Bucket", &c.bucket}, {"Key", &c.key}, {"Size", &c.size},
			{"VersionId", &c.versionID}, {"IsLatest", &c.isLatest}, {"IsDeleteMarker", &c.isDeleteMarker},
		} {
			if n == col.name {
				*col.at = i
			}
		}
	}
	switch {
	case c.bucket < 0:
		return nil, c, fmt.Errorf("fileSchema %q has no Bucket column", schema)
	case c.key < 0:
		return nil, c, fmt.Errorf("fileSchema %q has no Key column", schema)
	}
	return names, c, nil
}

// bucketOfARN returns the bucket an S3 bucket ARN names:
// "arn:<partition>:s3:::<bucket>".
func bucketOfARN(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "s3" ||
		parts[3] != "" || parts[4] != "" || parts[5] == "" || strings.Contains(parts[5], "/") {
		return "", false
	}
	return parts[5], true
}

// badFileKey says why key cannot be a data file of the destination
// bucket, or returns "". A key with a "." or ".." segment, or one
// starting with "/", would name a file outside a local copy of the
// bucket; S3 writes none.
func badFileKey(key string) string {
	if key == "" {
		return "is empty"
	}
	if strings.HasPrefix(key, "/") {
		return "starts with \"/\": it is outside the destination bucket"
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "." || seg == ".." {
			return "has a \"" + seg + "\" segment: it may be outside the destination bucket"
		}
	}
	return ""
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

func orExample(bucket string) string {
	if bucket == "" {
		return "bucket"
	}
	return bucket
}
