package inventory_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sumsq/sumsq/internal/filestore"
	"github.com/sumsq/sumsq/internal/inventory"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/memstore"
	"github.com/sumsq/sumsq/internal/storetest"
)

var created = time.Date(2024, 6, 2, 0, 0, 0, 0, time.UTC)

// TestRoundTrip writes reports and reads them back.
func TestRoundTrip(t *testing.T) {
	var tricky, many []inventory.Row
	for i, k := range storetest.TrickyKeys {
		tricky = append(tricky, inventory.Row{Key: k, Size: int64(i)})
	}
	for i := range 1000 {
		many = append(many, inventory.Row{Key: fmt.Sprintf("n/%04d.txt", i), Size: int64(i * 7)})
	}
	versions := []inventory.Row{
		{Key: "a", Size: 3, VersionID: "v2"},
		{Key: "a", Size: 2, VersionID: "v1", Noncurrent: true},
		{Key: "b", Size: -1, VersionID: "v9", DeleteMarker: true},
		{Key: "b", Size: 4, VersionID: "v8", Noncurrent: true},
		{Key: "empty", Size: 0, VersionID: "null"},
	}
	tests := []struct {
		name      string
		rows      []inventory.Row
		versions  bool
		perFile   int
		wantFiles int
	}{
		{"no rows", nil, false, 0, 0},
		{"one row", many[:1], false, 0, 1},
		{"tricky keys", tricky, false, 0, 1},
		{"one row per file", tricky, false, 1, len(tricky)},
		{"files of 3 rows", many[:10], false, 3, 4},
		{"files exactly full", many[:9], false, 3, 3},
		{"1000 rows", many, false, 100, 10},
		{"all versions", versions, true, 2, 3},
		{"unknown sizes", []inventory.Row{{Key: "x", Size: -1}}, false, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &memstore.Store{}
			w := &inventory.Writer{
				Destination:  inventory.Destination{Storage: st, Bucket: destBucket},
				SourceBucket: sourceBucket,
				Prefix:       "reports",
				ConfigID:     "daily",
				Created:      created,
				Versions:     tt.versions,
				RowsPerFile:  tt.perFile,
			}
			key, err := w.Write(t.Context(), slices.Values(tt.rows))
			if err != nil || key != manifestKey {
				t.Fatalf("Write = %q, %v; want %q, nil", key, err, manifestKey)
			}
			r, err := w.Open(t.Context(), key)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if len(r.Files) != tt.wantFiles {
				t.Errorf("%d data files; want %d", len(r.Files), tt.wantFiles)
			}
			var got []inventory.Row
			for row, err := range r.Rows(t.Context()) {
				if err != nil {
					t.Fatalf("Rows: %v", err)
				}
				got = append(got, row)
			}
			want := slices.Clone(tt.rows)
			for i := range want {
				want[i].Bucket = sourceBucket
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Rows =\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

// TestWriterLayout checks what Writer stores against what S3 delivers
// (storage-inventory-location.html): where, the manifest's fields, the
// checksum, and data files of gzipped CSV, every field quoted, keys
// URL-encoded.
func TestWriterLayout(t *testing.T) {
	st := &memstore.Store{}
	w := &inventory.Writer{
		Destination:  inventory.Destination{Storage: st, Bucket: destBucket},
		SourceBucket: sourceBucket,
		Prefix:       "reports/",
		ConfigID:     "daily",
		Created:      created.Add(90 * time.Second),
		RowsPerFile:  2,
	}
	rows := []inventory.Row{{Key: "a b.txt", Size: 3}, {Key: "c+d/100%.txt", Size: 0}, {Key: `q",é`, Size: 12}}
	if _, err := w.Write(t.Context(), slices.Values(rows)); err != nil {
		t.Fatal(err)
	}
	dir := "reports/example-numbers/daily/"
	keys := keysOf(t, st)
	uuid := `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`
	wantKeys := regexp.MustCompile(`^` + dir + `2024-06-02T00-01Z/manifest\.checksum ` + dir + `2024-06-02T00-01Z/manifest\.json ` +
		dir + `data/` + uuid + `\.csv\.gz ` + dir + `data/` + uuid + `\.csv\.gz$`)
	if got := strings.Join(keys, " "); !wantKeys.MatchString(got) {
		t.Fatalf("keys stored:\n%s\nwant to match\n%s", got, wantKeys)
	}

	manifest := get(st, destBucket, dir+"2024-06-02T00-01Z/manifest.json")
	if got, want := string(get(st, destBucket, dir+"2024-06-02T00-01Z/manifest.checksum")), md5Hex(manifest); got != want {
		t.Errorf("manifest.checksum is %q; want the manifest's MD5 %q", got, want)
	}
	var m map[string]any
	if err := json.Unmarshal(manifest, &m); err != nil {
		t.Fatal(err)
	}
	files := m["files"].([]any)
	delete(m, "files")
	wantManifest := map[string]any{
		"sourceBucket":      sourceBucket,
		"destinationBucket": "arn:aws:s3:::" + destBucket,
		"version":           "2016-11-30",
		"creationTimestamp": "1717286490000",
		"fileFormat":        "CSV",
		"fileSchema":        "Bucket, Key, Size",
	}
	if !reflect.DeepEqual(m, wantManifest) {
		t.Errorf("manifest = %v; want %v", m, wantManifest)
	}

	wantText := []string{
		`"example-numbers","a+b.txt","3"` + "\n" + `"example-numbers","c%2Bd/100%25.txt","0"` + "\n",
		`"example-numbers","q%22%2C%C3%A9","12"` + "\n",
	}
	if len(files) != len(wantText) {
		t.Fatalf("%d files; want %d", len(files), len(wantText))
	}
	for i, f := range files {
		f := f.(map[string]any)
		data := get(st, destBucket, f["key"].(string))
		if f["size"] != float64(len(data)) || f["MD5checksum"] != md5Hex(data) {
			t.Errorf("files[%d]: size %v, MD5checksum %v; the file has %d bytes, MD5 %s", i, f["size"], f["MD5checksum"], len(data), md5Hex(data))
		}
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("files[%d]: %v", i, err)
		}
		text, err := io.ReadAll(zr)
		if err != nil || string(text) != wantText[i] {
			t.Errorf("files[%d] holds %q, %v; want %q", i, text, err, wantText[i])
		}
	}
}

// TestWriterLocal writes a report to local files, and reads it back.
// filestore.Put makes no folders: the test makes those the report needs.
func TestWriterLocal(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"data", "2024-06-02T00-00Z"} {
		if err := os.MkdirAll(filepath.Join(dir, "example-numbers", "inventory", sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	w := &inventory.Writer{
		Destination:       inventory.Destination{Storage: &filestore.Store{}, Root: dir},
		DestinationBucket: destBucket,
		SourceBucket:      sourceBucket,
		Created:           created,
	}
	key, err := w.Write(t.Context(), slices.Values([]inventory.Row{{Key: "x y", Size: 1}}))
	if want := "example-numbers/inventory/2024-06-02T00-00Z/manifest.json"; err != nil || key != want {
		t.Fatalf("Write = %q, %v; want %q, nil", key, err, want)
	}
	r, err := w.Open(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	var got []inventory.Row
	for row, err := range r.Rows(t.Context()) {
		if err != nil {
			t.Fatalf("Rows: %v", err)
		}
		got = append(got, row)
	}
	if want := []inventory.Row{{Bucket: sourceBucket, Key: "x y", Size: 1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Rows = %+v; want %+v", got, want)
	}
}

func TestWriterErrors(t *testing.T) {
	putErr := &job.StorageError{Kind: job.ErrDenied, Err: errors.New("no")}
	tests := []struct {
		name string
		edit func(*inventory.Writer)
		rows []inventory.Row
		want string
	}{
		{"no source bucket", func(w *inventory.Writer) { w.SourceBucket = "" }, nil,
			"inventory: Writer.SourceBucket is empty"},
		{"no destination", func(w *inventory.Writer) { w.Bucket = "" }, nil,
			"inventory: Writer has no DestinationBucket (and no Bucket)"},
		{"negative rows per file", func(w *inventory.Writer) { w.RowsPerFile = -1 }, nil,
			"inventory: Writer.RowsPerFile is -1"},
		{"a row of another bucket", nil, []inventory.Row{{Key: "a"}, {Bucket: "other", Key: "b"}},
			`inventory: row 2: bucket "other" is not the source bucket "example-numbers"`},
		{"an empty key", nil, []inventory.Row{{Key: ""}},
			"inventory: row 1: empty key"},
		{"an old version in a report of current ones", nil, []inventory.Row{{Key: "a", Noncurrent: true}},
			"inventory: row 1: a report of current versions lists no noncurrent version or delete marker"},
		{"a delete marker in a report of current ones", nil, []inventory.Row{{Key: "a", DeleteMarker: true}},
			"inventory: row 1: a report of current versions lists no noncurrent version or delete marker"},
		{"a version in a report of current ones", nil, []inventory.Row{{Key: "a", VersionID: "v1"}},
			"inventory: row 1: a report of current versions has no VersionId"},
		{"storage failing", func(w *inventory.Writer) { w.Storage = failingPuts{w.Storage.(*memstore.Store), putErr} }, []inventory.Row{{Key: "a"}},
			"inventory: writing the report: mem://" + destBucket + "/*: " + putErr.Error()}, // a data file of a random name
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &memstore.Store{}
			w := &inventory.Writer{
				Destination:  inventory.Destination{Storage: st, Bucket: destBucket},
				SourceBucket: sourceBucket,
			}
			if tt.edit != nil {
				tt.edit(w)
			}
			key, err := w.Write(t.Context(), slices.Values(tt.rows))
			head, tail, wild := strings.Cut(tt.want, "*")
			if err == nil || !wild && err.Error() != tt.want ||
				wild && (!strings.HasPrefix(err.Error(), head) || !strings.HasSuffix(err.Error(), tail) || !errors.Is(err, job.ErrDenied)) {
				t.Errorf("Write = %q, %v; want error %s", key, err, tt.want)
			}
			for _, k := range keysOf(t, st) {
				if strings.HasSuffix(k, "manifest.json") {
					t.Errorf("Write failed, and stored %s", k)
				}
			}
		})
	}
}

// keysOf returns the keys of the destination bucket in st, in order.
func keysOf(t *testing.T, st *memstore.Store) []string {
	var keys []string
	for item, err := range st.List(t.Context(), destBucket, "") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, item.Key)
	}
	return keys
}

// failingPuts is a store whose every Put fails with err.
type failingPuts struct {
	*memstore.Store
	err error
}

func (f failingPuts) Put(context.Context, string, string, io.ReadSeeker, int64) error { return f.err }
