package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"

	"github.com/sumsq/sumsq/internal/job"
)

// StateMachineOutput is the output of the stack that holds the state
// machine's ARN (see template.yaml).
const StateMachineOutput = "StateMachineArn"

// How start -wait polls: the first wait, and the longest one it backs off to.
var (
	pollFirst = time.Second
	pollMax   = 15 * time.Second
)

const startHelp = `
Usage: sumsq start [flags]

Start starts an execution of the deployed state machine with the input
{"prefix": PREFIX}: it sums every object of the stack's data bucket under
PREFIX (all of them when PREFIX is empty). It prints the execution's ARN and
its page in the Step Functions console.

The state machine is the one -state-machine names or else the StateMachineArn
output of the CloudFormation stack -stack, by default the stack_name of
./samconfig.toml (the one "sam deploy" used), or "sumsq". The stack is looked
up in -region, else samconfig.toml's region, else the SDK's (AWS_REGION,
AWS_PROFILE); the execution runs in the state machine's region. It is named
sumsq-<UTC time>-<random hex> unless -name says otherwise.

With -wait, start follows the execution until it ends and prints its total:
objects summed, count of numbers, the exact sum of squares, and the objects
that failed (the first ones, and where the full list is). Interrupting the
wait leaves the execution running.

Exit status: 0 if the execution started (with -wait: succeeded with no failed
object), 1 otherwise, 2 on a usage error.

Examples:

	sumsq start -prefix today/
	sumsq start -prefix today/ -wait
	sumsq start -stack sumsq-test -region eu-west-1 -prefix 2026/11/ -wait
	sumsq start -state-machine arn:aws:states:us-east-1:123456789012:stateMachine:sumsq -prefix today/
`

// startOutput is what start -json prints.
type startOutput struct {
	ExecutionArn string          `json:"executionArn"`
	ConsoleURL   string          `json:"consoleUrl"`
	Status       string          `json:"status,omitempty"` // with -wait
	Total        json.RawMessage `json:"total,omitempty"`  // a job.Total, when the execution succeeded
	Error        string          `json:"error,omitempty"`  // when it failed
	Cause        string          `json:"cause,omitempty"`
}

func cmdStart(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("start", startHelp, stderr)
	stack := fs.String("stack", "", "the CloudFormation stack `name` (default: samconfig.toml's stack_name, or "+DefaultStackName+")")
	machine := fs.String("state-machine", "", "the state machine's `ARN`, instead of the stack's output")
	prefix := fs.String("prefix", "", "sum the objects under this key `prefix`")
	region := fs.String("region", "", "the AWS `region` of the stack")
	name := fs.String("name", "", "the execution's `name` (default: sumsq-<UTC time>-<random hex>)")
	wait := fs.Bool("wait", false, "wait for the execution to end and print its total")
	asJSON := fs.Bool("json", false, "print one JSON document: executionArn, consoleUrl and, with -wait, status, total, error, cause")
	operands, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(operands) > 0:
		return usageError{fmt.Sprintf("start: unexpected argument %q; did you mean -prefix %s?", operands[0], operands[0])}
	case *stack != "" && *machine != "":
		return usageError{"start: -stack and -state-machine exclude each other"}
	}
	var machineARN arn.ARN
	if *machine != "" {
		a, err := parseStateMachineARN(*machine)
		if err != nil {
			return usageError{"start: " + err.Error()}
		}
		machineARN = a
	}
	if *name == "" {
		*name = newExecutionName(time.Now())
	} else if err := checkExecutionName(*name); err != nil {
		return usageError{"start: " + err.Error()}
	}

	// Where: the region and the state machine.
	if *machine == "" {
		sam, err := readSAMConfig("samconfig.toml")
		if err != nil {
			return err
		}
		if *stack == "" {
			*stack = cmp.Or(sam.StackName, DefaultStackName)
		}
		if *region == "" {
			*region = sam.Region
		}
	} else if *region == "" {
		*region = machineARN.Region
	}
	cfg, err := loadAWSConfig(ctx, *region)
	if err != nil {
		return err
	}
	if cfg.Region == "" {
		return errors.New("no AWS region: set AWS_REGION, the profile's region, or -region")
	}
	if err := checkCredentials(ctx, cfg); err != nil {
		return err
	}
	if *machine == "" {
		*machine, err = stackStateMachine(ctx, cloudformation.NewFromConfig(cfg), *stack, cfg.Region)
		if err != nil {
			return err
		}
		if machineARN, err = parseStateMachineARN(*machine); err != nil {
			return fmt.Errorf("stack %s: output %s: %w", *stack, StateMachineOutput, err)
		}
	}
	client := sfn.NewFromConfig(cfg, func(o *sfn.Options) {
		if machineARN.Region != "" {
			o.Region = machineARN.Region // where the machine is, whatever the profile says
		}
	})

	// Start.
	input, err := json.Marshal(map[string]string{"prefix": *prefix})
	if err != nil {
		return err
	}
	started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: machine,
		Name:            name,
		Input:           aws.String(string(input)),
	})
	if err != nil {
		return startError(err, *machine)
	}
	out := startOutput{
		ExecutionArn: aws.ToString(started.ExecutionArn),
		ConsoleURL:   consoleURL(machineARN.Partition, machineARN.Region, aws.ToString(started.ExecutionArn)),
	}
	if !*asJSON {
		fmt.Fprintf(stdout, "execution  %s\nconsole    %s\n", out.ExecutionArn, out.ConsoleURL)
	}
	if !*wait {
		if *asJSON {
			return writeJSON(stdout, out)
		}
		return nil
	}

	// Wait.
	ended, err := waitExecution(ctx, client, out.ExecutionArn)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "sumsq: stopped waiting; the execution goes on: %s\n", out.ConsoleURL)
		}
		return err
	}
	out.Status = string(ended.Status)
	out.Error, out.Cause = aws.ToString(ended.Error), aws.ToString(ended.Cause)
	var total job.Total
	if ended.Status == sfntypes.ExecutionStatusSucceeded {
		raw := aws.ToString(ended.Output)
		if err := json.Unmarshal([]byte(raw), &total); err != nil {
			return fmt.Errorf("execution %s succeeded, but its output is not a total: %v: %.200q", out.ExecutionArn, err, raw)
		}
		out.Total = json.RawMessage(raw)
	}
	if *asJSON {
		err = writeJSON(stdout, out)
	} else {
		err = printEnded(stdout, ended, total)
	}
	switch {
	case err != nil:
		return err
	case ended.Status != sfntypes.ExecutionStatusSucceeded:
		if *asJSON {
			return fmt.Errorf("execution %s", strings.ToLower(out.Status))
		}
		return errFailed // printEnded said why
	case total.FailedObjects > 0:
		return errFailed
	}
	return nil
}

