package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAWS answers, like CloudFormation and Step Functions would, the calls
// start makes: DescribeStacks (query protocol, XML), StartExecution and
// DescribeExecution (JSON 1.0). It records what it was asked.
type fakeAWS struct {
	t *testing.T

	stacks   map[string]fakeStack // by stack name
	machines map[string]bool      // state machine ARNs that exist
	// What DescribeExecution answers once the execution has been described
	// running runningPolls times.
	runningPolls int
	ended        map[string]any

	mu         sync.Mutex
	calls      []string // "DescribeStacks sumsq us-east-1", "StartExecution ...", ...
	started    []startRequest
	polls      int
	executions map[string]string // execution ARN -> state machine ARN
}

type fakeStack struct {
	status  string
	outputs map[string]string
}

type startRequest struct {
	StateMachineArn, Name, Input string
}

// region returns the region of a SigV4-signed request.
func region(r *http.Request) string {
	m := regexp.MustCompile(`Credential=[^/]+/\d{8}/([^/]+)/`).FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return "unsigned"
	}
	return m[1]
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	if target, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSStepFunctions."); ok {
		f.sfn(w, r, target, body)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := r.ParseForm(); err != nil || r.PostForm.Get("Action") != "DescribeStacks" {
		f.t.Errorf("unexpected request %s %s %q", r.Method, r.URL, body)
		http.Error(w, "unexpected", http.StatusBadRequest)
		return
	}
	name := r.PostForm.Get("StackName")
	f.calls = append(f.calls, "DescribeStacks "+name+" "+region(r))
	s, ok := f.stacks[name]
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>`+
			`<Code>ValidationError</Code><Message>Stack with id %s does not exist</Message></Error><RequestId>1</RequestId></ErrorResponse>`, html.EscapeString(name))
		return
	}
	var outputs strings.Builder
	for k, v := range s.outputs {
		fmt.Fprintf(&outputs, "<member><OutputKey>%s</OutputKey><OutputValue>%s</OutputValue></member>", html.EscapeString(k), html.EscapeString(v))
	}
	fmt.Fprintf(w, `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>`+
		`<StackName>%s</StackName><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/%[1]s/1</StackId>`+
		`<CreationTime>2026-11-29T10:00:00Z</CreationTime><StackStatus>%s</StackStatus><Outputs>%s</Outputs>`+
		`</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
		html.EscapeString(name), s.status, outputs.String())
}

func (f *fakeAWS) sfn(w http.ResponseWriter, r *http.Request, target string, body []byte) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	fail := func(typ, msg string) {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.swf.service.v2.model#" + typ, "message": msg})
	}
	switch target {
	case "StartExecution":
		var in startRequest
		if err := json.Unmarshal(body, &in); err != nil {
			f.t.Errorf("StartExecution body %q: %v", body, err)
		}
		f.calls = append(f.calls, "StartExecution "+in.StateMachineArn+" "+region(r))
		f.started = append(f.started, in)
		if !f.machines[in.StateMachineArn] {
			fail("StateMachineDoesNotExist", "State Machine Does Not Exist: '"+in.StateMachineArn+"'")
			return
		}
		arn := strings.Replace(in.StateMachineArn, ":stateMachine:", ":execution:", 1) + ":" + in.Name
		if f.executions == nil {
			f.executions = map[string]string{}
		}
		f.executions[arn] = in.StateMachineArn
		json.NewEncoder(w).Encode(map[string]any{"executionArn": arn, "startDate": 1796032953.0})
	case "DescribeExecution":
		var in struct{ ExecutionArn string }
		json.Unmarshal(body, &in)
		f.calls = append(f.calls, "DescribeExecution "+region(r))
		machine, ok := f.executions[in.ExecutionArn]
		if !ok {
			fail("ExecutionDoesNotExist", "Execution Does Not Exist: '"+in.ExecutionArn+"'")
			return
		}
		out := map[string]any{"executionArn": in.ExecutionArn, "stateMachineArn": machine, "startDate": 1796032953.0, "status": "RUNNING"}
		f.polls++
		if f.polls > f.runningPolls {
			out["stopDate"] = 1796033015.0
			for k, v := range f.ended {
				out[k] = v
			}
		}
		json.NewEncoder(w).Encode(out)
	default:
		f.t.Errorf("unexpected Step Functions call %s", target)
		fail("InvalidAction", target)
	}
}

