package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The tests of what happens between processes (pipes, signals, terminals)
// run the built command.
var built struct {
	once sync.Once
	dir  string // removed by TestMain
	path string
	err  error
	src  string // this package's folder
}

func TestMain(m *testing.M) {
	built.src, _ = os.Getwd()
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// sumsqBinary returns the path of the command, built once per test run.
func sumsqBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "sumsq-test-"); built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "sumsq")
		cmd := exec.Command("go", "build", "-o", built.path, ".")
		cmd.Dir = built.src
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

// binaryTimeout bounds a run of the built command: a test that would hang
// (a FIFO nobody writes to) fails instead.
const binaryTimeout = 30 * time.Second

// runBinary runs the built command with args and stdin (nil: none) and
// returns what it wrote and its exit status.
func runBinary(t *testing.T, stdin *os.File, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), binaryTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, sumsqBinary(t), args...)
	var out, errOut bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) || ctx.Err() != nil {
		t.Fatalf("sumsq %q: %v (stderr %q)", args, err, errOut.String())
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

// pipe returns the read end of a pipe that holds content, closed when the
// test ends. With eof its write end is closed: a read after content ends;
// without, the write end stays open until the test ends: a read waits.
func pipe(t *testing.T, content string, eof bool) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	if _, err := w.WriteString(content); err != nil {
		t.Fatal(err)
	}
	if eof {
		w.Close()
	}
	return r
}

// The exit statuses the README and "sumsq run -h" promise, from the built
// command (130: TestRunInterrupted and the tests after it).
func TestExitStatusBinary(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"good/1.log": "3\n", "bad/1.log": "x\n"})
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		status int
	}{
		{"every object summed", []string{"run", filepath.Join(dir, "good")}, 0},
		{"an object failed", []string{"run", filepath.Join(dir, "good"), filepath.Join(dir, "bad")}, 1},
		{"a missing path", []string{"run", filepath.Join(dir, "missing")}, 1},
		{"a target that matched no object", []string{"run", filepath.Join(dir, "empty")}, 1},
		{"a usage error", []string{"run", "S3://bucket/"}, 2},
		{"help", []string{"help", "run"}, 0},
		{"version", []string{"version"}, 0},
	}
	for _, tt := range tests {
		if _, stderr, status := runBinary(t, nil, tt.args...); status != tt.status {
			t.Errorf("%s: sumsq %q = status %d (stderr %q); want %d", tt.name, tt.args, status, stderr, tt.status)
		}
	}
}
