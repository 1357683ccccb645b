//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// The sizes of TestExecution's harness: the state machine's MaxConcurrency
// is below the pool's size, so the proxy would see more invocations at once
// if the Map did not honour it.
const (
	testMaxConcurrency  = 3
	testEmulators       = 5
	testFunctionTimeout = 30 * time.Second
)

const roleARN = "arn:aws:iam::123456789012:role/sumsq-e2e"

// createStateMachine renders the definition for bucket and creates it.
func createStateMachine(ctx context.Context, t testing.TB, client *sfn.Client, name, bucket string) string {
	t.Helper()
	def := stateMachineDefinition(t, definitionParams{
		DataBucket:                 bucket,
		MaxConcurrency:             testMaxConcurrency,
		BatchSize:                  20,
		BatchMaxBytes:              65536,
		ToleratedFailurePercentage: 0,
		FunctionTimeout:            int(testFunctionTimeout / time.Second),
	})
	out, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String(name),
		Definition: aws.String(def),
		RoleArn:    aws.String(roleARN),
	})
	if err != nil {
		t.Fatalf("CreateStateMachine(%s): %v", name, err)
	}
	return aws.ToString(out.StateMachineArn)
}

// execute starts an execution as a console user does, with a name and
// {"prefix": ...} (or {}), and waits until it ends.
func execute(ctx context.Context, t testing.TB, client *sfn.Client, machine, name, input string) *sfn.DescribeExecutionOutput {
	t.Helper()
	start := time.Now()
	out, err := client.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(machine),
		Name:            aws.String(name),
		Input:           aws.String(input),
	})
	if err != nil {
		t.Fatalf("StartExecution(%s, %s): %v", name, input, err)
	}
	for {
		d, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: out.ExecutionArn})
		if err != nil {
			t.Fatalf("DescribeExecution(%s): %v", name, err)
		}
		if d.Status != types.ExecutionStatusRunning {
			t.Logf("execution %s %s: %s in %v", name, input, d.Status, time.Since(start).Round(time.Millisecond))
			if d.Status != types.ExecutionStatusSucceeded {
				logHistory(ctx, t, client, out.ExecutionArn)
			}
			return d
		}
		select {
		case <-ctx.Done():
			logHistory(context.Background(), t, client, out.ExecutionArn)
			t.Fatalf("execution %s still running: %v", name, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// logHistory shows the failures in an execution's history.
func logHistory(ctx context.Context, t testing.TB, client *sfn.Client, arn *string) {
	t.Helper()
	h, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: arn, ReverseOrder: true, MaxResults: 40})
	if err != nil {
		t.Logf("GetExecutionHistory: %v", err)
		return
	}
	for _, e := range h.Events {
		b, _ := json.Marshal(e)
		if strings.Contains(string(e.Type), "Fail") || strings.Contains(string(e.Type), "Abort") || strings.Contains(string(e.Type), "TimedOut") {
			t.Logf("history: %s", b)
		}
	}
}

