package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
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
