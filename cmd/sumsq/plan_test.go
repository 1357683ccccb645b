package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/sumsq/sumsq/internal/cost"
	"github.com/sumsq/sumsq/internal/inventory"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/memstore"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
)

// planTest runs sumsq plan with args, reaching CloudFormation through f.
func planTest(t *testing.T, f *fakeAWS, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := planCommand(context.Background(), args, f.connect, &out, &errOut)
	status = exitStatus(err, &errOut)
	return out.String(), errOut.String(), status
}

// planJSON runs sumsq plan -json with args and decodes its plan.
func planJSON(t *testing.T, f *fakeAWS, args ...string) plan {
	t.Helper()
	stdout, stderr, status := planTest(t, f, append([]string{"-json"}, args...)...)
	if status != 0 {
		t.Fatalf("sumsq plan -json %q = status %d, stderr %q", args, status, stderr)
	}
	var p plan
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatalf("sumsq plan -json %q: %v: %s", args, err, stdout)
	}
	return p
}

// readmeCostTable returns the cells of the rows of the README's table that
// begins with header.
func readmeCostTable(t *testing.T, header string) [][]string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), header)
	if !ok {
		t.Fatalf("README.md has no table beginning %q", header)
	}
	table, _, _ = strings.Cut(table, "\n\n")
	var rows [][]string
	for _, row := range strings.Split(table, "\n")[2:] {
		rows = append(rows, strings.Split(strings.Trim(row, "| "), " | "))
	}
	return rows
}

// TestPlanREADMETable counts what the README's cost table assumes, a
// million small objects under a prefix with keys and bucket of 32 bytes,
// as plan counts a listing, and checks that plan's cost is the table's,
// cell by cell.
func TestPlanREADMETable(t *testing.T) {
	const n = 1_000_000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("today/n%015d", i) // with "sumsq-data", 32 bytes
	}
	for _, cells := range readmeCostTable(t, "| BatchSize | LIST |") {
		batchSize, err := strconv.Atoi(strings.Fields(cells[0])[0])
		if err != nil {
			t.Fatalf("row %q: %v", cells, err)
		}
		s := defaultSettings()
		if err := s.set("BatchSize", strconv.Itoa(batchSize), "test"); err != nil {
			t.Fatal(err)
		}
		c := newPlanCounter(s, "sumsq-data", job.DefaultResultsPrefix, false)
		for _, k := range keys {
			c.add("sumsq-data", k, k, 4)
		}
		var p plan
		c.result(&p, s)
		if p.Batches != n/int64(batchSize) || p.ListRequests != n/1000 || p.Requests != n {
			t.Errorf("BatchSize %d: %d batches, %d LIST and %d GET requests; want %d, %d, %d", batchSize, p.Batches, p.ListRequests, p.Requests,
				n/batchSize, n/1000, n)
		}
		want := cells[1:]
		got := []string{cost.Dollars(p.Cost.Listing), cost.Dollars(p.Cost.Requests), cost.Dollars(p.Cost.Children),
			cost.Dollars(p.Cost.Duration), cost.Dollars(p.Cost.Tracing), "**" + cost.Dollars(p.Cost.Total) + "**"}
		if !slices.Equal(got, want) {
			t.Errorf("BatchSize %d: plan says %q; the README's table %q", batchSize, got, want)
		}
	}
}

// planObjects are the objects of TestPlanTargets, by key: small ones, one
// read by its batch in 8 MiB parts, one set aside and summed in ranges at
// -split-size-mib 16, a compressed one, an empty one and the workflow's
// own result file, which a run skips.
func planObjects(t *testing.T) map[string][]byte {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("1\n2\n3\n"))
	zw.Close()
	return map[string][]byte{
		"results/r1/SUCCEEDED_0.json": []byte("{}\n"),
		"today/a.log":                 []byte("1\n2\n"),
		"today/b c.log":               []byte("3\n4\n"),
		"today/big.log":               bytes.Repeat([]byte("1\n"), 10<<20), // 20 MiB: a HEAD, ranges of 16 MiB (2 GETs) and 4 MiB (1)
		"today/mid.log":               bytes.Repeat([]byte("7\n"), 9<<19),  // 9 MiB: its magic number, 2 parts
		"today/z.gz":                  gz.Bytes(),
		"today/empty.log":             nil,
	}
}

