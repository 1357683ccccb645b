package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/sampledata"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// reference is the obviously right sum of squares of the numbers in s.
func reference(t *testing.T, s string) (count int64, sum *big.Int) {
	t.Helper()
	sum = new(big.Int)
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		v, ok := new(big.Int).SetString(line, 10)
		if !ok {
			t.Fatalf("reference: %q is not a number", line)
		}
		sum.Add(sum, v.Mul(v, v))
		count++
	}
	return count, sum
}

// writeFiles creates the files (path relative to dir: content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRunFolder(t *testing.T) {
	dir := t.TempDir()
	// Small numbers like the blog's, and numbers whose squares need more
	// than 128 bits.
	if _, _, err := sampledata.WriteDir(filepath.Join(dir, "small"), sampledata.Options{Files: 40, Max: 999, Several: 0.3, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := sampledata.WriteDir(filepath.Join(dir, "big"), sampledata.Options{Files: 5, Digits: 45, Several: 1, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	var total, count = new(big.Int), int64(0)
	for _, sub := range []string{"big", "small"} { // key order
		names, err := filepath.Glob(filepath.Join(dir, sub, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names { // Glob sorts: the key order within a folder
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			c, s := reference(t, string(b))
			fmt.Fprintf(&want, "%s\t%d\t%s\n", name, c, s)
			count += c
			total.Add(total, s)
		}
	}
	fmt.Fprintf(&want, "total\t%d\t%s\n", count, total)

	for _, c := range []string{"1", "3", "10", "100"} {
		stdout, stderr, status := sumsqCmd(t, "", "run", "-c", c, dir)
		if stdout != want.String() || stderr != "" || status != 0 {
			t.Errorf("sumsq run -c %s DIR = status %d, stdout:\n%s\nstderr: %q\nwant status 0, stdout:\n%s", c, status, stdout, stderr, want.String())
		}
	}
}

func TestRunKeyOrder(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"b":       "1\n",
		"a0":      "2\n",
		"a/c/d":   "3\n",
		"a/b":     "4\n",
		"a.txt":   "5\n",
		"a-b":     "6\n",
		"A":       "7\n",
		"a/c.log": "8\n",
	})
	// Symbolic links under a folder are skipped: to a file, to a folder
	// (here a cycle) and dangling.
	for name, target := range map[string]string{"link": "b", "loop": ".", "dangling": "nowhere"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	want := ""
	for _, kv := range []struct{ key, sum string }{
		{"A", "49"}, {"a-b", "36"}, {"a.txt", "25"}, {"a/b", "16"}, {"a/c.log", "64"}, {"a/c/d", "9"}, {"a0", "4"}, {"b", "1"},
	} {
		want += filepath.Join(dir, filepath.FromSlash(kv.key)) + "\t1\t" + kv.sum + "\n"
	}
	want += "total\t8\t204\n"
	stdout, stderr, status := sumsqCmd(t, "", "run", dir)
	if stdout != want || stderr != "" || status != 0 {
		t.Errorf("sumsq run DIR = status %d, stdout:\n%s\nstderr: %q\nwant 0, stdout:\n%s", status, stdout, stderr, want)
	}

	// Named on the command line, a link is followed.
	link := filepath.Join(dir, "link")
	stdout, _, status = sumsqCmd(t, "", "run", link)
	if want := link + "\t1\t1\ntotal\t1\t1\n"; stdout != want || status != 0 {
		t.Errorf("sumsq run LINK = status %d, stdout %q; want 0, %q", status, stdout, want)
	}
}

func TestRunStdin(t *testing.T) {
	tests := []struct {
		name, stdin    string
		args           []string
		stdout, stderr string
		status         int
	}{
		{"numbers", "3\n4\n", []string{"-"}, "-\t2\t25\ntotal\t2\t25\n", "", 0},
		{"empty", "", []string{"-"}, "-\t0\t0\ntotal\t0\t0\n", "", 0},
		{"CRLF, blanks, signs", "\ufeff +3\r\n\n\t-4 \r\n0\n", []string{"-"}, "-\t3\t25\ntotal\t3\t25\n", "", 0},
		{"exact", "99999999999999999999999999999999999999999\n", []string{"-"},
			"-\t1\t9999999999999999999999999999999999999999800000000000000000000000000000000000000001\n" +
				"total\t1\t9999999999999999999999999999999999999999800000000000000000000000000000000000000001\n", "", 0},
		{"bad", "1\n2\nthree\n", []string{"-"}, "total\t0\t0\n",
			"-\tInvalidContentError: line 3 (byte 4): not an integer: \"three\"\nsumsq: 1 object listed: 0 summed, 1 failed, 0 skipped\n", 1},
		{"too many digits", "1234\n", []string{"-max-digits", "3", "-"}, "total\t0\t0\n",
			"-\tInvalidContentError: line 1 (byte 0): too many digits: \"1234\" (more than 3 digits; -max-digits changes the limit, up to 30000)\n" +
				"sumsq: 1 object listed: 0 summed, 1 failed, 0 skipped\n", 1},
		{"max digits", "-123\n", []string{"-max-digits", "3", "-"}, "-\t1\t15129\ntotal\t1\t15129\n", "", 0},
		{"json", "3\n4\n", []string{"-json", "-"},
			"{\"results\":[\n{\"bucket\":\"\",\"key\":\"-\",\"count\":2,\"sumOfSquares\":\"25\"}\n],\n" +
				"\"objects\":1,\"count\":2,\"sumOfSquares\":\"25\",\"failedObjects\":0,\"failed\":[\n]}\n", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, status := sumsqCmd(t, tt.stdin, append([]string{"run"}, tt.args...)...)
			if stdout != tt.stdout || stderr != tt.stderr || status != tt.status {
				t.Errorf("sumsq run %q < %q = status %d, stdout %q, stderr %q; want %d, %q, %q",
					tt.args, tt.stdin, status, stdout, stderr, tt.status, tt.stdout, tt.stderr)
			}
		})
	}
}

func TestRunFailures(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"1.log":     "10\n",
		"2.log":     "20\n21\n",
		"3.log":     "30\n3x\n",
		"4.log":     "40\n",
		"sub/5.log": "50\n",
	})
	unreadable := filepath.Join(dir, "sub", "6.log")
	writeFiles(t, dir, map[string]string{"sub/6.log": "60\n"})
	if err := os.Chmod(unreadable, 0); err != nil {
		t.Fatal(err)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	missing := p("missing.log")

	wantOut := p("1.log") + "\t1\t100\n" +
		p("2.log") + "\t2\t841\n" +
		p("4.log") + "\t1\t1600\n" +
		p("sub/5.log") + "\t1\t2500\n"
	wantErr := p("3.log") + "\tInvalidContentError: line 2 (byte 3): not an integer: \"3x\"\n"
	wantFailed := int64(2)
	if f, err := os.Open(unreadable); err == nil { // running as root: it is readable
		f.Close()
		wantOut += p("sub/6.log") + "\t1\t3600\ntotal\t6\t8641\n"
	} else {
		wantOut += "total\t5\t5041\n"
		wantErr += p("sub/6.log") + "\tAccessDeniedError: access denied: open " + unreadable + ": permission denied\n"
		wantFailed++
	}
	wantErr += missing + "\tObjectNotFoundError: no such file or directory\n" // as a shell says it
	wantErr += fmt.Sprintf("sumsq: 7 objects listed: %d summed, %d failed, 0 skipped\n", 7-wantFailed, wantFailed)

	stdout, stderr, status := sumsqCmd(t, "", "run", dir, missing)
	if stdout != wantOut || stderr != wantErr || status != 1 {
		t.Errorf("sumsq run DIR MISSING = status %d, stdout:\n%s\nstderr:\n%s\nwant 1, stdout:\n%s\nstderr:\n%s", status, stdout, stderr, wantOut, wantErr)
	}
}

func TestRunJSON(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.log": "1\n2\n",
		"b.log": "x\n",
		"c.log": "123456789012345678901234567890\n",
		"d.log": "",
	})
	stdout, stderr, status := sumsqCmd(t, "7\n", "run", "-json", dir, "-")
	if want := "sumsq: 5 objects listed: 4 summed, 1 failed, 0 skipped\n"; status != 1 || stderr != want {
		t.Errorf("sumsq run -json = status %d, stderr %q; want 1, %q", status, stderr, want)
	}
	var got job.BatchResult // the field names are the Lambda's
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decoding %q: %v", stdout, err)
	}
	if dec.More() {
		t.Errorf("more than one JSON document in %q", stdout)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	wantResults := []job.ObjectResult{
		{Bucket: "", Key: p("a.log"), Count: 2, SumOfSquares: "5"},
		{Bucket: "", Key: p("c.log"), Count: 1, SumOfSquares: "15241578753238836750495351562536198787501905199875019052100"},
		{Bucket: "", Key: p("d.log"), Count: 0, SumOfSquares: "0"},
		{Bucket: "", Key: "-", Count: 1, SumOfSquares: "49"},
	}
	if len(got.Results) != len(wantResults) {
		t.Fatalf("results = %+v; want %+v", got.Results, wantResults)
	}
	for i := range wantResults {
		if got.Results[i] != wantResults[i] {
			t.Errorf("results[%d] = %+v; want %+v", i, got.Results[i], wantResults[i])
		}
	}
	if got.Objects != 4 || got.Count != 4 || got.SumOfSquares != "15241578753238836750495351562536198787501905199875019052154" || got.FailedObjects != 1 {
		t.Errorf("objects, count, sumOfSquares, failedObjects = %d, %d, %q, %d; want 4, 4, %q, 1",
			got.Objects, got.Count, got.SumOfSquares, got.FailedObjects, "15241578753238836750495351562536198787501905199875019052154")
	}
	wantFailed := job.Failure{Bucket: "", Key: p("b.log"), Error: "InvalidContentError", Cause: `line 1 (byte 0): not an integer: "x"`}
	if len(got.Failed) != 1 || got.Failed[0] != wantFailed {
		t.Errorf("failed = %+v; want [%+v]", got.Failed, wantFailed)
	}
}

