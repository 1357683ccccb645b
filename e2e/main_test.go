//go:build e2e

package e2e

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"
)

var serve = flag.Bool("serve", false, "TestServe: start the harness and wait for Ctrl-C")

// interrupted is closed at the first Ctrl-C of a -serve run: TestServe then
// returns and its cleanups stop what it started.
var interrupted = make(chan struct{})

// workDir holds what the tests build (the bootstrap); it is removed at exit.
var workDir string

// TestMain stops every process the tests started when the run is
// interrupted: they run in their own process groups, so the terminal's
// Ctrl-C does not reach them.
func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "sumsq-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	workDir = dir

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-signals
		if *serve {
			close(interrupted)
			sig = <-signals // a second Ctrl-C does not wait for the cleanups
		}
		fmt.Fprintf(os.Stderr, "e2e: %v: stopping every process started\n", sig)
		started.stopAll()
		os.RemoveAll(workDir)
		os.Exit(1)
	}()

	code := m.Run()
	started.stopAll() // none, unless a test forgot its cleanup
	os.RemoveAll(workDir)
	os.Exit(code)
}
