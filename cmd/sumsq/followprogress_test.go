package main

import (
	"regexp"
	"strconv"
	"testing"
	"time"
)

// progressLine finds in a line of progress (a plain line or a drawing of the
// bar) the Map Run it names, its percentage (-1 if none) and its items
// succeeded.
var progressLine = regexp.MustCompile(`^(\w+(?: \(redrive \d+\))?)(?: +(\d+)%| [|/\\-])?:? (?:\[[=> ]*\] )?(\d+)/(\d+)(\+?) items succeeded`)

// checkMonotonic checks that, for each Map Run, no line of progress shows
// a percentage or a count of items succeeded below one shown before. It
// returns how many lines of progress it found, and how many of them show a
// percentage.
func checkMonotonic(t *testing.T, lines []string) (found, percentages int) {
	t.Helper()
	type seen struct{ percent, succeeded int }
	last := map[string]seen{}
	for _, line := range lines {
		m := progressLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		found++
		pc := -1
		if m[2] != "" {
			pc, _ = strconv.Atoi(m[2])
			percentages++
		}
		succeeded, _ := strconv.Atoi(m[3])
		prev, ok := last[m[1]]
		if ok && (pc >= 0 && pc < prev.percent || succeeded < prev.succeeded) {
			t.Errorf("%s: %q comes after %d%%, %d succeeded: progress went back", m[1], line, prev.percent, prev.succeeded)
		}
		last[m[1]] = seen{max(pc, prev.percent), succeeded}
	}
	return found, percentages
}

func TestDescribeFollow(t *testing.T) {
	known := &mapRunProgress{label: "SumObjects", succeeded: 4200, failed: 3, running: 300, pending: 5497, total: 10000,
		totalKnown: true, percent: 42, rate: 120, left: 48 * time.Second}
	growing := &mapRunProgress{label: "SumObjects", redrives: 2, succeeded: 4200, running: 300, pending: 5500, total: 10000,
		percent: -1, rate: 0.25, left: -1}
	tests := []struct {
		name    string
		run     *mapRunProgress
		spinner string
		width   int
		want    string
	}{
		{"bar", known, "|", 200,
			"SumObjects  42% [========>           ] 4200/10000 items succeeded, 3 failed, 300 running, 5497 pending, 120 items/s, elapsed 35s, left 48s"},
		{"bar, narrow", known, "|", 100,
			"SumObjects  42% 4200/10000 items succeeded, 3 failed, 300 running, 5497 pending, left 48s"},
		{"bar, narrower", known, "|", 60,
			"SumObjects  42% 4200/10000 items succeeded, left 48s"},
		{"total still growing", growing, "/", 200,
			"SumObjects (redrive 2) / 4200/10000+ items succeeded, 0 failed, 300 running, 5500 pending, 0.2 items/s, elapsed 35s"},
		{"no Map Run", nil, "-", 200, "- execution running, elapsed 35s"},
		{"plain", known, "", 0,
			"SumObjects 42%: 4200/10000 items succeeded, 3 failed, 300 running, 5497 pending, 120 items/s, elapsed 35s, left 48s"},
		{"plain, growing", growing, "", 0,
			"SumObjects (redrive 2): 4200/10000+ items succeeded, 0 failed, 300 running, 5500 pending, 0.2 items/s, elapsed 35s"},
		{"plain, no Map Run", nil, "", 0, "execution running, elapsed 35s"},
	}
	for _, tt := range tests {
		got := describeFollow(tt.run, 35*time.Second, tt.spinner, tt.width)
		if got != tt.want || tt.width > 0 && len(got) > tt.width {
			t.Errorf("%s: describeFollow = %q (%d columns); want %q", tt.name, got, len(got), tt.want)
		}
		// The tests read the lines they find back.
		if m := progressLine.FindStringSubmatch(got); (m != nil) != (tt.run != nil) || m != nil && m[3] != "4200" {
			t.Errorf("%s: progressLine finds %q in %q", tt.name, m, got)
		}
	}
}