// A run whose target matched no object (an empty folder, often a typo)
// says so and exits 1, as "aws s3 ls" does; a file of zero bytes is an
// object. (S3 prefixes: TestRunS3Targets.)
func TestRunNoObject(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	links := filepath.Join(dir, "links")
	for _, d := range []string{empty, links} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFiles(t, dir, map[string]string{"zero.log": "", "one.log": "1\n"})
	if err := os.Symlink("../one.log", filepath.Join(links, "one.log")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name           string
		args           []string
		stdout, stderr string
		status         int
	}{
		{"empty folder", []string{empty}, "total\t0\t0\n", "sumsq: " + empty + ": no regular files under this folder\n", 1},
		{"empty folder, json", []string{"-json", empty},
			"{\"results\":[\n],\n\"objects\":0,\"count\":0,\"sumOfSquares\":\"0\",\"failedObjects\":0,\"failed\":[\n]}\n",
			"sumsq: " + empty + ": no regular files under this folder\n", 1},
		{"only symbolic links", []string{links}, "total\t0\t0\n", "sumsq: " + links + ": no regular files under this folder\n", 1},
		{"one empty target of two", []string{p("one.log"), empty}, p("one.log") + "\t1\t1\ntotal\t1\t1\n",
			"sumsq: " + empty + ": no regular files under this folder\n", 1},
		{"a file of zero bytes", []string{p("zero.log")}, p("zero.log") + "\t0\t0\ntotal\t0\t0\n", "", 0},
		{"empty standard input", []string{"-"}, "-\t0\t0\ntotal\t0\t0\n", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, status := sumsqCmd(t, "", append([]string{"run"}, tt.args...)...)
			if stdout != tt.stdout || stderr != tt.stderr || status != tt.status {
				t.Errorf("sumsq run %q = status %d, stdout %q, stderr %q; want %d, %q, %q", tt.args, status, stdout, stderr, tt.status, tt.stdout, tt.stderr)
			}
		})
	}
}