// awsTestEnv points the SDK at url with fake credentials and nothing read
// from this machine's AWS configuration.
func awsTestEnv(t *testing.T, url string) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_SFN":            url,
		"AWS_ENDPOINT_URL_CLOUDFORMATION": url,
		"AWS_ACCESS_KEY_ID":               "AKIDTEST",
		"AWS_SECRET_ACCESS_KEY":           "secret",
		"AWS_REGION":                      "us-east-1",
		"AWS_CONFIG_FILE":                 filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE":     filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":       "true",
		"AWS_PROFILE":                     "",
		"AWS_DEFAULT_PROFILE":             "",
		"AWS_SESSION_TOKEN":               "",
	} {
		t.Setenv(k, v)
	}
	os.Unsetenv("AWS_PROFILE")
	os.Unsetenv("AWS_DEFAULT_PROFILE")
	os.Unsetenv("AWS_SESSION_TOKEN")
	old1, old2 := pollFirst, pollMax
	pollFirst, pollMax = time.Millisecond, 4*time.Millisecond
	t.Cleanup(func() { pollFirst, pollMax = old1, old2 })
}

const (
	testMachine   = "arn:aws:states:us-east-1:123456789012:stateMachine:sumsq-machine"
	testMachineEU = "arn:aws:states:eu-central-1:123456789012:stateMachine:other"
)

var executionName = regexp.MustCompile(`^sumsq-\d{8}T\d{6}Z-[0-9a-f]{8}$`)

