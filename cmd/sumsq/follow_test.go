package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/creack/pty"
)

// The executions of start's fake (start_test.go) have no Map Run: the
// progress of Map Runs is this file's subject.
func (e fakeClient) ListMapRuns(ctx context.Context, in *sfn.ListMapRunsInput, _ ...func(*sfn.Options)) (*sfn.ListMapRunsOutput, error) {
	return &sfn.ListMapRunsOutput{}, nil
}

func (e fakeClient) DescribeMapRun(ctx context.Context, in *sfn.DescribeMapRunInput, _ ...func(*sfn.Options)) (*sfn.DescribeMapRunOutput, error) {
	return nil, &sfntypes.ResourceNotFound{Message: aws.String("Map Run Does Not Exist")}
}

// A scriptedRun is one execution, testExecution, as Step Functions
// answers for it poll by poll: each DescribeExecution moves on to the next
// step (the last one stays), and ListMapRuns and DescribeMapRun answer as
// the step says. It counts the calls.
type scriptedRun struct {
	mu       sync.Mutex
	steps    []runStep
	at       int // the step, -1 before the first DescribeExecution
	redriven bool
	calls    map[string]int
	// If set, called at the interruptAt-th DescribeExecution, as Ctrl-C
	// cancels the command's context.
	interrupt   func()
	interruptAt int
}

// A runStep is what the services answer between two DescribeExecution.
type runStep struct {
	status   sfntypes.ExecutionStatus
	redrives int32
	output   string // of an execution that succeeded
	mapRuns  []scriptedMapRun
	mapErr   error // what DescribeMapRun answers instead
}

type scriptedMapRun struct {
	label    string
	status   sfntypes.MapRunStatus
	redrives int32
	// Items: succeeded, failed, aborted, running, pending (and pending a
	// redrive), total.
	succeeded, failed, aborted, running, pending, total int64
}

// The script's times: the execution started a minute before the tests
// run, its Map Runs after; a redrive happened half a minute before.
var (
	scriptStart   = time.Now().Add(-time.Minute).Truncate(time.Second)
	scriptRedrive = scriptStart.Add(30 * time.Second)
)

func newScriptedRun(steps ...runStep) *scriptedRun {
	return &scriptedRun{steps: steps, at: -1, calls: map[string]int{}}
}

func (s *scriptedRun) step() runStep { return s.steps[max(s.at, 0)] }

func (s *scriptedRun) connect(ctx context.Context, a awsFlags) (*awsClients, error) {
	return &awsClients{region: "eu-west-1", executions: func(string) executionAPI { return s }}, nil
}

func (s *scriptedRun) StartExecution(ctx context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	panic("not scripted")
}

func (s *scriptedRun) DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["DescribeExecution"]++
	if aws.ToString(in.ExecutionArn) != testExecution {
		return nil, &sfntypes.ExecutionDoesNotExist{Message: aws.String("Execution Does Not Exist")}
	}
	if s.interrupt != nil && s.calls["DescribeExecution"] == s.interruptAt {
		s.interrupt()
	}
	s.at = min(s.at+1, len(s.steps)-1)
	st := s.step()
	out := &sfn.DescribeExecutionOutput{ExecutionArn: aws.String(testExecution), Status: st.status,
		StartDate: aws.Time(scriptStart), RedriveCount: aws.Int32(st.redrives)}
	if st.redrives > 0 {
		out.RedriveDate = aws.Time(scriptRedrive)
	}
	switch st.status {
	case sfntypes.ExecutionStatusSucceeded:
		out.Output = aws.String(st.output)
	case sfntypes.ExecutionStatusFailed:
		out.Error, out.Cause = aws.String("States.ExceedToleratedFailureThreshold"), aws.String("too many")
		out.RedriveStatus = sfntypes.ExecutionRedriveStatusRedrivable
	}
	if st.status != sfntypes.ExecutionStatusRunning {
		out.StopDate = aws.Time(scriptStart.Add(62 * time.Second))
	}
	return out, nil
}

func (s *scriptedRun) RedriveExecution(ctx context.Context, in *sfn.RedriveExecutionInput, _ ...func(*sfn.Options)) (*sfn.RedriveExecutionOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["RedriveExecution"]++
	s.redriven = true
	return &sfn.RedriveExecutionOutput{RedriveDate: aws.Time(scriptRedrive)}, nil
}