// copyInventory writes rows as an S3 Inventory report (see
// writeInventory) in a local folder, a copy of its destination bucket as
// "aws s3 sync" makes it, and returns the path of its manifest.
func copyInventory(t *testing.T, rows []inventory.Row) string {
	t.Helper()
	dir, mem := t.TempDir(), &memstore.Store{}
	key := writeInventory(t, mem, inventoryBucket, rows)
	for item, err := range mem.List(t.Context(), inventoryBucket, "") {
		if err != nil {
			t.Fatal(err)
		}
		data, _ := mem.Get(inventoryBucket, item.Key)
		writeFiles(t, dir, map[string]string{item.Key: string(data)})
	}
	return filepath.Join(dir, filepath.FromSlash(key))
}

// TestPlanTargets plans a run over a prefix of a local S3 server, over an
// S3 Inventory report of the same objects and over a local folder of
// them: the same objects, batches, requests and ranges; the listing's
// cost and time alone differ.
func TestPlanTargets(t *testing.T) {
	srv := s3test.NewServer(t, "data", inventoryBucket)
	s3TestEnv(t, srv)
	objects := planObjects(t)
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range objects {
			if !yield(k) {
				return
			}
		}
	})
	dir := t.TempDir()
	var rows []inventory.Row
	var bytesOf int64
	for _, k := range keys {
		srv.Put(t, "data", k, objects[k])
		path := filepath.Join(dir, filepath.FromSlash(k))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, objects[k], 0o644); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, inventory.Row{Key: k, Size: int64(len(objects[k]))})
		if !strings.HasPrefix(k, "results/") {
			bytesOf += int64(len(objects[k]))
		}
	}
	manifest := writeInventory(t, s3store.New(srv.Client()), inventoryBucket, rows)
	localManifest := copyInventory(t, rows)
	t.Chdir(t.TempDir()) // no samconfig.toml

	f := newFakeAWS() // stack sumsq: data bucket "data", no parameters: the template's defaults
	args := []string{"-split-size-mib", "16"}
	listed := planJSON(t, f, append(args, "s3://data/")...)
	want := plan{
		Target: "s3://data/", Source: "listing",
		Listed: 7, Skipped: 1, Objects: 6, Bytes: bytesOf, Compressed: 1, LargestCompress: int64(len(objects["today/z.gz"])),
		Large: 1, Ranges: 2, Batches: 1, TotalParts: 1, Children: 4, ListRequests: 1, Requests: 1 + 1 + 4 + 3 + 1,
	}
	got := listed
	got.Parameters, got.Cost, got.Time, got.Notes = nil, planCost{}, planTime{}, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("plan of s3://data/ = %+v;\nwant %+v", got, want)
	}
	if s := (settings(listed.Parameters)).get("SplitSizeMiB"); s.Value != "16" || s.From != "flag -split-size-mib" {
		t.Errorf("SplitSizeMiB = %+v; want 16, from flag -split-size-mib", s)
	}
	if e := listed.Cost; e.Total <= 0 || e.Total != e.Listing+e.Requests+e.Children+e.Duration+e.Tracing+e.KMS {
		t.Errorf("cost %+v: the total is not the sum of its parts", e)
	}

	// The same objects, listed by a report, and in a folder.
	for _, tt := range []struct {
		target, source, bucket string
	}{
		{"s3://" + inventoryBucket + "/" + manifest, "inventory", ""},
		{localManifest, "inventory", ""},
		{dir, "folder", "data"},
	} {
		got := planJSON(t, f, append(args, tt.target)...)
		if got.Source != tt.source || got.Bucket != tt.bucket {
			t.Errorf("plan of %s: source %q, bucket %q; want %q, %q", tt.target, got.Source, got.Bucket, tt.source, tt.bucket)
		}
		want := listed
		want.Target, want.Source, want.Bucket = got.Target, got.Source, got.Bucket
		if tt.source == "inventory" {
			want.ListRequests = 0
			want.Cost.Listing = 7*0.0025/1e6 + 2*0.0004/1000 // the objects listed; a GET of the manifest and of its data file
			want.Cost.Total = got.Cost.Listing + want.Cost.Requests + want.Cost.Children + want.Cost.Duration + want.Cost.Tracing
			want.Time.Listing, want.Time.Run = got.Time.Listing, got.Time.Run
			if strings.HasPrefix(tt.target, "s3://") {
				// The fake stack's data bucket is "data"; the report is in
				// another. (A local copy's bucket is not known.)
				want.Notes = []string{"the stack reads reports from its data bucket, s3://data/, only (InventoryBucketName is empty): a run of this one would be denied"}
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("plan of %s =\n%+v\nwant, as of s3://data/:\n%+v", tt.target, got, want)
		}
	}
}

