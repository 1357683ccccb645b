package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
)

// fakeAWS is CloudFormation and Step Functions as start sees them, in
// memory, answering as the services document. It records each call with
// the region of the client that made it.
type fakeAWS struct {
	configRegion string // the SDK's region, when start asks for none
	stacks       map[string]fakeStack
	machines     map[string]bool // state machine ARNs that exist
	// What DescribeExecution answers for an execution StartExecution
	// started: RUNNING runningPolls times, then ended.
	runningPolls int
	ended        sfn.DescribeExecutionOutput
	executions   map[string]*fakeExecution

	flags   []awsFlags // of each connect
	calls   []string   // "DescribeStacks sumsq us-east-1", "StartExecution ARN us-east-1", ...
	started []sfn.StartExecutionInput
	polls   int
}

type fakeStack struct {
	status     cftypes.StackStatus
	outputs    map[string]string
	parameters map[string]string // what sumsq plan reads
}

// A fakeExecution answers DescribeExecution with running, running times,
// then with answers in turn, the last one from then on; RedriveExecution
// replaces answers with redriven.
type fakeExecution struct {
	running  int
	answers  []sfn.DescribeExecutionOutput
	redriven []sfn.DescribeExecutionOutput
}

var running = sfn.DescribeExecutionOutput{Status: sfntypes.ExecutionStatusRunning}

func (f *fakeAWS) connect(ctx context.Context, a awsFlags) (*awsClients, error) {
	f.flags = append(f.flags, a)
	region := cmp.Or(a.region, f.configRegion)
	return &awsClients{
		region:     region,
		stacks:     fakeClient{f, region},
		executions: func(region string) executionAPI { return fakeClient{f, region} },
	}, nil
}

// A fakeClient is a client of f in a region, of CloudFormation and of Step
// Functions alike.
type fakeClient struct {
	f      *fakeAWS
	region string
}

func (s fakeClient) DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	name := aws.ToString(in.StackName)
	s.f.calls = append(s.f.calls, "DescribeStacks "+name+" "+s.region)
	st, ok := s.f.stacks[name]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "ValidationError", Message: "Stack with id " + name + " does not exist"}
	}
	stack := cftypes.Stack{StackName: &name, StackStatus: st.status}
	for k, v := range st.outputs {
		stack.Outputs = append(stack.Outputs, cftypes.Output{OutputKey: aws.String(k), OutputValue: aws.String(v)})
	}
	for k, v := range st.parameters {
		stack.Parameters = append(stack.Parameters, cftypes.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(v)})
	}
	return &cloudformation.DescribeStacksOutput{Stacks: []cftypes.Stack{stack}}, nil
}

func (e fakeClient) StartExecution(ctx context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	machine := aws.ToString(in.StateMachineArn)
	e.f.calls = append(e.f.calls, "StartExecution "+machine+" "+e.region)
	e.f.started = append(e.f.started, *in)
	if !e.f.machines[machine] {
		return nil, &sfntypes.StateMachineDoesNotExist{Message: aws.String("State Machine Does Not Exist: '" + machine + "'")}
	}
	arn := strings.Replace(machine, ":stateMachine:", ":execution:", 1) + ":" + aws.ToString(in.Name)
	x := &fakeExecution{running: e.f.runningPolls, answers: []sfn.DescribeExecutionOutput{e.f.ended}}
	if e.f.executions == nil {
		e.f.executions = map[string]*fakeExecution{}
	}
	e.f.executions[arn] = x
	return &sfn.StartExecutionOutput{ExecutionArn: &arn, StartDate: aws.Time(time.Now())}, nil
}

func (e fakeClient) DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	arn := aws.ToString(in.ExecutionArn)
	e.f.calls = append(e.f.calls, "DescribeExecution "+e.region)
	e.f.polls++
	x, ok := e.f.executions[arn]
	if !ok {
		return nil, &sfntypes.ExecutionDoesNotExist{Message: aws.String("Execution Does Not Exist: '" + arn + "'")}
	}
	out := x.answers[0]
	switch {
	case x.running > 0:
		x.running--
		out = running
	case len(x.answers) > 1:
		x.answers = x.answers[1:]
	}
	out.ExecutionArn = &arn
	return &out, nil
}

