package inventory_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/sumsq/sumsq/internal/inventory"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/memstore"
)

// versionedRows are the rows of a report of all versions: the current
// ones, in the report's order, are what a listing of the bucket holds.
var versionedRows = []inventory.Row{
	{Key: "today/z.log", Size: 3, VersionID: "v9"},
	{Key: "today/z.log", Size: 8, VersionID: "v8", Noncurrent: true},
	{Key: "today/gone.log", Size: -1, VersionID: "v7", DeleteMarker: true},
	{Key: "today/gone.log", Size: 4, VersionID: "v6", Noncurrent: true},
	{Key: "today/a b.log", Size: 0, VersionID: "v5"},
	{Key: "results/x/SUCCEEDED_0.json", Size: 9, VersionID: "v4"},
	{Key: "todays/other.log", Size: 2, VersionID: "v3"},
	{Key: "today/sub/", Size: 0, VersionID: "null"},
}

// writeReport writes rows as a report of all versions in data files of two
// rows, and opens it.
func writeReport(t *testing.T, st *memstore.Store, rows []inventory.Row) *inventory.Report {
	t.Helper()
	w := &inventory.Writer{
		Destination:  inventory.Destination{Storage: st, Bucket: destBucket},
		SourceBucket: sourceBucket,
		Created:      created,
		Versions:     true,
		RowsPerFile:  2,
	}
	key, err := w.Write(t.Context(), slices.Values(rows))
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.Open(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func listAll(t *testing.T, l job.Lister, bucket, prefix string) ([]job.Item, error) {
	t.Helper()
	var items []job.Item
	for item, err := range l.List(t.Context(), bucket, prefix) {
		if err != nil {
			if item.Key != "" {
				t.Errorf("List yielded %+v with error %v; want an Item with no Key", item, err)
			}
			return items, err
		}
		items = append(items, item)
	}
	return items, nil
}

func TestList(t *testing.T) {
	r := writeReport(t, &memstore.Store{}, versionedRows)
	item := func(key string, size int64) job.Item { return job.Item{Bucket: sourceBucket, Key: key, Size: size} }
	tests := []struct {
		name           string
		bucket, prefix string
		want           []job.Item
	}{
		{"the source bucket", sourceBucket, "", []job.Item{
			item("today/z.log", 3), item("today/a b.log", 0), item("results/x/SUCCEEDED_0.json", 9),
			item("todays/other.log", 2), item("today/sub/", 0),
		}},
		{"any bucket", "", "", []job.Item{
			item("today/z.log", 3), item("today/a b.log", 0), item("results/x/SUCCEEDED_0.json", 9),
			item("todays/other.log", 2), item("today/sub/", 0),
		}},
		{"under a prefix", sourceBucket, "today/", []job.Item{
			item("today/z.log", 3), item("today/a b.log", 0), item("today/sub/", 0),
		}},
		{"another bucket", "other", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := listAll(t, r, tt.bucket, tt.prefix)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("List(%q, %q) = %+v, %v;\nwant %+v, nil", tt.bucket, tt.prefix, got, err, tt.want)
			}
		})
	}
}

// TestListSizeUnknown: a report without a Size column lists objects of
// unknown size.
func TestListSizeUnknown(t *testing.T) {
	st, m := rawReport(t, "Bucket, Key", `"example-numbers","a+b"`+"\n")
	storeManifest(t, st, m)
	r, err := (&inventory.Destination{Storage: st, Bucket: destBucket}).Open(t.Context(), manifestKey)
	if err != nil {
		t.Fatal(err)
	}
	got, err := listAll(t, r, "", "")
	if want := []job.Item{{Bucket: sourceBucket, Key: "a b", Size: -1}}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("List = %+v, %v; want %+v, nil", got, err, want)
	}
}

// TestListFails: a data file that cannot be read ends the listing with its
// error, after the rows read before it.
func TestListFails(t *testing.T) {
	st := &memstore.Store{}
	r := writeReport(t, st, versionedRows)
	denied := &job.StorageError{Kind: job.ErrDenied}
	st.Fail(destBucket, r.Files[1].Key, denied)
	got, err := listAll(t, r, "", "")
	if want := []job.Item{{Bucket: sourceBucket, Key: "today/z.log", Size: 3}}; !reflect.DeepEqual(got, want) || !errors.Is(err, job.ErrDenied) {
		t.Errorf("List = %+v, %v; want %+v, an error of kind job.ErrDenied", got, err, want)
	}

	st = &memstore.Store{}
	r = writeReport(t, st, versionedRows)
	st.Set(destBucket, r.Files[1].Key, []byte("not gzip"))
	if _, err := listAll(t, r, "", ""); !errors.Is(err, inventory.ErrData) {
		t.Errorf("List of a report with a data file replaced: error %v; want an inventory.ErrData", err)
	}
}