// TestRunJSONManyFailures has enough failures for the list to go to a
// temporary file: every one is in the document, in order.
func TestRunJSONManyFailures(t *testing.T) {
	dir := t.TempDir()
	const n = 300
	files := map[string]string{}
	for i := range n {
		files[fmt.Sprintf("k%04d", i)] = "x\n"
	}
	writeFiles(t, dir, files)
	stdout, _, status := sumsqCmd(t, "", "run", "-json", dir)
	var got job.BatchResult
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || status != 1 {
		t.Fatalf("sumsq run -json = status %d, %v; want 1, a JSON document", status, err)
	}
	if len(got.Failed) != n || got.FailedObjects != n {
		t.Fatalf("got %d failures, failedObjects %d; want %d", len(got.Failed), got.FailedObjects, n)
	}
	for i, f := range got.Failed {
		if want := filepath.Join(dir, fmt.Sprintf("k%04d", i)); f.Key != want || f.Error != "InvalidContentError" {
			t.Fatalf("failed[%d] = %+v; want key %q, InvalidContentError", i, f, want)
		}
	}
}

func TestQuoteName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"examples/today/random_1.log", "examples/today/random_1.log"},
		{"with space", "with space"},
		{"été/ü.log", "été/ü.log"},
		{"tab\there", `"tab\there"`},
		{"new\nline", `"new\nline"`},
		{"del\x7f", `"del\x7f"`},
		{"esc\x1b[31mred", `"esc\x1b[31mred"`},
		{"next\u0085line", `"next\u0085line"`}, // C1 controls, category Cc
		{"csi\u009b31mred", `"csi\u009b31mred"`},
		{"pad\u0080", `"pad\u0080"`},
		{"apc\u009f", `"apc\u009f"`},
		{"line\u2028sep", `"line\u2028sep"`},
		{"para\u2029sep", `"para\u2029sep"`},
		{"nbsp\u00a0and\u00ff", "nbsp\u00a0and\u00ff"}, // printable: as they are
		{"\"quoted\"", `"\"quoted\""`},
		{"bad\xffutf8", `"bad\xffutf8"`},
		{"", ""},
	}
	for _, tt := range tests {
		if got := quoteName(tt.name); got != tt.want {
			t.Errorf("quoteName(%q) = %s; want %s", tt.name, got, tt.want)
		}
	}
}