func (e fakeClient) RedriveExecution(ctx context.Context, in *sfn.RedriveExecutionInput, _ ...func(*sfn.Options)) (*sfn.RedriveExecutionOutput, error) {
	arn := aws.ToString(in.ExecutionArn)
	e.f.calls = append(e.f.calls, "RedriveExecution "+e.region)
	x, ok := e.f.executions[arn]
	if !ok {
		return nil, &sfntypes.ExecutionDoesNotExist{Message: aws.String("Execution Does Not Exist: '" + arn + "'")}
	}
	if x.redriven == nil {
		return nil, &sfntypes.ExecutionNotRedrivable{Message: aws.String("Execution is SUCCEEDED")}
	}
	x.answers, x.redriven = x.redriven, nil
	return &sfn.RedriveExecutionOutput{RedriveDate: aws.Time(time.Now())}, nil
}

// startTest runs sumsq start with args against f, the polls made quick.
func startTest(t *testing.T, f *fakeAWS, ctx context.Context, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	old1, old2 := pollFirst, pollMax
	pollFirst, pollMax = time.Millisecond, 4*time.Millisecond
	defer func() { pollFirst, pollMax = old1, old2 }()
	var out, errOut bytes.Buffer
	err := startCommand(ctx, args, f.connect, &out, &errOut)
	status = exitStatus(err, &errOut)
	return out.String(), errOut.String(), status
}

const (
	testMachine   = "arn:aws:states:us-east-1:123456789012:stateMachine:sumsq-machine"
	testMachineEU = "arn:aws:states:eu-central-1:123456789012:stateMachine:other"
	testExecution = "arn:aws:states:eu-west-1:123456789012:execution:sumsq-machine:run-1"
)

var executionName = regexp.MustCompile(`^sumsq-\d{8}T\d{6}Z-[0-9a-f]{8}$`)

// newFakeAWS returns the services with the stacks and state machines the
// tests name.
func newFakeAWS() *fakeAWS {
	return &fakeAWS{
		configRegion: "us-east-1",
		stacks: map[string]fakeStack{
			"sumsq":     {cftypes.StackStatusCreateComplete, map[string]string{"StateMachineArn": testMachine, "DataBucketName": "data"}, nil},
			"from-sam":  {cftypes.StackStatusUpdateComplete, map[string]string{"StateMachineArn": testMachine}, nil},
			"other":     {cftypes.StackStatusCreateComplete, map[string]string{"StateMachineArn": testMachineEU}, nil},
			"unrelated": {cftypes.StackStatusUpdateComplete, map[string]string{"BucketName": "b"}, nil},
		},
		machines:     map[string]bool{testMachine: true, testMachineEU: true},
		runningPolls: 2,
	}
}