func scriptedMapRunARN(label string) string {
	return "arn:aws:states:eu-west-1:123456789012:mapRun:sumsq-machine/" + label + ":0f0e9a2c-" + strings.ToLower(label)
}

func (s *scriptedRun) ListMapRuns(ctx context.Context, in *sfn.ListMapRunsInput, _ ...func(*sfn.Options)) (*sfn.ListMapRunsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["ListMapRuns"]++
	out := &sfn.ListMapRunsOutput{}
	for i, r := range s.step().mapRuns {
		out.MapRuns = append(out.MapRuns, sfntypes.MapRunListItem{
			ExecutionArn: in.ExecutionArn, MapRunArn: aws.String(scriptedMapRunARN(r.label)),
			StartDate: aws.Time(scriptStart.Add(time.Duration(i+1) * time.Second)),
		})
	}
	return out, nil
}

func (s *scriptedRun) DescribeMapRun(ctx context.Context, in *sfn.DescribeMapRunInput, _ ...func(*sfn.Options)) (*sfn.DescribeMapRunOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["DescribeMapRun"]++
	st := s.step()
	if st.mapErr != nil {
		return nil, st.mapErr
	}
	for i, r := range st.mapRuns {
		if scriptedMapRunARN(r.label) != aws.ToString(in.MapRunArn) {
			continue
		}
		started := scriptStart.Add(time.Duration(i+1) * time.Second)
		out := &sfn.DescribeMapRunOutput{MapRunArn: in.MapRunArn, ExecutionArn: aws.String(testExecution),
			Status: r.status, StartDate: &started, RedriveCount: aws.Int32(r.redrives),
			ItemCounts: &sfntypes.MapRunItemCounts{Succeeded: r.succeeded, Failed: r.failed, Aborted: r.aborted,
				Running: r.running, Pending: r.pending, Total: r.total}}
		if r.redrives > 0 {
			out.RedriveDate = aws.Time(scriptRedrive.Add(time.Second))
		}
		if r.status != sfntypes.MapRunStatusRunning {
			// Before the redrive of the execution, or 20 s after the start.
			out.StopDate = aws.Time(started.Add(20 * time.Second))
			if r.redrives > 0 {
				out.StopDate = aws.Time(scriptRedrive.Add(11 * time.Second))
			}
		}
		return out, nil
	}
	return nil, &sfntypes.ResourceNotFound{Message: aws.String("Map Run Does Not Exist")}
}

// quickPolls makes follow poll every millisecond or two, show the bar at
// once and write a plain line at each poll, until the test ends.
func quickPolls(t *testing.T) {
	old := []time.Duration{pollFirst, pollMax, progressPollMax, throttledPollMax, followBarDelay, plainInterval}
	pollFirst, pollMax, progressPollMax, throttledPollMax, followBarDelay, plainInterval =
		time.Millisecond, 2*time.Millisecond, 2*time.Millisecond, 4*time.Millisecond, 0, 0
	t.Cleanup(func() {
		pollFirst, pollMax, progressPollMax, throttledPollMax, followBarDelay, plainInterval = old[0], old[1], old[2], old[3], old[4], old[5]
	})
}

// What varies with the time the test takes: rates, elapsed and left.
var timing = regexp.MustCompile(`(?m)\d+(\.\d)? items/s|elapsed \S+?(,|$)|left \S+?(,|$)`)

func untimed(s string) string {
	return timing.ReplaceAllStringFunc(s, func(m string) string {
		end := ""
		if strings.HasSuffix(m, ",") {
			end = ","
		}
		switch {
		case strings.HasSuffix(m, "items/s"):
			return "R items/s"
		case strings.HasPrefix(m, "elapsed"):
			return "elapsed T" + end
		}
		return "left T" + end
	})
}

const scriptedTotal = `{"objects":500,"count":1000,"sumOfSquares":"123456789012345678901234567890","failedObjects":0,"failed":[]}`

func mapRunning(label string, succeeded, running, pending, total int64) scriptedMapRun {
	return scriptedMapRun{label: label, status: sfntypes.MapRunStatusRunning, succeeded: succeeded, running: running, pending: pending, total: total}
}

