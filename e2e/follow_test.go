//go:build e2e

package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"
)

// followObjects is how many objects TestFollow's runs sum: 60 batches, at
// MaxConcurrency 3, so that each run lasts several polls.
const followObjects = 1200

// TestFollow runs the CLI against the twin as a user runs it against AWS:
// `sumsq start -wait` under a pseudo-terminal and without one, and `sumsq
// follow ARN` of an execution that `sumsq start` started. Each shows the
// Map Run's progress on standard error, read from the twin's ListMapRuns
// and DescribeMapRun (counts derived from the child executions, mid-run
// too), that never goes back, and ends with the exact total, checked
// against math/big. Nothing here depends on how long a run takes: the
// progress seen mid-run is checked for what it says, not for how often it
// says it.
func TestFollow(t *testing.T) {
	h := startHarness(t, harnessConfig{Emulators: testEmulators, FunctionTimeout: testFunctionTimeout})
	ctx := testContext(t, 8*time.Minute)
	objs := blogDataset(13, "today/", followObjects-1) // and the folder key today/sub/
	if err := createBucket(ctx, h.S3, "follow"); err != nil {
		t.Fatal(err)
	}
	if err := upload(ctx, h.S3, "follow", objs); err != nil {
		t.Fatal(err)
	}
	machine, _ := createStateMachine(ctx, t, h.SFN, "sumsq-follow", "follow")
	count, sum := sumOfSquares(objs...)
	want := []string{
		fmt.Sprintf("listed     %d objects", len(objs)),
		fmt.Sprintf("summed     %d objects, %d numbers", len(objs), count),
		"sum        " + sum.String(),
		"failed     0 objects",
	}
	ended := fmt.Sprintf("SumObjects SUCCEEDED: %d items, %d succeeded, 0 failed, in ", len(objs), len(objs))
	sumsq := func(args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, sumsqPath(t), append(args, "-endpoint-url", h.Proxy.URL)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=us-east-1",
			"AWS_PROFILE=", "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)
		return cmd
	}

	t.Run("start -wait without a terminal", func(t *testing.T) {
		// Plain lines on standard error, then a line as the Map Run ends;
		// the total on standard output.
		cmd := sumsq("start", "-state-machine", machine, "-prefix", "today/", "-wait")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.Output()
		t.Logf("standard error:\n%s", stderr.String())
		if err != nil {
			t.Fatalf("sumsq start -wait: %v\n%s", err, stdout)
		}
		lines := strings.Split(strings.TrimSuffix(string(stdout), "\n"), "\n")
		if len(lines) != 2+1+len(want) || !strings.HasPrefix(lines[0], "execution  arn:aws:states:us-east-1:123456789012:execution:sumsq-follow:sumsq-") ||
			!strings.HasPrefix(lines[2], "status     SUCCEEDED after ") || strings.Join(lines[3:], "\n") != strings.Join(want, "\n") {
			t.Errorf("sumsq start -wait printed:\n%s\nwant the execution, its console link, SUCCEEDED and:\n%s", stdout, strings.Join(want, "\n"))
		}
		checkFollowProgress(t, strings.Split(stderr.String(), "\n"), ended)
	})

	t.Run("start -wait on a terminal", func(t *testing.T) {
		// A bar on standard error, the same terminal as standard output:
		// the screen holds the lines written and no trace of the bar.
		cmd := sumsq("start", "-state-machine", machine, "-prefix", "today/", "-wait")
		out, status := runOnTerminal(t, cmd)
		lines := terminalScreen(out)
		// A line as each Map Run ends: the batches', then the total's
		// parts' and the large objects' ranges'.
		maps := []string{ended, "TotalParts SUCCEEDED: 1 item, 1 succeeded, 0 failed, in ", "SumLargeObjects SUCCEEDED: 0 items, 0 succeeded, 0 failed, in "}
		ok := status == 0 && len(lines) == 2+len(maps)+1+len(want) && strings.HasPrefix(lines[0], "execution  arn:aws:states:") &&
			strings.HasPrefix(lines[2+len(maps)], "status     SUCCEEDED after ") && strings.Join(lines[3+len(maps):], "\n") == strings.Join(want, "\n")
		for i, m := range maps {
			ok = ok && len(lines) > 2+i && strings.HasPrefix(lines[2+i], m)
		}
		if !ok {
			t.Errorf("sumsq start -wait on a terminal = status %d, screen:\n%s\nwant 0: the execution, its console link, %q..., SUCCEEDED and:\n%s\n(the terminal got %q)",
				status, strings.Join(lines, "\n"), maps, strings.Join(want, "\n"), out)
		}
		// Each drawing of the bar starts at "\r" and ends by erasing the
		// rest of the line.
		var drawings []string
		for _, d := range strings.Split(out, "\r") {
			if d, ok := strings.CutSuffix(d, "\033[0K"); ok {
				drawings = append(drawings, d)
				if n := utf8.RuneCountInString(d); n >= terminalColumns {
					t.Errorf("a drawing of %d columns on a terminal of %d: %q", n, terminalColumns, d)
				}
			}
		}
		t.Logf("%d drawings of the bar, the last ones %q", len(drawings), drawings[max(0, len(drawings)-3):])
		checkFollowProgress(t, drawings, "")
	})

	t.Run("follow", func(t *testing.T) {
		// An execution started by start, without -wait, then followed by
		// its ARN, with the total as JSON.
		out, err := sumsq("start", "-state-machine", machine, "-prefix", "today/", "-json").Output()
		var started struct{ ExecutionArn string }
		if err != nil || json.Unmarshal(out, &started) != nil || started.ExecutionArn == "" {
			t.Fatalf("sumsq start -json = %s, %v; want the execution's ARN", out, err)
		}
		cmd := sumsq("follow", "-json", started.ExecutionArn)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.Output()
		t.Logf("standard error:\n%s", stderr.String())
		if err != nil {
			t.Fatalf("sumsq follow %s: %v\n%s", started.ExecutionArn, err, stdout)
		}
		var followed struct {
			ExecutionArn, Status string
			Total                total
		}
		if err := json.Unmarshal(stdout, &followed); err != nil || followed.ExecutionArn != started.ExecutionArn || followed.Status != "SUCCEEDED" {
			t.Fatalf("sumsq follow -json printed %s (%v); want the execution %s, SUCCEEDED", stdout, err, started.ExecutionArn)
		}
		checkTotal(t, followed.Total, runWant{bucket: "follow", listed: len(objs), summed: objs})
		checkFollowProgress(t, strings.Split(stderr.String(), "\n"), ended)
	})
}

