package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"

	"github.com/sumsq/sumsq/internal/s3test"
	"github.com/sumsq/sumsq/internal/sampledata"
)

// screen returns the lines a terminal shows after out: it moves to the
// start of the line at "\r", erases the line at ESC[2K and to its end at
// ESC[0K, and overwrites what is under the cursor.
func screen(out string) []string {
	var lines []string
	var line []rune
	col := 0
	for i := 0; i < len(out); {
		switch {
		case strings.HasPrefix(out[i:], "\033[2K"):
			line = nil
			i += 4
			continue
		case strings.HasPrefix(out[i:], "\033[0K"):
			line = line[:min(col, len(line))]
			i += 4
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

func TestScreen(t *testing.T) {
	out := "a\tb\r\n\r 26% |██| (1/4 MB) 1/4+ objects\033[0K\033[2K\rc\r\n\rbar\033[0Kd\n"
	want := []string{"a\tb", "c", "bard"}
	if got := screen(out); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("screen(%q) = %q; want %q", out, got, want)
	}
}

// runPTY runs the built command with standard input, output and error a
// pseudo-terminal of 200 columns, calls during while it runs, and returns
// what the terminal received and the exit status.
func runPTY(t *testing.T, during func(), args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), binaryTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, sumsqBinary(t), args...)
	master, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 60, Cols: 200})
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	defer master.Close()
	out := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(master) // ends with EIO once the command has closed its side
		out <- string(b)
	}()
	during()
	err = cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) || ctx.Err() != nil {
		t.Fatalf("sumsq %q: %v", args, err)
	}
	return <-out, cmd.ProcessState.ExitCode()
}

// On a terminal, result and failure lines never share a line with the
// progress bar: it looked like
// "8/40 objects 26% |██████| (5.3/20 GB, 3.3 GB/s) [1s:4s]many/part_01.log 128533963 42783167".
func TestRunTerminalLines(t *testing.T) {
	dir := t.TempDir()
	var want []string
	var targets []string
	for _, sub := range []string{"a", "b"} {
		if _, _, err := sampledata.WriteDir(filepath.Join(dir, sub), sampledata.Options{Files: 20, Max: 999, Several: 0.5, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		targets = append(targets, filepath.Join(dir, sub))
	}
	writeFiles(t, dir, map[string]string{"bad.log": "1\nx\n"})
	// A FIFO between the folders holds the run past the bar's first second;
	// the lines that follow it are written while the bar shows.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	targets = []string{targets[0], fifo, filepath.Join(dir, "bad.log"), targets[1]}
	var total int64
	var count int
	for _, target := range targets {
		if target == fifo {
			want = append(want, fifo+"\t200\t200")
			total += 200
			count += 200
			continue
		}
		names, _ := filepath.Glob(filepath.Join(target, "*"))
		if len(names) == 0 {
			want = append(want, target+"\tInvalidContentError: line 2 (byte 2): not an integer: \"x\"")
			continue
		}
		for _, name := range names {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			c, s := reference(t, string(b))
			want = append(want, fmt.Sprintf("%s\t%d\t%s", name, c, s))
			total += s.Int64()
			count += int(c)
		}
	}
	want = append(want, fmt.Sprintf("total\t%d\t%d", count, total), "sumsq: 42 objects listed: 41 summed, 1 failed, 0 skipped")

	out, status := runPTY(t, func() {
		time.Sleep(progressDelay + 200*time.Millisecond)
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Error(err)
			return
		}
		defer w.Close()
		for range 5 { // bytes read make the bar draw
			w.WriteString(strings.Repeat("1\n", 40))
			time.Sleep(progressInterval + 50*time.Millisecond)
		}
	}, append([]string{"run"}, targets...)...)

	if !strings.Contains(out, " objects/s, elapsed ") {
		t.Fatalf("no progress bar was drawn; the terminal got %q", out)
	}
	got := screen(out)
	if strings.Join(got, "\n") != strings.Join(want, "\n") || status != 1 {
		t.Errorf("sumsq run on a terminal = status %d, screen:\n%s\nwant 1, screen:\n%s\n(the terminal got %q)",
			status, strings.Join(got, "\n"), strings.Join(want, "\n"), out)
	}
}

// With a terminal, S3 is listed once: the listing feeds both the sums and
// the bar's totals.
func TestRunTerminalOneListing(t *testing.T) {
	srv := s3test.NewServer(t, "data")
	s3TestEnv(t, srv)
	for i := range 1205 { // two pages
		srv.Put(t, "data", fmt.Sprintf("today/%04d", i), []byte("1\n"))
	}
	out, status := runPTY(t, func() {}, "run", "s3://data/today/")
	lines := screen(out)
	if status != 0 || len(lines) == 0 || lines[len(lines)-1] != "total\t1205\t1205" {
		t.Fatalf("sumsq run s3://data/today/ = status %d, screen ending %q; want 0, total 1205", status, lines[max(0, len(lines)-2):])
	}
	if n := srv.Requests("GET", "data", ""); n != 2 {
		t.Errorf("sumsq run s3://data/today/ on a terminal made %d list requests; want 2, one listing", n)
	}
}