func runningStep(mapRuns ...scriptedMapRun) runStep {
	return runStep{status: sfntypes.ExecutionStatusRunning, mapRuns: mapRuns}
}

func succeededStep(mapRuns ...scriptedMapRun) runStep {
	return runStep{status: sfntypes.ExecutionStatusSucceeded, output: scriptedTotal, mapRuns: mapRuns}
}

// sumObjectsDone is SumObjects of 500 items, all succeeded.
var sumObjectsDone = scriptedMapRun{label: "SumObjects", status: sfntypes.MapRunStatusSucceeded, succeeded: 500, total: 500}

var scriptedStdout = "execution  " + testExecution + "\n" +
	"console    https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/" + testExecution + "\n" +
	"status     SUCCEEDED after 1m2s\nlisted     500 objects\nsummed     500 objects, 1000 numbers\n" +
	"sum        123456789012345678901234567890\nfailed     0 objects\n"

// A run of one Map Run whose total grows while its ItemReader reads, then
// stays: the percentage shows once the total has been the same three
// polls in a row, and only goes up; a line says how the Map Run ended; the
// total follows. While the Map Run runs, each poll describes it once and
// lists nothing.
func TestFollowProgress(t *testing.T) {
	quickPolls(t)
	run := newScriptedRun(
		runningStep(),
		runningStep(mapRunning("SumObjects", 0, 20, 80, 100)),
		runningStep(mapRunning("SumObjects", 40, 20, 240, 300)),
		runningStep(mapRunning("SumObjects", 100, 20, 380, 500)),
		runningStep(mapRunning("SumObjects", 200, 20, 280, 500)),
		runningStep(mapRunning("SumObjects", 300, 20, 180, 500)),
		runningStep(mapRunning("SumObjects", 400, 20, 80, 500)),
		runningStep(sumObjectsDone),
		succeededStep(sumObjectsDone),
	)
	var stdout, stderr bytes.Buffer
	err := followCommand(context.Background(), []string{testExecution}, run.connect, &stdout, &stderr)

	want := []string{
		"execution running, elapsed T",
		"SumObjects: 0/100+ items succeeded, 0 failed, 20 running, 80 pending, R items/s, elapsed T",
		"SumObjects: 40/300+ items succeeded, 0 failed, 20 running, 240 pending, R items/s, elapsed T",
		"SumObjects: 100/500+ items succeeded, 0 failed, 20 running, 380 pending, R items/s, elapsed T",
		"SumObjects: 200/500+ items succeeded, 0 failed, 20 running, 280 pending, R items/s, elapsed T",
		"SumObjects 60%: 300/500 items succeeded, 0 failed, 20 running, 180 pending, R items/s, elapsed T, left T",
		"SumObjects 80%: 400/500 items succeeded, 0 failed, 20 running, 80 pending, R items/s, elapsed T, left T",
		"SumObjects SUCCEEDED: 500 items, 500 succeeded, 0 failed, in 20s",
		"execution running, elapsed T",
	}
	if got := untimed(stderr.String()); got != strings.Join(want, "\n")+"\n" || stdout.String() != scriptedStdout || err != nil {
		t.Errorf("sumsq follow = %v, stdout:\n%s\nstderr:\n%s\nwant nil, stdout:\n%s\nstderr (times aside):\n%s",
			err, stdout.String(), got, scriptedStdout, strings.Join(want, "\n"))
	}
	if found, percentages := checkMonotonic(t, strings.Split(stderr.String(), "\n")); found != 6 || percentages != 2 {
		t.Errorf("found %d lines of progress, %d with a percentage; want 6 and 2", found, percentages)
	}
	// ListMapRuns before the Map Run runs, after it ends and at the end;
	// DescribeMapRun once a poll while it runs, and at its end.
	if got, want := fmt.Sprint(run.calls), "map[DescribeExecution:9 DescribeMapRun:7 ListMapRuns:4]"; got != want {
		t.Errorf("calls %s; want %s", got, want)
	}
}

