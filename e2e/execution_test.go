//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// The sizes of TestExecution's harness and the template parameters its
// state machines are rendered with. MaxConcurrency is below the pool's size,
// so the proxy would see more invocations at once if the Map did not honour
// it. The batch limits are small enough that a run of a few thousand objects
// makes batches ended by each of them.
const (
	testMaxConcurrency  = 3
	testEmulators       = 5
	testFunctionTimeout = 30 * time.Second
	testBatchSize       = 20
	testBatchMaxBytes   = 4096 // the template's least
	testTolerated       = 5    // ToleratedFailurePercentage
)

const roleARN = "arn:aws:iam::123456789012:role/sumsq-e2e"

// createStateMachine renders the deployed definition for bucket, creates it
// and returns its ARN and the definition.
func createStateMachine(ctx context.Context, t testing.TB, client *sfn.Client, name, bucket string) (arn, definition string) {
	t.Helper()
	definition = stateMachineDefinition(t, definitionParams{
		DataBucket:                 bucket,
		MaxConcurrency:             testMaxConcurrency,
		BatchSize:                  testBatchSize,
		BatchMaxBytes:              testBatchMaxBytes,
		ToleratedFailurePercentage: testTolerated,
		FunctionTimeout:            int(testFunctionTimeout / time.Second),
	})
	out, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String(name),
		Definition: aws.String(definition),
		RoleArn:    aws.String(roleARN),
	})
	if err != nil {
		t.Fatalf("CreateStateMachine(%s): %v", name, err)
	}
	return aws.ToString(out.StateMachineArn), definition
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
		case <-time.After(100 * time.Millisecond):
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
		if !strings.Contains(string(e.Type), "Fail") && !strings.Contains(string(e.Type), "Abort") && !strings.Contains(string(e.Type), "TimedOut") {
			continue
		}
		// The event's details, without the dozens of empty ones.
		var fields map[string]any
		b, _ := json.Marshal(e)
		json.Unmarshal(b, &fields)
		for k, v := range fields {
			if v == nil {
				delete(fields, k)
			}
		}
		b, _ = json.Marshal(fields)
		t.Logf("history: %s", b)
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

// checkFailed checks that an execution failed with the error of the state
// that failed, no Catch in between, and a cause containing each of causeHas.
func checkFailed(t testing.TB, d *sfn.DescribeExecutionOutput, wantError string, causeHas ...string) {
	t.Helper()
	errName, cause := aws.ToString(d.Error), aws.ToString(d.Cause)
	t.Logf("execution failed with %s: %s", errName, cause)
	if d.Status != types.ExecutionStatusFailed || errName != wantError {
		t.Errorf("execution = status %s, error %q, cause %q; want FAILED, %q", d.Status, errName, cause, wantError)
	}
	for _, want := range causeHas {
		if !strings.Contains(cause, want) {
			t.Errorf("execution's cause %q; want it to contain %q", cause, want)
		}
	}
}

