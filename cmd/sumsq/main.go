// Command sumsq computes the exact sum of the squares of the newline-separated
// integers in files, folders, standard input or S3 prefixes, makes sample
// data, and starts executions of the deployed state machine.
//
// Usage:
//
//	sumsq run [-c N] [-json] [-max-digits N] [-q] TARGET...
//	sumsq gen [-n N] [-min N] [-max N] [-digits N] [-several F] [-numbers N] [-seed N] DIR
//	sumsq start [-stack NAME | -state-machine ARN] [-prefix P] [-region R] [-name N] [-wait] [-json]
//
// Run "sumsq help" or "sumsq COMMAND -h" for details.
//
// Exit status: 0 on success, 1 when an object failed or the command could not
// complete, 2 on a usage error, 130 when interrupted.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitStatus(err, os.Stderr))
}
