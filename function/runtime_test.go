package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
)

// runMainEnv makes the test binary run main instead of the tests, so that
// a test can run the function itself, runtime loop and all, in a child
// process.
const runMainEnv = "SUMSQ_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// runtimeAPI is the Lambda Runtime API, as much of it as aws-lambda-go
// uses: it hands out invocations and collects their answers.
type runtimeAPI struct {
	srv  *httptest.Server
	next chan invocation

	mu      sync.Mutex
	answers map[string]chan answer // by request ID
	id      int
}

type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
}

// answer is what the function posted: a response, or an error document.
type answer struct {
	body    []byte
	isError bool
}

func newRuntimeAPI(t *testing.T) *runtimeAPI {
	api := &runtimeAPI{next: make(chan invocation), answers: make(map[string]chan answer)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		select {
		case inv := <-api.next:
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", inv.id)
			w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
			w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:sumsq")
			w.Write(inv.payload)
		case <-r.Context().Done():
		}
	})
	post := func(isError bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			api.mu.Lock()
			ch := api.answers[r.PathValue("id")]
			api.mu.Unlock()
			if ch == nil {
				http.Error(w, "unknown request ID", http.StatusBadRequest)
				return
			}
			ch <- answer{body: body, isError: isError}
			w.WriteHeader(http.StatusAccepted)
		}
	}
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", post(false))
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", post(true))
	api.srv = httptest.NewServer(mux)
	t.Cleanup(api.srv.Close)
	return api
}

// invoke hands payload to the function with timeout to run and returns its
// answer.
func (api *runtimeAPI) invoke(t *testing.T, payload []byte, timeout time.Duration) answer {
	t.Helper()
	api.mu.Lock()
	api.id++
	inv := invocation{id: fmt.Sprint("req-", api.id), payload: payload, deadline: time.Now().Add(timeout)}
	ch := make(chan answer, 1)
	api.answers[inv.id] = ch
	api.mu.Unlock()
	wait := time.NewTimer(timeout + 10*time.Second)
	defer wait.Stop()
	select {
	case api.next <- inv:
	case <-wait.C:
		t.Fatal("the function did not ask for an invocation")
	}
	select {
	case a := <-ch:
		return a
	case <-wait.C:
		t.Fatalf("no answer to %s", payload)
	}
	return answer{}
}

// startFunction runs the function in a child process with env added to a
// clean environment, and stops it when the test ends.
func startFunction(t *testing.T, env ...string) (cmd *exec.Cmd, stderr *bytes.Buffer) {
	t.Helper()
	cmd = exec.Command(os.Args[0], "-test.run=^$")
	for _, kv := range os.Environ() {
		// Nothing of this machine's AWS or Lambda settings.
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "AWS_") && !strings.HasPrefix(k, "_LAMBDA") &&
			!strings.HasPrefix(k, "SUMSQ_") && k != envLogLevel && k != s3store.PathStyleEnv {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, runMainEnv+"=1",
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE="+filepath.Join(t.TempDir(), "none"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(t.TempDir(), "none"))
	cmd.Env = append(cmd.Env, env...)
	stderr = new(bytes.Buffer)
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill() // a Lambda function runs until it is stopped
		cmd.Wait()
		if t.Failed() {
			t.Logf("function's stderr:\n%s", stderr)
		}
	})
	return cmd, stderr
}