func TestStart(t *testing.T) {
	started := time.Date(2026, 11, 29, 14, 22, 33, 0, time.UTC)
	ended := func(status sfntypes.ExecutionStatus, output, errName, cause string) sfn.DescribeExecutionOutput {
		e := sfn.DescribeExecutionOutput{Status: status, StartDate: &started, StopDate: aws.Time(started.Add(62 * time.Second))}
		for p, v := range map[**string]string{&e.Output: output, &e.Error: errName, &e.Cause: cause} {
			if v != "" {
				*p = aws.String(v)
			}
		}
		return e
	}
	total := `{"objects":9,"count":14,"sumOfSquares":"3141592653589793238462643383279","failedObjects":1,` +
		`"failed":[{"bucket":"data","key":"today/random_3.log","error":"InvalidContentError","cause":"line 2 (byte 4): not an integer: \"x\""}]}`
	totalOK := `{"objects":10,"count":16,"sumOfSquares":"2718281828","failedObjects":0,"failed":[]}`
	totalMore := `{"objects":0,"count":0,"sumOfSquares":"0","failedObjects":300,"failed":[{"bucket":"data","key":"k","error":"AccessDeniedError","cause":"no"}],` +
		`"failuresLocation":"s3://data/results/run/failed.jsonl"}`
	totalSkipped := `{"objects":1,"count":1,"sumOfSquares":"49","failedObjects":0,"failed":[],"skippedObjects":3}`
	polls3 := []string{"DescribeExecution us-east-1", "DescribeExecution us-east-1", "DescribeExecution us-east-1"}
	tests := []struct {
		name      string
		args      []string
		samconfig string // written to ./samconfig.toml when not empty
		ended     sfn.DescribeExecutionOutput
		prefix    string // the input's prefix
		manifest  string // or its manifest
		calls     []string
		stdout    string // with EXEC standing for the execution ARN, URL for the console link
		stderr    string
		status    int
	}{
		{
			name:   "default stack",
			args:   []string{"-prefix", "today/"},
			prefix: "today/",
			calls:  []string{"DescribeStacks sumsq us-east-1", "StartExecution " + testMachine + " us-east-1"},
			stdout: "execution  EXEC\nconsole    URL\n",
		},
		{
			name:      "samconfig's stack and region",
			samconfig: "version = 0.1\n[default.global.parameters]\nstack_name = \"from-sam\"\n[default.deploy.parameters]\nregion = 'eu-west-1' # comment\n",
			calls:     []string{"DescribeStacks from-sam eu-west-1", "StartExecution " + testMachine + " us-east-1"},
			stdout:    "execution  EXEC\nconsole    URL\n",
		},
		{
			name:   "-stack and -region win",
			args:   []string{"-stack", "other", "-region", "ap-south-1", "-prefix", "x y/ü"},
			prefix: "x y/ü", samconfig: "[default.global.parameters]\nstack_name = \"from-sam\"\nregion = \"eu-west-1\"\n",
			calls:  []string{"DescribeStacks other ap-south-1", "StartExecution " + testMachineEU + " eu-central-1"},
			stdout: "execution  EXEC\nconsole    URL\n",
		},
		{
			name:     "an inventory's manifest",
			args:     []string{"-manifest", "s3://data/inventory/data/sumsq/2026-12-06T01-00Z/manifest.json"},
			manifest: "s3://data/inventory/data/sumsq/2026-12-06T01-00Z/manifest.json",
			calls:    []string{"DescribeStacks sumsq us-east-1", "StartExecution " + testMachine + " us-east-1"},
			stdout:   "execution  EXEC\nconsole    URL\n",
		},
		{
			name:   "state machine ARN",
			args:   []string{"-state-machine", testMachineEU, "-name", "my-run_1"},
			calls:  []string{"StartExecution " + testMachineEU + " eu-central-1"},
			stdout: "execution  EXEC\nconsole    URL\n",
		},
		{
			name:      "samconfig that is not TOML",
			samconfig: "[default.global.parameters]\nstack_name = 3\n",
			stderr:    "sumsq: reading samconfig.toml: toml: ",
			status:    1,
		},
		{
			name:   "no such stack",
			args:   []string{"-stack", "nope"},
			calls:  []string{"DescribeStacks nope us-east-1"},
			stderr: "sumsq: stack nope does not exist in us-east-1: deploy it with 'sam deploy', or name another with -stack, -region or -state-machine\n",
			status: 1,
		},
		{
			name:   "stack without output",
			args:   []string{"-stack", "unrelated"},
			calls:  []string{"DescribeStacks unrelated us-east-1"},
			stderr: "sumsq: stack unrelated (UPDATE_COMPLETE) has no StateMachineArn output: is it a stack of this project's template.yaml?\n",
			status: 1,
		},
		{
			name:   "no such state machine",
			args:   []string{"-state-machine", "arn:aws:states:us-east-1:123456789012:stateMachine:gone"},
			calls:  []string{"StartExecution arn:aws:states:us-east-1:123456789012:stateMachine:gone us-east-1"},
			stderr: "sumsq: state machine arn:aws:states:us-east-1:123456789012:stateMachine:gone does not exist: is the stack deployed, in this account and region?\n",
			status: 1,
		},
		{
			name:   "wait, with a failure",
			args:   []string{"-prefix", "today/", "-wait"},
			prefix: "today/",
			ended:  ended(sfntypes.ExecutionStatusSucceeded, total, "", ""),
			calls:  append([]string{"DescribeStacks sumsq us-east-1", "StartExecution " + testMachine + " us-east-1"}, polls3...),
			stdout: "execution  EXEC\nconsole    URL\nstatus     SUCCEEDED after 1m2s\nlisted     10 objects\nsummed     9 objects, 14 numbers\n" +
				"sum        3141592653589793238462643383279\nfailed     1 object\n" +
				"\ts3://data/today/random_3.log\tInvalidContentError: line 2 (byte 4): not an integer: \"x\"\n",
			status: 1,
		},
		{
			name:   "wait, all summed",
			args:   []string{"-wait", "-state-machine", testMachine},
			ended:  ended(sfntypes.ExecutionStatusSucceeded, totalOK, "", ""),
			calls:  append([]string{"StartExecution " + testMachine + " us-east-1"}, polls3...),
			stdout: "execution  EXEC\nconsole    URL\nstatus     SUCCEEDED after 1m2s\nlisted     10 objects\nsummed     10 objects, 16 numbers\nsum        2718281828\nfailed     0 objects\n",
		},
		{
			name:   "wait, with skipped objects",
			args:   []string{"-wait", "-state-machine", testMachine},
			ended:  ended(sfntypes.ExecutionStatusSucceeded, totalSkipped, "", ""),
			calls:  append([]string{"StartExecution " + testMachine + " us-east-1"}, polls3...),
			stdout: "execution  EXEC\nconsole    URL\nstatus     SUCCEEDED after 1m2s\nlisted     4 objects\nsummed     1 object, 1 number\nsum        49\nfailed     0 objects\nskipped    3 objects, the Map's own result files\n",
		},
		{
			name:  "wait, more failures than listed",
			args:  []string{"-wait", "-state-machine", testMachine},
			ended: ended(sfntypes.ExecutionStatusSucceeded, totalMore, "", ""),
			calls: append([]string{"StartExecution " + testMachine + " us-east-1"}, polls3...),
			stdout: "execution  EXEC\nconsole    URL\nstatus     SUCCEEDED after 1m2s\nlisted     300 objects\nsummed     0 objects, 0 numbers\nsum        0\nfailed     300 objects\n" +
				"\ts3://data/k\tAccessDeniedError: no\n\t... 299 more: all failures are listed in s3://data/results/run/failed.jsonl\n",
			status: 1,
		},
		{
			name:   "wait, execution failed",
			args:   []string{"-wait", "-state-machine", testMachine},
			ended:  ended(sfntypes.ExecutionStatusFailed, "", "States.ExceedToleratedFailureThreshold", "too many"),
			calls:  append([]string{"StartExecution " + testMachine + " us-east-1"}, polls3...),
			stdout: "execution  EXEC\nconsole    URL\nstatus     FAILED after 1m2s\nerror      States.ExceedToleratedFailureThreshold\ncause      too many\n",
			status: 1,
		},
		{
			name:   "wait, output not a total",
			args:   []string{"-wait", "-state-machine", testMachine},
			ended:  ended(sfntypes.ExecutionStatusSucceeded, `"done"`, "", ""),
			calls:  append([]string{"StartExecution " + testMachine + " us-east-1"}, polls3...),
			stdout: "execution  EXEC\nconsole    URL\n",
			stderr: "sumsq: execution EXEC succeeded, but its output is not a total: json: cannot unmarshal string into Go value of type maprun.Total: \"\\\"done\\\"\"\n",
			status: 1,
		},
		{
			name:   "json",
			args:   []string{"-json", "-state-machine", testMachine},
			calls:  []string{"StartExecution " + testMachine + " us-east-1"},
			stdout: `{"executionArn":"EXEC","consoleUrl":"URL"}` + "\n",
		},
		{
			name:   "json, wait",
			args:   []string{"-json", "-wait", "-state-machine", testMachine},
			ended:  ended(sfntypes.ExecutionStatusSucceeded, totalOK, "", ""),
			calls:  append([]string{"StartExecution " + testMachine + " us-east-1"}, polls3...),
			stdout: `{"executionArn":"EXEC","consoleUrl":"URL","status":"SUCCEEDED","total":` + totalOK + "}\n",
		},
		{
			name:   "json, wait, execution failed",
			args:   []string{"-json", "-wait", "-state-machine", testMachine},
			ended:  ended(sfntypes.ExecutionStatusTimedOut, "", "States.Timeout", ""),
			calls:  append([]string{"StartExecution " + testMachine + " us-east-1"}, polls3...),
			stdout: `{"executionArn":"EXEC","consoleUrl":"URL","status":"TIMED_OUT","error":"States.Timeout"}` + "\n",
			stderr: "sumsq: execution timed_out\n",
			status: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeAWS()
			fake.ended = tt.ended
			t.Chdir(t.TempDir())
			if tt.samconfig != "" {
				if err := os.WriteFile("samconfig.toml", []byte(tt.samconfig), 0o644); err != nil {
					t.Fatal(err)
				}
			}

			stdout, stderr, status := startTest(t, fake, context.Background(), tt.args...)

			if strings.Join(fake.calls, "\n") != strings.Join(tt.calls, "\n") {
				t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(fake.calls, "\n"), strings.Join(tt.calls, "\n"))
			}
			wantOut, wantErr := tt.stdout, tt.stderr
			if len(fake.started) > 0 {
				s := fake.started[0]
				name, machine := aws.ToString(s.Name), aws.ToString(s.StateMachineArn)
				want := fmt.Sprintf(`{"prefix":%q}`, tt.prefix)
				if tt.manifest != "" {
					want = fmt.Sprintf(`{"manifest":%q}`, tt.manifest)
				}
				if in := aws.ToString(s.Input); in != want {
					t.Errorf("StartExecution input = %s; want %s", in, want)
				}
				if !slices.Contains(tt.args, name) && !executionName.MatchString(name) {
					t.Errorf("StartExecution name = %q; want the form sumsq-20261129T142233Z-0123abcd", name)
				}
				if err := checkExecutionName(name); err != nil {
					t.Errorf("StartExecution name: %v", err)
				}
				exec := strings.Replace(machine, ":stateMachine:", ":execution:", 1) + ":" + name
				region := strings.Split(machine, ":")[3]
				url := "https://" + region + ".console.aws.amazon.com/states/home?region=" + region + "#/v2/executions/details/" + exec
				r := strings.NewReplacer("EXEC", exec, "URL", url)
				wantOut, wantErr = r.Replace(wantOut), r.Replace(wantErr)
			}
			if stdout != wantOut || !strings.HasPrefix(stderr, wantErr) || (wantErr == "") != (stderr == "") || status != tt.status {
				t.Errorf("sumsq start %q = status %d, stdout:\n%s\nstderr: %q\nwant %d, stdout:\n%s\nstderr starting with %q", tt.args, status, stdout, stderr, tt.status, wantOut, wantErr)
			}
		})
	}
}

