package cost_test

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sumsq/sumsq/internal/cost"
)

// readmeTable returns the rows of the README's table that begins with
// header, each row's cells trimmed.
func readmeTable(t *testing.T, header string) [][]string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), header)
	if !ok {
		t.Fatalf("README.md has no table beginning %q", header)
	}
	table, _, _ = strings.Cut(table, "\n\n")
	var rows [][]string
	for _, row := range strings.Split(table, "\n")[2:] { // after the rest of the header and the rule
		cells := strings.Split(strings.Trim(row, "| "), " | ")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows = append(rows, cells)
	}
	return rows
}

// The README's tables are of the template's defaults.
var defaults = cost.Params{MaxConcurrency: 10, MemoryMB: 1024, SplitBytes: 256 << 20, TotalPartBytes: 256 << 20, Tracing: true}

// KeyBytes is what the README's tables assume of an object's bucket and
// key: "sumsq-data" and "today/random_123456.log" are 33 bytes.
const keyBytes = 32

// TestREADMETable checks the README's cost table against the model, cell
// by cell: the table is what the model says of a million small objects.
func TestREADMETable(t *testing.T) {
	var batchSizes []int
	for _, cells := range readmeTable(t, "| BatchSize | LIST |") {
		var b int
		if _, err := fmt.Sscanf(cells[0], "%d", &b); err != nil {
			t.Fatalf("row %q: no BatchSize: %v", cells, err)
		}
		batchSizes = append(batchSizes, b)
		e := cost.USEast1.Estimate(cost.SmallObjects(1e6, keyBytes, b, false), defaults)
		want := []string{cost.Dollars(e.Listing), cost.Dollars(e.Requests), cost.Dollars(e.Children), cost.Dollars(e.Duration),
			cost.Dollars(e.Tracing), "**" + cost.Dollars(e.Total()) + "**"}
		if got := cells[1:]; strings.Join(got, " | ") != strings.Join(want, " | ") {
			t.Errorf("BatchSize %d: README says %q; the model says %q", b, got, want)
		}
	}
	if fmt.Sprint(batchSizes) != "[100 500 1000]" {
		t.Errorf("the table has BatchSizes %v; want 100, 500 and 1000 (the default)", batchSizes)
	}

	// The figures the text around the table derives from the model.
	run := cost.SmallObjects(1e6, keyBytes, 1000, false)
	e := cost.USEast1.Estimate(run, defaults)
	kms := defaults
	kms.KMS = true
	withKMS := cost.USEast1.Estimate(run, kms)
	perPart := float64(defaults.TotalPartBytes) / (float64(run.ResultBytes+run.Batches*cost.ResultBytesPerBatch) / 1e6) / 1e6
	tm := run.Time(defaults)
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		fmt.Sprintf("(one per %.1f million objects)", perPart),
		fmt.Sprintf("a million objects take %s to list and %s to sum", cost.FormatTime(tm.Listing), cost.FormatTime(tm.Batches)),
		fmt.Sprintf("with `MaxConcurrency` above %d the listing", int(tm.Batch.Seconds()/cost.ListPageTime.Seconds())),
		fmt.Sprintf("%s more per million objects", cost.Dollars(withKMS.KMS)[:len(cost.Dollars(withKMS.KMS))-1]),
		fmt.Sprintf("about %d times the table's total at the default `BatchSize` (%s instead of %s)",
			int(math.Round(withKMS.KMS/e.Total())), cost.Dollars(withKMS.Total()), cost.Dollars(e.Total())),
	} {
		if !strings.Contains(strings.Join(strings.Fields(string(readme)), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("README.md does not say %q, as the model does", want)
		}
	}
}

// TestREADMEBillion checks the README's table of a billion objects, listed
// and from an S3 Inventory report, against the model, cell by cell.
func TestREADMEBillion(t *testing.T) {
	rows := readmeTable(t, "| a billion objects, from | listing |")
	if len(rows) != 2 {
		t.Fatalf("the billion-object table has %d rows; want 2, a listing and an inventory", len(rows))
	}
	for i, source := range []string{"a prefix (ListObjectsV2)", "an S3 Inventory report"} {
		cells := rows[i]
		r := cost.SmallObjects(1e9, keyBytes, 1000, i == 1)
		e := cost.USEast1.Estimate(r, defaults)
		wide := defaults
		wide.MaxConcurrency = 900
		want := []string{source, cost.Dollars(e.Listing), cost.Dollars(e.Requests), cost.Dollars(e.Children), cost.Dollars(e.Duration),
			cost.Dollars(e.Tracing), "**" + cost.Dollars(e.Total()) + "**",
			cost.FormatTime(r.Time(defaults).Listing), cost.FormatTime(r.Time(defaults).Run()), cost.FormatTime(r.Time(wide).Run())}
		if strings.Join(cells, " | ") != strings.Join(want, " | ") {
			t.Errorf("row %d: README says %q; the model says %q", i+1, cells, want)
		}
	}
}