// TestReportNotes: a report the stack cannot read, or of objects of
// another bucket, is noted.
func TestReportNotes(t *testing.T) {
	report := &target{arg: "s3://reports/inv/data/daily/2026-12-01T01-00Z/manifest.json", scheme: "s3", bucket: "reports"}
	copied := &target{arg: "copy/manifest.json", prefix: "copy/manifest.json"}
	with := func(reports string) settings {
		s := defaultSettings()
		s.set(InventoryParam, reports, "test")
		return s
	}
	tests := []struct {
		name                   string
		t                      *target
		source, reports, stack string
		want                   []string
	}{
		{"in InventoryBucketName", report, "data", "reports", "data", nil},
		{"no stack known", report, "data", "", "", nil},
		{"in the data bucket", &target{scheme: "s3", bucket: "data"}, "data", "", "data", nil},
		{"a local copy", copied, "data", "elsewhere", "data", nil},
		{"outside InventoryBucketName", report, "data", "other", "data",
			[]string{"the stack reads reports from s3://other/ only (InventoryBucketName): a run of this one would be denied"}},
		{"outside the data bucket", report, "data", "", "data",
			[]string{"the stack reads reports from its data bucket, s3://data/, only (InventoryBucketName is empty): a run of this one would be denied"}},
		{"of another bucket", report, "logs", "reports", "data",
			[]string{"the report lists objects of s3://logs/; the stack sums those of its data bucket, s3://data/"}},
	}
	for _, tt := range tests {
		if got := reportNotes(tt.t, tt.source, with(tt.reports), tt.stack); !slices.Equal(got, tt.want) {
			t.Errorf("%s: notes %q; want %q", tt.name, got, tt.want)
		}
	}
}