func TestStartRedrive(t *testing.T) {
	failed := time.Date(2026, 11, 29, 14, 0, 0, 0, time.UTC)
	redriven := failed.Add(time.Hour)
	describe := func(status sfntypes.ExecutionStatus, redrives int32, redrive sfntypes.ExecutionRedriveStatus, output string) sfn.DescribeExecutionOutput {
		e := sfn.DescribeExecutionOutput{ExecutionArn: aws.String(testExecution), Status: status, RedriveCount: aws.Int32(redrives),
			RedriveStatus: redrive, StartDate: &failed}
		if redrives > 0 {
			e.RedriveDate = &redriven
		}
		if status != sfntypes.ExecutionStatusRunning {
			e.StopDate = aws.Time(redriven.Add(90 * time.Second))
		}
		if output != "" {
			e.Output = aws.String(output)
		}
		if status == sfntypes.ExecutionStatusFailed {
			e.Error, e.Cause = aws.String("States.ExceedToleratedFailureThreshold"), aws.String("too many")
		}
		return e
	}
	totalOK := `{"objects":10,"count":16,"sumOfSquares":"2718281828","failedObjects":0,"failed":[]}`
	failedOnce := describe(sfntypes.ExecutionStatusFailed, 0, sfntypes.ExecutionRedriveStatusRedrivable, "")
	// Once redriven, a description may still show the attempt before.
	afterRedrive := []sfn.DescribeExecutionOutput{
		failedOnce,
		describe(sfntypes.ExecutionStatusRunning, 1, sfntypes.ExecutionRedriveStatusNotRedrivable, ""),
		describe(sfntypes.ExecutionStatusSucceeded, 1, sfntypes.ExecutionRedriveStatusNotRedrivable, totalOK),
	}
	url := "https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/" + testExecution
	tests := []struct {
		name      string
		args      []string
		execution *fakeExecution
		calls     []string
		stdout    string
		stderr    string
		status    int
	}{
		{
			name:      "redrive",
			args:      []string{"-redrive", testExecution},
			execution: &fakeExecution{answers: []sfn.DescribeExecutionOutput{failedOnce}, redriven: afterRedrive},
			calls:     []string{"DescribeExecution eu-west-1", "RedriveExecution eu-west-1"},
			stdout:    "execution  " + testExecution + "\nconsole    " + url + "\nredrive    1\n",
		},
		{
			name:      "redrive and wait",
			args:      []string{"-wait", "-redrive", testExecution},
			execution: &fakeExecution{answers: []sfn.DescribeExecutionOutput{failedOnce}, redriven: afterRedrive},
			calls: []string{"DescribeExecution eu-west-1", "RedriveExecution eu-west-1",
				"DescribeExecution eu-west-1", "DescribeExecution eu-west-1", "DescribeExecution eu-west-1"},
			stdout: "execution  " + testExecution + "\nconsole    " + url + "\nredrive    1\n" +
				"status     SUCCEEDED after 1m30s\nlisted     10 objects\nsummed     10 objects, 16 numbers\nsum        2718281828\nfailed     0 objects\n",
		},
		{
			name:      "redrive, json",
			args:      []string{"-redrive", testExecution, "-json"},
			execution: &fakeExecution{answers: []sfn.DescribeExecutionOutput{failedOnce}, redriven: afterRedrive},
			calls:     []string{"DescribeExecution eu-west-1", "RedriveExecution eu-west-1"},
			stdout:    `{"executionArn":"` + testExecution + `","consoleUrl":"` + url + `","redriveCount":1}` + "\n",
		},
		{
			name: "not redrivable",
			args: []string{"-redrive", testExecution},
			execution: &fakeExecution{answers: []sfn.DescribeExecutionOutput{func() sfn.DescribeExecutionOutput {
				e := describe(sfntypes.ExecutionStatusSucceeded, 0, sfntypes.ExecutionRedriveStatusNotRedrivable, totalOK)
				e.RedriveStatusReason = aws.String("Execution is SUCCEEDED and cannot be redriven")
				return e
			}()}},
			calls:  []string{"DescribeExecution eu-west-1"},
			stderr: "sumsq: execution " + testExecution + " (SUCCEEDED) cannot be redriven: Execution is SUCCEEDED and cannot be redriven\n",
			status: 1,
		},
		{
			name:      "refused by RedriveExecution",
			args:      []string{"-redrive", testExecution},
			execution: &fakeExecution{answers: []sfn.DescribeExecutionOutput{failedOnce}},
			calls:     []string{"DescribeExecution eu-west-1", "RedriveExecution eu-west-1"},
			stderr:    "sumsq: execution " + testExecution + " (FAILED) cannot be redriven: Execution is SUCCEEDED\n",
			status:    1,
		},
		{
			name:   "no such execution",
			args:   []string{"-redrive", testExecution},
			calls:  []string{"DescribeExecution eu-west-1"},
			stderr: "sumsq: execution " + testExecution + " does not exist: is it in this account and region?\n",
			status: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeAWS()
			if tt.execution != nil {
				fake.executions = map[string]*fakeExecution{testExecution: tt.execution}
			}
			stdout, stderr, status := startTest(t, fake, context.Background(), tt.args...)
			if strings.Join(fake.calls, "\n") != strings.Join(tt.calls, "\n") {
				t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(fake.calls, "\n"), strings.Join(tt.calls, "\n"))
			}
			if stdout != tt.stdout || stderr != tt.stderr || status != tt.status {
				t.Errorf("sumsq start %q = status %d, stdout:\n%s\nstderr: %q\nwant %d, stdout:\n%s\nstderr: %q", tt.args, status, stdout, stderr, tt.status, tt.stdout, tt.stderr)
			}
		})
	}
}

