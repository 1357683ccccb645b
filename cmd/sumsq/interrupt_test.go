package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sumsq/sumsq/internal/s3test"
)

// An interrupt ends the command within a second, with exit status 130,
// whatever system call it waits in: the open of a FIFO that has no writer,
// a read of a FIFO or of standard input that nobody writes to. These
// interrupts were ignored.
func TestRunInterrupted(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	tests := []struct {
		name   string
		target string
		stdin  string // "pipe": a pipe nobody writes to; "fifo writer": the FIFO held open for writing
		signal syscall.Signal
	}{
		{"FIFO without a writer, SIGINT", fifo, "", syscall.SIGINT},
		{"FIFO without a writer, SIGTERM", fifo, "", syscall.SIGTERM},
		{"FIFO with a silent writer", fifo, "fifo writer", syscall.SIGINT},
		{"silent standard input, SIGINT", "-", "pipe", syscall.SIGINT},
		{"silent standard input, SIGTERM", "-", "pipe", syscall.SIGTERM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(sumsqBinary(t), "run", tt.target)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			switch tt.stdin {
			case "pipe":
				cmd.Stdin = pipe(t, "", false)
			case "fifo writer":
				// O_RDWR does not wait for a reader; the command's open
				// then finds a writer and its read waits.
				w, err := os.OpenFile(fifo, os.O_RDWR, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer w.Close()
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			time.Sleep(500 * time.Millisecond) // long enough to be waiting in the system call
			select {
			case err := <-done:
				t.Fatalf("sumsq run %s ended before the signal: %v, stderr %q", tt.target, err, stderr.String())
			default:
			}
			sent := time.Now()
			if err := cmd.Process.Signal(tt.signal); err != nil {
				t.Fatal(err)
			}
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("sumsq run %s still running 10 s after %v", tt.target, tt.signal)
			}
			took := time.Since(sent)
			if status := cmd.ProcessState.ExitCode(); status != 130 || stderr.String() != "sumsq: interrupted\n" || took > time.Second {
				t.Errorf("sumsq run %s after %v = status %d, stderr %q in %v; want 130, %q within 1s",
					tt.target, tt.signal, status, stderr.String(), took.Round(time.Millisecond), "sumsq: interrupted\n")
			}
		})
	}
}

// An interrupted run exits 130, says "interrupted" and prints no total: a
// reader of its output can tell that it is not the whole. These tests send
// a real SIGINT to the built command at several moments of a long run.
// They assert no timing: each moment is an event of the run (its first
// result, a request for a listing page) plus a short delay, and a run
// that ended before the signal fails the test, whatever its output.

// interruptedRun is what an interrupted command did.
type interruptedRun struct {
	stdout, stderr string
	status         int
}

// interrupt runs the built command with args, calls moment with a channel
// closed once the command has written its first line to standard output,
// sends SIGINT when moment returns, and returns what the command did.
// With hold, standard output is not read between the first line and the
// signal: the command waits in a write, as it does when printing to a
// slow reader.
func interrupt(t *testing.T, args []string, moment func(firstLine <-chan struct{}), hold bool) interruptedRun {
	t.Helper()
	cmd := exec.Command(sumsqBinary(t), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	firstLine, resume := make(chan struct{}), make(chan struct{})
	var stdout bytes.Buffer
	read := make(chan error, 1)
	go func() {
		r := bufio.NewReader(pipe)
		line, err := r.ReadBytes('\n')
		stdout.Write(line)
		close(firstLine)
		if err == nil {
			if hold {
				<-resume
			}
			_, err = io.Copy(&stdout, r)
		}
		read <- err
	}()
	done := make(chan error, 1)

	stop := time.AfterFunc(binaryTimeout, func() { cmd.Process.Kill() })
	defer stop.Stop()
	moment(firstLine)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatal(err)
	}
	close(resume)
	if err := <-read; err != nil && err != io.EOF {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	err = <-done
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("sumsq %q: %v", args, err)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Fatalf("sumsq %q was killed by %v: the test sent the signal before the command could catch it, or it timed out", args, ws.Signal())
	}
	return interruptedRun{stdout: stdout.String(), stderr: stderr.String(), status: cmd.ProcessState.ExitCode()}
}

// check reports what is wrong with an interrupted run: it must exit 130,
// say "interrupted" and nothing else on standard error, and print no
// total line, or with -json no document that parses.
func (r interruptedRun) check(asJSON bool) string {
	var wrong []string
	if r.status != exitInterrupted {
		wrong = append(wrong, fmt.Sprintf("exit status %d, want %d", r.status, exitInterrupted))
	}
	if r.stderr != "sumsq: interrupted\n" {
		wrong = append(wrong, fmt.Sprintf("stderr %q, want %q", r.stderr, "sumsq: interrupted\n"))
	}
	if asJSON {
		if json.Valid([]byte(r.stdout)) {
			wrong = append(wrong, fmt.Sprintf("stdout is a whole JSON document (%d bytes), ending %q", len(r.stdout), r.stdout[max(0, len(r.stdout)-120):]))
		}
	} else if strings.HasPrefix(r.stdout, "total\t") || strings.Contains(r.stdout, "\ntotal\t") {
		wrong = append(wrong, fmt.Sprintf("stdout has a total line, ending %q", r.stdout[max(0, len(r.stdout)-120):]))
	}
	return strings.Join(wrong, "; ")
}