// TestDetect tells an S3 Inventory manifest from what else a key ending in
// manifest.json may be.
func TestDetect(t *testing.T) {
	mapRunManifest := `{"DestinationBucket":"b","MapRunArn":"arn:aws:states:us-east-1:1:mapRun:m/SumObjects:1",` +
		`"ResultFiles":{"FAILED":[],"PENDING":[],"SUCCEEDED":[]}}`
	broken := validManifest()
	broken["fileFormat"] = "ORC"
	tests := []struct {
		name    string
		content []byte // nil: no such object
		ok      bool
		err     error
	}{
		{"an inventory manifest", encodeManifest(t, validManifest()), true, nil},
		{"no such object", nil, false, nil},
		{"a file of numbers", []byte("1\n2\n"), false, nil},
		{"empty", []byte{}, false, nil},
		{"a Map Run's manifest", []byte(mapRunManifest), false, nil},
		{"a JSON array", []byte(`[{"sourceBucket": "b"}]`), false, nil},
		{"an inventory manifest of ORC files", encodeManifest(t, broken), true, inventory.ErrFormat},
		{"an inventory manifest cut short", cutShort(encodeManifest(t, validManifest())), true, inventory.ErrManifest},
		{"a fileSchema alone", []byte(`{"fileSchema": "Bucket, Key"}`), true, inventory.ErrManifest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &memstore.Store{}
			if tt.content != nil {
				st.Set(destBucket, manifestKey, tt.content)
			}
			d := &inventory.Destination{Storage: st, Bucket: destBucket}
			r, ok, err := d.Detect(t.Context(), manifestKey)
			if ok != tt.ok || (tt.err == nil) != (err == nil) || tt.err != nil && !errors.Is(err, tt.err) || (r != nil) != (ok && err == nil) {
				t.Errorf("Detect = %v, %v, %v; want a report %v, %v, %v", r != nil, ok, err, tt.ok && tt.err == nil, tt.ok, tt.err)
			}
		})
	}

	st := &memstore.Store{}
	st.Fail(destBucket, manifestKey, &job.StorageError{Kind: job.ErrDenied})
	d := &inventory.Destination{Storage: st, Bucket: destBucket}
	if _, ok, err := d.Detect(t.Context(), manifestKey); ok || !errors.Is(err, job.ErrDenied) {
		t.Errorf("Detect of a manifest that cannot be read = %v, %v; want false, an error of kind job.ErrDenied", ok, err)
	}
}

func cutShort(b []byte) []byte { return b[:len(b)-10] }

// TestOpenLocalFindsRoot opens a copy of a destination bucket by the path
// of its manifest, wherever the copy is: the data files are found beside
// it.
func TestOpenLocalFindsRoot(t *testing.T) {
	for _, root := range []string{"", "copy/", "/tmp/x/copy/", "reports/"} {
		t.Run(root, func(t *testing.T) {
			st := &memstore.Store{}
			w := &inventory.Writer{
				Destination:       inventory.Destination{Storage: st, Root: root},
				DestinationBucket: destBucket,
				SourceBucket:      sourceBucket,
				Prefix:            "reports",
				Created:           created,
			}
			key, err := w.Write(t.Context(), slices.Values([]inventory.Row{{Key: "a", Size: 1}}))
			if err != nil {
				t.Fatal(err)
			}
			for _, open := range []func(d *inventory.Destination) (*inventory.Report, error){
				func(d *inventory.Destination) (*inventory.Report, error) { return d.Open(t.Context(), root+key) },
				func(d *inventory.Destination) (*inventory.Report, error) {
					r, _, err := d.Detect(t.Context(), root+key)
					return r, err
				},
			} {
				r, err := open(&inventory.Destination{Storage: st})
				if err != nil {
					t.Fatal(err)
				}
				got, err := listAll(t, r, "", "")
				if want := []job.Item{{Bucket: sourceBucket, Key: "a", Size: 1}}; err != nil || !reflect.DeepEqual(got, want) {
					t.Errorf("%s: List = %+v, %v; want %+v, nil", root+key, got, err, want)
				}
			}
		})
	}
}