func TestStartWaitInterrupted(t *testing.T) {
	fake := newFakeAWS()
	fake.runningPolls = 100_000 // more than 100 ms of polls
	// Cancelled as Ctrl-C does.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(100*time.Millisecond, cancel)
	_, stderr, status := startTest(t, fake, ctx, "-wait", "-state-machine", testMachine)
	if status != 130 || !strings.Contains(stderr, "sumsq: stopped waiting; the execution goes on: https://") || fake.polls == 0 {
		t.Errorf("sumsq start -wait interrupted = status %d, stderr %q after %d polls; want 130, a note that it goes on, some polls", status, stderr, fake.polls)
	}
}

// The SDK's clients are made only with a region and credentials.
func TestConnectAWS(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "AKIDTEST",
		"AWS_SECRET_ACCESS_KEY":       "secret",
		"AWS_REGION":                  "",
		"AWS_DEFAULT_REGION":          "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_PROFILE":                 "",
	} {
		t.Setenv(k, v)
	}
	os.Unsetenv("AWS_PROFILE")
	ctx := context.Background()
	if _, err := connectAWS(ctx, awsFlags{}); err == nil || !strings.HasPrefix(err.Error(), "no AWS region") {
		t.Errorf("connectAWS without a region = %v; want no AWS region", err)
	}
	c, err := connectAWS(ctx, awsFlags{region: "eu-north-1"})
	if err != nil || c.region != "eu-north-1" {
		t.Fatalf("connectAWS(eu-north-1) = %+v, %v; want its region", c, err)
	}
	if api, ok := c.executions("ap-east-1").(*sfn.Client); !ok || api.Options().Region != "ap-east-1" || api.Options().BaseEndpoint != nil {
		t.Errorf("executions(ap-east-1) = %T; want an *sfn.Client of ap-east-1, its endpoint the SDK's", c.executions("ap-east-1"))
	}
	// -endpoint-url is every client's, whatever the environment says.
	t.Setenv("AWS_ENDPOINT_URL_SFN", "http://127.0.0.1:1")
	t.Setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", "http://127.0.0.1:2")
	const twin = "http://127.0.0.1:9"
	c, err = connectAWS(ctx, awsFlags{region: "eu-north-1", endpointURL: twin})
	if err != nil {
		t.Fatal(err)
	}
	api, _ := c.executions("eu-north-1").(*sfn.Client)
	stacks, _ := c.stacks.(*cloudformation.Client)
	if api == nil || stacks == nil || aws.ToString(api.Options().BaseEndpoint) != twin || aws.ToString(stacks.Options().BaseEndpoint) != twin {
		t.Errorf("connectAWS with -endpoint-url %s: clients %T, %T; want both with that endpoint", twin, c.executions("eu-north-1"), c.stacks)
	}
	os.Unsetenv("AWS_ACCESS_KEY_ID")
	os.Unsetenv("AWS_SECRET_ACCESS_KEY")
	_, stderr, status := sumsqCmd(t, "", "start", "-state-machine", testMachine)
	if want := "sumsq: no AWS credentials found: set AWS_PROFILE"; status != 1 || !strings.HasPrefix(stderr, want) {
		t.Errorf("sumsq start without credentials = status %d, stderr %q; want 1, stderr starting with %q", status, stderr, want)
	}
}