// TestPlanParameters: each parameter comes from the flags, else the
// deployed stack, else samconfig.toml, else the template's defaults, and
// the plan says which.
func TestPlanParameters(t *testing.T) {
	folder, err := filepath.Abs(filepath.Join("..", "..", "examples", "today"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	samconfig := "[default.global.parameters]\nstack_name = \"planned\"\nregion = \"eu-west-1\"\n" +
		"[default.deploy.parameters]\nparameter_overrides = \"BatchSize=\\\"200\\\" MaxConcurrency=\\\"20\\\" FunctionMemory=\\\"512\\\" LogLevel=\\\"WARN\\\"\"\n"
	if err := os.WriteFile("samconfig.toml", []byte(samconfig), 0o644); err != nil {
		t.Fatal(err)
	}
	kms := "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	f := newFakeAWS()
	f.stacks["planned"] = fakeStack{cftypes.StackStatusUpdateComplete, map[string]string{"DataBucketName": "planned-data"},
		map[string]string{"BatchSize": "500", "SplitSizeMiB": "64", KMSParam: kms, "Tracing": "false"}}
	tests := []struct {
		name  string
		args  []string
		calls []string
		want  []setting
		note  string
	}{
		{"every source", []string{"-memory", "2048"}, []string{"DescribeStacks planned eu-west-1"}, []setting{
			{"BatchSize", "500", "stack planned"}, {"BatchMaxBytes", "131072", "template default"},
			{"MaxConcurrency", "20", "samconfig.toml"}, {"FunctionMemory", "2048", "flag -memory"},
			{"FunctionTimeout", "60", "template default"}, {"SplitSizeMiB", "64", "stack planned"},
			{"Tracing", "false", "stack planned"}, {KMSParam, kms, "stack planned"}, {InventoryParam, "", "template default"}, {"TotalPartMiB", "256", "template (fixed)"},
		}, ""},
		{"another stack, not deployed", []string{"-stack", "gone", "-kms-key-arn", kms, "-tracing", "false"}, []string{"DescribeStacks gone eu-west-1"}, []setting{
			{"BatchSize", "200", "samconfig.toml"}, {"BatchMaxBytes", "131072", "template default"},
			{"MaxConcurrency", "20", "samconfig.toml"}, {"FunctionMemory", "512", "samconfig.toml"},
			{"FunctionTimeout", "60", "template default"}, {"SplitSizeMiB", "256", "template default"},
			{"Tracing", "false", "flag -tracing"}, {KMSParam, kms, "flag -kms-key-arn"}, {InventoryParam, "", "template default"}, {"TotalPartMiB", "256", "template (fixed)"},
		}, "stack gone not read, its parameters not used: stack gone does not exist in eu-west-1"},
		{"no stack", []string{"-no-stack", "-batch-size", "1", "-region", "us-west-2"}, nil, []setting{
			{"BatchSize", "1", "flag -batch-size"}, {"BatchMaxBytes", "131072", "template default"},
			{"MaxConcurrency", "20", "samconfig.toml"}, {"FunctionMemory", "512", "samconfig.toml"},
			{"FunctionTimeout", "60", "template default"}, {"SplitSizeMiB", "256", "template default"},
			{"Tracing", "true", "template default"}, {KMSParam, "", "template default"}, {InventoryParam, "", "template default"}, {"TotalPartMiB", "256", "template (fixed)"},
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.calls = nil
			p := planJSON(t, f, append(tt.args, folder)...)
			if !slices.Equal(f.calls, tt.calls) {
				t.Errorf("calls %q; want %q", f.calls, tt.calls)
			}
			if !reflect.DeepEqual(p.Parameters, tt.want) {
				t.Errorf("parameters:\n%+v\nwant\n%+v", p.Parameters, tt.want)
			}
			if note := strings.Join(p.Notes, "\n"); !strings.Contains(note, tt.note) || (tt.note == "") != (note == "") {
				t.Errorf("notes %q; want %q", note, tt.note)
			}
			if want := (p.Batches == 10) == (tt.name == "no stack"); !want {
				t.Errorf("%d batches of the 10 objects at BatchSize %s", p.Batches, settings(p.Parameters).get("BatchSize").Value)
			}
		})
	}
	// The stack's data bucket names the folder's objects; without it, a
	// name as long as the one a stack's bucket gets.
	if p := planJSON(t, f, folder); p.Bucket != "planned-data" {
		t.Errorf("bucket %q; want the stack's, planned-data", p.Bucket)
	}
	if p := planJSON(t, f, "-no-stack", folder); p.Bucket != localBucket {
		t.Errorf("bucket %q without a stack; want %q", p.Bucket, localBucket)
	}
}

// TestPlanVersions: a report of all versions is counted by its current
// rows, its others listed (S3 bills them) and noted.
func TestPlanVersions(t *testing.T) {
	srv := s3test.NewServer(t, "data", inventoryBucket)
	s3TestEnv(t, srv)
	rows := []inventory.Row{{Key: "a.log", Size: 2}, {Key: "b.log", Size: 4}, {Key: "c.log", Size: 6}}
	all := withHistory(rows) // 3 current rows; 3 older versions and a delete marker
	manifest := writeInventory(t, s3store.New(srv.Client()), inventoryBucket, all)
	t.Chdir(t.TempDir())
	p := planJSON(t, newFakeAWS(), "-inventory-bucket", inventoryBucket, "s3://"+inventoryBucket+"/"+manifest)
	want := "the report lists 3 rows that are older versions or delete markers: the workflow reads every row of a report, " +
		"so give it a report of current versions only (the counts here are of the current ones)"
	if p.Listed != int64(len(all)) || p.Noncurrent != 3 || p.Objects != 3 || p.Bytes != 12 || p.Requests != 3 || !slices.Equal(p.Notes, []string{want}) {
		t.Errorf("plan of a report of all versions: %d listed, %d noncurrent, %d objects, %d bytes, %d GETs, notes %q; want %d, 3, 3, 12, 3, %q",
			p.Listed, p.Noncurrent, p.Objects, p.Bytes, p.Requests, p.Notes, len(all), want)
	}
	if s := settings(p.Parameters).get(InventoryParam); s.Value != inventoryBucket || s.From != "flag -inventory-bucket" {
		t.Errorf("%s = %+v; want %s from flag -inventory-bucket", InventoryParam, s, inventoryBucket)
	}
}

func TestPlanUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no target", nil, "sumsq: plan: no TARGET; run 'sumsq plan -h'\n"},
		{"two targets", []string{"a", "b"}, "sumsq: plan: one TARGET, not 2; run 'sumsq plan -h'\n"},
		{"standard input", []string{"-"}, "sumsq: plan: standard input cannot be planned: plan lists objects and reads none\n"},
		{"bad scheme", []string{"gs://b/p"}, "sumsq: plan: gs://b/p: a TARGET is a local path or s3://BUCKET/PREFIX, not a gs:// URL (for a local path, write ./gs://b/p)\n"},
		{"stack and no stack", []string{"-stack", "s", "-no-stack", "x"}, "sumsq: plan: -stack and -no-stack exclude each other\n"},
		{"batch size", []string{"-batch-size", "1001", "x"}, "sumsq: plan: -batch-size: BatchSize=\"1001\": want a whole number from 1 to 1000\n"},
		{"memory", []string{"-memory", "1.5", "x"}, "sumsq: plan: -memory: FunctionMemory=\"1.5\": want a whole number from 128 to 10240\n"},
		{"tracing", []string{"-tracing", "yes", "x"}, "sumsq: plan: -tracing: Tracing=\"yes\": want true or false\n"},
		{"endpoint", []string{"-endpoint-url", "127.0.0.1:9000", "x"}, "want an http:// or https:// URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, status := planTest(t, newFakeAWS(), tt.args...)
			if status != 2 || stdout != "" || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("sumsq plan %q = status %d, stdout %q, stderr %q; want 2, \"\", %q", tt.args, status, stdout, stderr, tt.stderr)
			}
		})
	}
}