func TestStart(t *testing.T) {
	total := `{"objects":9,"count":14,"sumOfSquares":"3141592653589793238462643383279","failedObjects":1,` +
		`"failed":[{"bucket":"data","key":"today/random_3.log","error":"InvalidContentError","cause":"line 2 (byte 4): not an integer: \"x\""}]}`
	totalOK := `{"objects":10,"count":16,"sumOfSquares":"2718281828","failedObjects":0,"failed":[]}`
	totalMore := `{"objects":0,"count":0,"sumOfSquares":"0","failedObjects":300,"failed":[{"bucket":"data","key":"k","error":"AccessDeniedError","cause":"no"}],` +
		`"failuresLocation":"s3://data/results/run/failed.jsonl"}`
	tests := []struct {
		name      string
		args      []string
		samconfig string         // written to ./samconfig.toml when not empty
		ended     map[string]any // what the execution ends with
		prefix    string         // the input's prefix
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
			name:   "state machine ARN",
			args:   []string{"-state-machine", testMachineEU, "-name", "my-run_1"},
			calls:  []string{"StartExecution " + testMachineEU + " eu-central-1"},
			stdout: "execution  EXEC\nconsole    URL\n",
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
			ended:  map[string]any{"status": "SUCCEEDED", "output": total},
			calls: []string{"DescribeStacks sumsq us-east-1", "StartExecution " + testMachine + " us-east-1",
				"DescribeExecution us-east-1", "DescribeExecution us-east-1", "DescribeExecution us-east-1"},
			stdout: "execution  EXEC\nconsole    URL\nstatus     SUCCEEDED after 1m2s\nobjects    9\ncount      14\n" +
				"sum        3141592653589793238462643383279\nfailed     1\n" +
				"\ts3://data/today/random_3.log\tInvalidContentError: line 2 (byte 4): not an integer: \"x\"\n",
			status: 1,
		},
		{
			name:   "wait, all summed",
			args:   []string{"-wait", "-state-machine", testMachine},
			ended:  map[string]any{"status": "SUCCEEDED", "output": totalOK},
			calls:  []string{"StartExecution " + testMachine + " us-east-1", "DescribeExecution us-east-1", "DescribeExecution us-east-1", "DescribeExecution us-east-1"},
			stdout: "execution  EXEC\nconsole    URL\nstatus     SUCCEEDED after 1m2s\nobjects    10\ncount      16\nsum        2718281828\nfailed     0\n",
		},
		{
			name:  "wait, more failures than listed",
			args:  []string{"-wait", "-state-machine", testMachine},
			ended: map[string]any{"status": "SUCCEEDED", "output": totalMore},
			calls: []string{"StartExecution " + testMachine + " us-east-1", "DescribeExecution us-east-1", "DescribeExecution us-east-1", "DescribeExecution us-east-1"},
			stdout: "execution  EXEC\nconsole    URL\nstatus     SUCCEEDED after 1m2s\nobjects    0\ncount      0\nsum        0\nfailed     300\n" +
				"\ts3://data/k\tAccessDeniedError: no\n\t... 299 more: all failures are listed in s3://data/results/run/failed.jsonl\n",
			status: 1,
		},
		{
			name:   "wait, execution failed",
			args:   []string{"-wait", "-state-machine", testMachine},
			ended:  map[string]any{"status": "FAILED", "error": "States.ExceedToleratedFailureThreshold", "cause": "too many"},
			calls:  []string{"StartExecution " + testMachine + " us-east-1", "DescribeExecution us-east-1", "DescribeExecution us-east-1", "DescribeExecution us-east-1"},
			stdout: "execution  EXEC\nconsole    URL\nstatus     FAILED after 1m2s\nerror      States.ExceedToleratedFailureThreshold\ncause      too many\n",
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
			ended:  map[string]any{"status": "SUCCEEDED", "output": totalOK},
			calls:  []string{"StartExecution " + testMachine + " us-east-1", "DescribeExecution us-east-1", "DescribeExecution us-east-1", "DescribeExecution us-east-1"},
			stdout: `{"executionArn":"EXEC","consoleUrl":"URL","status":"SUCCEEDED","total":` + totalOK + "}\n",
		},
		{
			name:   "json, wait, execution failed",
			args:   []string{"-json", "-wait", "-state-machine", testMachine},
			ended:  map[string]any{"status": "TIMED_OUT", "error": "States.Timeout"},
			calls:  []string{"StartExecution " + testMachine + " us-east-1", "DescribeExecution us-east-1", "DescribeExecution us-east-1", "DescribeExecution us-east-1"},
			stdout: `{"executionArn":"EXEC","consoleUrl":"URL","status":"TIMED_OUT","error":"States.Timeout"}` + "\n",
			stderr: "sumsq: execution timed_out\n",
			status: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeAWS{
				t: t,
				stacks: map[string]fakeStack{
					"sumsq":     {"CREATE_COMPLETE", map[string]string{"StateMachineArn": testMachine, "DataBucketName": "data"}},
					"from-sam":  {"UPDATE_COMPLETE", map[string]string{"StateMachineArn": testMachine}},
					"other":     {"CREATE_COMPLETE", map[string]string{"StateMachineArn": testMachineEU}},
					"unrelated": {"UPDATE_COMPLETE", map[string]string{"BucketName": "b"}},
				},
				machines:     map[string]bool{testMachine: true, testMachineEU: true},
				runningPolls: 2,
				ended:        tt.ended,
			}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			awsTestEnv(t, srv.URL)
			t.Chdir(t.TempDir())
			if tt.samconfig != "" {
				if err := os.WriteFile("samconfig.toml", []byte(tt.samconfig), 0o644); err != nil {
					t.Fatal(err)
				}
			}

			stdout, stderr, status := sumsqCmd(t, "", append([]string{"start"}, tt.args...)...)

			if strings.Join(fake.calls, "\n") != strings.Join(tt.calls, "\n") {
				t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(fake.calls, "\n"), strings.Join(tt.calls, "\n"))
			}
			want := tt.stdout
			if len(fake.started) > 0 {
				s := fake.started[0]
				wantInput := fmt.Sprintf(`{"prefix":%q}`, tt.prefix)
				if s.Input != wantInput {
					t.Errorf("StartExecution input = %s; want %s", s.Input, wantInput)
				}
				if !slicesContains(tt.args, s.Name) && !executionName.MatchString(s.Name) {
					t.Errorf("StartExecution name = %q; want the form sumsq-20261129T142233Z-0123abcd", s.Name)
				}
				if err := checkExecutionName(s.Name); err != nil {
					t.Errorf("StartExecution name: %v", err)
				}
				exec := strings.Replace(s.StateMachineArn, ":stateMachine:", ":execution:", 1) + ":" + s.Name
				region := strings.Split(s.StateMachineArn, ":")[3]
				url := "https://" + region + ".console.aws.amazon.com/states/home?region=" + region + "#/v2/executions/details/" + exec
				want = strings.ReplaceAll(strings.ReplaceAll(want, "EXEC", exec), "URL", url)
			}
			if stdout != want || stderr != tt.stderr || status != tt.status {
				t.Errorf("sumsq start %q = status %d, stdout:\n%s\nstderr: %q\nwant %d, stdout:\n%s\nstderr: %q", tt.args, status, stdout, stderr, tt.status, want, tt.stderr)
			}
		})
	}
}