func TestCheckExecutionName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"a", true},
		{"sumsq-20261129T142233Z-9f86d081", true},
		{"Run_2.0-été", true},
		{strings.Repeat("x", 80), true},
		{strings.Repeat("é", 80), true}, // 80 characters, 160 bytes
		{"", false},
		{strings.Repeat("x", 81), false},
		{"with space", false},
		{"tab\t", false},
		{"nbsp\u00a0", false},
		{"nul\x00", false},
		{"esc\x1b", false},
		{"del\x7f", false},
		{"c1\u0085", false},
		{"bad\xff", false},
	}
	for _, r := range `<>{}[]?*"#%\^|~` + "`" + `$&,;:/` {
		tests = append(tests, struct {
			name string
			ok   bool
		}{"x" + string(r) + "y", false})
	}
	for _, tt := range tests {
		if err := checkExecutionName(tt.name); (err == nil) != tt.ok {
			t.Errorf("checkExecutionName(%q) = %v; want ok %v", tt.name, err, tt.ok)
		}
	}
}

func TestNewExecutionName(t *testing.T) {
	at := time.Date(2026, 11, 29, 15, 22, 33, 0, time.FixedZone("CET", 3600))
	seen := map[string]bool{}
	for range 100 {
		name := newExecutionName(at)
		if err := checkExecutionName(name); err != nil || !strings.HasPrefix(name, "sumsq-20261129T142233Z-") || !executionName.MatchString(name) {
			t.Fatalf("newExecutionName = %q (%v); want sumsq-20261129T142233Z-<8 hex digits>", name, err)
		}
		if seen[name] {
			t.Fatalf("newExecutionName gave %q twice", name)
		}
		seen[name] = true
	}
}