// TestPlanNoObject: a target that matches no object is planned (nothing)
// and named on standard error, as run names it, with exit status 1.
func TestPlanNoObject(t *testing.T) {
	srv := s3test.NewServer(t, "data")
	s3TestEnv(t, srv)
	t.Chdir(t.TempDir())
	stdout, stderr, status := planTest(t, newFakeAWS(), "-json", "s3://data/nothing/")
	var p plan
	if err := json.Unmarshal([]byte(stdout), &p); err != nil || p.Listed != 0 || p.Cost.Total != 0 ||
		stderr != "sumsq: s3://data/nothing/: no objects under this prefix\n" || status != 1 {
		t.Errorf("sumsq plan s3://data/nothing/ = status %d, stdout %q, stderr %q; want 1, a plan of nothing, the prefix named", status, stdout, stderr)
	}
}

// TestPlanText checks the text output of a plan of the sample folder, line
// by line but for the figures of the parameters' sources.
func TestPlanText(t *testing.T) {
	folder, err := filepath.Abs(filepath.Join("..", "..", "examples", "today"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	stdout, stderr, status := planTest(t, newFakeAWS(), "-max-concurrency", "2", folder)
	want := `target               ` + folder + `, a local folder, as if uploaded to s3://data/
listed               10 objects
skipped              0 objects under results/
objects              10 objects, 65 B
compressed           0 objects (.gz, .zst), read whole, never in ranges
large                0 objects of SplitSizeMiB or more, in 0 ranges
batches              1
child executions     2: the batches, 1 part of the total, 0 ranges

parameter            value            from
BatchSize            1000             template default
BatchMaxBytes        131072           template default
MaxConcurrency       2                flag -max-concurrency
FunctionMemory       1024             template default
FunctionTimeout      60               template default
SplitSizeMiB         256              template default
Tracing              true             template default
DataBucketKmsKeyArn  (none)           template default
InventoryBucketName  (data bucket)    template default
TotalPartMiB         256              template (fixed)

cost, at us-east-1 list prices
listing              $0.000     1 LIST request
S3 GET               $0.000     10 requests
child executions     $0.000     2 child executions
Lambda duration      $0.000
X-Ray and logs       $0.000
total                $0.000

time, at MaxConcurrency 2
listing              0 s
batches              0 s
total                0 s
ranges               0 s
run                  0 s
`
	if stdout != want || stderr != "" || status != 0 {
		t.Errorf("sumsq plan = status %d, stderr %q, stdout:\n%s\nwant 0, \"\", stdout:\n%s", status, stderr, stdout, want)
	}
}

// TestPlanNotes: what a run should know is said.
func TestPlanNotes(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"big.gz": strings.Repeat("x", 1<<20)})
	t.Chdir(t.TempDir())
	p := planJSON(t, newFakeAWS(), "-no-stack", "-function-timeout", "10", "-split-size-mib", "1024", dir)
	if len(p.Notes) != 0 {
		t.Errorf("notes %q; want none", p.Notes)
	}
	// A range of 1 GiB takes 18 s at 60 MB/s: more than 10 s.
	writeFiles(t, dir, map[string]string{"huge.log": ""})
	if err := os.Truncate(filepath.Join(dir, "huge.log"), 2<<30); err != nil {
		t.Fatal(err)
	}
	p = planJSON(t, newFakeAWS(), "-no-stack", "-function-timeout", "10", "-split-size-mib", "1024", dir)
	want := "a range of SplitSizeMiB takes about 18 s to read, more than FunctionTimeout (10s): lower SplitSizeMiB"
	if len(p.Notes) != 1 || p.Notes[0] != want || p.Large != 1 || p.Ranges != 2 {
		t.Errorf("notes %q, %d large, %d ranges; want %q, 1, 2", p.Notes, p.Large, p.Ranges, want)
	}
	// A compressed object is read whole, by one invocation: 1 GiB takes
	// 18 s.
	if err := os.Truncate(filepath.Join(dir, "big.gz"), 1<<30); err != nil {
		t.Fatal(err)
	}
	p = planJSON(t, newFakeAWS(), "-no-stack", "-function-timeout", "10", "-split-size-mib", "8", dir)
	want = "a compressed object of 1.1 GB takes about 18 s to read whole, more than FunctionTimeout (10s): " +
		"it would fail with ObjectTimeoutError; decompress it first, or raise FunctionMemory"
	if len(p.Notes) != 1 || p.Notes[0] != want || p.Compressed != 1 || p.Large != 1 || p.Ranges != 256 {
		t.Errorf("notes %q, %d compressed, %d large, %d ranges; want %q, 1, 1, 256", p.Notes, p.Compressed, p.Large, p.Ranges, want)
	}
}

