package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/sumsq/sumsq/internal/maprun"
	"github.com/sumsq/sumsq/internal/s3store"
)

const startHelp = `
Usage: sumsq start [-prefix PREFIX | -manifest S3_URL] [flags]
       sumsq start -redrive EXECUTION_ARN [-wait] [-json] [-q] [-profile P] [-endpoint-url URL]

Start starts an execution of the deployed state machine with the input
{"prefix": PREFIX}: it sums every object of the stack's data bucket under
PREFIX (all of them when PREFIX is empty). With -manifest, the input is
{"manifest": S3_URL}: it sums every object the S3 Inventory report whose
manifest.json S3_URL names lists (s3://BUCKET/.../manifest.json, a CSV
report). It prints the execution's ARN and its page in the Step Functions
console.

The state machine is the one -state-machine names or else the StateMachineArn
output of the CloudFormation stack -stack, by default the stack_name of
./samconfig.toml (the one "sam deploy" used), or "sumsq". The stack is looked
up in -region, else samconfig.toml's region, else the SDK's (AWS_REGION,
AWS_PROFILE or -profile); the execution runs in the state machine's region.
It is named sumsq-<UTC time>-<random hex> unless -name says otherwise.
-endpoint-url sends every request to one endpoint (the local twin), as
AWS_ENDPOINT_URL does.

With -wait, start follows the execution until it ends, as sumsq follow
does, and prints its total: the objects listed, those summed and the
numbers in them, the exact sum of squares, the objects that failed (the
first ones, and where the full list is) and, if any, those skipped (the
Map's own result files). While it runs, standard error shows its progress,
from its Map Run: a bar on a terminal, a line every 5 seconds otherwise
(-q: none; see sumsq help follow). Interrupting the wait leaves the
execution running: sumsq follow EXECUTION_ARN follows it again.

With -redrive, start redrives an execution that failed, timed out or was
aborted in the last 14 days, instead of starting one, and follows it as
-wait does if -wait is given. A redrive re-runs what did not succeed, from
where it stopped, with the same input: the failed Map's failed and pending
child executions (batches that failed, S3 unavailable after the retries; a
part of the total, a range of a large object), then the states after it.
It does not re-read objects
whose content was bad, missing or denied: those are failures of single
objects inside batches that succeeded, listed in the total's failures. Fix
them and start a new execution.

Exit status: 0 if the execution started or was redriven (with -wait:
succeeded with no failed object), 1 otherwise, 2 on a usage error, 130 if
interrupted.

Examples:

	sumsq start -prefix today/
	sumsq start -prefix today/ -wait
	sumsq start -manifest s3://my-bucket/inventory/my-bucket/sumsq/2026-12-06T01-00Z/manifest.json -wait
	sumsq start -stack sumsq-test -region eu-west-1 -prefix 2026/11/ -wait
	sumsq start -profile prod -prefix today/
	sumsq start -state-machine arn:aws:states:us-east-1:123456789012:stateMachine:sumsq -prefix today/
	sumsq start -redrive arn:aws:states:us-east-1:123456789012:execution:sumsq:sumsq-20261129T142233Z-9f86d081 -wait
`

// startFlags is the command line of sumsq start.
type startFlags struct {
	stack, machine, prefix, name string
	manifest                     string // an S3 Inventory report's manifest.json, s3://
	redrive                      string // an execution ARN
	wait, json, quiet            bool
	aws                          awsFlags // -region is the stack's
}

// startOutput is what start -json prints.
type startOutput struct {
	ExecutionArn string          `json:"executionArn"`
	ConsoleURL   string          `json:"consoleUrl"`
	RedriveCount int32           `json:"redriveCount,omitempty"` // with -redrive
	Status       string          `json:"status,omitempty"`       // with -wait
	Total        json.RawMessage `json:"total,omitempty"`        // a maprun.Total, when the execution succeeded
	Error        string          `json:"error,omitempty"`        // when it failed
	Cause        string          `json:"cause,omitempty"`
}

func cmdStart(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return startCommand(ctx, args, connectAWS, stdout, stderr)
}

