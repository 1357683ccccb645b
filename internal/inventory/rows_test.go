package inventory_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/sumsq/sumsq/internal/inventory"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/memstore"
	"github.com/sumsq/sumsq/internal/urlkey"
)

func gzipped(t testing.TB, text string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := io.WriteString(zw, text); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func md5Hex(data []byte) string {
	sum := md5.Sum(data)
	return hex.EncodeToString(sum[:])
}

// dataFileKey is the key of the i-th data file of a report made by
// rawReport.
func dataFileKey(i int) string {
	return fmt.Sprintf("reports/example-numbers/daily/data/file-%d.csv.gz", i)
}

// rawReport stores data files holding texts, gzipped, in a new memstore,
// and returns it with the manifest of a report of them with schema, to be
// edited and stored by storeManifest.
func rawReport(t testing.TB, schema string, texts ...string) (*memstore.Store, map[string]any) {
	t.Helper()
	st := &memstore.Store{}
	m := validManifest()
	m["fileSchema"] = schema
	files := []any{}
	for i, text := range texts {
		data := gzipped(t, text)
		st.Set(destBucket, dataFileKey(i), data)
		files = append(files, map[string]any{"key": dataFileKey(i), "size": len(data), "MD5checksum": md5Hex(data)})
	}
	m["files"] = files
	return st, m
}

func storeManifest(t testing.TB, st *memstore.Store, m map[string]any) {
	t.Helper()
	st.Set(destBucket, manifestKey, encodeManifest(t, m))
}

// readAll opens the report at manifestKey in st and returns its rows, and
// the error that stopped them.
func readAll(t testing.TB, ctx context.Context, st job.Storage) ([]inventory.Row, error) {
	t.Helper()
	d := &inventory.Destination{Storage: st, Bucket: destBucket}
	r, err := d.Open(ctx, manifestKey)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	var rows []inventory.Row
	for row, err := range r.Rows(ctx) {
		if err != nil {
			if row != (inventory.Row{}) {
				t.Errorf("Rows yielded %+v with error %v; want a zero Row", row, err)
			}
			return rows, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func TestRows(t *testing.T) {
	const (
		plain     = "Bucket, Key, Size"
		versioned = "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate, ETag, StorageClass"
	)
	row := func(key string, size int64) inventory.Row {
		return inventory.Row{Bucket: sourceBucket, Key: key, Size: size}
	}
	tests := []struct {
		name   string
		schema string
		texts  []string
		want   []inventory.Row
	}{
		{"one file", plain, []string{
			`"example-numbers","a.txt","3"` + "\n" +
				`"example-numbers","b+c%2Bd.txt","0"` + "\n",
		}, []inventory.Row{row("a.txt", 3), row("b c+d.txt", 0)}},
		{"files in manifest order", plain, []string{
			`"example-numbers","z","1"` + "\n",
			`"example-numbers","a","2"` + "\n" + `"example-numbers","m","3"` + "\n",
		}, []inventory.Row{row("z", 1), row("a", 2), row("m", 3)}},
		{"an empty file", plain, []string{"", `"example-numbers","a","2"` + "\n"},
			[]inventory.Row{row("a", 2)}},
		{"no final new line", plain, []string{`"example-numbers","a","2"`},
			[]inventory.Row{row("a", 2)}},
		{"CRLF", plain, []string{`"example-numbers","a","2"` + "\r\n"},
			[]inventory.Row{row("a", 2)}},
		{"fields unquoted", plain, []string{"example-numbers,a,2\n"},
			[]inventory.Row{row("a", 2)}},
		{"columns in another order", "Size, Key, ETag, Bucket", []string{`"7","k%2F1","x","example-numbers"` + "\n"},
			[]inventory.Row{row("k/1", 7)}},
		{"no Size column", "Bucket, Key", []string{`"example-numbers","a"` + "\n"},
			[]inventory.Row{row("a", -1)}},
		{"a size of 5 TiB", plain, []string{`"example-numbers","big","5497558138880"` + "\n"},
			[]inventory.Row{row("big", 5<<40)}},
		{"all versions", versioned, []string{
			`"example-numbers","a","v3","true","false","10","2024-06-01T10:00:00.000Z","e3","STANDARD"` + "\n" +
				`"example-numbers","a","v2","false","false","9","2024-05-01T10:00:00.000Z","e2","STANDARD"` + "\n" +
				`"example-numbers","gone","v5","true","true","","2024-06-01T10:00:00.000Z","",""` + "\n" +
				`"example-numbers","gone","v4","false","false","4","2024-04-01T10:00:00.000Z","e4","GLACIER"` + "\n" +
				`"example-numbers","old","null","True","FALSE","1","2020-01-01T00:00:00.000Z","e1","STANDARD"` + "\n" +
				`"example-numbers","blank","","","","2","2020-01-01T00:00:00.000Z","e1","STANDARD"` + "\n",
		}, []inventory.Row{
			{Bucket: sourceBucket, Key: "a", Size: 10, VersionID: "v3"},
			{Bucket: sourceBucket, Key: "a", Size: 9, VersionID: "v2", Noncurrent: true},
			{Bucket: sourceBucket, Key: "gone", Size: -1, VersionID: "v5", DeleteMarker: true},
			{Bucket: sourceBucket, Key: "gone", Size: 4, VersionID: "v4", Noncurrent: true},
			{Bucket: sourceBucket, Key: "old", Size: 1, VersionID: "null"},
			{Bucket: sourceBucket, Key: "blank", Size: 2},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, m := rawReport(t, tt.schema, tt.texts...)
			storeManifest(t, st, m)
			got, err := readAll(t, t.Context(), st)
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Rows = %+v, %v;\nwant %+v, nil", got, err, tt.want)
			}
		})
	}
}

func TestCurrent(t *testing.T) {
	tests := []struct {
		name string
		row  inventory.Row
		want bool
	}{
		{"a report of current versions", inventory.Row{Key: "a", Size: 1}, true},
		{"the latest version", inventory.Row{Key: "a", Size: 1, VersionID: "v2"}, true},
		{"an older version", inventory.Row{Key: "a", Size: 1, VersionID: "v1", Noncurrent: true}, false},
		{"a delete marker", inventory.Row{Key: "a", Size: -1, VersionID: "v3", DeleteMarker: true}, false},
		{"an older delete marker", inventory.Row{Key: "a", Size: -1, VersionID: "v0", Noncurrent: true, DeleteMarker: true}, false},
	}
	for _, tt := range tests {
		if got := tt.row.Current(); got != tt.want {
			t.Errorf("%s: %+v.Current() = %v; want %v", tt.name, tt.row, got, tt.want)
		}
	}
}

// TestRowsDataErrors pins what the user reads about a data file that is
// not what its manifest says, or not what S3 writes: the file, the line,
// what is wrong.
func TestRowsDataErrors(t *testing.T) {
	const (
		plain     = "Bucket, Key, Size"
		versioned = "Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size"
		good      = `"example-numbers","a","1"` + "\n"
	)
	file0 := "mem://" + destBucket + "/" + dataFileKey(0) + ": "
	file1 := "mem://" + destBucket + "/" + dataFileKey(1) + ": "
	// edit changes a data file after its manifest entry was made.
	edit := func(i int, f func([]byte) []byte) func(*memstore.Store, map[string]any) {
		return func(st *memstore.Store, m map[string]any) {
			st.Set(destBucket, dataFileKey(i), f(bytes.Clone(get(st, destBucket, dataFileKey(i)))))
		}
	}
	// replace stores data as file i, its manifest entry made to match.
	replace := func(i int, data []byte) func(*memstore.Store, map[string]any) {
		return func(st *memstore.Store, m map[string]any) {
			st.Set(destBucket, dataFileKey(i), data)
			file(m, i)["size"] = len(data)
			file(m, i)["MD5checksum"] = md5Hex(data)
		}
	}
	tests := []struct {
		name   string
		schema string
		texts  []string
		tamper func(*memstore.Store, map[string]any)
		rows   int    // rows read before the error
		msg    string // the error
	}{
		{name: "another bucket", schema: plain, texts: []string{good + `"other","b","1"` + "\n"}, rows: 1,
			msg: file0 + `line 2: invalid S3 Inventory data file: column Bucket is "other", not the report's source bucket "example-numbers"`},
		{name: "a bad escape", schema: plain, texts: []string{`"example-numbers","a%zz","1"` + "\n"},
			msg: file0 + `line 1: invalid S3 Inventory data file: column Key, "a%zz": bad escape "%zz" in URL-encoded key`},
		{name: "a key not UTF-8", schema: plain, texts: []string{`"example-numbers","%FF","1"` + "\n"},
			msg: file0 + `line 1: invalid S3 Inventory data file: column Key, "%FF": URL-encoded key is not UTF-8 once decoded`},
		{name: "an empty key", schema: plain, texts: []string{`"example-numbers","","1"` + "\n"},
			msg: file0 + `line 1: invalid S3 Inventory data file: column Key is empty`},
		{name: "a size not a number", schema: plain, texts: []string{`"example-numbers","a","1 KB"` + "\n"},
			msg: file0 + `line 1: invalid S3 Inventory data file: column Size is "1 KB", not a number of bytes`},
		{name: "a negative size", schema: plain, texts: []string{`"example-numbers","a","-1"` + "\n"},
			msg: file0 + `line 1: invalid S3 Inventory data file: column Size is "-1", not a number of bytes`},
		{name: "a size with a sign", schema: plain, texts: []string{`"example-numbers","a","+1"` + "\n"},
			msg: file0 + `line 1: invalid S3 Inventory data file: column Size is "+1", not a number of bytes`},
		{name: "a size too large", schema: plain, texts: []string{`"example-numbers","a","9223372036854775808"` + "\n"},
			msg: file0 + `line 1: invalid S3 Inventory data file: column Size is "9223372036854775808", not a number of bytes`},
		{name: "IsLatest not a boolean", schema: versioned, texts: []string{`"example-numbers","a","v1","yes","false","1"` + "\n"},
			msg: file0 + `line 1: invalid S3 Inventory data file: column IsLatest is "yes", not true or false`},
		{name: "IsDeleteMarker not a boolean", schema: versioned, texts: []string{`"example-numbers","a","v1","true","1","1"` + "\n"},
			msg: file0 + `line 1: invalid S3 Inventory data file: column IsDeleteMarker is "1", not true or false`},
		{name: "too few fields", schema: plain, texts: []string{good + good + `"example-numbers","a"` + "\n"}, rows: 2,
			msg: file0 + `line 3: invalid S3 Inventory data file: wrong number of fields`},
		{name: "too many fields", schema: plain, texts: []string{`"example-numbers","a","1","x"` + "\n"},
			msg: file0 + `line 1: invalid S3 Inventory data file: wrong number of fields`},
		{name: "a stray quote", schema: plain, texts: []string{`"example-numbers","a"b","1"` + "\n"},
			msg: file0 + `line 1: invalid S3 Inventory data file: extraneous or missing " in quoted-field`},
		{name: "a line too long", schema: plain, texts: []string{`"example-numbers","` + strings.Repeat("k", 70<<10) + `","1"` + "\n"},
			msg: file0 + `invalid S3 Inventory data file: a line longer than 64 KiB`},
		{name: "the second file", schema: plain, texts: []string{good, good + `"example-numbers","a","x"` + "\n"}, rows: 2,
			msg: file1 + `line 2: invalid S3 Inventory data file: column Size is "x", not a number of bytes`},

		{name: "another MD5 in the manifest", schema: plain, texts: []string{good},
			tamper: func(st *memstore.Store, m map[string]any) { file(m, 0)["MD5checksum"] = strings.Repeat("ab", 16) }, rows: 1,
			msg: file0 + "invalid S3 Inventory data file: MD5 is {stored}, not the abababababababababababababababab its manifest says: the file is corrupt or was replaced"},
		{name: "a byte changed", schema: plain, texts: []string{good + good},
			tamper: edit(0, func(b []byte) []byte { b[len(b)/2] ^= 0x55; return b }),
			msg:    file0 + "invalid S3 Inventory data file: MD5 is {stored}, not the {made} its manifest says: the file is corrupt or was replaced"},
		{name: "cut short", schema: plain, texts: []string{good + good},
			tamper: edit(0, func(b []byte) []byte { return b[:len(b)-5] }),
			rows:   2, msg: file0 + "invalid S3 Inventory data file: {stored size} bytes, not the {size} its manifest says: the file is truncated or was replaced"},
		{name: "longer", schema: plain, texts: []string{good + good},
			tamper: edit(0, func(b []byte) []byte { return append(b, gzipped(t, good)...) }), rows: 2,
			msg: file0 + "invalid S3 Inventory data file: longer than the {size} bytes its manifest says: the file was replaced, or the manifest is not its own"},
		{name: "not gzip", schema: plain, texts: []string{good},
			tamper: replace(0, []byte(good)),
			msg:    file0 + "invalid S3 Inventory data file: gzip: invalid header"},
		{name: "empty", schema: plain, texts: []string{good},
			tamper: replace(0, nil),
			msg:    file0 + "invalid S3 Inventory data file: empty, not gzip"},
		{name: "data after the gzip stream", schema: plain, texts: []string{good},
			tamper: func(st *memstore.Store, m map[string]any) {
				replace(0, append(gzipped(t, good), "trailing bytes, not gzip"...))(st, m)
			}, rows: 1,
			msg: file0 + "invalid S3 Inventory data file: gzip: invalid header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, m := rawReport(t, tt.schema, tt.texts...)
			made, size := file(m, 0)["MD5checksum"].(string), file(m, 0)["size"].(int)
			if tt.tamper != nil {
				tt.tamper(st, m)
			}
			storeManifest(t, st, m)
			rows, err := readAll(t, t.Context(), st)
			var e *inventory.Error
			if !errors.Is(err, inventory.ErrData) || !errors.As(err, &e) {
				t.Fatalf("Rows: error %v; want an *Error wrapping ErrData", err)
			}
			if len(rows) != tt.rows {
				t.Errorf("Rows: %d rows before the error; want %d", len(rows), tt.rows)
			}
			stored := get(st, destBucket, dataFileKey(0))
			want := strings.NewReplacer(
				"{stored}", md5Hex(stored), "{made}", made,
				"{stored size}", fmt.Sprint(len(stored)), "{size}", fmt.Sprint(size),
			).Replace(tt.msg)
			if err.Error() != want {
				t.Errorf("Rows: error\n%s\nwant\n%s", err, want)
			}
		})
	}
}

// TestRowsStorageErrors checks that the Storage's errors, reading a data
// file, come back for the caller to classify.
func TestRowsStorageErrors(t *testing.T) {
	unavailable := &job.StorageError{Kind: job.ErrUnavailable, Err: errors.New("connection reset")}
	at := "inventory data file: mem://" + destBucket + "/" + dataFileKey(0) + ": "
	tests := []struct {
		name  string
		setup func(*memstore.Store)
		check func(error) bool
		msg   string
	}{
		{"a data file missing", func(st *memstore.Store) { st.Delete(destBucket, dataFileKey(1)) },
			func(err error) bool { return errors.Is(err, job.ErrNotFound) },
			"inventory data file: mem://example-reports/" + dataFileKey(1) + ": object not found"},
		{"S3 failing at the start", func(st *memstore.Store) {
			dataFiles(st, func(_ context.Context, _ int64, r io.Reader) io.Reader { return iotest.ErrReader(unavailable) })
		},
			func(err error) bool { return errors.Is(err, job.ErrUnavailable) },
			at + unavailable.Error()},
		{"S3 failing in the middle", func(st *memstore.Store) {
			dataFiles(st, func(_ context.Context, _ int64, r io.Reader) io.Reader {
				return io.MultiReader(io.LimitReader(r, 30), iotest.ErrReader(unavailable))
			})
		},
			func(err error) bool { return errors.Is(err, job.ErrUnavailable) },
			at + unavailable.Error()},
		{"S3 failing at the end", func(st *memstore.Store) {
			dataFiles(st, func(_ context.Context, _ int64, r io.Reader) io.Reader {
				return io.MultiReader(r, iotest.ErrReader(unavailable))
			})
		},
			func(err error) bool { return errors.Is(err, job.ErrUnavailable) },
			at + unavailable.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, m := rawReport(t, "Bucket, Key, Size", `"example-numbers","a","1"`+"\n"+`"example-numbers","b","2"`+"\n", `"example-numbers","c","1"`+"\n")
			storeManifest(t, st, m)
			tt.setup(st)
			_, err := readAll(t, t.Context(), st)
			if !tt.check(err) || errors.Is(err, inventory.ErrData) {
				t.Errorf("Rows: error %v (%T); want the Storage's", err, err)
			}
			if err == nil || err.Error() != tt.msg {
				t.Errorf("Rows: error\n%v\nwant\n%s", err, tt.msg)
			}
		})
	}
}

func TestRowsContextCanceled(t *testing.T) {
	st, m := rawReport(t, "Bucket, Key, Size", `"example-numbers","a","1"`+"\n", `"example-numbers","b","1"`+"\n")
	storeManifest(t, st, m)
	d := &inventory.Destination{Storage: st, Bucket: destBucket}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	r, err := d.Open(ctx, manifestKey)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for row, err := range r.Rows(ctx) {
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Rows: error %v; want context.Canceled", err)
			}
			break
		}
		keys = append(keys, row.Key)
		cancel()
	}
	if want := []string{"a"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("Rows: keys %q before the context ended; want %q", keys, want)
	}
}