func slicesContains(s []string, v string) bool {
	for _, e := range s {
		if e == v {
			return true
		}
	}
	return false
}

func TestStartNoCredentials(t *testing.T) {
	fake := &fakeAWS{t: t}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	awsTestEnv(t, srv.URL)
	os.Unsetenv("AWS_ACCESS_KEY_ID")
	os.Unsetenv("AWS_SECRET_ACCESS_KEY")
	_, stderr, status := sumsqCmd(t, "", "start", "-state-machine", testMachine)
	if want := "sumsq: no AWS credentials found: set AWS_PROFILE"; status != 1 || !strings.HasPrefix(stderr, want) || len(fake.calls) > 0 {
		t.Errorf("sumsq start without credentials = status %d, stderr %q, calls %q; want 1, stderr starting with %q, no call", status, stderr, fake.calls, want)
	}
}

func TestStartWaitInterrupted(t *testing.T) {
	fake := &fakeAWS{t: t, machines: map[string]bool{testMachine: true}, runningPolls: 1 << 30}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	awsTestEnv(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background()) // as Ctrl-C does
	defer cancel()
	time.AfterFunc(100*time.Millisecond, cancel)
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"start", "-wait", "-state-machine", testMachine}, nil, &stdout, &stderr)
	status := exitStatus(err, &stderr)
	if status != 130 || !strings.Contains(stderr.String(), "sumsq: stopped waiting; the execution goes on: https://") || fake.polls == 0 {
		t.Errorf("sumsq start -wait interrupted = status %d, stderr %q after %d polls; want 130, a note that it goes on, some polls", status, stderr.String(), fake.polls)
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
	}{
		{"empty", "", samDefaults{}},
		{"global", "version = 0.1\n[default.global.parameters]\nstack_name = \"s1\"\n", samDefaults{StackName: "s1"}},
		{"deploy wins", "[default.global.parameters]\nstack_name = \"g\"\nregion = \"eu-west-1\"\n[default.deploy.parameters]\nstack_name = \"d\"\n",
			samDefaults{StackName: "d", Region: "eu-west-1"}},
		{"literal string and comment", "[default.deploy.parameters]\n  region = 'us-west-2'   # Oregon\n", samDefaults{Region: "us-west-2"}},
		{"escapes", `[ default.global.parameters ]` + "\nstack_name = \"a\\\"b\" # x\n", samDefaults{StackName: `a"b`}},
		{"other environment", "[prod.global.parameters]\nstack_name = \"prod\"\n[default.build.parameters]\nstack_name = \"build\"\n", samDefaults{}},
		{"not a string", "[default.global.parameters]\nstack_name = 3\nregion = \"unterminated\n", samDefaults{}},
		{"project's samconfig", "", samDefaults{StackName: "sumsq"}}, // read from the repository below
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
		if got != tt.want || err != nil {
			t.Errorf("%s: readSAMConfig = %+v, %v; want %+v, nil", tt.name, got, err, tt.want)
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
