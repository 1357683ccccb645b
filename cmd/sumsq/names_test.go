package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/creack/pty"

	"github.com/sumsq/sumsq/internal/job"
)

// contractNames are the error names failures may have: the job's Contract.
func contractNames() []string {
	var names []string
	for _, c := range job.Contract {
		names = append(names, c.Name())
	}
	return names
}

// Local paths that cannot be read fail with the documented error names,
// never a Go type name such as PathError or Errno.
func TestRunFailureNames(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"f": "1\n"})
	p := func(name string) string { return filepath.Join(dir, name) }
	if err := os.Symlink("loop", p("loop")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	long := p(strings.Repeat("n", 300))
	tests := []struct {
		path, line string
	}{
		{p("loop"), p("loop") + "\tObjectUnreadableError: cannot be read: too many levels of symbolic links"},
		{p("f") + "/", p("f") + "/\tObjectUnreadableError: cannot be read: not a directory"},
		{p("f/x"), p("f/x") + "\tObjectUnreadableError: cannot be read: not a directory"},
		{long, long + "\tObjectUnreadableError: cannot be read: file name too long"},
		{p("missing"), p("missing") + "\tObjectNotFoundError: no such file or directory"},
	}
	var args []string
	var want strings.Builder
	for _, tt := range tests {
		args = append(args, tt.path)
		want.WriteString(tt.line + "\n")
	}

	// Standard input a terminal's master side whose other side has
	// closed: read gives EIO.
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	defer master.Close()
	tty.Close()
	args = append(args, "-")
	want.WriteString("-\tObjectUnreadableError: cannot be read: input/output error\n")
	fmtWant := want.String() + "sumsq: 6 objects listed: 0 summed, 6 failed, 0 skipped\n"

	var stdout, stderr bytes.Buffer
	err = run(context.Background(), append([]string{"run"}, args...), master, &stdout, &stderr)
	status := exitStatus(err, &stderr)
	if stderr.String() != fmtWant || status != 1 {
		t.Errorf("sumsq run PATHS = status %d, stderr:\n%s\nwant 1, stderr:\n%s", status, stderr.String(), fmtWant)
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if _, rest, ok := strings.Cut(line, "\t"); ok {
			name, _, _ := strings.Cut(rest, ":")
			if !slices.Contains(contractNames(), name) {
				t.Errorf("failure %q is named %s, which is not one of the documented names %v", line, name, contractNames())
			}
		}
	}
}

// -json writes a file name that is not valid UTF-8 Go-quoted, as the text
// output does: encoding/json would have replaced its bytes with U+FFFD,
// naming a file that does not exist. strconv.Unquote gives the bytes back.
func TestRunJSONInvalidUTF8(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "bad\xffname.log"), filepath.Join(dir, "worse\xfe.log")
	for path, content := range map[string]string{good: "3\n", bad: "x\n"} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Skipf("this file system refuses a name that is not UTF-8: %v", err)
		}
	}
	stdout, _, status := sumsqCmd(t, "", "run", "-json", good, bad)
	var got job.BatchResult
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || status != 1 || len(got.Results) != 1 || len(got.Failed) != 1 {
		t.Fatalf("sumsq run -json = status %d, %+v, %v; want 1, one result and one failure", status, got, err)
	}
	for _, kv := range []struct{ key, path string }{{got.Results[0].Key, good}, {got.Failed[0].Key, bad}} {
		name, err := strconv.Unquote(kv.key)
		if err != nil || name != kv.path {
			t.Errorf("key %q unquotes to %q, %v; want %q", kv.key, name, err, kv.path)
			continue
		}
		if _, err := os.Stat(name); err != nil {
			t.Errorf("the key %q names no file: %v", kv.key, err)
		}
	}
	// The text output writes the same names the same way.
	stdout, stderr, _ := sumsqCmd(t, "", "run", good, bad)
	if want := strconv.Quote(good) + "\t1\t9\n"; !strings.HasPrefix(stdout, want) || !strings.HasPrefix(stderr, strconv.Quote(bad)+"\t") {
		t.Errorf("sumsq run = stdout %q, stderr %q; want %q first and a failure of %q", stdout, stderr, want, strconv.Quote(bad))
	}
}
