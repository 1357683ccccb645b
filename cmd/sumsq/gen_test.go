package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/sumsq/sumsq/internal/sumsq"
)

// readDir returns the files of dir by name.
func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

func sameFiles(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for name, content := range a {
		if other, ok := b[name]; !ok || !bytes.Equal(content, other) {
			return false
		}
	}
	return true
}

func TestGen(t *testing.T) {
	gen := func(args ...string) map[string][]byte {
		t.Helper()
		dir := filepath.Join(t.TempDir(), "out")
		stdout, stderr, status := sumsqCmd(t, "", append(append([]string{"gen"}, args...), dir)...)
		if status != 0 || stderr != "" {
			t.Fatalf("sumsq gen %q = status %d, stderr %q; want 0, no stderr", args, status, stderr)
		}
		files := readDir(t, dir)
		numbers := 0
		for name, b := range files {
			r, err := sumsq.Sum(bytes.NewReader(b))
			if err != nil || r.Count < 1 {
				t.Errorf("%s = %q: sumsq.Sum = %d numbers, %v; want at least one number, no error", name, b, r.Count, err)
			}
			numbers += int(r.Count)
		}
		if want := "wrote " + strconv.Itoa(len(files)) + " files (" + strconv.Itoa(numbers) + " numbers) to " + dir + "\n"; stdout != want {
			t.Errorf("sumsq gen %q printed %q; want %q", args, stdout, want)
		}
		return files
	}

	a, b := gen("-seed", "3"), gen("-seed", "3")
	if !sameFiles(a, b) {
		t.Errorf("gen -seed 3 twice gave different files")
	}
	if c := gen("-seed", "4"); sameFiles(a, c) {
		t.Errorf("gen -seed 3 and -seed 4 gave the same files")
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for name := range gen("-n", "12") {
			yield(name)
		}
	})
	want := []string{"random_1.log", "random_10.log", "random_11.log", "random_12.log", "random_2.log", "random_3.log",
		"random_4.log", "random_5.log", "random_6.log", "random_7.log", "random_8.log", "random_9.log"}
	if !slices.Equal(names, want) {
		t.Errorf("gen -n 12 wrote %q; want %q", names, want)
	}
	for name, content := range gen("-n", "3", "-digits", "50", "-several", "0") {
		if len(content) != 51 || content[0] == '0' {
			t.Errorf("gen -digits 50: %s = %q; want one 50-digit number", name, content)
		}
	}
}

// The sample folder the README runs is exactly what its documented
// command writes.
func TestExamplesReproducible(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, status := sumsqCmd(t, "", "gen", "-seed", "8", dir); status != 0 {
		t.Fatalf("sumsq gen -seed 8 = status %d, stderr %q", status, stderr)
	}
	if got, want := readDir(t, filepath.Join("..", "..", "examples", "today")), readDir(t, dir); !sameFiles(got, want) {
		t.Errorf("examples/today differs from what 'sumsq gen -seed 8 examples/today' writes")
	}
}