// The scenarios of a run and what follow shows of each.
func TestFollowScripted(t *testing.T) {
	failedMapRun := scriptedMapRun{label: "SumObjects", status: sfntypes.MapRunStatusFailed, succeeded: 20, failed: 20, aborted: 20, total: 60}
	tests := []struct {
		name   string
		args   []string // of start or, if they do not start so, follow
		steps  []runStep
		status int
		stdout string // a part of it
		stderr []string
		calls  string // if not "", the calls made
	}{
		{
			name: "a second Map Run, one short one between two polls",
			args: []string{testExecution},
			steps: []runStep{
				runningStep(mapRunning("SumObjects", 10, 20, 470, 500)),
				runningStep(sumObjectsDone, mapRunning("SumRanges", 0, 0, 8, 8)),
				runningStep(sumObjectsDone, mapRunning("SumRanges", 4, 4, 0, 8)),
				runningStep(sumObjectsDone, mapRunning("SumRanges", 6, 2, 0, 8)),
				runningStep(sumObjectsDone, scriptedMapRun{label: "SumRanges", status: sfntypes.MapRunStatusSucceeded, succeeded: 8, total: 8},
					scriptedMapRun{label: "Short", status: sfntypes.MapRunStatusSucceeded, succeeded: 1, total: 1}),
				succeededStep(sumObjectsDone, scriptedMapRun{label: "SumRanges", status: sfntypes.MapRunStatusSucceeded, succeeded: 8, total: 8},
					scriptedMapRun{label: "Short", status: sfntypes.MapRunStatusSucceeded, succeeded: 1, total: 1}),
			},
			stdout: scriptedStdout,
			stderr: []string{
				"SumObjects: 10/500+ items succeeded, 0 failed, 20 running, 470 pending, R items/s, elapsed T",
				"SumObjects SUCCEEDED: 500 items, 500 succeeded, 0 failed, in 20s",
				"SumRanges: 0/8+ items succeeded, 0 failed, 0 running, 8 pending, R items/s, elapsed T",
				"SumRanges: 4/8+ items succeeded, 0 failed, 4 running, 0 pending, R items/s, elapsed T",
				"SumRanges 75%: 6/8 items succeeded, 0 failed, 2 running, 0 pending, R items/s, elapsed T, left T",
				"SumRanges SUCCEEDED: 8 items, 8 succeeded, 0 failed, in 20s",
				"Short SUCCEEDED: 1 item, 1 succeeded, 0 failed, in 20s",
			},
		},
		{
			name: "the Map Run fails",
			args: []string{testExecution},
			steps: []runStep{
				runningStep(mapRunning("SumObjects", 0, 20, 40, 60)),
				runningStep(scriptedMapRun{label: "SumObjects", status: sfntypes.MapRunStatusRunning, succeeded: 20, failed: 20, running: 20, total: 60}),
				{status: sfntypes.ExecutionStatusFailed, mapRuns: []scriptedMapRun{failedMapRun}},
			},
			status: 1,
			stdout: "status     FAILED after 1m2s\nerror      States.ExceedToleratedFailureThreshold\ncause      too many\n",
			stderr: []string{
				"SumObjects: 0/60+ items succeeded, 0 failed, 20 running, 40 pending, R items/s, elapsed T",
				"SumObjects: 20/60+ items succeeded, 20 failed, 20 running, 0 pending, R items/s, elapsed T",
				"SumObjects FAILED: 60 items, 20 succeeded, 20 failed, 20 aborted, in 20s",
			},
		},
		{
			// The first description after the redrive still shows the
			// attempt before, then the execution runs while its Map Run
			// still shows how it failed before: neither is reported. The
			// percentage counts what succeeded before the redrive too.
			name: "redrive",
			args: []string{"-redrive", testExecution, "-wait"},
			steps: []runStep{
				{status: sfntypes.ExecutionStatusFailed, mapRuns: []scriptedMapRun{failedMapRun}},
				{status: sfntypes.ExecutionStatusFailed, mapRuns: []scriptedMapRun{failedMapRun}},
				{status: sfntypes.ExecutionStatusRunning, redrives: 1, mapRuns: []scriptedMapRun{failedMapRun}},
				{status: sfntypes.ExecutionStatusRunning, redrives: 1, mapRuns: []scriptedMapRun{
					{label: "SumObjects", status: sfntypes.MapRunStatusRunning, redrives: 1, succeeded: 20, running: 20, pending: 20, total: 60}}},
				{status: sfntypes.ExecutionStatusRunning, redrives: 1, mapRuns: []scriptedMapRun{
					{label: "SumObjects", status: sfntypes.MapRunStatusRunning, redrives: 1, succeeded: 40, running: 20, total: 60}}},
				{status: sfntypes.ExecutionStatusRunning, redrives: 1, mapRuns: []scriptedMapRun{
					{label: "SumObjects", status: sfntypes.MapRunStatusRunning, redrives: 1, succeeded: 50, running: 10, total: 60}}},
				{status: sfntypes.ExecutionStatusSucceeded, redrives: 1, output: scriptedTotal, mapRuns: []scriptedMapRun{
					{label: "SumObjects", status: sfntypes.MapRunStatusSucceeded, redrives: 1, succeeded: 60, total: 60}}},
			},
			stdout: "redrive    1\nstatus     SUCCEEDED after 32s\nlisted     500 objects\n",
			stderr: []string{
				"execution running, elapsed T",
				"SumObjects (redrive 1): 20/60+ items succeeded, 0 failed, 20 running, 20 pending, R items/s, elapsed T",
				"SumObjects (redrive 1) 66%: 40/60 items succeeded, 0 failed, 20 running, 0 pending, R items/s, elapsed T, left T",
				"SumObjects (redrive 1) 83%: 50/60 items succeeded, 0 failed, 10 running, 0 pending, R items/s, elapsed T, left T",
				"SumObjects (redrive 1) SUCCEEDED: 60 items, 60 succeeded, 0 failed, in 10s",
			},
		},
		{
			// A throttled DescribeMapRun is backed off from silently;
			// another failure is told once; following goes on.
			name: "progress that cannot be read",
			args: []string{testExecution},
			steps: []runStep{
				{status: sfntypes.ExecutionStatusRunning, mapRuns: []scriptedMapRun{mapRunning("SumObjects", 0, 20, 480, 500)},
					mapErr: &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}},
				{status: sfntypes.ExecutionStatusRunning, mapRuns: []scriptedMapRun{mapRunning("SumObjects", 0, 20, 480, 500)},
					mapErr: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: states:DescribeMapRun"}},
				runningStep(sumObjectsDone),
				runningStep(sumObjectsDone),
				runningStep(sumObjectsDone),
				runningStep(sumObjectsDone),
				runningStep(sumObjectsDone),
				succeededStep(sumObjectsDone),
			},
			stdout: scriptedStdout,
			stderr: []string{
				"sumsq: no progress for now: describing Map Run " + scriptedMapRunARN("SumObjects") +
					": api error AccessDeniedException: not authorized to perform: states:DescribeMapRun",
				"SumObjects SUCCEEDED: 500 items, 500 succeeded, 0 failed, in 20s",
			},
		},
		{
			name:   "-q: no Map Run is read",
			args:   []string{"-q", testExecution},
			steps:  []runStep{runningStep(mapRunning("SumObjects", 0, 20, 480, 500)), succeededStep(sumObjectsDone)},
			stdout: scriptedStdout,
			calls:  "map[DescribeExecution:2]",
		},
		{
			name:   "-json",
			args:   []string{"-json", "-q", testExecution},
			steps:  []runStep{succeededStep(sumObjectsDone)},
			stdout: `{"executionArn":"` + testExecution + `","consoleUrl":"https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/` + testExecution + `","status":"SUCCEEDED","total":` + scriptedTotal + "}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			quickPolls(t)
			run := newScriptedRun(tt.steps...)
			var stdout, stderr bytes.Buffer
			var err error
			if tt.args[0] == "-redrive" {
				err = startCommand(context.Background(), tt.args, run.connect, &stdout, &stderr)
			} else {
				err = followCommand(context.Background(), tt.args, run.connect, &stdout, &stderr)
			}
			status := exitStatus(err, &stderr)
			var progress []string // the lines with a Map Run
			for _, line := range strings.Split(untimed(stderr.String()), "\n") {
				if line != "execution running, elapsed T" || tt.name == "redrive" {
					progress = append(progress, line)
				}
			}
			got := strings.Join(progress, "\n")
			want := strings.Join(tt.stderr, "\n")
			if want != "" {
				want += "\n"
			}
			if status != tt.status || !strings.Contains(stdout.String(), tt.stdout) || got != want {
				t.Errorf("sumsq %q = status %d, stdout:\n%s\nstderr (times aside):\n%s\nwant %d, stdout with:\n%s\nstderr:\n%s",
					tt.args, status, stdout.String(), got, tt.status, tt.stdout, want)
			}
			checkMonotonic(t, strings.Split(stderr.String(), "\n"))
			if tt.calls != "" && fmt.Sprint(run.calls) != tt.calls {
				t.Errorf("calls %v; want %s", run.calls, tt.calls)
			}
		})
	}
}