// TestREADMELargeObject checks what the README says a 100 GiB object
// takes and costs at the template's defaults, against the model.
func TestREADMELargeObject(t *testing.T) {
	var r cost.Run
	r.Listed, r.Batches = 1, 1
	r.AddObject("sumsq-data", "today/big.log", 100<<30, defaults)
	e := cost.USEast1.Estimate(r, defaults)
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("A 100 GiB object is %d ranges of 256 MiB, %d GETs in all; at `MaxConcurrency` 10 it takes %s and costs %s",
		r.Ranges, r.Requests, cost.FormatTime(r.Time(defaults).Run()), cost.Dollars(e.Total()))
	if !strings.Contains(strings.Join(strings.Fields(string(readme)), " "), want) {
		t.Errorf("README.md does not say %q, as the model does", want)
	}
}

// TestEstimate pins the model's arithmetic on runs worked out by hand.
func TestEstimate(t *testing.T) {
	const mib = 1 << 20
	p := cost.Params{MaxConcurrency: 2, MemoryMB: 2048, SplitBytes: 32 * mib, TotalPartBytes: 1000, Tracing: true, KMS: true}
	var r cost.Run
	r.Listed = 2003
	for i := range 2000 {
		r.AddObject("b", fmt.Sprintf("k%04d", i), 10, p) // 66 bytes of results each
	}
	r.AddObject("b", "large", 40*mib, p) // a HEAD, then ranges of 32 MiB (4 GETs) and 8 MiB (1 GET)
	r.Batches = 3
	if r.Objects != 2001 || r.Requests != 2006 || r.Bytes != 20000 || r.Large != 1 || r.Ranges != 2 || r.RangeBytes != 40*mib || r.ResultBytes != 2001*66 {
		t.Fatalf("AddObject: %+v", r)
	}
	// Results: 132,066 bytes of objects' and 360 of batches': 133 parts of 1,000 bytes.
	if got := r.TotalParts(p); got != 133 {
		t.Errorf("TotalParts = %d; want 133", got)
	}
	batchSeconds := 2001/2500.0 + 20000/60e6 + 3*0.02
	partSeconds := 132426/43e6 + 133*0.02
	rangeSeconds := 40*mib/60e6 + 2*0.02
	want := cost.Estimate{
		Listing:  3 * 0.000005,
		Requests: 2006 * 0.0000004,
		Children: 5*(0.000025+0.000001+0.0000002) + 133*(2*0.000025+0.0000002),
		Duration: ((batchSeconds+rangeSeconds)*2 + partSeconds*1769.0/1024) * 0.0000133334, // the Total function: 1,769 MB
		Tracing:  138*0.000005 + 138*1024*0.5e-9,
		KMS:      2006 * 0.000003,
	}
	e := cost.USEast1.Estimate(r, p)
	checkEstimate(t, "a listing", e, want)

	r.Inventory, r.InventoryFiles = true, 2
	want.Listing = 2003*0.0025/1e6 + 3*0.0000004
	checkEstimate(t, "an inventory", cost.USEast1.Estimate(r, p), want)

	p.Tracing, p.KMS = false, false
	want.Tracing, want.KMS = 138*1024*0.5e-9, 0
	checkEstimate(t, "no tracing, no KMS", cost.USEast1.Estimate(r, p), want)
}

func checkEstimate(t *testing.T, name string, e, want cost.Estimate) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"Listing", e.Listing, want.Listing},
		{"Requests", e.Requests, want.Requests},
		{"Children", e.Children, want.Children},
		{"Duration", e.Duration, want.Duration},
		{"Tracing", e.Tracing, want.Tracing},
		{"KMS", e.KMS, want.KMS},
		{"Total", e.Total(), want.Listing + want.Requests + want.Children + want.Duration + want.Tracing + want.KMS},
	} {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s: %s = %g; want %g", name, c.name, c.got, c.want)
		}
	}
}