// succeededTotal returns the output of an execution that must have
// succeeded, as the Total step's result.
func succeededTotal(t testing.TB, d *sfn.DescribeExecutionOutput) total {
	t.Helper()
	if d.Status != types.ExecutionStatusSucceeded {
		t.Fatalf("execution %s: status %s, error %q, cause %q; want SUCCEEDED",
			aws.ToString(d.Name), d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	var got total
	if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &got); err != nil {
		t.Fatalf("execution output %s: %v", aws.ToString(d.Output), err)
	}
	return got
}

// wantTotal is the Total expected over the summed objects, with the bad
// objects named in Failed.
func wantTotal(bucket string, summed, bad []testObject) total {
	count, sum := sumOfSquares(summed...)
	want := total{
		Objects:       int64(len(summed)),
		Count:         count,
		SumOfSquares:  sum.String(),
		FailedObjects: int64(len(bad)),
	}
	for _, o := range bad {
		want.Failed = append(want.Failed, failure{Bucket: bucket, Key: o.Key, Error: "InvalidContentError"})
	}
	return want
}

// checkTotal compares a Total with the one wanted. A failure's Cause must
// name the line of the bad object; its exact wording is the parser's.
func checkTotal(t testing.TB, got total, want total, bad []testObject) {
	t.Helper()
	if got.Objects != want.Objects || got.Count != want.Count || got.SumOfSquares != want.SumOfSquares || got.FailedObjects != want.FailedObjects {
		t.Errorf("total = objects %d, count %d, sumOfSquares %s, failedObjects %d;\nwant objects %d, count %d, sumOfSquares %s, failedObjects %d",
			got.Objects, got.Count, got.SumOfSquares, got.FailedObjects,
			want.Objects, want.Count, want.SumOfSquares, want.FailedObjects)
	}
	if len(got.Failed) != len(want.Failed) {
		t.Fatalf("total.failed = %+v; want %d failures like %+v", got.Failed, len(want.Failed), want.Failed)
	}
	for i, f := range got.Failed {
		w := want.Failed[i]
		if f.Bucket != w.Bucket || f.Key != w.Key || f.Error != w.Error {
			t.Errorf("total.failed[%d] = %s %s %s; want %s %s %s", i, f.Bucket, f.Key, f.Error, w.Bucket, w.Key, w.Error)
		}
		if line := fmt.Sprintf("line %d", bad[i].BadLine); !strings.Contains(f.Cause, line) {
			t.Errorf("total.failed[%d].cause = %q; want it to name %q", i, f.Cause, line)
		}
	}
	if got.FailuresLocation != "" {
		t.Errorf("total.failuresLocation = %q; want none (every failure is listed)", got.FailuresLocation)
	}
}

// TestExecution runs statemachine.asl.json in moto's interpreter over
// buckets of generated objects, with its invocations served by the built
// function under the emulator, and checks each execution's exact output.
// The subtests share one harness and run in order: each reads the proxy's
// counters for its own execution.
func TestExecution(t *testing.T) {
	h := startHarness(t, harnessConfig{Emulators: testEmulators, FunctionTimeout: testFunctionTimeout})
	ctx := testContext(t, 8*time.Minute)

	// Bucket "blog": a few hundred objects under today/, a few under
	// yesterday/. Bucket "mixed": a prefix with a bad object and a small
	// prefix for the throttling test.
	blog := append(blogDataset(1, "today/", 300), blogDataset(2, "yesterday/", 15)...)
	mixed := append(blogDataset(3, "bad/", 30), badObject("bad/random_13.log.bad"))
	mixed = append(mixed, blogDataset(4, "small/", 12)...)
	for bucket, objs := range map[string][]testObject{"blog": blog, "mixed": mixed} {
		if err := createBucket(ctx, h.S3, bucket); err != nil {
			t.Fatal(err)
		}
		if err := upload(ctx, h.S3, bucket, objs); err != nil {
			t.Fatal(err)
		}
	}
	blogMachine := createStateMachine(ctx, t, h.SFN, "sumsq-blog", "blog")
	mixedMachine := createStateMachine(ctx, t, h.SFN, "sumsq-mixed", "mixed")

	t.Run("prefix", func(t *testing.T) {
		objs := under(blog, "today/")
		h.Proxy.reset()
		d := execute(ctx, t, h.SFN, blogMachine, "today", `{"prefix": "today/"}`)
		checkTotal(t, succeededTotal(t, d), wantTotal("blog", objs, nil), nil)

		// One invocation per listed object (each a one-object batch), one
		// for Total; the Map never ran more at once than MaxConcurrency,
		// and did run several at once.
		s := h.Proxy.reset()
		t.Logf("proxy: %d invocations, at most %d at once", s.Invocations, s.MaxInFlight)
		if s.Invocations != len(objs)+1 || s.Throttled != 0 || len(s.Errors) != 0 {
			t.Errorf("proxy saw %d invocations, %d throttled, errors %v; want %d, 0, none",
				s.Invocations, s.Throttled, s.Errors, len(objs)+1)
		}
		if s.MaxInFlight > testMaxConcurrency || s.MaxInFlight < 2 {
			t.Errorf("at most %d invocations in flight; want 2..%d (MaxConcurrency, with %d emulators free)",
				s.MaxInFlight, testMaxConcurrency, testEmulators)
		}
	})

	t.Run("whole bucket", func(t *testing.T) {
		d := execute(ctx, t, h.SFN, blogMachine, "whole-bucket", `{}`)
		checkTotal(t, succeededTotal(t, d), wantTotal("blog", under(blog, ""), nil), nil)
	})

	t.Run("bad object", func(t *testing.T) {
		objs := under(mixed, "bad/")
		var good, bad []testObject
		for _, o := range objs {
			if o.BadLine > 0 {
				bad = append(bad, o)
			} else {
				good = append(good, o)
			}
		}
		d := execute(ctx, t, h.SFN, mixedMachine, "bad", `{"prefix": "bad/"}`)
		checkTotal(t, succeededTotal(t, d), wantTotal("mixed", good, bad), bad)
	})

	t.Run("run failed", func(t *testing.T) {
		// The listing fails (the bucket does not exist): the Map's Catch
		// ends the run in RunFailed, whose error names the state that
		// failed and its error, and whose cause is that error's. The
		// function never runs.
		machine := createStateMachine(ctx, t, h.SFN, "sumsq-nobucket", "no-such-bucket")
		h.Proxy.reset()
		d := execute(ctx, t, h.SFN, machine, "no-bucket", `{"prefix": "today/"}`)
		errName, cause := aws.ToString(d.Error), aws.ToString(d.Cause)
		t.Logf("execution failed with %s: %s", errName, cause)
		if d.Status != types.ExecutionStatusFailed || errName != "SumObjects.States.Runtime" ||
			!strings.HasPrefix(cause, "SumObjects failed: ") || !strings.Contains(cause, "NoSuchBucket") {
			t.Errorf("execution = status %s, error %q, cause %q; want FAILED, %q, a cause starting %q and naming NoSuchBucket",
				d.Status, errName, cause, "SumObjects.States.Runtime", "SumObjects failed: ")
		}
		if s := h.Proxy.reset(); s.Invocations != 0 {
			t.Errorf("proxy saw %d invocations; want 0", s.Invocations)
		}
	})

	t.Run("throttled", func(t *testing.T) {
		const throttles = 3
		objs := under(mixed, "small/")
		h.Proxy.reset()
		h.Proxy.throttleNext(throttles)
		d := execute(ctx, t, h.SFN, mixedMachine, "throttled", `{"prefix": "small/"}`)
		checkTotal(t, succeededTotal(t, d), wantTotal("mixed", objs, nil), nil)

		// Each throttled invocation was retried: every object still got
		// exactly one answered invocation.
		s := h.Proxy.reset()
		t.Logf("proxy: %d invocations, %d throttled", s.Invocations, s.Throttled)
		if s.Throttled != throttles || s.Invocations != len(objs)+1 {
			t.Errorf("proxy throttled %d and answered %d invocations; want %d and %d",
				s.Throttled, s.Invocations, throttles, len(objs)+1)
		}
	})
}