// after returns a moment: delay after the first line.
func after(delay time.Duration) func(<-chan struct{}) {
	return func(firstLine <-chan struct{}) {
		<-firstLine
		time.Sleep(delay)
	}
}

// A folder of tens of thousands of files: interrupted while it is listed,
// while its files are summed, while results are printed. The listing of a
// large folder ended silently when interrupted and looked complete: the
// run printed the total of what it had summed and exited 0.
func TestRunInterruptedLargeFolder(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 20,000 files")
	}
	dir := t.TempDir()
	// a/ first: its results come out while b/, one folder of 20,000
	// files, is still being read, sorted and listed.
	writeFiles(t, dir, map[string]string{"a/1.log": "1\n", "a/2.log": "2\n", "a/3.log": "3\n"})
	big := filepath.Join(dir, "b")
	if err := os.Mkdir(big, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 20_000 {
		if err := os.WriteFile(filepath.Join(big, fmt.Sprintf("%05d.log", i)), []byte("7\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	moments := []struct {
		name   string
		moment func(<-chan struct{})
		hold   bool
	}{
		{"at the first result", after(0), false},
		{"1 ms after it", after(time.Millisecond), false},
		{"10 ms after it", after(10 * time.Millisecond), false},
		{"100 ms after it", after(100 * time.Millisecond), false},
		{"while printing to a full pipe", after(200 * time.Millisecond), true},
	}
	const tries = 3
	for _, m := range moments {
		for _, asJSON := range []bool{false, true} {
			args := []string{"run", dir}
			if asJSON {
				args = []string{"run", "-json", dir}
			}
			t.Run(fmt.Sprintf("%s, json %v", m.name, asJSON), func(t *testing.T) {
				for try := range tries {
					if wrong := interrupt(t, args, m.moment, m.hold).check(asJSON); wrong != "" {
						t.Errorf("try %d of sumsq %q interrupted %s: %s", try+1, args, m.name, wrong)
					}
				}
			})
		}
	}
}

// An S3 prefix whose listing pages come slowly: interrupted while the
// command waits on a page and while the objects of a page are summed. A
// listing cut short by the signal looked complete about half the time.
func TestRunInterruptedSlowListing(t *testing.T) {
	srv := s3test.NewServer(t, "data")
	s3TestEnv(t, srv)
	for i := range 2100 { // three pages
		srv.Put(t, "data", fmt.Sprintf("slow/%04d.log", i), []byte("3\n"))
	}
	// Each listing request says which page of its run it is, then waits
	// before it is served: S3 far away, or throttling.
	const pageDelay = 300 * time.Millisecond
	var pages atomic.Int64
	requested := make(chan int64, 16)
	srv.Hook("data", "", func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method == http.MethodGet && r.URL.Query().Has("list-type") {
			requested <- pages.Add(1)
			select {
			case <-time.After(pageDelay):
			case <-r.Context().Done():
				return
			}
		}
		next.ServeHTTP(w, r)
	})
	// page returns a moment: delay after page n is requested.
	page := func(n int64, delay time.Duration) func(<-chan struct{}) {
		return func(<-chan struct{}) {
			for got := range requested {
				if got == n {
					break
				}
			}
			time.Sleep(delay)
		}
	}
	moments := []struct {
		name   string
		moment func(<-chan struct{})
	}{
		{"waiting on the first page", page(1, 0)},
		{"100 ms into the first page", page(1, 100*time.Millisecond)},
		{"as the first page's objects are summed", page(2, 0)},
		{"waiting on the second page", page(2, 150*time.Millisecond)},
		{"waiting on the last page", page(3, 150*time.Millisecond)},
	}
	const tries = 3
	for _, m := range moments {
		for _, asJSON := range []bool{false, true} {
			args := []string{"run", "s3://data/slow/"}
			if asJSON {
				args = []string{"run", "-json", "s3://data/slow/"}
			}
			t.Run(fmt.Sprintf("%s, json %v", m.name, asJSON), func(t *testing.T) {
				for try := range tries {
					pages.Store(0)
					for len(requested) > 0 {
						<-requested
					}
					if wrong := interrupt(t, args, m.moment, false).check(asJSON); wrong != "" {
						t.Errorf("try %d of sumsq %q interrupted %s: %s", try+1, args, m.name, wrong)
					}
				}
			})
		}
	}
}