// redrive redrives an execution, as the console's Redrive button does, and
// waits until the redriven attempt ends.
func redrive(ctx context.Context, t testing.TB, client *sfn.Client, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	start := time.Now()
	if _, err := client.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(arn)}); err != nil {
		t.Fatalf("RedriveExecution(%s): %v", arn, err)
	}
	for {
		d, err := client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("DescribeExecution(%s): %v", arn, err)
		}
		if d.Status != types.ExecutionStatusRunning {
			t.Logf("redrive of %s: %s in %v", arn, d.Status, time.Since(start).Round(time.Millisecond))
			if d.Status != types.ExecutionStatusSucceeded {
				logHistory(ctx, t, client, aws.String(arn))
			}
			return d
		}
		select {
		case <-ctx.Done():
			t.Fatalf("redrive of %s still running: %v", arn, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// checkMapRun checks the execution's one Map Run: redriven redrives times,
// and DescribeMapRun's item counts every listed object, each succeeded.
func checkMapRun(ctx context.Context, t testing.TB, client *sfn.Client, execution string, redrives int32, items int64) {
	t.Helper()
	d := describeMapRun(ctx, t, client, execution, "SumObjects")
	c := d.ItemCounts
	if d.RedriveCount == nil || *d.RedriveCount != redrives || c.Total != items || c.Succeeded != items || c.Failed != 0 ||
		c.Aborted != 0 || c.Pending != 0 || aws.ToInt64(c.PendingRedrive) != 0 || c.ResultsWritten != items {
		t.Errorf("DescribeMapRun = redriveCount %v, itemCounts %+v; want %d redrives, all %d items succeeded and written",
			aws.ToInt32(d.RedriveCount), *c, redrives, items)
	}
}

// setRedrivenResults sets what the twin's ResultWriter writes after a
// redriven Map Run: "all" its children, or only those "rerun".
func setRedrivenResults(t testing.TB, h *harness, value string) {
	t.Helper()
	post(t, h.MotoURL+"/moto-api/config",
		`{"stepfunctions": {"execute_state_machine": true, "twin_redriven_results": "`+value+`"}}`)
}

// A runWant is what a run's Total must say: every listed object summed,
// named as failed, or skipped (the Map's own result files).
type runWant struct {
	bucket  string
	listed  int               // objects the Map listed
	summed  []testObject      // summed; their numbers give the exact total
	failed  map[string]string // failed objects' keys and error names
	badLine map[string]int    // the failed objects' lines named in their causes
	skipped int64
}

// checkTotal compares a Total with the one wanted. The sum is computed with
// math/big from the generated numbers, never by parsing the objects.
func checkTotal(t testing.TB, got total, w runWant) {
	t.Helper()
	count, sum := sumOfSquares(w.summed...)
	if got.Objects != int64(len(w.summed)) || got.Count != count || got.SumOfSquares != sum.String() ||
		got.FailedObjects != int64(len(w.failed)) || got.SkippedObjects != w.skipped {
		t.Errorf("total = objects %d, count %d, sumOfSquares %s, failedObjects %d, skippedObjects %d;\n"+
			"want objects %d, count %d, sumOfSquares %s, failedObjects %d, skippedObjects %d",
			got.Objects, got.Count, got.SumOfSquares, got.FailedObjects, got.SkippedObjects,
			len(w.summed), count, sum, len(w.failed), w.skipped)
	}
	if n := got.Objects + got.FailedObjects + got.SkippedObjects; n != int64(w.listed) {
		t.Errorf("objects + failedObjects + skippedObjects = %d; want the %d listed", n, w.listed)
	}
	named := make(map[string]bool)
	for i, f := range got.Failed {
		wantErr, ok := w.failed[f.Key]
		if !ok || named[f.Key] || f.Bucket != w.bucket || f.Error != wantErr {
			t.Errorf("total.failed[%d] = %s %s %s; want one of the %d failed objects of %s, each once, with its error",
				i, f.Bucket, f.Key, f.Error, len(w.failed), w.bucket)
		}
		named[f.Key] = true
		if line, ok := w.badLine[f.Key]; ok && !strings.Contains(f.Cause, fmt.Sprintf("line %d", line)) {
			t.Errorf("total.failed[%d].cause = %q; want it to name line %d", i, f.Cause, line)
		}
	}
	if len(named) != len(w.failed) {
		t.Errorf("total.failed names %d objects; want all %d failed", len(named), len(w.failed))
	}
	// Every failure is in the files under failuresLocation, whether or not
	// the total lists them all.
	if len(w.failed) == 0 && got.FailuresLocation != "" {
		t.Errorf("total.failuresLocation = %q; want none (nothing failed)", got.FailuresLocation)
	}
	if loc := regexp.MustCompile(`^s3://` + w.bucket + `/results/[^/]+/failed/$`); len(w.failed) > 0 && !loc.MatchString(got.FailuresLocation) {
		t.Errorf("total.failuresLocation = %q; want s3://%s/results/<map run id>/failed/", got.FailuresLocation, w.bucket)
	}
}

// TestExecution runs statemachine.asl.json, as deployed but for its
// substitutions, in the twin (moto's interpreter with the launcher's
// patches) over buckets of generated objects, with its invocations served
// by the built function under the emulator, and checks each execution's
// exact output. The subtests share one harness and run in order: each reads
// the proxy's counters for its own execution.
func TestExecution(t *testing.T) {
	h := startHarness(t, harnessConfig{Emulators: testEmulators, FunctionTimeout: testFunctionTimeout})
	ctx := testContext(t, 8*time.Minute)

	// Bucket "blog": under today/, 2,562 objects (three listing pages) of
	// every shape the contract allows, numbers past 64 bits among them;
	// objects with long keys, whose batches fill their bytes first; one bad
	// object; objects whose batch keeps failing (flaky/). A few under
	// yesterday/ that a run over today/ must not count.
	today := blogDataset(1, "today/", 2400)
	today = append(today, longNamed(5, "today/long/", 150)...)
	today = append(today, blogDataset(6, "today/flaky/", 9)...)
	today = append(today, badObject("today/random_13.log.bad"))
	blog := append(today, blogDataset(2, "yesterday/", 15)...)
	// Bucket "small": a few objects for the throttled run, a few whose only
	// batch fails at once (fragile/); prefixes whose objects are all bad
	// (allbad/) or 3 of 100 (fewbad/); runs of 60 objects (3 batches) to
	// fail and redrive, and one of 200 (10 batches) whose last batch fails.
	small := append(blogDataset(4, "small/", 12), blogDataset(7, "fragile/", 9)...)
	for i := range 10 {
		small = append(small, badObject(fmt.Sprintf("allbad/bad_%02d.log", i)))
	}
	small = append(small, blogDataset(8, "fewbad/", 96)...)
	for i := range 3 {
		small = append(small, badObject(fmt.Sprintf("fewbad/bad_%d.log", i)))
	}
	small = append(small, blogDataset(9, "redrive/", 59)...)
	small = append(small, blogDataset(10, "redrivecli/", 59)...)
	small = append(small, blogDataset(11, "short/", 199)...)
	small = append(small, blogDataset(12, "partredrive/", 39)...)
	start := time.Now()
	for bucket, objs := range map[string][]testObject{"blog": blog, "small": small} {
		if err := createBucket(ctx, h.S3, bucket); err != nil {
			t.Fatal(err)
		}
		if err := upload(ctx, h.S3, bucket, objs); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("uploaded %d objects in %v", len(blog)+len(small), time.Since(start).Round(time.Millisecond))
	blogMachine, deployed := createStateMachine(ctx, t, h.SFN, "sumsq-blog", "blog")
	smallMachine, _ := createStateMachine(ctx, t, h.SFN, "sumsq-small", "small")

	t.Run("deployed definition", func(t *testing.T) {
		// What the twin stores and describes is the file as deployed: the
		// fields moto cannot parse are set aside inside the twin, not here.
		d, err := h.SFN.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(blogMachine)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(d.Definition); got != deployed {
			t.Errorf("DescribeStateMachine gives a definition of %d bytes; want the %d of statemachine.asl.json as rendered",
				len(got), len(deployed))
		}
	})

	t.Run("prefix", func(t *testing.T) {
		// Every batch holding a flaky/ object fails, every time: S3 keeps
		// failing. The Retry tries it again as the ASL says; then its child
		// execution fails, its objects are named from the FAILED result file,
		// and the run succeeds, their share being under the tolerated 5 %.
		listed := under(blog, "today/")
		h.Proxy.reset()
		h.Proxy.failWhen("today/flaky/", "S3UnavailableError")
		defer h.Proxy.clearFails()
		d := execute(ctx, t, h.SFN, blogMachine, "today", `{"prefix": "today/"}`)
		s := h.Proxy.reset()

		batches := batchesServed(t, s.Events)
		checkBatches(t, batches, "blog", listed, testBatchSize, testBatchMaxBytes)
		failed := map[string]string{"today/random_13.log.bad": "InvalidContentError"}
		failedBatches := 0
		for _, b := range batches {
			raw, _ := json.Marshal(b.Items)
			if !strings.Contains(string(raw), "today/flaky/") {
				continue
			}
			failedBatches++
			for _, item := range b.Items {
				failed[itemKey(t, item)] = "S3UnavailableError"
			}
		}
		var summed []testObject
		for _, o := range listed {
			if _, ok := failed[o.Key]; !ok {
				summed = append(summed, o)
			}
		}
		t.Logf("%d objects, %d in %d failed batches", len(listed), len(failed)-1, failedBatches)
		checkTotal(t, succeededTotal(t, d), runWant{bucket: "blog", listed: len(listed), summed: summed,
			failed: failed, badLine: map[string]int{"today/random_13.log.bad": 3}})

		// One invocation per batch, the Retry's attempts at each failed one,
		// then the total's steps (the results of ~130 batches are one part);
		// never more at once than MaxConcurrency, though several.
		retries := retryAttempts(t, deployed, "SumBatch", "S3UnavailableError")
		t.Logf("proxy: %d invocations, at most %d at once, errors %v", s.Invocations, s.MaxInFlight, s.Errors)
		wantInvocations := len(batches) + retries*failedBatches + checkTotalSteps(t, s.Events, 0)
		if s.Invocations != wantInvocations || s.Errors["S3UnavailableError"] != (1+retries)*failedBatches || len(s.Errors) != 1 {
			t.Errorf("proxy saw %d invocations, errors %v; want %d, S3UnavailableError %d times (%d retries)",
				s.Invocations, s.Errors, wantInvocations, (1+retries)*failedBatches, retries)
		}
		if s.MaxInFlight > testMaxConcurrency || s.MaxInFlight < 2 {
			t.Errorf("at most %d invocations in flight; want 2..%d (MaxConcurrency, with %d emulators free)",
				s.MaxInFlight, testMaxConcurrency, testEmulators)
		}
	})

	t.Run("whole bucket", func(t *testing.T) {
		// Input {} lists the whole bucket, the result files of the run
		// above included: the batches skip those, and the Total counts them.
		out, err := h.S3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("blog"), Prefix: aws.String("results/")})
		if err != nil {
			t.Fatal(err)
		}
		results := int64(len(out.Contents))
		listed := under(blog, "")
		var summed []testObject
		for _, o := range listed {
			if o.BadLine == 0 {
				summed = append(summed, o)
			}
		}
		h.Proxy.reset()
		d := execute(ctx, t, h.SFN, blogMachine, "whole-bucket", `{}`)
		checkTotal(t, succeededTotal(t, d), runWant{bucket: "blog", listed: len(listed) + int(results), summed: summed,
			failed:  map[string]string{"today/random_13.log.bad": "InvalidContentError"},
			badLine: map[string]int{"today/random_13.log.bad": 3}, skipped: results})
		if s := h.Proxy.reset(); len(s.Errors) != 0 {
			t.Errorf("proxy saw errors %v; want none", s.Errors)
		}
	})

	t.Run("empty prefix", func(t *testing.T) {
		// No object: no child execution, an empty manifest, a zero total.
		h.Proxy.reset()
		d := execute(ctx, t, h.SFN, blogMachine, "nothing", `{"prefix": "nothing/"}`)
		checkTotal(t, succeededTotal(t, d), runWant{bucket: "blog"})
		// No batch: PlanTotal finds no results to total, TotalParts has no
		// child, SumLargeObjects no range.
		s := h.Proxy.reset()
		if k := eventKinds(t, s.Events); s.Invocations != 3 || k["plan"] != 1 || k["gather"] != 1 || k["total"] != 1 {
			t.Errorf("proxy saw %d invocations, %v; want 3: PlanTotal, Gather, Total", s.Invocations, k)
		}
	})

	t.Run("throttled", func(t *testing.T) {
		// The batch is throttled as many times as the ASL retries
		// TooManyRequestsException: its last attempt is answered.
		throttles := retryAttempts(t, deployed, "SumBatch", "Lambda.TooManyRequestsException")
		if throttles == 0 {
			t.Fatal("the ASL does not retry Lambda.TooManyRequestsException")
		}
		objs := under(small, "small/")
		h.Proxy.reset()
		h.Proxy.throttleNext(throttles)
		d := execute(ctx, t, h.SFN, smallMachine, "throttled", `{"prefix": "small/"}`)
		checkTotal(t, succeededTotal(t, d), runWant{bucket: "small", listed: len(objs), summed: objs})

		// Each throttled invocation was retried: the one batch and each of
		// the total's steps got exactly one answered invocation.
		s := h.Proxy.reset()
		t.Logf("proxy: %d invocations, %d throttled", s.Invocations, s.Throttled)
		if want := 1 + checkTotalSteps(t, s.Events, 0); s.Throttled != throttles || s.Invocations != want {
			t.Errorf("proxy throttled %d and answered %d invocations; want %d and %d", s.Throttled, s.Invocations, throttles, want)
		}
	})

	t.Run("over the tolerance", func(t *testing.T) {
		// The only batch fails with an error the ASL does not retry: 100 %
		// of the items failed, over the tolerated 5 %. The Map Run fails
		// with States.ExceedToleratedFailureThreshold, and so does the run,
		// in SumObjects; Total never runs.
		h.Proxy.reset()
		h.Proxy.failWhen("fragile/", "Sandbox.Timedout")
		defer h.Proxy.clearFails()
		d := execute(ctx, t, h.SFN, smallMachine, "fragile", `{"prefix": "fragile/"}`)
		checkFailed(t, d, "States.ExceedToleratedFailureThreshold", "The specified tolerated failure threshold was exceeded")
		if s := h.Proxy.reset(); s.Invocations != 1 || s.Injected != 1 {
			t.Errorf("proxy saw %d invocations, %d failed by the test; want 1 and 1", s.Invocations, s.Injected)
		}
	})

	t.Run("every object bad", func(t *testing.T) {
		// 10 of 10 objects are not numbers: their batch succeeds, each
		// object named in it, so the Map's tolerance does not see them; the
		// Total's does. The run fails with TooManyFailuresError, whose cause
		// names the counts, the threshold and the list, written first.
		h.Proxy.reset()
		d := execute(ctx, t, h.SFN, smallMachine, "allbad", `{"prefix": "allbad/"}`)
		checkFailed(t, d, "TooManyFailuresError", "10 of 10 objects failed", "the 5% ToleratedFailurePercentage",
			"allbad/bad_00.log: InvalidContentError: line 3")
		cause := aws.ToString(d.Cause)
		loc := regexp.MustCompile(`s3://small/results/[^/ ]+/failed/`).FindString(cause)
		if loc == "" {
			t.Fatalf("cause %q names no s3://small/results/<map run id>/failed/", cause)
		}
		keys := readFailures(ctx, t, h.S3, "small", strings.TrimPrefix(loc, "s3://small/"), "InvalidContentError")
		if len(keys) != 10 || keys[0] != "allbad/bad_00.log" || keys[9] != "allbad/bad_09.log" {
			t.Errorf("%s names %v; want the 10 objects", loc, keys)
		}
	})

	t.Run("3 bad of 100", func(t *testing.T) {
		// 3 % failed, within the tolerated 5 %: the run succeeds and names them.
		objs := under(small, "fewbad/")
		failed, summed := map[string]string{}, []testObject{}
		for _, o := range objs {
			if o.BadLine > 0 {
				failed[o.Key] = "InvalidContentError"
			} else {
				summed = append(summed, o)
			}
		}
		d := execute(ctx, t, h.SFN, smallMachine, "fewbad", `{"prefix": "fewbad/"}`)
		checkTotal(t, succeededTotal(t, d), runWant{bucket: "small", listed: len(objs), summed: summed, failed: failed,
			badLine: map[string]int{"fewbad/bad_0.log": 3, "fewbad/bad_1.log": 3, "fewbad/bad_2.log": 3}})
		if len(objs) != 100 || len(failed) != 3 {
			t.Fatalf("fewbad/ has %d objects, %d bad; want 100 and 3", len(objs), len(failed))
		}
	})

	t.Run("redriven", func(t *testing.T) {
		// The next batch invocation fails with an error the ASL does not
		// retry (the serve mode's switch): 20 of 60 items failed, over the
		// Map's 5 %; the run fails in SumObjects. A redrive re-runs the
		// failed and aborted batches, and the run ends with the exact total.
		objs := under(small, "redrive/")
		h.Proxy.reset()
		h.Proxy.failNextBatches(1, "Sandbox.Timedout")
		d := execute(ctx, t, h.SFN, smallMachine, "redrive", `{"prefix": "redrive/"}`)
		checkFailed(t, d, "States.ExceedToleratedFailureThreshold")
		if d.RedriveStatus != types.ExecutionRedriveStatusRedrivable {
			t.Errorf("redriveStatus %s; want REDRIVABLE", d.RedriveStatus)
		}
		d = redrive(ctx, t, h.SFN, aws.ToString(d.ExecutionArn))
		checkTotal(t, succeededTotal(t, d), runWant{bucket: "small", listed: len(objs), summed: objs})
		if aws.ToInt32(d.RedriveCount) != 1 {
			t.Errorf("redriveCount %d; want 1", aws.ToInt32(d.RedriveCount))
		}
		checkMapRun(ctx, t, h.SFN, aws.ToString(d.ExecutionArn), 1, int64(len(objs)))
		if s := h.Proxy.reset(); s.Injected != 1 {
			t.Errorf("proxy failed %d invocations; want 1", s.Injected)
		}
	})

	t.Run("redriven with the CLI", func(t *testing.T) {
		// As above, redriven by `sumsq start -redrive ARN -wait -json`.
		objs := under(small, "redrivecli/")
		sumsq := sumsqPath(t)
		h.Proxy.reset()
		h.Proxy.failNextBatches(1, "Sandbox.Timedout")
		d := execute(ctx, t, h.SFN, smallMachine, "redrivecli", `{"prefix": "redrivecli/"}`)
		checkFailed(t, d, "States.ExceedToleratedFailureThreshold")
		arn := aws.ToString(d.ExecutionArn)
		cmd := exec.CommandContext(ctx, sumsq, "start", "-redrive", arn, "-wait", "-json")
		cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL="+h.Proxy.URL, "AWS_ACCESS_KEY_ID=test",
			"AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=us-east-1", "AWS_PROFILE=", "AWS_CONFIG_FILE="+os.DevNull,
			"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.Output()
		if err != nil {
			t.Fatalf("sumsq start -redrive %s -wait -json: %v\n%s%s", arn, err, stdout, stderr.String())
		}
		var out struct {
			ExecutionArn string
			RedriveCount int
			Status       string
			Total        total
		}
		if err := json.Unmarshal(stdout, &out); err != nil {
			t.Fatalf("sumsq start -json printed %s: %v", stdout, err)
		}
		if out.ExecutionArn != arn || out.RedriveCount != 1 || out.Status != "SUCCEEDED" {
			t.Errorf("sumsq start -redrive = %s; want execution %s, redriveCount 1, SUCCEEDED", stdout, arn)
		}
		checkTotal(t, out.Total, runWant{bucket: "small", listed: len(objs), summed: objs})
		checkMapRun(ctx, t, h.SFN, arn, 1, int64(len(objs)))
	})

	t.Run("a part of the total redriven", func(t *testing.T) {
		// The one TotalParts child fails once with an error the ASL does
		// not retry: no part may fail, and the run fails in TotalParts. A
		// redrive re-runs that part alone, not the batches, and the run
		// ends with the exact total.
		objs := under(small, "partredrive/")
		h.Proxy.reset()
		h.Proxy.failOnceIn("TotalPart", "", "Sandbox.Timedout")
		defer h.Proxy.clearFails()
		d := execute(ctx, t, h.SFN, smallMachine, "partredrive", `{"prefix": "partredrive/"}`)
		checkFailed(t, d, "States.ExceedToleratedFailureThreshold")
		if k := eventKinds(t, h.Proxy.reset().Events); k["part"] != 1 || k["gather"] != 0 {
			t.Errorf("before the redrive the function was sent %v; want one part, failed, and no gather", k)
		}
		d = redrive(ctx, t, h.SFN, aws.ToString(d.ExecutionArn))
		checkTotal(t, succeededTotal(t, d), runWant{bucket: "small", listed: len(objs), summed: objs})
		if k := eventKinds(t, h.Proxy.reset().Events); k["batch"] != 0 || k["part"] != 1 || k["total"] != 1 {
			t.Errorf("the redrive sent the function %v; want no batch, the one part again, then the rest", k)
		}
		arn := aws.ToString(d.ExecutionArn)
		if r := describeMapRun(ctx, t, h.SFN, arn, "TotalParts"); aws.ToInt32(r.RedriveCount) != 1 {
			t.Errorf("TotalParts' Map Run redriven %d times; want 1", aws.ToInt32(r.RedriveCount))
		}
		if r := describeMapRun(ctx, t, h.SFN, arn, "SumObjects"); aws.ToInt32(r.RedriveCount) != 0 {
			t.Errorf("SumObjects' Map Run redriven %d times; want 0", aws.ToInt32(r.RedriveCount))
		}
	})

	t.Run("short manifest", func(t *testing.T) {
		// The last of 10 batches fails once; the batches still running with
		// it are aborted, the 7 before have succeeded. The twin is told to
		// write after a redrive the results of the re-run children alone,
		// as AWS might (it does not document it): the manifest is short,
		// and the Total refuses it, naming both counts, rather than give a
		// short total.
		objs := under(small, "short/")
		last := objs[len(objs)-1].Key
		setRedrivenResults(t, h, "rerun")
		defer setRedrivenResults(t, h, "all")
		h.Proxy.reset()
		h.Proxy.failOnce(last, "Sandbox.Timedout")
		defer h.Proxy.clearFails()
		d := execute(ctx, t, h.SFN, smallMachine, "short", `{"prefix": "short/"}`)
		checkFailed(t, d, "States.ExceedToleratedFailureThreshold")
		d = redrive(ctx, t, h.SFN, aws.ToString(d.ExecutionArn))
		checkFailed(t, d, "InvalidResultsError", fmt.Sprintf("but the Map Run counted %d items", len(objs)),
			"the results account for")
	})

	t.Run("bad input", func(t *testing.T) {
		// A typo such as {"Prefix": ...} must not become a run over the
		// whole bucket, nor a mistaken manifest a run over nothing: the run
		// fails at once in InvalidInput, its cause naming the mistake,
		// before anything is listed or invoked.
		for i, tc := range []struct{ input, cause string }{
			{`{"Prefix": "today/"}`, `Unknown input field "Prefix"`},
			{`{"prefix": 7}`, `"prefix" must be a string`},
			{`"today/"`, `must be a JSON object`},
			{`{"manifest": "s3://blog/inventory/blog/sumsq/2026-12-01T01-00Z/manifest.checksum"}`, `"manifest" must be the s3:// URL of the manifest.json`},
			{`{"manifest": "blog/inventory/manifest.json"}`, `got "blog/inventory/manifest.json"`},
			{`{"manifest": ["s3://blog/manifest.json"]}`, `"manifest" must be the s3:// URL`},
			{`{"prefix": "today/", "manifest": "s3://blog/manifest.json"}`, `not both`},
		} {
			h.Proxy.reset()
			d := execute(ctx, t, h.SFN, blogMachine, fmt.Sprintf("bad-input-%d", i), tc.input)
			if errName, cause := aws.ToString(d.Error), aws.ToString(d.Cause); d.Status != types.ExecutionStatusFailed ||
				errName != "InvalidInput" || !strings.Contains(cause, tc.cause) {
				t.Errorf("input %s: execution = status %s, error %q, cause %q; want FAILED, InvalidInput, a cause with %q",
					tc.input, d.Status, errName, cause, tc.cause)
			}
			if s := h.Proxy.reset(); s.Invocations != 0 {
				t.Errorf("input %s: proxy saw %d invocations; want 0", tc.input, s.Invocations)
			}
		}
	})

	t.Run("no bucket", func(t *testing.T) {
		// The listing fails: States.ItemReaderFailed (concepts-error-handling.html),
		// the run's error. The function never runs.
		machine, _ := createStateMachine(ctx, t, h.SFN, "sumsq-nobucket", "no-such-bucket")
		h.Proxy.reset()
		d := execute(ctx, t, h.SFN, machine, "no-bucket", `{"prefix": "today/"}`)
		checkFailed(t, d, "States.ItemReaderFailed", "NoSuchBucket")
		if s := h.Proxy.reset(); s.Invocations != 0 {
			t.Errorf("proxy saw %d invocations; want 0", s.Invocations)
		}
	})
}

// readFailures reads every failure list under prefix (a run's
// failuresLocation: results/<map run id>/failed/), the files in key order
// and each line a failure, checks that each is an errorType, and returns
// the keys they name.
func readFailures(ctx context.Context, t testing.TB, client *s3.Client, bucket, prefix, errorType string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("listing s3://%s/%s: %v", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
			if err != nil {
				t.Fatalf("reading s3://%s/%s: %v", bucket, aws.ToString(o.Key), err)
			}
			dec := json.NewDecoder(out.Body)
			for {
				var f failure
				if err := dec.Decode(&f); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("s3://%s/%s: %v", bucket, aws.ToString(o.Key), err)
				}
				if f.Error != errorType {
					t.Errorf("s3://%s/%s: %+v; want an %s", bucket, aws.ToString(o.Key), f, errorType)
				}
				keys = append(keys, f.Key)
			}
			out.Body.Close()
		}
	}
	return keys
}
