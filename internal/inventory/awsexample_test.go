package inventory_test

import (
	"compress/gzip"
	"crypto/md5"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/sumsq/sumsq/internal/filestore"
	"github.com/sumsq/sumsq/internal/inventory"
)

const awsExampleManifest = "reports/example-numbers/daily/2024-06-02T00-00Z/manifest.json"

// TestAWSExample reads a report shaped as AWS's documented example, from a
// copy of its destination bucket on local disk (testdata/README.md).
func TestAWSExample(t *testing.T) {
	d := &inventory.Destination{Storage: &filestore.Store{}, Root: "testdata/aws-example"}
	r, err := d.Open(t.Context(), awsExampleManifest)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if r.SourceBucket != "example-numbers" || r.DestinationBucket != "arn:aws:s3:::example-reports" || len(r.Columns) != 18 || len(r.Files) != 1 {
		t.Errorf("Open: source %q, destination %q, %d columns, %d files; want example-numbers, arn:aws:s3:::example-reports, 18, 1",
			r.SourceBucket, r.DestinationBucket, len(r.Columns), len(r.Files))
	}
	row := func(key, version string, size int64, noncurrent, marker bool) inventory.Row {
		return inventory.Row{Bucket: "example-numbers", Key: key, Size: size, VersionID: version, Noncurrent: noncurrent, DeleteMarker: marker}
	}
	want := []inventory.Row{
		row("numbers/2024/06/01.txt", "3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", 12, false, false),
		row("numbers/2024/06/01.txt", "Wq0Ffa1EzqDkPxl.3mdX0x2tJfYjPw5E", 8, true, false),
		row("numbers/old report.txt", "Zz9yX8wV7uT6sR5qP4oN3mL2kJ1iH0gF", -1, false, true),
		row("numbers/old report.txt", "Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv", 20, true, false),
		row("numbers/", "null", 0, false, false),
		row("numbers/ünïcode (copy).txt", "Lm3No4Pq5Rs6Tu7Vw8Xy9Za0Bc1De2Fg", 7, false, false),
		row("numbers/c++ & 100%.txt", "Hi2Jk3Lm4No5Pq6Rs7Tu8Vw9Xy0Za1Bc", 5, false, false),
		row("numbers/big/part.txt", "Qr5St6Uv7Wx8Yz9Ab0Cd1Ef2Gh3Ij4Kl", 104857600, false, false),
	}
	var got []inventory.Row
	for row, err := range r.Rows(t.Context()) {
		if err != nil {
			t.Fatalf("Rows: %v", err)
		}
		got = append(got, row)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Rows =\n%+v\nwant\n%+v", got, want)
	}
	var current []string
	for _, row := range got {
		if row.Current() {
			current = append(current, row.Key)
		}
	}
	if want := []string{"numbers/2024/06/01.txt", "numbers/", "numbers/ünïcode (copy).txt", "numbers/c++ & 100%.txt", "numbers/big/part.txt"}; !reflect.DeepEqual(current, want) {
		t.Errorf("current rows %q; want %q", current, want)
	}
}

// TestAWSExampleData checks that the example's files agree: the data file
// is aws-example.csv gzipped, and manifest.checksum is the manifest's MD5.
func TestAWSExampleData(t *testing.T) {
	root := "testdata/aws-example/"
	d := &inventory.Destination{Storage: &filestore.Store{}, Root: root}
	r, err := d.Open(t.Context(), awsExampleManifest)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	f, err := os.Open(root + r.Files[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/aws-example.csv")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s is not testdata/aws-example.csv gzipped: see testdata/README.md", r.Files[0].Key)
	}
	manifest, err := os.ReadFile(root + awsExampleManifest)
	if err != nil {
		t.Fatal(err)
	}
	checksum, err := os.ReadFile(filepath.Join(filepath.Dir(root+awsExampleManifest), "manifest.checksum"))
	if err != nil {
		t.Fatal(err)
	}
	if sum := md5.Sum(manifest); string(checksum) != hex.EncodeToString(sum[:]) {
		t.Errorf("manifest.checksum is %s; the manifest's MD5 is %x: see testdata/README.md", checksum, sum)
	}
}
