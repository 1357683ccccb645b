// Command sumsq computes the exact sum of the squares of the newline-separated
// integers in files, folders, standard input or S3 prefixes, makes sample
// data, and starts executions of the deployed state machine.
//
// Usage:
//
//	sumsq run [-c N] [-json] [-max-digits N] [-q] [-results-prefix P] TARGET...
//	sumsq gen [-n N] [-min N] [-max N] [-digits N] [-several F] [-numbers N] [-seed N] DIR
//	sumsq start [-stack NAME | -state-machine ARN] [-prefix P] [-region R] [-name N] [-wait] [-json]
//	sumsq start -redrive EXECUTION_ARN [-wait] [-json]
//
// Run "sumsq help" or "sumsq COMMAND -h" for details.
//
// Exit status: 0 on success, 1 when an object failed or the command could not
// complete, 2 on a usage error, 130 when interrupted.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// interruptGrace is how long an interrupted command has to end by itself
// before main exits anyway: a read of standard input or of a FIFO, or the
// open of a FIFO that has no writer yet, waits in a system call that no
// context ends. Temporary files are unlinked as they are created, so
// exiting leaves nothing behind.
const interruptGrace = 500 * time.Millisecond

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	var exitOnce sync.Once
	exit := func(status func() int) { exitOnce.Do(func() { os.Exit(status()) }) }
	watchdog := context.AfterFunc(ctx, func() {
		time.Sleep(interruptGrace)
		exit(func() int {
			if isTerminal(os.Stderr) {
				fmt.Fprint(os.Stderr, "\r\033[2K") // the line a progress bar may be on
			}
			return exitStatus(context.Canceled, os.Stderr)
		})
	})
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	watchdog()
	stop()
	exit(func() int { return exitStatus(err, os.Stderr) })
}
