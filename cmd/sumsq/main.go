// Command sumsq computes the exact sum of the squares of the newline-separated
// integers in files, folders, standard input or S3 prefixes, plans a run of
// the deployed workflow (its cost and time), makes sample data, and starts
// executions of the deployed state machine and follows them.
//
// Usage:
//
//	sumsq run [-c N] [-json] [-summary] [-max-digits N] [-q] [-results-prefix P]
//	          [-profile P] [-region R] [-endpoint-url URL] TARGET...
//	sumsq plan [-json] [-q] [-stack NAME | -no-stack] [-batch-size N] [-batch-max-bytes N]
//	           [-max-concurrency N] [-memory MB] [-function-timeout S] [-split-size-mib N]
//	           [-tracing B] [-kms-key-arn ARN] [-inventory-bucket B] [-profile P] [-region R]
//	           [-endpoint-url URL] TARGET
//	sumsq gen [-n N] [-min N] [-max N] [-digits N] [-several F] [-numbers N] [-seed N] DIR
//	sumsq start [-stack NAME | -state-machine ARN] [-prefix P | -manifest S3_URL] [-name N] [-wait]
//	            [-json] [-q] [-profile P] [-region R] [-endpoint-url URL]
//	sumsq start -redrive EXECUTION_ARN [-wait] [-json] [-q] [-profile P] [-endpoint-url URL]
//	sumsq follow [-json] [-q] [-profile P] [-endpoint-url URL] EXECUTION_ARN
//	sumsq version
//	sumsq help [COMMAND]
//
// Run "sumsq help" or "sumsq help COMMAND" for details.
//
// Exit status: 0 on success, 1 when an object failed, a target matched no
// object or the command could not complete, 2 on a usage error, 130 when
// interrupted.
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
	if err == nil && ctx.Err() != nil {
		err = ctx.Err() // the signal came as the command ended: it was interrupted all the same
	}
	watchdog()
	stop()
	exit(func() int { return exitStatus(err, os.Stderr) })
}