// terminalColumns is the width of runOnTerminal's terminal.
const terminalColumns = 150

// runOnTerminal runs cmd with standard output and error a pseudo-terminal
// and returns what the terminal received and the exit status.
func runOnTerminal(t *testing.T, cmd *exec.Cmd) (string, int) {
	t.Helper()
	master, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: terminalColumns})
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	defer master.Close()
	out := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(master) // ends with EIO once the command has closed its side
		out <- string(b)
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s: %v", cmd, err)
	}
	return <-out, cmd.ProcessState.ExitCode()
}

// terminalScreen returns the lines a terminal shows after out: it moves
// to the start of the line at "\r", erases the line at ESC[2K and to its
// end at ESC[0K, and overwrites what is under the cursor.
func terminalScreen(out string) []string {
	var lines []string
	var line []rune
	col := 0
	for i := 0; i < len(out); {
		switch {
		case strings.HasPrefix(out[i:], "\033[2K"):
			line, i = nil, i+4
			continue
		case strings.HasPrefix(out[i:], "\033[0K"):
			line, i = line[:min(col, len(line))], i+4
			continue
		case out[i] == '\r':
			col = 0
		case out[i] == '\n':
			lines = append(lines, strings.TrimRight(string(line), " "))
			line, col = nil, 0
		default:
			r, n := utf8.DecodeRuneInString(out[i:])
			for len(line) < col {
				line = append(line, ' ')
			}
			if col < len(line) {
				line[col] = r
			} else {
				line = append(line, r)
			}
			col++
			i += n
			continue
		}
		i++
	}
	if len(line) > 0 {
		lines = append(lines, string(line))
	}
	return lines
}

// followProgressLine is a line of progress, plain or a drawing of the bar:
// the Map Run's label, its percentage if shown, its items succeeded and
// total ("+": may still grow).
var followProgressLine = regexp.MustCompile(`^(\w+)(?: +(\d+)%| [|/\\-])?:? (?:\[[=> ]*\] )?(\d+)/(\d+)(\+?) items succeeded`)

// checkFollowProgress checks the lines of progress among lines: each names
// SumObjects, never more items than the run has, and neither its
// percentage nor its items succeeded ever go back. If ended is not "", a
// line starting with it says how the Map Run ended.
func checkFollowProgress(t *testing.T, lines []string, ended string) {
	t.Helper()
	percent, succeeded, seen, endSeen := -1, -1, 0, false
	for _, line := range lines {
		if ended != "" && strings.HasPrefix(line, ended) {
			endSeen = true
		}
		m := followProgressLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		seen++
		n, _ := strconv.Atoi(m[3])
		total, _ := strconv.Atoi(m[4])
		pc := -1
		if m[2] != "" {
			pc, _ = strconv.Atoi(m[2])
		}
		if m[1] != "SumObjects" || total > followObjects || n > total || n < succeeded || pc >= 0 && pc < percent {
			t.Errorf("progress %q after %d%%, %d succeeded; want SumObjects, at most %d items, going up", line, percent, succeeded, followObjects)
		}
		succeeded, percent = n, max(percent, pc)
	}
	t.Logf("%d lines of progress seen mid-run", seen)
	if ended != "" && !endSeen {
		t.Errorf("no line says %q...", ended)
	}
}