// On a terminal the progress is a bar redrawn in place: the lines written
// (the execution, each Map Run's end, the total) never share a line of the
// screen with it, and it is gone at the end. Its percentage never goes
// back.
func TestFollowTerminal(t *testing.T) {
	quickPolls(t)
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	defer master.Close()
	if err := pty.Setsize(tty, &pty.Winsize{Rows: 40, Cols: 160}); err != nil {
		t.Fatal(err)
	}
	screenOut := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(master) // ends with EIO once the terminal is closed
		screenOut <- string(b)
	}()
	steps := []runStep{runningStep()}
	for i := int64(0); i <= 10; i++ {
		steps = append(steps, runningStep(mapRunning("SumObjects", 40*i, 20, 480-40*i, 500)))
	}
	steps = append(steps, runningStep(sumObjectsDone), succeededStep(sumObjectsDone))
	run := newScriptedRun(steps...)
	err = followCommand(context.Background(), []string{testExecution}, run.connect, tty, tty)
	tty.Close()
	out := <-screenOut
	if err != nil {
		t.Fatalf("sumsq follow on a terminal: %v; the terminal got %q", err, out)
	}

	want := strings.Split(strings.TrimSuffix(scriptedStdout, "\n"), "\n")
	want = append(want[:2], append([]string{"SumObjects SUCCEEDED: 500 items, 500 succeeded, 0 failed, in 20s"}, want[2:]...)...)
	if got := screen(out); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sumsq follow on a terminal: screen\n%s\nwant\n%s\n(the terminal got %q)", strings.Join(got, "\n"), strings.Join(want, "\n"), out)
	}
	// Each drawing of the bar starts at "\r" and ends by erasing the rest
	// of the line.
	var drawings []string
	for _, d := range strings.Split(out, "\r") {
		if d, ok := strings.CutSuffix(d, "\033[0K"); ok {
			drawings = append(drawings, d)
			if len(d) > 159 {
				t.Errorf("a drawing of %d columns on a terminal of 160: %q", len(d), d)
			}
		}
	}
	if found, percentages := checkMonotonic(t, drawings); percentages == 0 || found == percentages {
		t.Errorf("the drawings of the bar show %d percentages among %d; want some with, some before the total is known: %q", percentages, found, drawings)
	}
	if !strings.Contains(out, "SumObjects  80% [================>   ] 400/500 items succeeded, 0 failed, 20 running, 80 pending, ") {
		t.Errorf("no drawing shows 80%% of SumObjects with its bar: %q", drawings)
	}
}

