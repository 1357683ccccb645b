package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sumsqCmd runs the program with args and stdin and returns what it wrote
// and its exit status.
func sumsqCmd(t *testing.T, stdin string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	status = exitStatus(err, &errOut)
	return out.String(), errOut.String(), status
}

func TestExitStatus(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		stderr string
	}{
		{"success", nil, 0, ""},
		{"help", flag.ErrHelp, 0, ""},
		{"objects failed", errFailed, 1, ""},
		{"usage reported", usageError{}, 2, ""},
		{"usage", usageError{"run: no TARGET"}, 2, "sumsq: run: no TARGET\n"},
		{"interrupted", fmt.Errorf("listing: %w", context.Canceled), 130, "sumsq: interrupted\n"},
		{"other", errors.New("boom"), 1, "sumsq: boom\n"},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		if got := exitStatus(tt.err, &stderr); got != tt.status || stderr.String() != tt.stderr {
			t.Errorf("%s: exitStatus(%v) = %d, stderr %q; want %d, %q", tt.name, tt.err, got, stderr.String(), tt.status, tt.stderr)
		}
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		status int
		stdout string // a part of it
		stderr string // a part of it
	}{
		{"no command", nil, 2, "", "Usage:"},
		{"unknown command", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"help", []string{"help"}, 0, "sumsq run", ""},
		{"run help", []string{"run", "-h"}, 0, "Examples:\n\n\tsumsq run examples/today", ""},
		{"gen help", []string{"gen", "-h"}, 0, "sumsq gen -seed 8 examples/today", ""},
		{"help run", []string{"help", "run"}, 0, "Examples:\n\n\tsumsq run examples/today", ""},
		{"help start", []string{"help", "start"}, 0, "sumsq start -prefix today/ -wait", ""},
		{"help version", []string{"help", "version"}, 0, "sumsq version", ""},
		{"help of an unknown command", []string{"help", "frobnicate"}, 2, "", `help: unknown command "frobnicate"; run 'sumsq help'`},
		{"help of two commands", []string{"help", "run", "gen"}, 2, "", "help: want one COMMAND"},
		{"version with an argument", []string{"version", "x"}, 2, "", "version: takes no arguments"},
		{"run S3:// in capitals", []string{"run", "S3://bucket/today/"}, 2, "",
			"sumsq: run: S3://bucket/today/: write the scheme in lower case, s3://bucket/today/\n"},
		{"run gs://", []string{"run", "gs://bucket/today/"}, 2, "",
			"sumsq: run: gs://bucket/today/: a TARGET is a local path or s3://BUCKET/PREFIX, not a gs:// URL (for a local path, write ./gs://bucket/today/)\n"},
		{"run https://", []string{"run", ".", "https://example.com/x.log"}, 2, "", "not a https:// URL"},
		{"run file://", []string{"run", "file:///tmp/x"}, 2, "", "not a file:// URL"},
		{"run s3a://", []string{"run", "s3a://bucket/x"}, 2, "", "not a s3a:// URL"},
		{"run -endpoint-url without a scheme", []string{"run", "-endpoint-url", "127.0.0.1:9000", "s3://b/"}, 2, "",
			"sumsq: run: -endpoint-url \"127.0.0.1:9000\": want an http:// or https:// URL, like http://127.0.0.1:9000\n"},
		{"start -endpoint-url without a host", []string{"start", "-endpoint-url", "http://"}, 2, "", "start: -endpoint-url \"http://\": want an http:// or https:// URL"},
		{"run without target", []string{"run"}, 2, "", "run: no TARGET"},
		{"run -c 0", []string{"run", "-c", "0", "."}, 2, "", "sumsq: run: -c must be from 1 to 1024\n"},
		{"run -c 1025", []string{"run", "-c", "1025", "."}, 2, "", "sumsq: run: -c must be from 1 to 1024\n"},
		{"run -c 1000000000", []string{"run", ".", "-c", "1000000000"}, 2, "", "sumsq: run: -c must be from 1 to 1024\n"},
		{"run -max-digits 0", []string{"run", "-max-digits", "0", "."}, 2, "", "sumsq: run: -max-digits must be from 1 to 30000\n"},
		{"run -max-digits 30001", []string{"run", "-max-digits", "30001", "."}, 2, "", "sumsq: run: -max-digits must be from 1 to 30000\n"},
		{"run -results-prefix without /", []string{"run", "-results-prefix", "results", "s3://b"}, 2, "",
			"sumsq: run: -results-prefix \"results\": want a key prefix ending in /, like results/, or \"\"\n"},
		{"run s3 without bucket", []string{"run", "s3:///x"}, 2, "", "no bucket in s3:///x"},
		{"gen without dir", []string{"gen"}, 2, "", "gen: want one DIR"},
		{"gen two dirs", []string{"gen", "a", "b"}, 2, "", "gen: want one DIR"},
		{"gen -n 0", []string{"gen", "-n", "0", "d"}, 2, "", "-n must be at least 1"},
		{"gen min over max", []string{"gen", "-min", "5", "-max", "4", "d"}, 2, "", "gen: min 5 is greater than max 4"},
		{"gen several 2", []string{"gen", "-several", "2", "d"}, 2, "", "gen: fraction of files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, status := sumsqCmd(t, "", tt.args...)
			if status != tt.status || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("sumsq %q = status %d, stdout %q, stderr %q; want %d, stdout with %q, stderr with %q",
					tt.args, status, stdout, stderr, tt.status, tt.stdout, tt.stderr)
			}
		})
	}
}

