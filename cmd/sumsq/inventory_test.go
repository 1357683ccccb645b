package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sumsq/sumsq/internal/inventory"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/memstore"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
	"github.com/sumsq/sumsq/internal/sampledata"
)

// inventoryBucket is where the tests' S3 Inventory reports are delivered.
const inventoryBucket = "reports"

// putNumbers stores the objects of a run in srv's bucket "data", with the
// cases a run treats specially, and returns their rows as a report of
// current versions lists them, in key order.
func putNumbers(t *testing.T, srv *s3test.Server) []inventory.Row {
	t.Helper()
	objects := map[string][]byte{
		"today/bad.log":               []byte("1\n2\nthree\n"),
		"today/empty.log":             nil,
		"today/sub/":                  []byte("12\n"), // a folder marker: never read
		"today/a b+c%.log":            []byte("7\n8\n"),
		"today/ünï.log":               []byte("-3\n"),
		"results/r1/SUCCEEDED_0.json": []byte("{}\n"), // the workflow's: skipped
		"other/x.log":                 []byte("100\n"),
	}
	g, err := sampledata.NewGenerator(sampledata.Options{Files: 40, Max: 999, Several: 0.3, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	for {
		name, content, ok := g.Next()
		if !ok {
			break
		}
		objects["today/"+name] = content
	}
	var rows []inventory.Row
	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range objects {
			if !yield(k) {
				return
			}
		}
	}) {
		srv.Put(t, "data", key, objects[key])
		rows = append(rows, inventory.Row{Key: key, Size: int64(len(objects[key]))})
	}
	return rows
}

// withHistory returns rows as a report of all versions lists them: an
// older version after some rows, a delete marker and its deleted object
// between others. A run sums the current rows only.
func withHistory(rows []inventory.Row) []inventory.Row {
	var all []inventory.Row
	for i, r := range rows {
		r.VersionID = "v2"
		all = append(all, r)
		switch i % 3 {
		case 0:
			all = append(all, inventory.Row{Key: r.Key, Size: 5, VersionID: "v1", Noncurrent: true})
		case 1:
			all = append(all,
				inventory.Row{Key: r.Key + ".deleted", Size: -1, VersionID: "v4", DeleteMarker: true},
				inventory.Row{Key: r.Key + ".deleted", Size: 3, VersionID: "v3", Noncurrent: true})
		}
	}
	return all
}