// TestRuntime runs the function as Lambda runs it, through aws-lambda-go's
// runtime loop, and pins each error's errorType as the runtime reports it:
// the names statemachine.asl.json matches.
func TestRuntime(t *testing.T) {
	srv := newTestServer(t)
	srv.Hook(bucket, "denied.log", s3test.Fail(http.StatusForbidden, "AccessDenied"))
	srv.Hook(bucket, "unavailable.log", s3test.Fail(http.StatusInternalServerError, "InternalError"))
	srv.Hook(bucket, "stalls.log", s3test.Stall(2))
	srv.Put(t, bucket, "changes.log", bytes.Repeat([]byte("12345\n"), 1000))
	srv.Hook(bucket, "changes.log", srv.ChangeOnResume(bucket, "changes.log", 100, []byte("1\n")))
	api := newRuntimeAPI(t)
	startFunction(t,
		"AWS_LAMBDA_RUNTIME_API="+strings.TrimPrefix(api.srv.URL, "http://"),
		"AWS_ENDPOINT_URL_S3="+srv.URL,
		"S3_FORCE_PATH_STYLE=true",
		"AWS_MAX_ATTEMPTS=2",
		"LOG_LEVEL=ERROR")

	for _, name := range []string{"object.json", "total.json"} {
		t.Run("testdata/"+name, func(t *testing.T) {
			a := api.invoke(t, readFile(t, filepath.Join("testdata", name)), time.Minute)
			if want := testdataOutputs[name]; a.isError || string(a.body) != want {
				t.Errorf("answer %s (error: %v); want %s", a.body, a.isError, want)
			}
		})
	}
	totalEvent := readFileString(t, "total.json")

	tests := []struct {
		name      string
		event     string
		timeout   time.Duration
		errorType string
		message   string // how errorMessage begins
	}{
		{"not JSON", `{"bucket": `, time.Minute,
			"InvalidEventError", "invalid event: not JSON"},
		{"not an event", `"today/random_1.log"`, time.Minute,
			"InvalidEventError", `invalid event: "today/random_1.log": want`},
		{"bad content", `{"bucket": "arn:aws:s3:::my-bucket", "key": "today/bad.log"}`, time.Minute,
			"InvalidContentError", `s3://my-bucket/today/bad.log: line 3 (byte 4): not an integer: "seven"`},
		{"missing object", `{"bucket": "my-bucket", "key": "today/nothing.log"}`, time.Minute,
			"ObjectNotFoundError", "s3://my-bucket/today/nothing.log: object not found"},
		{"access denied", `{"bucket": "my-bucket", "key": "denied.log"}`, time.Minute,
			"AccessDeniedError", "s3://my-bucket/denied.log: access denied: "},
		{"S3 unavailable", `{"bucket": "my-bucket", "key": "unavailable.log"}`, time.Minute,
			"S3UnavailableError", "s3://my-bucket/unavailable.log: S3 unavailable: "},
		{"object changed", `{"bucket": "my-bucket", "key": "changes.log"}`, time.Minute,
			"ObjectChangedError", "s3://my-bucket/changes.log: object changed while being read"},
		{"timeout", `{"bucket": "my-bucket", "key": "stalls.log", "size": 10}`, 2 * time.Second,
			"TimeoutError", "s3://my-bucket/stalls.log: stopped before the invocation's deadline"},
		{"missing manifest", strings.Replace(totalEvent, largeRunID+"/manifest.json", "none/manifest.json", 1), time.Minute,
			"InvalidResultsError", "results/none/manifest.json: invalid Map results: "},
		{"too many failures", strings.Replace(totalEvent, `"ToleratedFailurePercentage": 50`, `"ToleratedFailurePercentage": 10`, 1), time.Minute,
			"TooManyFailuresError", "2 of 6 objects failed, more than the 10% ToleratedFailurePercentage allows; " +
				"every failed object is listed in s3://my-bucket/results/" + dataRunID + "/failed/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			a := api.invoke(t, []byte(tt.event), tt.timeout)
			var got struct{ ErrorMessage, ErrorType string }
			if err := json.Unmarshal(a.body, &got); err != nil || !a.isError {
				t.Fatalf("answer %s (error: %v); want an error document", a.body, a.isError)
			}
			if got.ErrorType != tt.errorType || !strings.HasPrefix(got.ErrorMessage, tt.message) {
				t.Errorf("errorType %q, errorMessage %q; want %q, beginning %q", got.ErrorType, got.ErrorMessage, tt.errorType, tt.message)
			}
			if elapsed := time.Since(start); elapsed >= tt.timeout {
				t.Errorf("answered after %v; want before the %v deadline", elapsed, tt.timeout)
			}
		})
	}
	if n := srv.Requests(http.MethodGet, bucket, "unavailable.log"); n != 2 {
		t.Errorf("%d GETs of unavailable.log; want 2 (AWS_MAX_ATTEMPTS)", n)
	}
}

// TestRuntimeBadConfig checks that the function stops at start, saying
// which variable is wrong in a JSON line of level FATAL with a timestamp:
// a plain-text line would count as INFO and be dropped by Lambda's log
// filtering at an ApplicationLogLevel of WARN or ERROR
// (monitoring-cloudwatchlogs-log-level.html).
func TestRuntimeBadConfig(t *testing.T) {
	cmd, stderr := startFunction(t, "SUMSQ_CONCURRENCY=zero", "LOG_LEVEL=ERROR", "AWS_LAMBDA_RUNTIME_API=127.0.0.1:9")
	err := cmd.Wait()
	if cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("function exited with %v; want status 1", err)
	}
	var line struct{ Timestamp, Level, Msg, Error string }
	dec := json.NewDecoder(stderr)
	if err := dec.Decode(&line); err != nil || dec.More() {
		t.Fatalf("stderr %q: want one JSON line (%v)", stderr, err)
	}
	want := `SUMSQ_CONCURRENCY="zero": want an integer from 1 to 256`
	if line.Level != "FATAL" || line.Msg != "cannot start: configuration" || line.Error != want {
		t.Errorf("start-up error logged as %+v; want level FATAL, msg %q, error %q", line, "cannot start: configuration", want)
	}
	if _, err := time.Parse(time.RFC3339, line.Timestamp); err != nil {
		t.Errorf("timestamp %q: %v; want RFC 3339", line.Timestamp, err)
	}
}