func TestEscapeControls(t *testing.T) {
	tests := []struct{ msg, want string }{
		{`line 3 (byte 4): not an integer: "three"`, `line 3 (byte 4): not an integer: "three"`},
		{"server said \x1b[2J\u009b2J\u0085 and \u2028", `server said \x1b[2J\u009b2J\u0085 and \u2028`},
		{"tab\there été", `tab\there été`},
	}
	for _, tt := range tests {
		if got := escapeControls(tt.msg); got != tt.want {
			t.Errorf("escapeControls(%q) = %q; want %q", tt.msg, got, tt.want)
		}
	}
}

func TestEscapeJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"key":"a/b.log"}`, `{"key":"a/b.log"}`},
		{"{\"key\":\"next\u0085line\"}", `{"key":"next\u0085line"}`},
		{"{\"key\":\"\u009b[2J\u2028\u2029\x7f\"}", `{"key":"\u009b[2J\u2028\u2029\u007f"}`},
		{"{\"key\":\"été \u00a0\"}", "{\"key\":\"été \u00a0\"}"},
		{"{\"key\":\"\xff\"}", "{\"key\":\"\xff\"}"}, // not valid UTF-8: never written by Marshal; kept
	}
	for _, tt := range tests {
		got := escapeJSON([]byte(tt.in))
		if string(got) != tt.want {
			t.Errorf("escapeJSON(%q) = %q; want %q", tt.in, got, tt.want)
			continue
		}
		var before, after any
		if json.Unmarshal([]byte(tt.in), &before) == nil {
			if err := json.Unmarshal(got, &after); err != nil || fmt.Sprint(before) != fmt.Sprint(after) {
				t.Errorf("escapeJSON(%q) decodes to %v, %v; want %v", tt.in, after, err, before)
			}
		}
	}
}

// Names with control characters are quoted in the text output and escaped
// in the JSON output, and still name the file: U+0085 and U+009B were
// printed as they are, and a terminal may act on them.
func TestRunControlNames(t *testing.T) {
	dir := t.TempDir()
	names := []string{"next\u0085line.log", "csi\u009b2J.log", "sep\u2028.log", "tab\t.log"}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("3\n"), 0o644); err != nil {
			t.Skipf("this file system refuses the name %q: %v", n, err)
		}
	}
	writeFiles(t, dir, map[string]string{"bad\u0085.log": "x\n"})
	stdout, stderr, status := sumsqCmd(t, "", "run", dir)
	for _, n := range append(names, "bad\u0085.log") {
		if q := strconv.Quote(filepath.Join(dir, n)); !strings.Contains(stdout+stderr, q+"\t") {
			t.Errorf("sumsq run: %q is not in the output as %s:\n%s%s", n, q, stdout, stderr)
		}
	}
	if out := stdout + stderr; strings.IndexFunc(strings.ReplaceAll(out, "\t", ""), func(r rune) bool { return r != '\n' && isControl(r) }) >= 0 || status != 1 {
		t.Errorf("sumsq run = status %d, output with a raw control character: %q", status, out)
	}

	stdout, _, _ = sumsqCmd(t, "", "run", "-json", dir)
	if strings.IndexFunc(stdout, func(r rune) bool { return r != '\n' && isControl(r) }) >= 0 {
		t.Errorf("sumsq run -json wrote a raw control character: %q", stdout)
	}
	var got job.BatchResult
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || len(got.Results) != len(names) || len(got.Failed) != 1 {
		t.Fatalf("sumsq run -json = %v, %+v; want %d results and 1 failure", err, got, len(names))
	}
	for _, r := range append(got.Results, job.ObjectResult{Key: got.Failed[0].Key}) {
		if _, err := os.Stat(r.Key); err != nil {
			t.Errorf("-json key %q names no file: %v", r.Key, err)
		}
	}
}

// sleepyObjects returns n objects named by their index whose sum sleeps a
// little, longer for earlier objects, and records how many run at once.
func sleepyObjects(n int, running, most *atomic.Int64) iter.Seq[object] {
	return func(yield func(object) bool) {
		for i := range n {
			o := object{key: fmt.Sprint(i), size: 1}
			o.sum = func(ctx context.Context) (sumsq.Result, error) {
				now := running.Add(1)
				defer running.Add(-1)
				for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
				}
				select {
				case <-time.After(time.Duration((n-i)%7) * time.Millisecond):
				case <-ctx.Done():
					return sumsq.Result{}, ctx.Err()
				}
				if i%5 == 4 {
					return sumsq.Result{}, errors.New("failed")
				}
				return sumOf(i), nil
			}
			if !yield(o) {
				return
			}
		}
	}
}

func TestSumAllOrderAndLimit(t *testing.T) {
	for _, c := range []int{1, 3, 16} {
		var running, most atomic.Int64
		r := &runner{concurrency: c}
		var got []string
		err := r.sumAll(context.Background(), sleepyObjects(60, &running, &most), func(o object, res sumsq.Result, err error) error {
			s := ""
			if err == nil {
				s = res.String()
			}
			got = append(got, fmt.Sprintf("%s %s %v", o.name(), s, err))
			return nil
		}, func() error { return nil })
		if err != nil {
			t.Fatalf("-c %d: sumAll = %v", c, err)
		}
		if len(got) != 60 {
			t.Fatalf("-c %d: reported %d objects; want 60", c, len(got))
		}
		for i, g := range got {
			want := fmt.Sprintf("%d %d <nil>", i, i*i)
			if i%5 == 4 {
				want = fmt.Sprintf("%d  failed", i)
			}
			if g != want {
				t.Errorf("-c %d: report %d = %q; want %q", c, i, g, want)
			}
		}
		if m := most.Load(); m > int64(c) || c > 1 && m < 2 {
			t.Errorf("-c %d: at most %d objects were summed at once; want between 2 and %d", c, m, c)
		}
	}
}

func TestSumAllStops(t *testing.T) {
	var running, most atomic.Int64
	r := &runner{concurrency: 4}

	// An error from report stops the run and is returned.
	stop := errors.New("stdout closed")
	reports := 0
	err := r.sumAll(context.Background(), sleepyObjects(1000, &running, &most), func(object, sumsq.Result, error) error {
		reports++
		if reports == 3 {
			return stop
		}
		return nil
	}, func() error { return nil })
	if err != stop || reports != 3 || running.Load() != 0 {
		t.Errorf("sumAll with a failing report = %v after %d reports, %d still running; want %v after 3, 0", err, reports, running.Load(), stop)
	}

	// Cancelling the context stops the run.
	ctx, cancel := context.WithCancel(context.Background())
	reports = 0
	err = r.sumAll(ctx, sleepyObjects(1000, &running, &most), func(object, sumsq.Result, error) error {
		reports++
		if reports == 10 {
			cancel()
		}
		return nil
	}, func() error { return nil })
	if !errors.Is(err, context.Canceled) || reports != 10 || running.Load() != 0 {
		t.Errorf("sumAll cancelled = %v after %d reports, %d still running; want %v after 10, 0", err, reports, running.Load(), context.Canceled)
	}
}

// The README's first command prints exactly this.
func TestRunExamples(t *testing.T) {
	t.Chdir(filepath.Join("..", ".."))
	want := `examples/today/random_1.log	1	346921
