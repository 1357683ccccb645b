//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// serveBucket is the bucket TestServe creates, with sample objects under
// today/.
const serveBucket = "sumsq-data"

// serveObjects is how many objects TestServe puts under today/: more than
// two pages of a listing.
const serveObjects = 2500

// TestServe starts the harness for a person to use, runs the deployed state
// machine once over today/ to check the exact total, prints how to reach
// it, and waits for Ctrl-C:
//
//	go test -tags e2e ./e2e -run TestServe -serve -v -timeout 0
func TestServe(t *testing.T) {
	if !*serve {
		t.Skip("starts the harness for a person to use; run with -serve")
	}
	h := startHarness(t, harnessConfig{Emulators: testEmulators, FunctionTimeout: testFunctionTimeout})
	ctx := testContext(t, 3*time.Minute)
	objs := blogDataset(1, "today/", serveObjects-1) // and the folder key today/sub/
	if err := createBucket(ctx, h.S3, serveBucket); err != nil {
		t.Fatal(err)
	}
	if err := upload(ctx, h.S3, serveBucket, objs); err != nil {
		t.Fatal(err)
	}
	machine, _ := createStateMachine(ctx, t, h.SFN, "sumsq", serveBucket)
	count, sum := sumOfSquares(objs...)

	// A first run, named check, shows that the twin sums today/ exactly.
	start := time.Now()
	d := execute(ctx, t, h.SFN, machine, "check", `{"prefix": "today/"}`)
	checkTotal(t, succeededTotal(t, d), runWant{bucket: serveBucket, listed: len(objs), summed: objs})
	if t.Failed() {
		return
	}
	fmt.Fprintf(os.Stdout, "\nExecution check summed the %d objects under today/ exactly in %v.\n",
		len(objs), time.Since(start).Round(100*time.Millisecond))

	e := h.Proxy.URL
	fmt.Fprintf(os.Stdout, `
Local AWS for sumsq is up. One endpoint serves S3, Step Functions and the
function's Invoke API (Lambda invocations run the built bootstrap under
aws-lambda-rie, at most %[2]d at once; the state machine's MaxConcurrency is %[3]d).

  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
  E=%[1]s

Bucket %[4]s holds %[5]d objects under today/ (%[6]d numbers, sum of squares %[7]s).
State machine (statemachine.asl.json as deployed, its substitutions rendered):
  %[8]s

  aws --endpoint-url $E stepfunctions start-execution --state-machine-arn %[8]s \
      --name run1 --input '{"prefix": "today/"}'
  aws --endpoint-url $E stepfunctions describe-execution --query '[status,output]' \
      --execution-arn %[9]s:run1
  aws --endpoint-url $E s3 cp some.log s3://%[4]s/mine/some.log
  aws --endpoint-url $E lambda invoke --function-name %[10]s \
      --payload '{"bucket": "%[4]s", "key": "today/random_1.log"}' out.json && cat out.json

Rehearse a failed run and its redrive: the proxy fails the next %[12]d batch
invocations (more failed objects than ToleratedFailurePercentage %[13]d%% allows),
the run fails in SumObjects, and a redrive re-runs what failed:

  curl -X POST "$E%[14]s?n=%[12]d"
  aws --endpoint-url $E stepfunctions start-execution --state-machine-arn %[8]s \
      --name fail1 --input '{"prefix": "today/"}'
  AWS_ENDPOINT_URL=$E go run ./cmd/sumsq start -redrive %[9]s:fail1 -wait

Every execution needs a new --name (check is taken). Results go to
s3://%[4]s/results/. Logs: %[11]s
Ctrl-C stops everything.
`, e, testEmulators, testMaxConcurrency, serveBucket, len(objs), count, sum, machine,
		strings.Replace(machine, ":stateMachine:", ":execution:", 1), functionName, h.LogDir,
		batchesOverTolerance(len(objs)), testTolerated, FailNextBatchesPath)
	var stop <-chan time.Time // go test's -timeout, less time to stop cleanly
	if deadline, ok := t.Deadline(); ok {
		stop = time.After(time.Until(deadline) - 20*time.Second)
		fmt.Fprintf(os.Stdout, "(this stops at %s: pass -timeout 0 to keep it up)\n", deadline.Add(-20*time.Second).Format(time.TimeOnly))
	}
	select {
	case <-interrupted:
	case <-stop:
	}
	fmt.Fprintln(os.Stdout, "stopping")
}

// batchesOverTolerance is how many full batches of a run of objects must
// fail for their objects to exceed the tolerated percentage.
func batchesOverTolerance(objects int) int {
	return objects*testTolerated/100/testBatchSize + 1
}
