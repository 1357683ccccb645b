package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailure     = 1 // an object failed, or the command could not complete
	exitUsage       = 2 // the command line is wrong
	exitInterrupted = 130
)

const usage = `sumsq computes the exact sum of the squares of newline-separated integers.

Usage:

	sumsq run [-c N] [-json] [-summary] [-max-digits N] [-q] [-results-prefix P]
	          [-profile P] [-region R] [-endpoint-url URL] TARGET...
	sumsq plan [-json] [-q] [-stack NAME | -no-stack] [-batch-size N] [-batch-max-bytes N]
	           [-max-concurrency N] [-memory MB] [-function-timeout S] [-split-size-mib N]
	           [-tracing B] [-kms-key-arn ARN] [-inventory-bucket B] [-profile P] [-region R]
	           [-endpoint-url URL] TARGET
	sumsq gen [-n N] [-min N] [-max N] [-digits N] [-several F] [-numbers N] [-seed N] DIR
	sumsq start [-stack NAME | -state-machine ARN] [-prefix P | -manifest S3_URL] [-name N] [-wait]
	            [-json] [-q] [-profile P] [-region R] [-endpoint-url URL]
	sumsq start -redrive EXECUTION_ARN [-wait] [-json] [-q] [-profile P] [-endpoint-url URL]
	sumsq follow [-json] [-q] [-profile P] [-endpoint-url URL] EXECUTION_ARN
	sumsq version
	sumsq help [COMMAND]

Commands:

	run      sum files, folders, standard input or s3://bucket/prefix
	plan     what a run of the workflow would be made of, cost and take, before it runs
	gen      write sample files random_1.log ... random_N.log
	start    start an execution of the deployed state machine, or redrive one
	follow   show an execution's progress until it ends, then its total
	version  print the version and the source revision it was built from

Run "sumsq help COMMAND" or "sumsq COMMAND -h" for a command's flags and
examples.
`

// run is the whole program: it runs the command named by args[0] and
// returns what main turns into an exit status (see exitStatus).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{}
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "run":
		return cmdRun(ctx, args, stdin, stdout, stderr)
	case "plan":
		return cmdPlan(ctx, args, stdout, stderr)
	case "gen":
		return cmdGen(args, stdout, stderr)
	case "start":
		return cmdStart(ctx, args, stdout, stderr)
	case "follow":
		return cmdFollow(ctx, args, stdout, stderr)
	case "version":
		return cmdVersion(args, stdout)
	case "help", "-h", "-help", "--help":
		switch {
		case len(args) == 0:
			fmt.Fprint(stdout, usage)
			return nil
		case len(args) > 1:
			return usageError{"help: want one COMMAND; run 'sumsq help'"}
		case args[0] == "version" || args[0] == "help":
			fmt.Fprint(stdout, usage)
			return nil
		case args[0] != "run" && args[0] != "plan" && args[0] != "gen" && args[0] != "start" && args[0] != "follow":
			return usageError{fmt.Sprintf("help: unknown command %q; run 'sumsq help'", args[0])}
		}
		return run(ctx, []string{args[0], "-h"}, stdin, stdout, stderr) // as COMMAND -h
	}
	return usageError{fmt.Sprintf("unknown command %q; run 'sumsq help'", cmd)}
}

// usageError is a mistake in the command line: exit status 2. An empty msg
// means the mistake has already been reported (by the flag package).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// errFailed means some objects failed, or a target matched none; they and
// the total have been reported already, so main only sets the exit status.
var errFailed = errors.New("some objects failed")

// exitStatus reports err on stderr unless it was reported already and
// returns the exit status for it.
func exitStatus(err error, stderr io.Writer) int {
	var uerr usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.Is(err, errFailed):
		return exitFailure
	case errors.As(err, &uerr):
		if uerr.msg != "" {
			fmt.Fprintf(stderr, "sumsq: %s\n", uerr.msg)
		}
		return exitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "sumsq: interrupted")
		return exitInterrupted
	}
	fmt.Fprintf(stderr, "sumsq: %v\n", err)
	return exitFailure
}

// newFlagSet returns a flag set for a command whose -h prints help to w
// (standard output: help asked for is the command's output), a usage text
// with examples, followed by the flags. Parse errors are not printed by the
// flag set: parseFlags reports them in one line.
func newFlagSet(name, help string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("sumsq "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprint(w, strings.TrimLeft(help, "\n"))
		fmt.Fprintf(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args with fs, flags and operands in any order, as
// people type them ("sumsq run dir -json"); "--" ends the flags. It returns
// the operands in their order. -h prints the help and returns
// flag.ErrHelp; any other mistake is a usageError of one line with a hint.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			operands = append(operands, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			operands = append(operands, a)
			continue
		}
		flags = append(flags, a)
		// A flag that takes a value and has no "=value" takes the next
		// argument, whatever it looks like, as the flag package does.
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if f := fs.Lookup(name); f != nil && !hasValue && !isBoolFlag(f) && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	usage := fs.Usage
	fs.Usage = func() {} // the flag package calls it on any error
	err := fs.Parse(flags)
	fs.Usage = usage
	switch {
	case err == nil:
		return operands, nil
	case errors.Is(err, flag.ErrHelp):
		usage()
		return nil, err
	}
	name := strings.TrimPrefix(fs.Name(), "sumsq ")
	return nil, usageError{fmt.Sprintf("%s: %v; run 'sumsq %s -h'", name, err, name)}
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