// startCommand is sumsq start, reaching AWS through connect.
func startCommand(ctx context.Context, args []string, connect connector, stdout, stderr io.Writer) error {
	f, err := parseStartFlags(args, stdout)
	if err != nil {
		return err
	}
	var (
		api     executionAPI
		out     startOutput
		machine arn.ARN
	)
	if f.redrive != "" {
		execution, _ := arn.Parse(f.redrive) // checked by parseStartFlags
		clients, err := connect(ctx, f.aws.in(execution.Region))
		if err != nil {
			return err
		}
		api = clients.executions(execution.Region)
		if out.RedriveCount, err = redriveExecution(ctx, api, f.redrive); err != nil {
			return err
		}
		out.ExecutionArn, machine = f.redrive, execution
	} else {
		var clients *awsClients
		if machine, clients, err = f.resolve(ctx, connect); err != nil {
			return err
		}
		api = clients.executions(machine.Region)
		if out.ExecutionArn, err = startExecution(ctx, api, machine, f.name, f.input()); err != nil {
			return err
		}
	}
	out.ConsoleURL = consoleURL(machine.Partition, machine.Region, out.ExecutionArn)
	if !f.json {
		fmt.Fprintf(stdout, "execution  %s\nconsole    %s\n", out.ExecutionArn, out.ConsoleURL)
		if out.RedriveCount > 0 {
			fmt.Fprintf(stdout, "redrive    %d\n", out.RedriveCount)
		}
	}
	if !f.wait {
		if f.json {
			return writeJSON(stdout, out)
		}
		return nil
	}
	return waitFor(ctx, api, out, out.RedriveCount, f.json, f.quiet, stdout, stderr)
}

// parseStartFlags parses and checks start's command line.
func parseStartFlags(args []string, stdout io.Writer) (startFlags, error) {
	var f startFlags
	fs := newFlagSet("start", startHelp, stdout)
	fs.StringVar(&f.stack, "stack", "", "the CloudFormation stack `name` (default: samconfig.toml's stack_name, or "+DefaultStackName+")")
	fs.StringVar(&f.machine, "state-machine", "", "the state machine's `ARN`, instead of the stack's output")
	fs.StringVar(&f.prefix, "prefix", "", "sum the objects under this key `prefix`")
	fs.StringVar(&f.manifest, "manifest", "", "sum the objects the S3 Inventory report of this manifest.json lists (`s3://bucket/key/manifest.json`)")
	fs.StringVar(&f.name, "name", "", "the execution's `name` (default: sumsq-<UTC time>-<random hex>)")
	fs.StringVar(&f.redrive, "redrive", "", "redrive the execution of this `ARN` that did not succeed, instead of starting one")
	fs.BoolVar(&f.wait, "wait", false, "wait for the execution to end and print its total")
	fs.BoolVar(&f.json, "json", false, "print one JSON document: executionArn, consoleUrl and, with -wait, status, total, error, cause")
	fs.BoolVar(&f.quiet, "q", false, "with -wait, show no progress")
	f.aws.register(fs, "the AWS `region` of the stack")
	operands, err := parseFlags(fs, args)
	if err != nil {
		return f, err
	}
	if err := f.aws.check("start"); err != nil {
		return f, err
	}
	switch {
	case len(operands) > 0:
		return f, usageError{fmt.Sprintf("start: unexpected argument %q; did you mean -prefix %s?", operands[0], operands[0])}
	case f.stack != "" && f.machine != "":
		return f, usageError{"start: -stack and -state-machine exclude each other"}
	case f.prefix != "" && f.manifest != "":
		return f, usageError{"start: -prefix and -manifest exclude each other: a run sums a prefix or an S3 Inventory report"}
	case f.manifest != "" && !manifestURL.MatchString(f.manifest):
		return f, usageError{fmt.Sprintf("start: -manifest %q: want the s3:// URL of an S3 Inventory report's manifest.json, as in s3://my-bucket/inventory/my-bucket/sumsq/2026-12-06T01-00Z/manifest.json", f.manifest)}
	case f.redrive != "":
		set := map[string]bool{}
		fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
		for _, other := range []string{"stack", "state-machine", "prefix", "manifest", "region", "name"} {
			if set[other] {
				return f, usageError{fmt.Sprintf("start: -redrive takes no -%s: the execution's ARN says where it runs, and it keeps its input and name", other)}
			}
		}
		if err := checkExecutionARN(f.redrive); err != nil {
			return f, usageError{"start: -redrive " + err.Error()}
		}
		return f, nil
	case f.machine != "":
		if _, err := parseStateMachineARN(f.machine); err != nil {
			return f, usageError{"start: " + err.Error()}
		}
	}
	if f.name == "" {
		f.name = newExecutionName(time.Now())
	} else if err := checkExecutionName(f.name); err != nil {
		return f, usageError{"start: " + err.Error()}
	}
	return f, nil
}