func TestReadSAMConfig(t *testing.T) {
	tests := []struct {
		name, content string
		want          samDefaults
		err           string // a part of the error, if one is wanted
	}{
		{"empty", "", samDefaults{}, ""},
		{"global", "version = 0.1\n[default.global.parameters]\nstack_name = \"s1\"\n", samDefaults{StackName: "s1"}, ""},
		{"deploy wins", "[default.global.parameters]\nstack_name = \"g\"\nregion = \"eu-west-1\"\n[default.deploy.parameters]\nstack_name = \"d\"\n",
			samDefaults{StackName: "d", Region: "eu-west-1"}, ""},
		{"literal string and comment", "[default.deploy.parameters]\n  region = 'us-west-2'   # Oregon\n", samDefaults{Region: "us-west-2"}, ""},
		{"escapes", `[ default.global.parameters ]` + "\nstack_name = \"a\\\"b\" # x\n", samDefaults{StackName: `a"b`}, ""},
		{"dotted keys", "default.global.parameters.stack_name = \"dotted\"\n", samDefaults{StackName: "dotted"}, ""},
		{"multi-line string", "[default.global.parameters]\nstack_name = \"\"\"\nml\"\"\"\n", samDefaults{StackName: "ml"}, ""},
		{"other environment", "[prod.global.parameters]\nstack_name = \"prod\"\n[default.build.parameters]\nstack_name = \"build\"\n", samDefaults{}, ""},
		{"not a string", "[default.global.parameters]\nstack_name = 3\n", samDefaults{}, "incompatible types"},
		{"not TOML", "[default.global.parameters]\nregion = \"unterminated\n", samDefaults{}, "toml: line 2"},
		{"project's samconfig", "", samDefaults{StackName: "sumsq"}, ""}, // read from the repository below
	}
	for _, tt := range tests {
		path := filepath.Join("..", "..", "samconfig.toml")
		if tt.content != "" || tt.name == "empty" {
			path = filepath.Join(t.TempDir(), "samconfig.toml")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := readSAMConfig(path)
		if got != tt.want || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: readSAMConfig = %+v, %v; want %+v, error with %q", tt.name, got, err, tt.want, tt.err)
		}
	}
	if got, err := readSAMConfig(filepath.Join(t.TempDir(), "missing.toml")); got != (samDefaults{}) || err != nil {
		t.Errorf("readSAMConfig(missing) = %+v, %v; want zero, nil", got, err)
	}
}

