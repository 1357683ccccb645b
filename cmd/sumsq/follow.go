package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

const followHelp = `
Usage: sumsq follow [-json] [-q] [-profile P] [-endpoint-url URL] EXECUTION_ARN

Follow follows an execution of the state machine that is running, or has
ended, as start -wait does: one started earlier by start, from the console,
or one whose start -wait was interrupted. It prints the execution's ARN and
its page in the Step Functions console, shows its progress on standard
error while it runs, and once it has ended prints its total: the objects
listed, those summed and the numbers in them, the exact sum of squares, the
objects that failed (the first ones, and where the full list is) and, if
any, those skipped (the Map's own result files). Interrupting it leaves the
execution running.

The progress is the Distributed Map's, read from its Map Run
(DescribeMapRun), named by the Map's label (SumObjects): the items
succeeded out of the total ("+" while the Map still reads them), failed,
running and pending, the items done a second, the time elapsed and, once
the total no longer grows, the percentage succeeded, which never goes back,
and the time left. A line is written as each Map Run ends. On a terminal
the progress is a bar, after a second; otherwise a line every 5 seconds
(-q: none). It polls Step Functions every few seconds, backing off when
throttled, within the account's API quotas.

The execution's ARN says its region; -profile and -endpoint-url (the local
twin) say how to reach it, as for start.

Exit status: 0 if the execution succeeded with no failed object, 1
otherwise, 2 on a usage error, 130 if interrupted.

Examples:

	sumsq follow arn:aws:states:us-east-1:123456789012:execution:sumsq:sumsq-20261129T142233Z-9f86d081
	sumsq follow -q -json arn:aws:states:us-east-1:123456789012:execution:sumsq:sumsq-20261129T142233Z-9f86d081
`

// followFlags is the command line of sumsq follow.
type followFlags struct {
	execution   string // its ARN
	json, quiet bool
	aws         awsFlags // no -region: the ARN's
}

func cmdFollow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return followCommand(ctx, args, connectAWS, stdout, stderr)
}

// followCommand is sumsq follow, reaching AWS through connect.
func followCommand(ctx context.Context, args []string, connect connector, stdout, stderr io.Writer) error {
	f, err := parseFollowFlags(args, stdout)
	if err != nil {
		return err
	}
	execution, _ := arn.Parse(f.execution) // checked by parseFollowFlags
	clients, err := connect(ctx, f.aws.in(execution.Region))
	if err != nil {
		return err
	}
	out := startOutput{ExecutionArn: f.execution, ConsoleURL: consoleURL(execution.Partition, execution.Region, f.execution)}
	if !f.json {
		fmt.Fprintf(stdout, "execution  %s\nconsole    %s\n", out.ExecutionArn, out.ConsoleURL)
	}
	return waitFor(ctx, clients.executions(execution.Region), out, 0, f.json, f.quiet, stdout, stderr)
}

// parseFollowFlags parses and checks follow's command line.
func parseFollowFlags(args []string, stdout io.Writer) (followFlags, error) {
	var f followFlags
	fs := newFlagSet("follow", followHelp, stdout)
	fs.BoolVar(&f.json, "json", false, "print one JSON document: executionArn, consoleUrl, status, total, error, cause")
	fs.BoolVar(&f.quiet, "q", false, "show no progress")
	fs.StringVar(&f.aws.endpointURL, "endpoint-url", "", "send AWS requests to this `URL` (a local twin), as AWS_ENDPOINT_URL")
	fs.StringVar(&f.aws.profile, "profile", "", "use this `profile` of the AWS configuration files, as AWS_PROFILE")
	operands, err := parseFlags(fs, args)
	if err != nil {
		return f, err
	}
	if err := f.aws.check("follow"); err != nil {
		return f, err
	}
	switch {
	case len(operands) == 0:
		return f, usageError{"follow: no EXECUTION_ARN; run 'sumsq follow -h'"}
	case len(operands) > 1:
		return f, usageError{fmt.Sprintf("follow: want one EXECUTION_ARN, not %d arguments", len(operands))}
	}
	f.execution = operands[0]
	if err := checkExecutionARN(f.execution); err != nil {
		return f, usageError{"follow: " + err.Error()}
	}
	return f, nil
}

// checkExecutionARN checks that s is the ARN of an execution of a state
// machine, with a region.
func checkExecutionARN(s string) error {
	if a, err := arn.Parse(s); err != nil || a.Service != "states" || !strings.HasPrefix(a.Resource, "execution:") || a.Region == "" {
		return fmt.Errorf("%q is not the ARN of an execution (arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME)", s)
	}
	return nil
}

// waitFor follows the execution out names until it ends, with its
// progress on stderr unless quiet, and reports how it ended: start -wait
// and follow. After a redrive, redrives is the redrive count to wait for.
func waitFor(ctx context.Context, api executionAPI, out startOutput, redrives int32, asJSON, quiet bool, stdout, stderr io.Writer) error {
	var progress *followProgress
	if !quiet {
		progress = newFollowProgress(stderr)
	}
	ended, err := follow(ctx, api, out.ExecutionArn, redrives, progress)
	progress.finish() // the bar is off the screen before anything else is written
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "sumsq: stopped waiting; the execution goes on: %s\n", out.ConsoleURL)
		}
		return err
	}
	return report(stdout, out, ended, asJSON)
}