// writeInventory writes rows as an S3 Inventory report of srv's bucket
// "data", delivered to inventoryBucket, and returns its manifest's key.
func writeInventory(t *testing.T, st job.Storage, bucket string, rows []inventory.Row) string {
	t.Helper()
	w := &inventory.Writer{
		Destination:  inventory.Destination{Storage: st, Bucket: bucket},
		SourceBucket: "data",
		Prefix:       "inventory",
		ConfigID:     "daily",
		Created:      time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC),
		Versions:     true,
		RowsPerFile:  7,
	}
	key, err := w.Write(t.Context(), slices.Values(rows))
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// TestRunInventory sums an S3 Inventory report's objects, and the same
// objects listed as a prefix: the same lines, the same total, the same
// objects skipped and failed.
func TestRunInventory(t *testing.T) {
	srv := s3test.NewServer(t, "data", inventoryBucket)
	s3TestEnv(t, srv)
	rows := putNumbers(t, srv)
	key := writeInventory(t, s3store.New(srv.Client()), inventoryBucket, withHistory(rows))

	// A local copy of the report's destination bucket, as "aws s3 sync"
	// makes it.
	copyDir := t.TempDir()
	mem := &memstore.Store{}
	localKey := writeInventory(t, mem, inventoryBucket, withHistory(rows))
	for item, err := range mem.List(t.Context(), inventoryBucket, "") {
		if err != nil {
			t.Fatal(err)
		}
		data, _ := mem.Get(inventoryBucket, item.Key)
		path := filepath.Join(copyDir, filepath.FromSlash(item.Key))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	wantOut, wantErr, wantStatus := sumsqCmd(t, "", "run", "s3://data/")
	if !strings.Contains(wantErr, "1 failed, 1 skipped") || wantStatus != 1 {
		t.Fatalf("sumsq run s3://data/ = status %d, stderr %q; want 1, a summary with 1 failed, 1 skipped", wantStatus, wantErr)
	}
	for _, target := range []string{
		"s3://" + inventoryBucket + "/" + key,
		filepath.Join(copyDir, filepath.FromSlash(localKey)),
	} {
		stdout, stderr, status := sumsqCmd(t, "", "run", target)
		if stdout != wantOut || stderr != wantErr || status != wantStatus {
			t.Errorf("sumsq run %s = status %d\nstdout:\n%s\nstderr:\n%s\nwant what a run over s3://data/ prints: status %d\nstdout:\n%s\nstderr:\n%s",
				target, status, stdout, stderr, wantStatus, wantOut, wantErr)
		}
	}

	// -json: the document of a prefix run.
	wantJSON, _, _ := sumsqCmd(t, "", "run", "-json", "-summary", "s3://data/")
	if got, _, _ := sumsqCmd(t, "", "run", "-json", "-summary", "s3://"+inventoryBucket+"/"+key); got != wantJSON {
		t.Errorf("sumsq run -json -summary of the report:\n%s\nwant what the prefix gives:\n%s", got, wantJSON)
	}
}

// TestRunInventoryOrder: a report's objects are summed and printed in the
// report's order, not in key order.
func TestRunInventoryOrder(t *testing.T) {
	srv := s3test.NewServer(t, "data", inventoryBucket)
	s3TestEnv(t, srv)
	for _, k := range []string{"z", "a", "m"} {
		srv.Put(t, "data", k, []byte("2\n"))
	}
	key := writeInventory(t, s3store.New(srv.Client()), inventoryBucket,
		[]inventory.Row{{Key: "z", Size: 2}, {Key: "a", Size: 2}, {Key: "m", Size: 2}})
	stdout, stderr, status := sumsqCmd(t, "", "run", "s3://"+inventoryBucket+"/"+key)
	want := "s3://data/z\t1\t4\ns3://data/a\t1\t4\ns3://data/m\t1\t4\ntotal\t3\t12\n"
	if stdout != want || stderr != "" || status != 0 {
		t.Errorf("sumsq run = status %d, stdout %q, stderr %q; want 0, %q, \"\"", status, stdout, stderr, want)
	}
}

// TestRunManifestNames: a key or a file named manifest.json that is not an
// S3 Inventory manifest is summed as any other; one that looks like a
// manifest but is not a valid one stops the run, naming what is wrong.
func TestRunManifestNames(t *testing.T) {
	srv := s3test.NewServer(t, "data", inventoryBucket)
	s3TestEnv(t, srv)
	srv.Put(t, "data", "today/manifest.json", []byte("5\n"))
	srv.Put(t, "data", "today/manifest.json.bak", []byte("6\n"))
	srv.Put(t, "data", "runs/manifest.json/x.log", []byte("7\n"))
	srv.Put(t, inventoryBucket, "results/r1/manifest.json",
		[]byte(`{"DestinationBucket":"reports","MapRunArn":"arn","ResultFiles":{}}`))
	srv.Put(t, inventoryBucket, "inventory/data/daily/2026-12-01T01-00Z/manifest.json",
		[]byte(`{"sourceBucket":"data","destinationBucket":"arn:aws:s3:::reports","fileFormat":"Parquet","fileSchema":"Bucket, Key","files":[]}`))
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"manifest.json": "3\n4\n"})
	local := filepath.Join(dir, "manifest.json")

	tests := []struct {
		target         string
		stdout, stderr string
		status         int
	}{
		{"s3://data/today/manifest.json", "s3://data/today/manifest.json\t1\t25\ns3://data/today/manifest.json.bak\t1\t36\ntotal\t2\t61\n", "", 0},
		{"s3://data/runs/manifest.json", "s3://data/runs/manifest.json/x.log\t1\t49\ntotal\t1\t49\n", "", 0},
		{"s3://data/gone/manifest.json", "total\t0\t0\n", "sumsq: s3://data/gone/manifest.json: no objects under this prefix\n", 1},
		{local, local + "\t2\t25\ntotal\t2\t25\n", "", 0},
		{"s3://" + inventoryBucket + "/results/r1/manifest.json", "total\t0\t0\n",
			"sumsq: 1 object listed: 0 summed, 0 failed, 1 skipped under results/, where the workflow writes its results (-results-prefix \"\" reads them)\n", 0},
		{"s3://" + inventoryBucket + "/inventory/data/daily/2026-12-01T01-00Z/manifest.json", "",
			"sumsq: s3://reports/inventory/data/daily/2026-12-01T01-00Z/manifest.json: unsupported S3 Inventory format: fileFormat is \"Parquet\"; " +
				"only CSV reports can be read, not ORC or Parquet: choose CSV as the inventory's output format\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			stdout, stderr, status := sumsqCmd(t, "", "run", tt.target)
			if stdout != tt.stdout || stderr != tt.stderr || status != tt.status {
				t.Errorf("sumsq run %s = status %d, stdout %q, stderr %q;\nwant %d, %q, %q", tt.target, status, stdout, stderr, tt.status, tt.stdout, tt.stderr)
			}
		})
	}
}

// TestRunEmptyInventory: a report that lists no current object is a target
// that matches no object.
func TestRunEmptyInventory(t *testing.T) {
	srv := s3test.NewServer(t, "data", inventoryBucket)
	s3TestEnv(t, srv)
	key := writeInventory(t, s3store.New(srv.Client()), inventoryBucket,
		[]inventory.Row{{Key: "gone", Size: -1, VersionID: "v2", DeleteMarker: true}})
	target := "s3://" + inventoryBucket + "/" + key
	stdout, stderr, status := sumsqCmd(t, "", "run", target)
	if want := "sumsq: " + target + ": no objects in this S3 Inventory report\n"; stdout != "total\t0\t0\n" || stderr != want || status != 1 {
		t.Errorf("sumsq run %s = status %d, stdout %q, stderr %q; want 1, %q, %q", target, status, stdout, stderr, "total\t0\t0\n", want)
	}
}