func TestConsoleURL(t *testing.T) {
	tests := []struct{ partition, region, want string }{
		{"aws", "us-east-1", "https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/E"},
		{"aws-cn", "cn-north-1", "https://cn-north-1.console.amazonaws.cn/states/home?region=cn-north-1#/v2/executions/details/E"},
		{"aws-us-gov", "us-gov-west-1", "https://console.amazonaws-us-gov.com/states/home?region=us-gov-west-1#/v2/executions/details/E"},
	}
	for _, tt := range tests {
		if got := consoleURL(tt.partition, tt.region, "E"); got != tt.want {
			t.Errorf("consoleURL(%q, %q, E) = %s; want %s", tt.partition, tt.region, got, tt.want)
		}
	}
}

// -profile, -endpoint-url and -region reach the clients start makes;
// -redrive takes the first two (its ARN says the region).
func TestStartAWSFlags(t *testing.T) {
	tests := []struct {
		args []string
		want awsFlags
	}{
		{[]string{"-state-machine", testMachine, "-profile", "prod", "-endpoint-url", "http://127.0.0.1:9"},
			awsFlags{endpointURL: "http://127.0.0.1:9", profile: "prod", region: "us-east-1"}},
		{[]string{"-stack", "sumsq", "-region", "eu-west-3", "-profile", "prod"}, awsFlags{profile: "prod", region: "eu-west-3"}},
		{[]string{"-redrive", testExecution, "-profile", "prod", "-endpoint-url", "http://127.0.0.1:9"},
			awsFlags{endpointURL: "http://127.0.0.1:9", profile: "prod", region: "eu-west-1"}},
	}
	for _, tt := range tests {
		f := newFakeAWS()
		startTest(t, f, context.Background(), tt.args...)
		if len(f.flags) != 1 || f.flags[0] != tt.want {
			t.Errorf("sumsq start %q connected with %+v; want once with %+v", tt.args, f.flags, tt.want)
		}
	}
}