// sumsq help follow and sumsq follow's mistakes.
func TestFollowUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		status int
		out    string // a part of stdout (status 0) or stderr
	}{
		{"help", []string{"help", "follow"}, 0, "Usage: sumsq follow [-json] [-q] [-profile P] [-endpoint-url URL] EXECUTION_ARN"},
		{"-h", []string{"follow", "-h"}, 0, "sumsq follow -q -json arn:aws:states:"},
		{"no ARN", []string{"follow"}, 2, "sumsq: follow: no EXECUTION_ARN; run 'sumsq follow -h'\n"},
		{"two ARNs", []string{"follow", testExecution, testExecution}, 2, "follow: want one EXECUTION_ARN, not 2 arguments"},
		{"a state machine", []string{"follow", testMachine}, 2, `follow: "` + testMachine + `" is not the ARN of an execution`},
		{"-region", []string{"follow", "-region", "us-east-1", testExecution}, 2, "follow: flag provided but not defined: -region"},
		{"bad endpoint", []string{"follow", "-endpoint-url", "127.0.0.1:9", testExecution}, 2, "follow: -endpoint-url \"127.0.0.1:9\": want an http:// or https:// URL"},
		{"start -q", []string{"start", "-h"}, 0, "-q\twith -wait, show no progress"},
	}
	for _, tt := range tests {
		stdout, stderr, status := sumsqCmd(t, "", tt.args...)
		out, other := stderr, stdout
		if status == 0 {
			out, other = stdout, stderr
		}
		if status != tt.status || other != "" || !strings.Contains(out, tt.out) {
			t.Errorf("%s: sumsq %q = status %d, stdout %q, stderr %q; want %d, %q in one of them only", tt.name, tt.args, status, stdout, stderr, tt.status, tt.out)
		}
	}
	// An execution that does not exist is named.
	quickPolls(t)
	var stdout, stderr bytes.Buffer
	other := strings.Replace(testExecution, "run-1", "run-2", 1)
	err := followCommand(context.Background(), []string{other}, newScriptedRun(runningStep()).connect, &stdout, &stderr)
	if want := "execution " + other + " does not exist: is it in this account and region?"; err == nil || err.Error() != want {
		t.Errorf("sumsq follow of a missing execution: %v; want %s", err, want)
	}
}