func TestPlanProgressLine(t *testing.T) {
	p := &planProgress{target: "s3://b/today/", start: time.Unix(0, 0)}
	for range 3 {
		p.listed(1500)
	}
	got := p.line(time.Unix(2, 0), "|")
	if want := "| listing s3://b/today/: 3 objects, 4.5 kB, 1.5 objects/s, elapsed 2s"; got != want {
		t.Errorf("line = %q; want %q", got, want)
	}
	var nilProgress *planProgress
	nilProgress.listed(1) // no-ops
	nilProgress.finish()
}

// TestPlanJSONShape pins the members of plan -json's document, which
// scripts read: counts, the parameters with their sources, the cost in
// dollars and the time in seconds.
func TestPlanJSONShape(t *testing.T) {
	folder, err := filepath.Abs(filepath.Join("..", "..", "examples", "today"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	stdout, stderr, status := planTest(t, newFakeAWS(), "-json", "-no-stack", folder)
	if status != 0 || stderr != "" {
		t.Fatalf("sumsq plan -json = status %d, stderr %q", status, stderr)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	members := func(raw json.RawMessage) []string {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%v: %s", err, raw)
		}
		return slices.Sorted(func(yield func(string) bool) {
			for k := range m {
				if !yield(k) {
					return
				}
			}
		})
	}
	var params []json.RawMessage
	if err := json.Unmarshal(doc["parameters"], &params); err != nil || len(params) == 0 {
		t.Fatalf("parameters %s: %v", doc["parameters"], err)
	}
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"the document", members(json.RawMessage(stdout)), []string{"batches", "bucket", "bytes", "children", "compressed", "cost",
			"getRequests", "large", "listRequests", "listed", "objects", "parameters", "ranges", "skipped", "source", "target", "time", "totalParts"}},
		{"a parameter", members(params[0]), []string{"from", "name", "value"}},
		{"cost", members(doc["cost"]), []string{"children", "getRequests", "kms", "lambdaDuration", "listing", "prices", "total", "tracingAndLogs"}},
		{"time", members(doc["time"]), []string{"batches", "listing", "maxConcurrency", "ranges", "run", "total"}},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s: members %q; want %q", tt.name, tt.got, tt.want)
		}
	}
	if want := `"source":"folder"`; !strings.Contains(stdout, want) {
		t.Errorf("the document has no %s: %s", want, stdout)
	}
}