// parseStateMachineARN parses and checks the ARN of a state machine.
func parseStateMachineARN(s string) (arn.ARN, error) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "states" || !strings.HasPrefix(a.Resource, "stateMachine:") || a.Region == "" {
		return arn.ARN{}, fmt.Errorf("%q is not the ARN of a state machine (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)", s)
	}
	return a, nil
}

// stackStateMachine returns the state machine ARN that the stack's
// StateMachineOutput output holds.
func stackStateMachine(ctx context.Context, client *cloudformation.Client, stack, region string) (string, error) {
	out, err := client.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: &stack})
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), "does not exist") {
			return "", fmt.Errorf("stack %s does not exist in %s: deploy it with 'sam deploy', or name another with -stack, -region or -state-machine", stack, region)
		}
		return "", fmt.Errorf("describing stack %s: %w", stack, err)
	}
	if len(out.Stacks) == 0 {
		return "", fmt.Errorf("stack %s does not exist in %s", stack, region)
	}
	s := out.Stacks[0]
	for _, o := range s.Outputs {
		if aws.ToString(o.OutputKey) == StateMachineOutput && aws.ToString(o.OutputValue) != "" {
			return aws.ToString(o.OutputValue), nil
		}
	}
	return "", fmt.Errorf("stack %s (%s) has no %s output: is it a stack of this project's template.yaml?", stack, s.StackStatus, StateMachineOutput)
}

// startError explains a failed StartExecution.
func startError(err error, machine string) error {
	var (
		notFound *sfntypes.StateMachineDoesNotExist
		deleting *sfntypes.StateMachineDeleting
	)
	switch {
	case errors.As(err, &notFound):
		return fmt.Errorf("state machine %s does not exist: is the stack deployed, in this account and region?", machine)
	case errors.As(err, &deleting):
		return fmt.Errorf("state machine %s is being deleted", machine)
	}
	return fmt.Errorf("starting an execution of %s: %w", machine, err)
}

// waitExecution polls the execution until it has ended, backing off from
// pollFirst to pollMax between calls, and returns its description.
func waitExecution(ctx context.Context, client *sfn.Client, executionARN string) (*sfn.DescribeExecutionOutput, error) {
	delay := pollFirst
	for {
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		out, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &executionARN})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("following execution %s: %w", executionARN, err)
		}
		if out.Status != sfntypes.ExecutionStatusRunning && out.Status != sfntypes.ExecutionStatusPendingRedrive {
			return out, nil
		}
		delay = min(delay*3/2, pollMax)
	}
}

// printEnded prints how an execution ended and, if it succeeded, its total
// and failures.
func printEnded(w io.Writer, e *sfn.DescribeExecutionOutput, t job.Total) error {
	took := ""
	if e.StartDate != nil && e.StopDate != nil {
		took = " after " + e.StopDate.Sub(*e.StartDate).Round(time.Second).String()
	}
	fmt.Fprintf(w, "status     %s%s\n", e.Status, took)
	if e.Status != sfntypes.ExecutionStatusSucceeded {
		_, err := fmt.Fprintf(w, "error      %s\ncause      %s\n", aws.ToString(e.Error), aws.ToString(e.Cause))
		return err
	}
	fmt.Fprintf(w, "objects    %d\ncount      %d\nsum        %s\nfailed     %d\n", t.Objects, t.Count, t.SumOfSquares, t.FailedObjects)
	for _, f := range t.Failed {
		fmt.Fprintf(w, "\t%s\t%s: %s\n", quoteName("s3://"+f.Bucket+"/"+f.Key), f.Error, f.Cause)
	}
	if int64(len(t.Failed)) < t.FailedObjects {
		fmt.Fprintf(w, "\t... %d more", t.FailedObjects-int64(len(t.Failed)))
		if t.FailuresLocation != "" {
			fmt.Fprintf(w, ": all failures are listed in %s", t.FailuresLocation)
		}
		fmt.Fprintln(w)
	}
	return nil
}

// consoleURL returns the execution's page in the Step Functions console.
func consoleURL(partition, region, executionARN string) string {
	host := region + ".console.aws.amazon.com"
	switch partition {
	case "aws-cn":
		host = region + ".console.amazonaws.cn"
	case "aws-us-gov":
		host = "console.amazonaws-us-gov.com"
	}
	return "https://" + host + "/states/home?region=" + region + "#/v2/executions/details/" + executionARN
}

// writeJSON writes v as one line of JSON.
func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
