package inventory_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sumsq/sumsq/internal/inventory"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/memstore"
)

const (
	sourceBucket = "example-numbers"
	destBucket   = "example-reports"
	manifestKey  = "reports/example-numbers/daily/2024-06-02T00-00Z/manifest.json"
	dataKey      = "reports/example-numbers/daily/data/0b6c3f1e-5d2a-4c8e-9f4b-2a7d1e6c9b30.csv.gz"
)

// validManifest returns a manifest as S3 writes one, to be edited.
func validManifest() map[string]any {
	return map[string]any{
		"sourceBucket":      sourceBucket,
		"destinationBucket": "arn:aws:s3:::" + destBucket,
		"version":           "2016-11-30",
		"creationTimestamp": "1717286400000",
		"fileFormat":        "CSV",
		"fileSchema":        "Bucket, Key, Size, LastModifiedDate, ETag",
		"files": []any{
			map[string]any{"key": dataKey, "size": 20, "MD5checksum": "0123456789abcdef0123456789ABCDEF"},
		},
	}
}

func encodeManifest(t testing.TB, m map[string]any) []byte {
	t.Helper()
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// file returns the manifest's i-th file, to be edited.
func file(m map[string]any, i int) map[string]any {
	return m["files"].([]any)[i].(map[string]any)
}

func TestOpen(t *testing.T) {
	st := &memstore.Store{}
	st.Set(destBucket, manifestKey, encodeManifest(t, validManifest()))
	d := &inventory.Destination{Storage: st, Bucket: destBucket}
	r, err := d.Open(t.Context(), manifestKey)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	want := inventory.Manifest{
		SourceBucket:      sourceBucket,
		DestinationBucket: "arn:aws:s3:::" + destBucket,
		Version:           "2016-11-30",
		CreationTimestamp: "1717286400000",
		FileFormat:        "CSV",
		FileSchema:        "Bucket, Key, Size, LastModifiedDate, ETag",
		Files:             []inventory.File{{Key: dataKey, Size: 20, MD5Checksum: "0123456789abcdef0123456789abcdef"}},
	}
	if !reflect.DeepEqual(r.Manifest, want) {
		t.Errorf("Open: Manifest = %+v; want %+v", r.Manifest, want)
	}
	if want := []string{"Bucket", "Key", "Size", "LastModifiedDate", "ETag"}; !reflect.DeepEqual(r.Columns, want) {
		t.Errorf("Open: Columns = %q; want %q", r.Columns, want)
	}
	if got, ok := r.Created(); !ok || !got.Equal(time.Date(2024, 6, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Created() = %v, %v; want 2024-06-02 00:00 UTC, true", got, ok)
	}
}

// TestOpenManifestErrors pins what the user reads about each mistake in a
// manifest: which field, what was expected.
func TestOpenManifestErrors(t *testing.T) {
	const at = "mem://" + destBucket + "/" + manifestKey + ": "
	tests := []struct {
		name string
		edit func(m map[string]any) // of validManifest()
		raw  string                 // the manifest, if edit is nil
		want error                  // the sentinel
		msg  string                 // the message after at
	}{
		{name: "not JSON", raw: "sourceBucket: x",
			want: inventory.ErrManifest, msg: "invalid S3 Inventory manifest: not a JSON object"},
		{name: "empty", raw: "",
			want: inventory.ErrManifest, msg: "invalid S3 Inventory manifest: not a JSON object"},
		{name: "an array", raw: `[{"sourceBucket": "b"}]`,
			want: inventory.ErrManifest, msg: "invalid S3 Inventory manifest: not a JSON object"},
		{name: "cut short", raw: `{"sourceBucket": "b", "files": [`,
			want: inventory.ErrManifest, msg: "invalid S3 Inventory manifest: not JSON: unexpected end of JSON input at byte 32"},
		{name: "data after it", raw: `{"sourceBucket": "b"} {}`,
			want: inventory.ErrManifest, msg: "invalid S3 Inventory manifest: not JSON: invalid character '{' after top-level value at byte 23"},
		{name: "no sourceBucket", edit: func(m map[string]any) { delete(m, "sourceBucket") },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: no "sourceBucket"`},
		{name: "null sourceBucket", edit: func(m map[string]any) { m["sourceBucket"] = nil },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: no "sourceBucket"`},
		{name: "empty sourceBucket", edit: func(m map[string]any) { m["sourceBucket"] = "" },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: "sourceBucket" is empty`},
		{name: "sourceBucket a number", edit: func(m map[string]any) { m["sourceBucket"] = 7 },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: "sourceBucket" is a number, not a string`},
		{name: "no destinationBucket", edit: func(m map[string]any) { delete(m, "destinationBucket") },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: no "destinationBucket"`},
		{name: "no fileFormat", edit: func(m map[string]any) { delete(m, "fileFormat") },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: no "fileFormat"`},
		{name: "no fileSchema", edit: func(m map[string]any) { delete(m, "fileSchema") },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: no "fileSchema"`},
		{name: "no files", edit: func(m map[string]any) { delete(m, "files") },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: no "files"`},
		{name: "ORC", edit: func(m map[string]any) { m["fileFormat"] = "ORC" },
			want: inventory.ErrFormat, msg: `unsupported S3 Inventory format: fileFormat is "ORC"; only CSV reports can be read, not ORC or Parquet: choose CSV as the inventory's output format`},
		{name: "Parquet", edit: func(m map[string]any) { m["fileFormat"] = "Parquet" },
			want: inventory.ErrFormat, msg: `unsupported S3 Inventory format: fileFormat is "Parquet"; only CSV reports can be read, not ORC or Parquet: choose CSV as the inventory's output format`},
		{name: "unknown format", edit: func(m map[string]any) { m["fileFormat"] = "TSV" },
			want: inventory.ErrFormat, msg: `unsupported S3 Inventory format: fileFormat is "TSV"; only CSV reports can be read, not ORC or Parquet: choose CSV as the inventory's output format`},
		{name: "destination not an ARN", edit: func(m map[string]any) { m["destinationBucket"] = destBucket },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: destinationBucket is "example-reports": want a bucket's ARN, such as "arn:aws:s3:::example-reports"`},
		{name: "destination an object's ARN", edit: func(m map[string]any) { m["destinationBucket"] = "arn:aws:s3:::" + destBucket + "/x" },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: destinationBucket is "arn:aws:s3:::example-reports/x": want a bucket's ARN, such as "arn:aws:s3:::example-reports"`},
		{name: "destination another service's ARN", edit: func(m map[string]any) { m["destinationBucket"] = "arn:aws:sqs:::" + destBucket },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: destinationBucket is "arn:aws:sqs:::example-reports": want a bucket's ARN, such as "arn:aws:s3:::example-reports"`},
		{name: "destination another bucket", edit: func(m map[string]any) { m["destinationBucket"] = "arn:aws:s3:::elsewhere" },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: destinationBucket is "arn:aws:s3:::elsewhere", but the manifest is in bucket "example-reports": S3 delivers a report's manifest and data files to its destination bucket`},
		{name: "no Key column", edit: func(m map[string]any) { m["fileSchema"] = "Bucket, Size" },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: fileSchema "Bucket, Size" has no Key column`},
		{name: "no Bucket column", edit: func(m map[string]any) { m["fileSchema"] = "Key, Size" },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: fileSchema "Key, Size" has no Bucket column`},
		{name: "ORC schema called CSV", edit: func(m map[string]any) { m["fileSchema"] = "struct<bucket:string,key:string>" },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: fileSchema "struct<bucket:string,key:string>" has no Bucket column`},
		{name: "a column twice", edit: func(m map[string]any) { m["fileSchema"] = "Bucket, Key, Size, Size" },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: fileSchema "Bucket, Key, Size, Size" names Size twice`},
		{name: "an empty column", edit: func(m map[string]any) { m["fileSchema"] = "Bucket, , Key" },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: fileSchema "Bucket, , Key" has an empty column name`},
		{name: "a file without key", edit: func(m map[string]any) { delete(file(m, 0), "key") },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: files[0] has no "key"`},
		{name: "a file without size", edit: func(m map[string]any) { delete(file(m, 0), "size") },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: files[0] has no "size"`},
		{name: "a file without MD5checksum", edit: func(m map[string]any) { delete(file(m, 0), "MD5checksum") },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: files[0] has no "MD5checksum"`},
		{name: "a size in a string", edit: func(m map[string]any) { file(m, 0)["size"] = "20" },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: "files.size" is a string, not a number`},
		{name: "a negative size", edit: func(m map[string]any) { file(m, 0)["size"] = -1 },
			want: inventory.ErrManifest, msg: "invalid S3 Inventory manifest: files[0]: size is -1, less than 0"},
		{name: "an MD5 not hexadecimal", edit: func(m map[string]any) { file(m, 0)["MD5checksum"] = "5925f4e78e1695c2d020b9f6eexample" },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: files[0]: MD5checksum is "5925f4e78e1695c2d020b9f6eexample": want 32 hexadecimal digits`},
		{name: "an MD5 too short", edit: func(m map[string]any) { file(m, 0)["MD5checksum"] = "abc" },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: files[0]: MD5checksum is "abc": want 32 hexadecimal digits`},
		{name: "an empty key", edit: func(m map[string]any) { file(m, 0)["key"] = "" },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: files[0]: key "" is empty`},
		{name: "a key from the root", edit: func(m map[string]any) { file(m, 0)["key"] = "/etc/passwd" },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: files[0]: key "/etc/passwd" starts with "/": it is outside the destination bucket`},
		{name: "a key going up", edit: func(m map[string]any) { file(m, 0)["key"] = "reports/../../secret.csv.gz" },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: files[0]: key "reports/../../secret.csv.gz" has a ".." segment: it may be outside the destination bucket`},
		{name: "a key with a dot", edit: func(m map[string]any) { file(m, 0)["key"] = "reports/./a.csv.gz" },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: files[0]: key "reports/./a.csv.gz" has a "." segment: it may be outside the destination bucket`},
		{name: "the manifest as a data file", edit: func(m map[string]any) { file(m, 0)["key"] = manifestKey },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: files[0]: key "` + manifestKey + `" is the manifest's own`},
		{name: "a file twice", edit: func(m map[string]any) {
			m["files"] = append(m["files"].([]any), map[string]any{"key": "other.csv.gz", "size": 1, "MD5checksum": strings.Repeat("0", 32)}, file(m, 0))
		},
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: files[2]: key "` + dataKey + `" is listed twice (also files[0]): its rows would count twice`},
		{name: "a bad creationTimestamp", edit: func(m map[string]any) { m["creationTimestamp"] = "2024-06-02" },
			want: inventory.ErrManifest, msg: `invalid S3 Inventory manifest: creationTimestamp is "2024-06-02": want milliseconds since 1970, such as "1514944800000"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.raw)
			if tt.edit != nil {
				m := validManifest()
				tt.edit(m)
				data = encodeManifest(t, m)
			}
			st := &memstore.Store{}
			st.Set(destBucket, manifestKey, data)
			d := &inventory.Destination{Storage: st, Bucket: destBucket}
			r, err := d.Open(t.Context(), manifestKey)
			var e *inventory.Error
			if !errors.Is(err, tt.want) || !errors.As(err, &e) {
				t.Fatalf("Open = %v, %v; want an *Error wrapping %v", r, err, tt.want)
			}
			if e.Bucket != destBucket || e.Key != manifestKey || e.Line != 0 {
				t.Errorf("Open: error names %q %q line %d; want %q %q line 0", e.Bucket, e.Key, e.Line, destBucket, manifestKey)
			}
			if got := err.Error(); got != at+tt.msg {
				t.Errorf("Open: error\n%s\nwant\n%s", got, at+tt.msg)
			}
		})
	}
}

func TestOpenAccepts(t *testing.T) {
	tests := []struct {
		name string
		edit func(m map[string]any)
	}{
		{"no version or creationTimestamp", func(m map[string]any) { delete(m, "version"); delete(m, "creationTimestamp") }},
		{"creationTimestamp a number", func(m map[string]any) { m["creationTimestamp"] = 1717286400000 }},
		{"fields unknown", func(m map[string]any) { m["newField"] = []int{1} }},
		{"no files", func(m map[string]any) { m["files"] = []any{} }},
		{"format in lower case", func(m map[string]any) { m["fileFormat"] = "csv" }},
		{"schema without spaces", func(m map[string]any) { m["fileSchema"] = "Bucket,Key" }},
		{"another partition", func(m map[string]any) { m["destinationBucket"] = "arn:aws-cn:s3:::" + destBucket }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := validManifest()
			tt.edit(m)
			st := &memstore.Store{}
			st.Set(destBucket, manifestKey, encodeManifest(t, m))
			d := &inventory.Destination{Storage: st, Bucket: destBucket}
			if _, err := d.Open(t.Context(), manifestKey); err != nil {
				t.Errorf("Open: %v", err)
			}
		})
	}
}

// TestOpenLocal reads a manifest from local files (Bucket ""): it may name
// any destination bucket, and is found under Root.
func TestOpenLocal(t *testing.T) {
	for _, root := range []string{"copy", "copy/"} {
		st := &memstore.Store{}
		m := validManifest()
		m["destinationBucket"] = "arn:aws:s3:::another-bucket"
		st.Set("", "copy/"+manifestKey, encodeManifest(t, m))
		d := &inventory.Destination{Storage: st, Root: root}
		if _, err := d.Open(t.Context(), manifestKey); err != nil {
			t.Errorf("Root %q: Open: %v", root, err)
		}
	}
}

func TestOpenTooLarge(t *testing.T) {
	st := &memstore.Store{}
	m := validManifest()
	m["padding"] = strings.Repeat(" ", inventory.MaxManifestBytes)
	st.Set(destBucket, manifestKey, encodeManifest(t, m))
	d := &inventory.Destination{Storage: st, Bucket: destBucket}
	_, err := d.Open(t.Context(), manifestKey)
	if want := "mem://example-reports/" + manifestKey + ": invalid S3 Inventory manifest: larger than 16 MiB"; err == nil || err.Error() != want {
		t.Errorf("Open = %v; want %s", err, want)
	}
}

// TestOpenStorageErrors checks that the Storage's errors come back for
// the caller to classify.
func TestOpenStorageErrors(t *testing.T) {
	st := &memstore.Store{}
	d := &inventory.Destination{Storage: st, Bucket: destBucket}
	_, err := d.Open(t.Context(), manifestKey)
	if !errors.Is(err, job.ErrNotFound) {
		t.Errorf("Open of a missing manifest = %v; want a job.ErrNotFound", err)
	}
	if want := "inventory manifest: mem://example-reports/" + manifestKey + ": object not found"; err == nil || err.Error() != want {
		t.Errorf("Open of a missing manifest = %v; want %s", err, want)
	}
}
