package main

import (
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

// A stream named twice was read by two workers at once, each getting part
// of it: a wrong total and exit status 0. It is a usage error; a regular
// file named twice is read twice.
func TestRunStreamNamedTwice(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	writeFiles(t, dir, map[string]string{"f": "1\n2\n"})
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	const once = ": standard input, a pipe, a FIFO or a device can be read only once\n"

	tests := []struct {
		name   string
		stdin  string // "pipe" (holding 1..3), "file" (f) or "" (none)
		args   []string
		stdout string
		stderr string
		status int
	}{
		{"stdin twice", "pipe", []string{"-", "-"}, "", "sumsq: run: - is named twice" + once, 2},
		{"stdin and /dev/stdin", "pipe", []string{"-", file, "/dev/stdin"}, "", "sumsq: run: - and /dev/stdin are the same stream" + once, 2},
		{"FIFO twice", "", []string{fifo, file, fifo}, "", "sumsq: run: " + fifo + " is named twice" + once, 2},
		{"FIFO and a link to it", "", []string{link, fifo}, "", "sumsq: run: " + link + " and " + fifo + " are the same stream" + once, 2},
		{"device twice", "", []string{"/dev/null", "/dev/null"}, "", "sumsq: run: /dev/null is named twice" + once, 2},
		{"stdin from a file, twice", "file", []string{"-", "-"}, "", "sumsq: run: - is named twice" + once, 2},
		{"regular file twice", "", []string{file, file}, file + "\t2\t5\n" + file + "\t2\t5\ntotal\t4\t10\n", "", 0},
		{"stdin and a file", "pipe", []string{"-", file}, "-\t3\t14\n" + file + "\t2\t5\ntotal\t5\t19\n", "", 0},
	}
	if runtime.GOOS == "linux" {
		// /dev/stdin opens the file anew, with an offset of its own.
		tests = append(tests, struct {
			name, stdin    string
			args           []string
			stdout, stderr string
			status         int
		}{"stdin from a file and /dev/stdin", "file", []string{"-", "/dev/stdin"}, "-\t2\t5\n/dev/stdin\t2\t5\ntotal\t4\t10\n", "", 0})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdin *os.File
			switch tt.stdin {
			case "pipe":
				stdin = pipe(t, "1\n2\n3\n", true)
			case "file":
				f, err := os.Open(file)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				stdin = f
			}
			stdout, stderr, status := runBinary(t, stdin, append([]string{"run"}, tt.args...)...)
			if stdout != tt.stdout || stderr != tt.stderr || status != tt.status {
				t.Errorf("sumsq run %q = status %d, stdout %q, stderr %q; want %d, %q, %q", tt.args, status, stdout, stderr, tt.status, tt.stdout, tt.stderr)
			}
		})
	}
}