// On a terminal, the listing's progress shows on standard error while it
// lasts, and is taken off before the plan is printed: the screen is the
// plan alone, as without a terminal.
func TestPlanTerminal(t *testing.T) {
	srv := s3test.NewServer(t, "data")
	s3TestEnv(t, srv)
	for i := range 2005 { // three pages
		srv.Put(t, "data", fmt.Sprintf("today/%04d", i), []byte("1\n"))
	}
	srv.ShapeAll(600*time.Millisecond, 0) // 1.8 s of listing: past progressDelay
	args := []string{"plan", "-no-stack", "s3://data/today/"}
	out, status := runPTY(t, func() {}, args...)
	if !strings.Contains(out, "listing s3://data/today/: ") {
		t.Errorf("no progress was drawn; the terminal got %q", out)
	}
	var want bytes.Buffer
	if err := planCommand(context.Background(), args[1:], newFakeAWS().connect, &want, io.Discard); err != nil {
		t.Fatal(err)
	}
	got, wantLines := screen(out), strings.Split(strings.TrimSuffix(strings.ReplaceAll(want.String(), "\r", ""), "\n"), "\n")
	// The time of the listing alone depends on the run; the rest is the same.
	for i := range got {
		if i < len(wantLines) && strings.HasPrefix(got[i], "listing ") && strings.HasPrefix(wantLines[i], "listing ") {
			got[i] = wantLines[i]
		}
	}
	if status != 0 || strings.Join(got, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("sumsq plan on a terminal = status %d, screen:\n%s\nwant 0, screen:\n%s\n(the terminal got %q)",
			status, strings.Join(got, "\n"), strings.Join(wantLines, "\n"), out)
	}
}

// TestPlanREADMEExample runs the README's example of plan, in the
// repository with its samconfig.toml, and compares what it prints with
// what the README shows.
func TestPlanREADMEExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const genCmd, planCmd, folder = "$ go run ./cmd/sumsq gen -n 20000 -seed 8 /tmp/plan-data\n",
		"$ go run ./cmd/sumsq plan -no-stack -max-concurrency 100 -split-size-mib 64 /tmp/plan-data\n", "/tmp/plan-data"
	_, example, ok := strings.Cut(string(readme), "  "+genCmd+"  "+planCmd)
	if !ok {
		t.Fatalf("README.md has no example %q then %q", genCmd, planCmd)
	}
	example, _, _ = strings.Cut(example, "  ```\n")
	var want strings.Builder
	for line := range strings.Lines(example) {
		want.WriteString(strings.TrimPrefix(line, "  "))
	}

	dir := filepath.Join(t.TempDir(), "plan-data")
	if err := cmdGen([]string{"-n", "20000", "-seed", "8", dir}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join("..", "..")) // the repository's samconfig.toml
	var out bytes.Buffer
	args := []string{"-no-stack", "-max-concurrency", "100", "-split-size-mib", "64", dir}
	if err := planCommand(context.Background(), args, newFakeAWS().connect, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got := strings.ReplaceAll(out.String(), dir, folder); got != want.String() {
		t.Errorf("%sprints:\n%s\nThe README shows (update it with what plan prints):\n%s", planCmd, got, want.String())
	}
}