// follow connects with -profile and -endpoint-url, in the ARN's region.
func TestFollowAWSFlags(t *testing.T) {
	quickPolls(t)
	var got []awsFlags
	run := newScriptedRun(succeededStep())
	connect := func(ctx context.Context, a awsFlags) (*awsClients, error) {
		got = append(got, a)
		return run.connect(ctx, a)
	}
	var stdout, stderr bytes.Buffer
	err := followCommand(context.Background(), []string{"-profile", "prod", testExecution, "-endpoint-url", "http://127.0.0.1:9"}, connect, &stdout, &stderr)
	want := awsFlags{endpointURL: "http://127.0.0.1:9", profile: "prod", region: "eu-west-1"}
	if err != nil || len(got) != 1 || got[0] != want {
		t.Errorf("sumsq follow connected with %+v (%v); want once with %+v", got, err, want)
	}
}

// The pace the README and the help promise is the one follow keeps.
func TestFollowPace(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	pace := fmt.Sprintf("polls every %d to %d seconds", pollFirst/time.Second, progressPollMax/time.Second)
	lines := fmt.Sprintf("a line every %d seconds", plainInterval/time.Second)
	stable := []string{"", "", "", "three"}[stableTotalPolls] + " polls"
	for _, want := range []string{pace, lines, stable} {
		if !strings.Contains(strings.Join(strings.Fields(string(readme)), " "), want) {
			t.Errorf("README does not say %q", want)
		}
	}
	if !strings.Contains(followHelp, lines) || !strings.Contains(startHelp, lines) {
		t.Errorf("sumsq follow -h or start -h does not say %q", lines)
	}
}

// Interrupted on a terminal, follow takes the bar off the screen before it
// says that the execution goes on, and exits 130.
func TestFollowTerminalInterrupted(t *testing.T) {
	quickPolls(t)
	master, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	defer master.Close()
	screenOut := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(master)
		screenOut <- string(b)
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	run := newScriptedRun(runningStep(mapRunning("SumObjects", 0, 20, 480, 500)), runningStep(mapRunning("SumObjects", 40, 20, 440, 500)))
	run.interrupt, run.interruptAt = cancel, 5
	err = followCommand(ctx, []string{testExecution}, run.connect, tty, tty)
	status := exitStatus(err, tty)
	tty.Close()
	out := <-screenOut

	want := strings.Split(scriptedStdout, "\n")[:2]
	want = append(want, "sumsq: stopped waiting; the execution goes on: "+strings.TrimPrefix(want[1], "console    "), "sumsq: interrupted")
	if got := screen(out); status != 130 || strings.Join(got, "\n") != strings.Join(want, "\n") || !strings.Contains(out, "SumObjects |") {
		t.Errorf("sumsq follow interrupted on a terminal = status %d, screen\n%s\nwant 130, screen\n%s\n(the terminal got %q, a bar in it)",
			status, strings.Join(got, "\n"), strings.Join(want, "\n"), out)
	}
}