examples/today/random_10.log	1	4900
examples/today/random_2.log	1	243049
examples/today/random_3.log	1	181476
examples/today/random_4.log	1	251001
examples/today/random_5.log	5	2059974
examples/today/random_6.log	1	150544
examples/today/random_7.log	4	2573326
examples/today/random_8.log	1	478864
examples/today/random_9.log	1	422500
total	17	6712555
`
	stdout, stderr, status := sumsqCmd(t, "", "run", "examples/today")
	if stdout != want || stderr != "" || status != 0 {
		t.Errorf("sumsq run examples/today = status %d, stdout:\n%s\nstderr %q; want 0, stdout:\n%s", status, stdout, stderr, want)
	}
	stdout, stderr, status = sumsqCmd(t, "", "run", "-summary", "examples/today")
	if want := "total\t17\t6712555\n"; stdout != want || stderr != "" || status != 0 {
		t.Errorf("sumsq run -summary examples/today = status %d, stdout %q, stderr %q; want 0, %q", status, stdout, stderr, want)
	}
}

// However many objects there are, sumAll lists a bounded number ahead of
// the one it waits to report: the backlog, the queue and the few that the
// stages hold. The default backlog is listed ahead, so that the bar knows
// the total of a run of that many objects early.
func TestSumAllLookahead(t *testing.T) {
	const c = 4
	for _, backlog := range []int{100, 0} {
		var listed atomic.Int64
		objects := func(yield func(object) bool) {
			for i := range 1_000_000 {
				listed.Add(1)
				o := object{key: fmt.Sprint(i), sum: func(context.Context) (sumsq.Result, error) {
					return sumsq.Result{}, nil
				}}
				if !yield(o) {
					return
				}
			}
		}
		r := &runner{concurrency: c, backlog: backlog}
		want := int64(cmp.Or(backlog, DefaultBacklog)) + 4*c + 3 // the backlog, the queue, the head and one held by each of the two other stages
		first := true
		var ahead int64
		err := r.sumAll(context.Background(), objects, func(object, sumsq.Result, error) error {
			if first { // let the lister run as far as it can
				first = false
				for deadline := time.Now().Add(binaryTimeout); listed.Load() < want-2 && time.Now().Before(deadline); {
					time.Sleep(10 * time.Millisecond)
				}
				time.Sleep(100 * time.Millisecond)
				ahead = listed.Load()
			}
			return nil
		}, func() error { return nil })
		if err != nil || ahead < want-2 || ahead > want || listed.Load() != 1_000_000 {
			t.Errorf("backlog %d: sumAll = %v; listed %d objects while reporting the first, %d in all; want nil, %d to %d, 1000000",
				backlog, err, ahead, listed.Load(), want-2, want)
		}
	}
}

// sumOf is the result of an object holding the one number i.
func sumOf(i int) sumsq.Result {
	r, err := sumsq.Sum(strings.NewReader(fmt.Sprintln(i)))
	if err != nil {
		panic(err)
	}
	return r
}

// TestRunProcFile reads a file whose size, as stat tells it, is 0 but
// which has content, as files under /proc do.
func TestRunProcFile(t *testing.T) {
	const path = "/proc/self/status"
	if _, err := os.Stat(path); err != nil {
		t.Skip(err)
	}
	_, stderr, status := sumsqCmd(t, "", "run", path)
	if status != 1 || !strings.Contains(stderr, "InvalidContentError") {
		t.Errorf("sumsq run %s = status %d, stderr %q; want 1 and an InvalidContentError (it holds words, and is read)", path, status, stderr)
	}
}