// TestAddObject pins the requests each kind of object costs, and what is
// read by a batch and what in ranges.
func TestAddObject(t *testing.T) {
	const mib = 1 << 20
	p := cost.Params{SplitBytes: 256 * mib}
	tests := []struct {
		name     string
		key      string
		size     int64
		want     cost.Run // Objects and ResultBytes aside
		splitOff bool     // SplitBytes 0: nothing is set aside
	}{
		{"empty", "a", 0, cost.Run{}, false},
		{"a folder marker", "a/", 12, cost.Run{}, false},
		{"unknown size: a HEAD, a GET", "a", -1, cost.Run{Requests: 2}, false},
		{"small", "a", 8*mib - 1, cost.Run{Requests: 1, Bytes: 8*mib - 1}, false},
		{"in parts: its magic number, then 8 MiB parts", "a", 8*mib + 1, cost.Run{Requests: 3, Bytes: 8*mib + 1}, false},
		{"compressed: its magic number, then one stream", "a.gz", 100 * mib, cost.Run{Requests: 2, Bytes: 100 * mib}, false},
		{"compressed over the split size: never set aside", "a.zst", 300 * mib, cost.Run{Requests: 2, Bytes: 300 * mib}, false},
		{"just under the split size", "a", 256*mib - 1, cost.Run{Requests: 33, Bytes: 256*mib - 1}, false},
		{"the split size: one range", "a", 256 * mib, cost.Run{Requests: 33, Large: 1, Ranges: 1, RangeBytes: 256 * mib}, false},
		{"two ranges", "a", 300 * mib, cost.Run{Requests: 1 + 32 + 6, Large: 1, Ranges: 2, RangeBytes: 300 * mib}, false},
		{"no split size", "a", 300 * mib, cost.Run{Requests: 1 + 38, Bytes: 300 * mib}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := p
			if tt.splitOff {
				p.SplitBytes = 0
			}
			var r cost.Run
			r.AddObject("bucket", tt.key, tt.size, p)
			want := tt.want
			want.Objects, want.ResultBytes = 1, int64(cost.ResultBytesPerObject+len("bucket")+len(tt.key))
			if r != want {
				t.Errorf("AddObject(%q, %d) = %+v; want %+v", tt.key, tt.size, r, want)
			}
		})
	}
}

// TestTime pins the duration model on runs worked out by hand.
func TestTime(t *testing.T) {
	p := cost.Params{MaxConcurrency: 10, TotalPartBytes: 256 << 20}
	r := cost.SmallObjects(1e6, keyBytes, 1000, false)
	// 1,000 LIST pages of 100 ms; 1,000 batches of 0.42 s, 10 at a time;
	// 92 MB of results (and 120 KB of batches'): one part, of 2.14 s.
	got := r.Time(p)
	results := (92e6 + 120e3) / 43e6
	want := cost.Time{
		Listing: 100 * time.Second,
		Batch:   420 * time.Millisecond,
		Batches: 42 * time.Second,
		Total:   time.Duration(results*float64(time.Second)) + 20*time.Millisecond,
	}
	if got.Listing != want.Listing || got.Batch != want.Batch || got.Batches != want.Batches || (got.Total-want.Total).Abs() > time.Microsecond {
		t.Errorf("Time = %+v; want %+v", got, want)
	}
	// The last batch starts when the listing ends.
	if run, want := got.Run(), 100*time.Second+420*time.Millisecond+got.Total; run != want {
		t.Errorf("Run() = %v; want %v", run, want)
	}

	r.Inventory = true // a million rows, a second
	if got := r.Time(p); got.Listing != time.Second || got.Run() != 42*time.Second+got.Total {
		t.Errorf("from an inventory: Time = %+v, Run() = %v; want a listing of 1s, a run of the batches' 42s and the total's", got, got.Run())
	}
}

func TestFormat(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0 s"},
		{1499 * time.Millisecond, "1 s"},
		{59 * time.Second, "59 s"},
		{90 * time.Second, "2 min"},
		{59*time.Minute + 29*time.Second, "59 min"},
		{59*time.Minute + 31*time.Second, "1.0 h"},
		{27*time.Hour + 47*time.Minute, "27.8 h"},
	} {
		if got := cost.FormatTime(tt.d); got != tt.want {
			t.Errorf("FormatTime(%v) = %q; want %q", tt.d, got, tt.want)
		}
	}
	for _, tt := range []struct {
		v    float64
		want string
	}{{0, "$0.000"}, {0.0004, "$0.000"}, {0.4424, "$0.442"}, {442.3598, "$442.360"}} {
		if got := cost.Dollars(tt.v); got != tt.want {
			t.Errorf("Dollars(%g) = %q; want %q", tt.v, got, tt.want)
		}
	}
}