// resolve finds the state machine: -state-machine, or the output of the
// stack that -stack, samconfig.toml or DefaultStackName names, looked up in
// -region, samconfig.toml's region or the SDK's. It returns the clients of
// that region.
func (f startFlags) resolve(ctx context.Context, connect connector) (arn.ARN, *awsClients, error) {
	if f.machine != "" {
		machine, err := parseStateMachineARN(f.machine)
		if err != nil {
			return arn.ARN{}, nil, err
		}
		clients, err := connect(ctx, f.aws.in(cmp.Or(f.aws.region, machine.Region)))
		return machine, clients, err
	}
	sam, err := readSAMConfig("samconfig.toml")
	if err != nil {
		return arn.ARN{}, nil, err
	}
	stack := cmp.Or(f.stack, sam.StackName, DefaultStackName)
	clients, err := connect(ctx, f.aws.in(cmp.Or(f.aws.region, sam.Region)))
	if err != nil {
		return arn.ARN{}, nil, err
	}
	machine, err := stackStateMachine(ctx, clients.stacks, stack, clients.region)
	return machine, clients, err
}

// report prints how an execution ended and, if it succeeded, its total and
// failures, as text or (asJSON) out as JSON, and returns the error that
// sets the exit status.
func report(w io.Writer, out startOutput, ended *sfn.DescribeExecutionOutput, asJSON bool) error {
	out.Status = string(ended.Status)
	out.Error, out.Cause = aws.ToString(ended.Error), aws.ToString(ended.Cause)
	var total maprun.Total
	if ended.Status == sfntypes.ExecutionStatusSucceeded {
		raw := aws.ToString(ended.Output)
		if err := json.Unmarshal([]byte(raw), &total); err != nil {
			return fmt.Errorf("execution %s succeeded, but its output is not a total: %v: %.200q", out.ExecutionArn, err, raw)
		}
		out.Total = json.RawMessage(raw)
	}
	var err error
	if asJSON {
		err = writeJSON(w, out)
	} else {
		err = printEnded(w, ended, total)
	}
	switch {
	case err != nil:
		return err
	case ended.Status != sfntypes.ExecutionStatusSucceeded:
		if asJSON {
			return fmt.Errorf("execution %s", strings.ToLower(out.Status))
		}
		return errFailed // printEnded said why
	case total.FailedObjects > 0:
		return errFailed
	}
	return nil
}

// printEnded prints how an execution ended and, if it succeeded, its total
// and failures. The time it took is from its last redrive, if any.
func printEnded(w io.Writer, e *sfn.DescribeExecutionOutput, t maprun.Total) error {
	took := ""
	if start := cmp.Or(e.RedriveDate, e.StartDate); start != nil && e.StopDate != nil {
		took = " after " + e.StopDate.Sub(*start).Round(time.Second).String()
	}
	fmt.Fprintf(w, "status     %s%s\n", e.Status, took)
	if e.Status != sfntypes.ExecutionStatusSucceeded {
		_, err := fmt.Fprintf(w, "error      %s\ncause      %s\n", aws.ToString(e.Error), aws.ToString(e.Cause))
		return err
	}
	// Each line names what it counts: "objects" alone read as the
	// objects listed, where the total counts those summed.
	fmt.Fprintf(w, "listed     %s\nsummed     %s, %s\nsum        %s\nfailed     %s\n",
		plural(t.Objects+t.FailedObjects+t.SkippedObjects, "object"), plural(t.Objects, "object"), plural(t.Count, "number"),
		t.SumOfSquares, plural(t.FailedObjects, "object"))
	for _, f := range t.Failed {
		fmt.Fprintf(w, "\t%s\t%s: %s\n", quoteName(s3store.Location(f.Bucket, f.Key)), f.Error, escapeControls(f.Cause))
	}
	if int64(len(t.Failed)) < t.FailedObjects {
		fmt.Fprintf(w, "\t... %d more", t.FailedObjects-int64(len(t.Failed)))
		if t.FailuresLocation != "" {
			fmt.Fprintf(w, ": all failures are listed in %s", t.FailuresLocation)
		}
		fmt.Fprintln(w)
	}
	if t.SkippedObjects > 0 {
		fmt.Fprintf(w, "skipped    %s, the Map's own result files\n", plural(t.SkippedObjects, "object"))
	}
	return nil
}

// plural returns "1 object", "2 objects".
func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// writeJSON writes v as one line of JSON, control characters escaped.
func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(escapeJSON(b), '\n'))
	return err
}

// manifestURL is what the state machine's CheckInput accepts as a manifest:
// s3://, a bucket's name, a key ending in manifest.json.
var manifestURL = regexp.MustCompile(`^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/(.+/)?manifest\.json$`)

// input is the execution's input: {"manifest": ...} or {"prefix": ...}.
func (f startFlags) input() map[string]string {
	if f.manifest != "" {
		return map[string]string{"manifest": f.manifest}
	}
	return map[string]string{"prefix": f.prefix}
}
