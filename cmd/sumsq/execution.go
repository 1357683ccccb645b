package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// executionAPI is the Step Functions calls start and follow make;
// *sfn.Client has them.
type executionAPI interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
	RedriveExecution(ctx context.Context, in *sfn.RedriveExecutionInput, optFns ...func(*sfn.Options)) (*sfn.RedriveExecutionOutput, error)
	mapRunAPI // for the progress
}

var _ executionAPI = (*sfn.Client)(nil)

// How follow polls: the first wait, the longest one it backs off to
// without progress (-q) and with it, and the longest after throttling.
//
// Step Functions throttles its API per account and region with token
// buckets: DescribeExecution refills 15 tokens a second (10 outside
// us-east-1, us-west-2 and eu-west-1), DescribeMapRun and ListMapRuns only
// 1, for every caller of the account, the console included
// (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-large-regions).
// A poll every 5 s makes one DescribeMapRun while a Map Run runs (a
// ListMapRuns too between Map Runs): a fifth of that refill. A throttled
// call (after the SDK's own retries) doubles the wait, up to a minute.
var (
	pollFirst        = time.Second
	pollMax          = 15 * time.Second
	progressPollMax  = 5 * time.Second
	throttledPollMax = time.Minute
)

// startExecution starts an execution of machine named name with the input
// in ({"prefix": ...} or {"manifest": ...}) and returns its ARN.
func startExecution(ctx context.Context, api executionAPI, machine arn.ARN, name string, in map[string]string) (string, error) {
	input, err := json.Marshal(in)
	if err != nil {
		return "", err
	}
	out, err := api.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(machine.String()),
		Name:            &name,
		Input:           aws.String(string(input)),
	})
	if err != nil {
		var (
			notFound *sfntypes.StateMachineDoesNotExist
			deleting *sfntypes.StateMachineDeleting
		)
		switch {
		case errors.As(err, &notFound):
			return "", fmt.Errorf("state machine %s does not exist: is the stack deployed, in this account and region?", machine)
		case errors.As(err, &deleting):
			return "", fmt.Errorf("state machine %s is being deleted", machine)
		}
		return "", fmt.Errorf("starting an execution of %s: %w", machine, err)
	}
	return aws.ToString(out.ExecutionArn), nil
}

// redriveExecution redrives the execution and returns its redrive count
// once redriven: follow waits for a description that counts as many.
//
// Step Functions redrives an execution that did not succeed, within 14
// days of its end; a redriven Distributed Map re-runs its unsuccessful
// child executions
// (https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html,
// https://docs.aws.amazon.com/step-functions/latest/dg/redrive-map-run.html).
func redriveExecution(ctx context.Context, api executionAPI, executionARN string) (int32, error) {
	before, err := api.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &executionARN})
	if err != nil {
		var missing *sfntypes.ExecutionDoesNotExist
		if errors.As(err, &missing) {
			return 0, fmt.Errorf("execution %s does not exist: is it in this account and region?", executionARN)
		}
		return 0, fmt.Errorf("describing execution %s: %w", executionARN, err)
	}
	if before.RedriveStatus == sfntypes.ExecutionRedriveStatusNotRedrivable {
		return 0, fmt.Errorf("execution %s (%s) cannot be redriven: %s", executionARN, before.Status, aws.ToString(before.RedriveStatusReason))
	}
	if _, err := api.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: &executionARN}); err != nil {
		var notRedrivable *sfntypes.ExecutionNotRedrivable
		if errors.As(err, &notRedrivable) {
			return 0, fmt.Errorf("execution %s (%s) cannot be redriven: %s", executionARN, before.Status, notRedrivable.ErrorMessage())
		}
		return 0, fmt.Errorf("redriving execution %s: %w", executionARN, err)
	}
	return aws.ToInt32(before.RedriveCount) + 1, nil
}

// follow polls the execution until it has ended, backing off from
// pollFirst to pollMax between calls (progressPollMax with progress; up to
// throttledPollMax when throttled), and returns its description. After a
// redrive, redrives is the redrive count to wait for: until a description
// counts it, it may still show the end of the attempt before.
//
// With progress (not nil), it also polls the execution's Map Runs (see
// mapRunWatch), at most every progressPollMax, and shows what it finds.
// Progress is a view: a failure to read it is noted once and backed off
// from, and following goes on; DescribeExecution alone says when the
// execution has ended.
func follow(ctx context.Context, api executionAPI, executionARN string, redrives int32, progress *followProgress) (*sfn.DescribeExecutionOutput, error) {
	longest := pollMax
	var (
		watch      *mapRunWatch
		progressAt time.Time     // no Map Run call before: after a failure
		backoff    time.Duration // the wait after the last failure
	)
	if progress != nil {
		longest, watch = progressPollMax, newMapRunWatch(api, executionARN)
	}
	delay := pollFirst
	for first := true; ; first = false {
		if !first {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
		}
		out, err := api.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &executionARN})
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case throttled(err):
			delay = min(delay*2, throttledPollMax)
			continue
		default:
			var missing *sfntypes.ExecutionDoesNotExist
			if errors.As(err, &missing) {
				return nil, fmt.Errorf("execution %s does not exist: is it in this account and region?", executionARN)
			}
			return nil, fmt.Errorf("following execution %s: %w", executionARN, err)
		}
		running := out.Status == sfntypes.ExecutionStatusRunning || out.Status == sfntypes.ExecutionStatusPendingRedrive
		current := aws.ToInt32(out.RedriveCount) >= redrives
		if now := time.Now(); watch != nil && current && !now.Before(progressAt) {
			attempt := aws.ToTime(cmp.Or(out.RedriveDate, out.StartDate))
			ended, err := watch.poll(ctx, attempt, now)
			switch {
			case err == nil:
				backoff = 0
			case ctx.Err() != nil:
				return nil, ctx.Err()
			default:
				if !throttled(err) {
					progress.note(err)
				}
				backoff = min(max(2*backoff, 2*delay), throttledPollMax)
				progressAt = now.Add(backoff)
			}
			progress.update(attempt, watch.running(now), ended, now, !running)
		}
		if !running && current {
			return out, nil
		}
		delay = min(delay*3/2, longest)
	}
}

// throttled reports whether err is AWS's answer to too many calls, after
// the SDK's retries.
func throttled(err error) bool {
	return retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary
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