// plan reaches S3 with -endpoint-url, -profile and -region as run does, and
// reads the stack in -region.
func TestPlanAWSFlags(t *testing.T) {
	srv := s3test.NewServer(t, "data")
	s3TestEnv(t, srv)
	srv.Put(t, "data", "a/1.log", []byte("3\n"))
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1") // nothing listens there
	t.Chdir(t.TempDir())
	if err := os.WriteFile("samconfig.toml", []byte("[default.global.parameters]\nstack_name = \"planned\"\nregion = \"eu-west-1\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		calls []string
	}{
		{"samconfig.toml's region", []string{"-endpoint-url", srv.URL}, []string{"DescribeStacks planned eu-west-1"}},
		{"-region", []string{"-endpoint-url", srv.URL, "-region", "us-west-2"}, []string{"DescribeStacks planned us-west-2"}},
		{"-stack", []string{"-endpoint-url", srv.URL, "-stack", "sumsq"}, []string{"DescribeStacks sumsq eu-west-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAWS()
			p := planJSON(t, f, append(tt.args, "s3://data/a/")...)
			if p.Objects != 1 || p.Bytes != 2 {
				t.Errorf("plan %q: %d objects, %d bytes; want 1, 2", tt.args, p.Objects, p.Bytes)
			}
			if !slices.Equal(f.calls, tt.calls) {
				t.Errorf("plan %q: calls %q; want %q", tt.args, f.calls, tt.calls)
			}
		})
	}
}

// BenchmarkPlanCounter counts objects of a listing as plan does, keys of
// 32 bytes with their bucket: what plan adds to the listing's own time.
func BenchmarkPlanCounter(b *testing.B) {
	keys := make([]string, 100_000)
	for i := range keys {
		keys[i] = fmt.Sprintf("today/n%015d", i)
	}
	s := defaultSettings()
	for b.Loop() {
		c := newPlanCounter(s, "sumsq-data", job.DefaultResultsPrefix, false)
		for _, k := range keys {
			c.add("sumsq-data", k, k, 4)
		}
	}
	b.ReportMetric(float64(b.N)*float64(len(keys))/b.Elapsed().Seconds(), "objects/s")
}

// An interrupted plan exits 130, says "interrupted" and prints nothing: a
// listing cut short is not planned as if it were whole. The signal comes
// while the listing waits on a page, at a moment of the listing (see
// TestRunInterruptedSlowListing), never at a time.
func TestPlanInterrupted(t *testing.T) {
	srv := s3test.NewServer(t, "data")
	s3TestEnv(t, srv)
	for i := range 2100 { // three pages
		srv.Put(t, "data", fmt.Sprintf("slow/%04d.log", i), []byte("3\n"))
	}
	requested := make(chan int64, 16)
	var pages atomic.Int64
	srv.Hook("data", "", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method == http.MethodGet && r.URL.Query().Has("list-type") {
			requested <- pages.Add(1)
			select {
			case <-time.After(300 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
		next.ServeHTTP(w, r)
	})
	for _, n := range []int64{1, 2, 3} {
		for _, asJSON := range []bool{false, true} {
			args := []string{"plan", "-no-stack", "s3://data/slow/"}
			if asJSON {
				args = []string{"plan", "-json", "-no-stack", "s3://data/slow/"}
			}
			pages.Store(0)
			for len(requested) > 0 {
				<-requested
			}
			r := interrupt(t, args, func(<-chan struct{}) {
				for got := range requested {
					if got == n {
						break
					}
				}
				time.Sleep(100 * time.Millisecond)
			}, false)
			if wrong := r.check(asJSON); wrong != "" || r.stdout != "" {
				t.Errorf("sumsq %q interrupted on page %d: %s; stdout %q, want none", args, n, wrong, r.stdout)
			}
		}
	}
}

// TestPlanStackNotes: a value of the stack that the template does not
// allow is noted and not used; a prefix of a bucket other than the
// stack's is noted.
func TestPlanStackNotes(t *testing.T) {
	srv := s3test.NewServer(t, "data", "other")
	s3TestEnv(t, srv)
	srv.Put(t, "other", "a/1.log", []byte("3\n"))
	t.Chdir(t.TempDir())
	f := newFakeAWS()
	f.stacks["old"] = fakeStack{cftypes.StackStatusUpdateComplete, map[string]string{"DataBucketName": "data"},
		map[string]string{"FunctionTimeout": "300", "BatchSize": "10"}}
	p := planJSON(t, f, "-stack", "old", "s3://other/a/")
	want := []string{
		`stack old: FunctionTimeout="300": want a whole number from 10 to 60: not used`,
		"the stack sums the objects of its data bucket, s3://data/, not those of s3://other/",
	}
	if !slices.Equal(p.Notes, want) {
		t.Errorf("notes %q; want %q", p.Notes, want)
	}
	params := settings(p.Parameters)
	if got := []setting{params.get("BatchSize"), params.get("FunctionTimeout")}; !slices.Equal(got, []setting{
		{"BatchSize", "10", "stack old"}, {"FunctionTimeout", "60", "template default"}}) {
		t.Errorf("parameters %+v; want BatchSize 10 from the stack, FunctionTimeout 60 from the template", got)
	}
}
