package sampledata_test

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sumsq/sumsq/internal/sampledata"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// all returns every file of the data set for o, in order.
func all(t *testing.T, o sampledata.Options) (names []string, contents [][]byte) {
	t.Helper()
	g, err := sampledata.NewGenerator(o)
	if err != nil {
		t.Fatalf("NewGenerator(%+v) = %v", o, err)
	}
	for {
		name, content, ok := g.Next()
		if !ok {
			return names, contents
		}
		names = append(names, name)
		contents = append(contents, content)
	}
}

func TestDeterministic(t *testing.T) {
	o := sampledata.Options{Files: 50, Max: 999, Several: 0.3, Seed: 7}
	_, a := all(t, o)
	_, b := all(t, o)
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("file %d differs between two runs with seed %d: %q, %q", i+1, o.Seed, a[i], b[i])
		}
	}
	o.Seed = 8
	_, c := all(t, o)
	if bytes.Equal(bytes.Join(a, nil), bytes.Join(c, nil)) {
		t.Errorf("seeds 7 and 8 gave the same data set")
	}
}

func TestShape(t *testing.T) {
	tests := []struct {
		name     string
		opts     sampledata.Options
		files    int
		min, max int64 // bounds of the values, when digits is 0
		digits   int
		several  bool // whether some file must hold several numbers
	}{
		{"defaults", sampledata.Options{}, 10, 0, 0, 0, false},
		{"blog", sampledata.Options{Max: 999, Several: 0.2, Seed: 1}, 10, 0, 999, 0, true},
		{"one number each", sampledata.Options{Files: 40, Min: 1, Max: 3}, 40, 1, 3, 0, false},
		{"all several", sampledata.Options{Files: 30, Max: 9, Several: 1, MaxNumbers: 2}, 30, 0, 9, 0, true},
		{"negative", sampledata.Options{Files: 30, Min: -50, Max: -10, Several: 1}, 30, -50, -10, 0, true},
		{"full range", sampledata.Options{Files: 30, Min: math.MinInt64, Max: math.MaxInt64}, 30, math.MinInt64, math.MaxInt64, 0, false},
		{"big", sampledata.Options{Files: 5, Digits: 40, Several: 0.5, Seed: 3}, 5, 0, 0, 40, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			names, contents := all(t, tt.opts)
			if len(names) != tt.files {
				t.Fatalf("got %d files; want %d", len(names), tt.files)
			}
			severalSeen := false
			for i, c := range contents {
				if want := fmt.Sprintf("random_%d.log", i+1); names[i] != want {
					t.Errorf("file %d is named %q; want %q", i+1, names[i], want)
				}
				lines := strings.Split(strings.TrimSuffix(string(c), "\n"), "\n")
				max := tt.opts.MaxNumbers
				if max == 0 {
					max = sampledata.DefaultMaxNumbers
				}
				if len(lines) < 1 || len(lines) > max || !bytes.HasSuffix(c, []byte("\n")) {
					t.Errorf("%s = %q; want 1 to %d lines, each ending in a newline", names[i], c, max)
				}
				if !tt.several && len(lines) > 1 {
					t.Errorf("%s = %q; want one number", names[i], c)
				}
				severalSeen = severalSeen || len(lines) > 1
				for _, l := range lines {
					if tt.digits > 0 {
						if len(l) != tt.digits || l[0] == '0' || strings.Trim(l, "0123456789") != "" {
							t.Errorf("%s has %q; want a %d-digit number", names[i], l, tt.digits)
						}
						continue
					}
					v, err := strconv.ParseInt(l, 10, 64)
					if err != nil || v < tt.min || v > tt.max {
						t.Errorf("%s has %q; want a number in [%d, %d]", names[i], l, tt.min, tt.max)
					}
				}
				r, err := sumsq.Sum(bytes.NewReader(c))
				if err != nil || r.Count != int64(len(lines)) {
					t.Errorf("sumsq.Sum(%q) = %v, %v; want %d numbers", c, r.Count, err, len(lines))
				}
			}
			if tt.several && !severalSeen {
				t.Errorf("no file holds several numbers")
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		opts sampledata.Options
	}{
		{"negative files", sampledata.Options{Files: -1}},
		{"negative digits", sampledata.Options{Digits: -1}},
		{"min over max", sampledata.Options{Min: 2, Max: 1}},
		{"several over 1", sampledata.Options{Several: 1.5}},
		{"several NaN", sampledata.Options{Several: math.NaN()}},
		{"max numbers 1", sampledata.Options{MaxNumbers: 1}},
	}
	for _, tt := range tests {
		if err := tt.opts.Validate(); err == nil {
			t.Errorf("%s: Validate(%+v) = nil; want an error", tt.name, tt.opts)
		}
	}
	if err := (sampledata.Options{Min: 2, Max: 1, Digits: 3}).Validate(); err != nil {
		t.Errorf("Validate with Digits ignores Min and Max: got %v; want nil", err)
	}
}

func TestWriteDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "today")
	o := sampledata.Options{Files: 12, Max: 99, Several: 0.5, Seed: 1}
	files, numbers, err := sampledata.WriteDir(dir, o)
	if err != nil {
		t.Fatalf("WriteDir = %v", err)
	}
	names, contents := all(t, o)
	wantNumbers := 0
	for i, name := range names {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, contents[i]) {
			t.Errorf("%s = %q, %v; want %q", name, got, err, contents[i])
		}
		wantNumbers += bytes.Count(contents[i], []byte("\n"))
	}
	if files != 12 || numbers != wantNumbers {
		t.Errorf("WriteDir = %d files, %d numbers; want 12, %d", files, numbers, wantNumbers)
	}
}