// TestRowsReaders reads a report through readers that misbehave within
// io.Reader's contract: every one gives the same rows.
func TestRowsReaders(t *testing.T) {
	var text strings.Builder
	var want []inventory.Row
	for i := range 500 {
		key := fmt.Sprintf("dir %d/file+%d.txt", i%7, i)
		fmt.Fprintf(&text, "%q,%q,\"%d\"\n", sourceBucket, urlkey.Encode(key), i)
		want = append(want, inventory.Row{Bucket: sourceBucket, Key: key, Size: int64(i)})
	}
	tests := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"plain", func(r io.Reader) io.Reader { return r }},
		{"one byte at a time", iotest.OneByteReader},
		{"half of what is asked", iotest.HalfReader},
		{"EOF with the last bytes", iotest.DataErrReader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, m := rawReport(t, "Bucket, Key, Size", text.String(), text.String())
			storeManifest(t, st, m)
			wrap := func(_ context.Context, _ int64, r io.Reader) io.Reader { return tt.wrap(r) }
			st.Wrap(destBucket, manifestKey, wrap)
			dataFiles(st, wrap)
			got, err := readAll(t, t.Context(), st)
			if err != nil || !reflect.DeepEqual(got, append(want, want...)) {
				t.Errorf("Rows = %d rows, %v; want %d rows, nil", len(got), err, 2*len(want))
			}
		})
	}
}

// TestRowsStop stops reading in the middle: the sequence stops too.
func TestRowsStop(t *testing.T) {
	st, m := rawReport(t, "Bucket, Key, Size", `"example-numbers","a","1"`+"\n"+`"example-numbers","b","2"`+"\n", `"example-numbers","c","1"`+"\n")
	storeManifest(t, st, m)
	d := &inventory.Destination{Storage: st, Bucket: destBucket}
	r, err := d.Open(t.Context(), manifestKey)
	if err != nil {
		t.Fatal(err)
	}
	for stop := range 3 {
		n := 0
		for _, err := range r.Rows(t.Context()) {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n > stop {
				break
			}
		}
		if n != stop+1 {
			t.Errorf("stopping after %d rows: %d read", stop+1, n)
		}
	}
}

// dataFiles makes the readers of the report's data files read through wrap.
func dataFiles(st *memstore.Store, wrap func(context.Context, int64, io.Reader) io.Reader) {
	for i := range 2 {
		st.Wrap(destBucket, dataFileKey(i), wrap)
	}
}

// get returns the object key of bucket in st, or nil.
func get(st *memstore.Store, bucket, key string) []byte {
	b, _ := st.Get(bucket, key)
	return b
}