// A mistake in the flags is one line and a hint, not the whole help.
func TestUsageBadFlag(t *testing.T) {
	tests := []struct {
		args   []string
		stderr string
	}{
		{[]string{"run", "-x", "."}, "sumsq: run: flag provided but not defined: -x; run 'sumsq run -h'\n"},
		{[]string{"run", ".", "-c", "many"}, "sumsq: run: invalid value \"many\" for flag -c: parse error; run 'sumsq run -h'\n"},
		{[]string{"run", ".", "-c"}, "sumsq: run: flag needs an argument: -c; run 'sumsq run -h'\n"},
		{[]string{"gen", "-seed", "x", "d"}, "sumsq: gen: invalid value \"x\" for flag -seed: parse error; run 'sumsq gen -h'\n"},
		{[]string{"start", "-wiat"}, "sumsq: start: flag provided but not defined: -wiat; run 'sumsq start -h'\n"},
	}
	for _, tt := range tests {
		stdout, stderr, status := sumsqCmd(t, "", tt.args...)
		if status != 2 || stdout != "" || stderr != tt.stderr {
			t.Errorf("sumsq %q = status %d, stdout %q, stderr %q; want 2, \"\", %q", tt.args, status, stdout, stderr, tt.stderr)
		}
	}
}

// Flags may follow the targets, as people type them; "--" ends the flags.
func TestRunFlagsAnywhere(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a": "3\n", "-json": "4\n", "-q": "5\n"})
	a := filepath.Join(dir, "a")
	t.Chdir(dir)
	tests := []struct {
		name   string
		args   []string
		stdout string
	}{
		{"flag after target", []string{"a", "-json"},
			"{\"results\":[\n{\"bucket\":\"\",\"key\":\"a\",\"count\":1,\"sumOfSquares\":\"9\"}\n],\n" +
				"\"objects\":1,\"count\":1,\"sumOfSquares\":\"9\",\"failedObjects\":0,\"failed\":[\n]}\n"},
		{"flag with a value between targets", []string{a, "-c", "2", "a"}, a + "\t1\t9\na\t1\t9\ntotal\t2\t18\n"},
		{"flag=value", []string{"a", "--c=3"}, "a\t1\t9\ntotal\t1\t9\n"},
		{"-- ends the flags", []string{"-q", "a", "--", "-json", "-q"}, "a\t1\t9\n-json\t1\t16\n-q\t1\t25\ntotal\t3\t50\n"},
	}
	for _, tt := range tests {
		stdout, stderr, status := sumsqCmd(t, "", append([]string{"run"}, tt.args...)...)
		if stdout != tt.stdout || stderr != "" || status != 0 {
			t.Errorf("%s: sumsq run %q = status %d, stdout %q, stderr %q; want 0, %q, \"\"", tt.name, tt.args, status, stdout, stderr, tt.stdout)
		}
	}
}

func TestStartUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		status int
		stderr string // a part of it (of stdout with status 0)
	}{
		{"help", []string{"-h"}, 0, "sumsq start -prefix today/ -wait"},
		{"extra argument", []string{"today/"}, 2, `start: unexpected argument "today/"; did you mean -prefix today/?`},
		{"stack and ARN", []string{"-stack", "s", "-state-machine", testMachine}, 2, "start: -stack and -state-machine exclude each other"},
		{"prefix and manifest", []string{"-prefix", "a/", "-manifest", "s3://data/manifest.json"}, 2, "start: -prefix and -manifest exclude each other"},
		{"manifest not a manifest", []string{"-manifest", "s3://b/inventory/manifest.checksum"}, 2, `start: -manifest "s3://b/inventory/manifest.checksum": want the s3:// URL`},
		{"manifest not s3", []string{"-manifest", "b/manifest.json"}, 2, `start: -manifest "b/manifest.json": want the s3:// URL`},
		{"manifest redriven", []string{"-redrive", "arn:aws:states:us-east-1:123456789012:execution:sumsq:x", "-manifest", "s3://data/manifest.json"}, 2, "start: -redrive takes no -manifest"},
		{"bad ARN", []string{"-state-machine", "arn:aws:lambda:us-east-1:1:function:f"}, 2, "is not the ARN of a state machine"},
		{"bad name", []string{"-name", "a/b"}, 2, `start: execution name "a/b" contains '/'`},
		{"redrive help", []string{"-h"}, 0, "It does not re-read objects\nwhose content was bad"},
		{"redrive and prefix", []string{"-redrive", testExecution, "-prefix", "x/"}, 2,
			"start: -redrive takes no -prefix: the execution's ARN says where it runs, and it keeps its input and name"},
		{"redrive a machine", []string{"-redrive", testMachine}, 2, "is not the ARN of an execution"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, status := sumsqCmd(t, "", append([]string{"start"}, tt.args...)...)
			out, other := stderr, stdout // a mistake goes to stderr, help asked for to stdout
			if status == 0 {
				out, other = stdout, stderr
			}
			if status != tt.status || other != "" || !strings.Contains(out, tt.stderr) {
				t.Errorf("sumsq start %q = status %d, stdout %q, stderr %q; want %d, %q in one of them only", tt.args, status, stdout, stderr, tt.status, tt.stderr)
			}
		})
	}
}

// "sumsq help COMMAND" prints what "sumsq COMMAND -h" prints.
func TestHelpCommand(t *testing.T) {
	for _, cmd := range []string{"run", "plan", "gen", "start"} {
		want, wantErr, wantStatus := sumsqCmd(t, "", cmd, "-h")
		got, gotErr, status := sumsqCmd(t, "", "help", cmd)
		if got != want || gotErr != wantErr || status != wantStatus || !strings.HasPrefix(got, "Usage: sumsq "+cmd) {
			t.Errorf("sumsq help %s = status %d, stdout %.80q..., stderr %q; want what sumsq %s -h prints: %d, %.80q..., %q",
				cmd, status, got, gotErr, cmd, wantStatus, want, wantErr)
		}
	}
}

// The README's CLI section shows the synopsis "sumsq help" prints.
func TestREADMESynopsis(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "\n## The CLI\n\n```\n")
	got, _, _ := strings.Cut(section, "```")
	_, want, _ := strings.Cut(usage, "Usage:\n\n")
	want, _, _ = strings.Cut(want, "\n\nCommands:")
	want = strings.ReplaceAll(want, "\n\t", "\n")
	want = strings.TrimPrefix(want, "\t") + "\n"
	if got != want {
		t.Errorf("README's CLI synopsis:\n%s\nwant, as sumsq help prints it:\n%s", got, want)
	}
}
