package cost_test

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/sumsq/sumsq/internal/cost"
)

// TestREADMETable checks the README's cost table against the model, cell
// by cell: the table is what the model says of a million small objects.
func TestREADMETable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const header = "| BatchSize | S3 GET + LIST |"
	_, table, ok := strings.Cut(string(readme), header)
	if !ok {
		t.Fatalf("README.md has no cost table beginning %q", header)
	}
	table, _, _ = strings.Cut(table, "\n\n")
	rows := strings.Split(table, "\n")[2:] // after the rest of the header and the rule
	var batchSizes []int
	for _, row := range rows {
		var b int
		if _, err := fmt.Sscanf(strings.TrimPrefix(row, "| "), "%d", &b); err != nil {
			t.Fatalf("row %q: no BatchSize: %v", row, err)
		}
		batchSizes = append(batchSizes, b)
		e := cost.USEast1.Estimate(cost.Run{Objects: 1e6, BatchSize: b, MemoryMB: 1024, Tracing: true})
		cells := strings.Split(strings.Trim(row, "| "), " | ")
		want := []string{dollars(e.Requests), dollars(e.Batches), dollars(e.Duration), dollars(e.Tracing), "**" + dollars(e.Total()) + "**"}
		if got := cells[1:]; strings.Join(got, " | ") != strings.Join(want, " | ") {
			t.Errorf("BatchSize %d: README says %q; the model says %q", b, got, want)
		}
	}
	if fmt.Sprint(batchSizes) != "[100 500 1000]" {
		t.Errorf("the table has BatchSizes %v; want 100, 500 and 1000 (the default)", batchSizes)
	}
}

func dollars(v float64) string { return fmt.Sprintf("$%.3f", v) }

// TestEstimate pins the model's arithmetic on a run worked out by hand.
func TestEstimate(t *testing.T) {
	e := cost.USEast1.Estimate(cost.Run{Objects: 2000, BatchSize: 1000, MemoryMB: 2048, Tracing: true, KMS: true})
	want := cost.Estimate{
		Requests: 2000*0.0000004 + 2*0.000005,
		Batches:  2 * (0.000025 + 0.000001 + 0.0000002),
		Duration: 2 * (0.4 + 0.02) * 2 * 0.0000133334,
		Tracing:  2*0.000005 + 2*1024*0.5e-9,
		KMS:      2000 * 0.000003,
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"Requests", e.Requests, want.Requests},
		{"Batches", e.Batches, want.Batches},
		{"Duration", e.Duration, want.Duration},
		{"Tracing", e.Tracing, want.Tracing},
		{"KMS", e.KMS, want.KMS},
		{"Total", e.Total(), want.Requests + want.Batches + want.Duration + want.Tracing + want.KMS},
	} {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %g; want %g", c.name, c.got, c.want)
		}
	}
}
