package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/s3test"
)

// The bucket the events in testdata name; testdata/s3/my-bucket holds the
// objects they refer to.
const bucket = "my-bucket"

// testConfig is the default configuration.
func testConfig(t *testing.T) config {
	t.Helper()
	c, err := loadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newTestServer is a fake S3 holding the objects under testdata/s3.
func newTestServer(t *testing.T) *s3test.Server {
	t.Helper()
	srv := s3test.NewServer(t, bucket)
	root := filepath.Join("testdata", "s3", bucket)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		key, _ := filepath.Rel(root, path)
		srv.Put(t, bucket, filepath.ToSlash(key), body)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func newTestHandler(srv *s3test.Server, c config) *handler {
	return newHandler(c, s3store.New(srv.Client()), slog.New(slog.NewJSONHandler(io.Discard, nil)))
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testdataOutputs are the answers to the events in testdata, the ones the
// README shows for `sam local invoke -e`.
var testdataOutputs = map[string]string{
	"object.json":      `{"bucket":"my-bucket","key":"today/random_1.log","count":6,"sumOfSquares":"1191699"}`,
	"object-name.json": `{"bucket":"my-bucket","key":"today/random_2.log","count":3,"sumOfSquares":"63614"}`,
	"batch.json":       batchOutput,
	"total.json":       totalOutput,
}

const (
	batchOutput = `{"objects":3,"count":11,"sumOfSquares":"15241578753238836750495351562536198787501905199875020309177",` +
		`"results":[{"bucket":"my-bucket","key":"today/random_1.log","count":6,"sumOfSquares":"1191699"},` +
		`{"bucket":"my-bucket","key":"today/random_2.log","count":3,"sumOfSquares":"63614"},` +
		`{"bucket":"my-bucket","key":"today/random_3.log","count":2,"sumOfSquares":"15241578753238836750495351562536198787501905199875019053864"}],` +
		`"failedObjects":0,"failed":[]}`
	totalOutput = `{"objects":4,"count":13,"sumOfSquares":"15241578753238836750495351562536198787501905199875020309202",` +
		`"failedObjects":2,"failed":[{"bucket":"my-bucket","key":"today/bad.log","error":"InvalidContentError",` +
		`"cause":"line 3 (byte 4): not an integer: \"seven\""},` +
		`{"bucket":"my-bucket","key":"today/random_5.log","error":"S3UnavailableError",` +
		`"cause":"s3://my-bucket/today/random_5.log: S3 unavailable: operation error S3: GetObject, exceeded maximum number of attempts, 3, ` +
		`https response error StatusCode: 503, RequestID: 4GZ1T8SV7J9KQ2XH, api error SlowDown: Please reduce your request rate."}],` +
		`"failuresLocation":"s3://my-bucket/results/0f8a1c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b/failed/"}`
)

// TestTestdataEvents invokes the handler with each event in testdata, as
// `sam local invoke -e` does, and checks the exact answer.
func TestTestdataEvents(t *testing.T) {
	events, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != len(testdataOutputs) {
		t.Errorf("testdata has %d events, %v; want the %d with outputs here", len(events), events, len(testdataOutputs))
	}
	h := newTestHandler(newTestServer(t), testConfig(t))
	for _, file := range events {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			got, err := h.Invoke(context.Background(), readFile(t, file))
			if want := testdataOutputs[name]; string(got) != want || err != nil {
				t.Errorf("Invoke(%s) =\n%s, %v\nwant\n%s, nil", name, got, err, want)
			}
		})
	}
}

// TestTestdataRun checks that the data Map Run in testdata/s3 is one the
// function could have written, in the layout of the template's ResultWriter
// (COMPACT, JSONL): each output in SUCCEEDED_0.json is what the handler answers to
// a batch of the objects it names, and the batch in FAILED_0.json's record
// fails as the record says when S3 is unavailable.
func TestTestdataRun(t *testing.T) {
	dirs := []string{filepath.Join("testdata", "s3", bucket, "results", dataRunID)}
	var outputs []job.BatchResult
	if err := jsonLines(readFile(t, filepath.Join(dirs[0], "SUCCEEDED_0.json")), &outputs); err != nil {
		t.Fatal(err)
	}
	h := newTestHandler(newTestServer(t), testConfig(t))
	for i, out := range outputs {
		var b job.Batch
		for _, r := range out.Results {
			b.Items = append(b.Items, job.Object{Bucket: r.Bucket, Key: r.Key})
		}
		for _, f := range out.Failed {
			b.Items = append(b.Items, job.Object{Bucket: f.Bucket, Key: f.Key})
		}
		event, _ := json.Marshal(b)
		got, err := h.Invoke(context.Background(), event)
		want, _ := job.Marshal(out)
		if string(got) != string(want) || err != nil {
			t.Errorf("output %d: Invoke(%s) =\n%s, %v\nwant\n%s", i, event, got, err, want)
		}
	}

	var failed []struct{ Input, Error string }
	if err := jsonLines(readFile(t, filepath.Join(dirs[0], "FAILED_0.json")), &failed); err != nil || len(failed) != 1 {
		t.Fatalf("FAILED_0.json: %d records, %v; want 1", len(failed), err)
	}
	srv := newTestServer(t)
	var b job.Batch
	if err := json.Unmarshal([]byte(failed[0].Input), &b); err != nil {
		t.Fatal(err)
	}
	for _, o := range b.Items {
		srv.Hook(bucket, o.Key, s3test.Fail(http.StatusServiceUnavailable, "SlowDown"))
	}
	_, err := newTestHandler(srv, testConfig(t)).Invoke(context.Background(), []byte(failed[0].Input))
	if got := job.ErrorType(err); got != failed[0].Error {
		t.Errorf("Invoke(FAILED_0.json's input) with S3 unavailable = %v; want a %s", err, failed[0].Error)
	}
}

// TestHandleInvalidEvent checks that every event the function does not
// accept is an *job.InvalidEventError, returned unwrapped, saying why.
func TestHandleInvalidEvent(t *testing.T) {
	tests := []struct {
		name, event, reason string
	}{
		{"empty", ``, "not JSON"},
		{"truncated", `{"bucket": `, "not JSON"},
		{"string", `"today/random_1.log"`, `"today/random_1.log": want {"Items", "BatchInput"}, {"Inventory"}, {"PlanTotal"}, {"TotalPart"}, {"Gather"}, {"Range"}, {"Total"} or {"bucket", "key"}`},
		{"number", `42`, "42: want"},
		{"null", `null`, "null: want"},
		{"empty object", `{}`, "{}: want"},
		{"other object", `{"prefix": "today/"}`, `{"prefix": "today/"}: want`},
		{"unknown field", `{"bucket": "my-bucket", "key": "k", "etag": "x"}`, `object event: unknown field "etag"`},
		{"key not a string", `{"bucket": "my-bucket", "key": 5}`, "object event: cannot unmarshal number"},
		{"size a string", `{"bucket": "my-bucket", "key": "k", "size": "10"}`, "object event: cannot unmarshal string"},
		{"size a fraction", `{"bucket": "my-bucket", "key": "k", "size": 1.5}`, "object event: cannot unmarshal number 1.5"},
		{"no key", `{"bucket": "my-bucket"}`, `missing or empty "key"`},
		{"no bucket", `{"key": "k"}`, "empty bucket name"},
		{"bad ARN", `{"bucket": "arn:aws:s3:us-east-1::my-bucket", "key": "k"}`, "want arn:aws:s3:::BUCKET"},
		{"Items null", `{"Items": null}`, `"Items" must be an array`},
		{"Items an object", `{"Items": {}}`, "batch event: cannot unmarshal object"},
		{"unknown field in an item", `{"Items": [{"bucket": "my-bucket", "key": "k", "ETag": "x"}]}`, `batch event: unknown field "ETag"`},
		{"unknown field in a batch", `{"Items": [], "BatchInput": {}, "Extra": 1}`, `batch event: unknown field "Extra"`},
		{"unknown field in a plan", `{"PlanTotal": {"MapRunArn": "arn:m", "ResultWriterDetails": {"Bucket": "b", "Key": "k", "Extra": 1}}, "PartBytes": 1}`, `plan event: unknown field "Extra"`},
		{"plan without its part size", `{"PlanTotal": {"MapRunArn": "arn:m", "ResultWriterDetails": {"Bucket": "my-bucket", "Key": "results/x/manifest.json"}, "ItemCounts": {"Total": 1}}}`, "PartBytes is required"},
		{"plan part size a string", `{"PlanTotal": {}, "PartBytes": "1"}`, "plan event: cannot unmarshal string"},
		{"plan ResultWriterDetails null", `{"PlanTotal": {"MapRunArn": "arn:m", "ResultWriterDetails": null, "ItemCounts": {"Total": 1}}, "PartBytes": 1}`, "ResultWriterDetails needs a Bucket and a Key"},
		{"plan item count a fraction", `{"PlanTotal": {"MapRunArn": "arn:m", "ResultWriterDetails": {"Bucket": "my-bucket", "Key": "results/x/manifest.json"}, "ItemCounts": {"Total": 1.5}}, "PartBytes": 1}`, "plan event: cannot unmarshal number 1.5"},
		{"plan unknown item count", `{"PlanTotal": {"MapRunArn": "arn:m", "ResultWriterDetails": {"Bucket": "my-bucket", "Key": "results/x/manifest.json"}, "ItemCounts": {"Total": 1, "Failed": 0}}, "PartBytes": 1}`, `plan event: unknown field "Failed"`},
		{"plan in another bucket", `{"PlanTotal": {"MapRunArn": "arn:m", "ResultWriterDetails": {"Bucket": "other-bucket", "Key": "results/x/manifest.json"}, "ItemCounts": {"Total": 1}}, "PartBytes": 1}`, `this function reads only bucket "my-bucket"`},
		{"plan outside results", `{"PlanTotal": {"MapRunArn": "arn:m", "ResultWriterDetails": {"Bucket": "my-bucket", "Key": "today/manifest.json"}, "ItemCounts": {"Total": 1}}, "PartBytes": 1}`, `not in a run's directory under the results prefix`},
		{"plan bucket ARN of a bad name", `{"PlanTotal": {"MapRunArn": "arn:m", "ResultWriterDetails": {"Bucket": "arn:aws:s3:::Bad_Name", "Key": "results/x/manifest.json"}, "ItemCounts": {"Total": 1}}, "PartBytes": 1}`, `a bucket name has only lowercase`},
		{"part null", `{"TotalPart": null}`, "TotalPart is required"},
		{"unknown field in a part", `{"TotalPart": {"bucket": "my-bucket", "key": "results/x/SUCCEEDED_0.json", "size": 2, "start": 0, "end": 1, "index": 0, "Extra": 1}}`, `part event: unknown field "Extra"`},
		{"part of no status", `{"TotalPart": {"bucket": "my-bucket", "key": "results/x/SUCCEEDED_0.json", "size": 2, "start": 0, "end": 1, "index": 0}}`, "status \"\" is not a Map Run's"},
		{"part past its file", `{"TotalPart": {"bucket": "my-bucket", "key": "results/x/SUCCEEDED_0.json", "status": "SUCCEEDED", "size": 2, "start": 0, "end": 3, "index": 0}}`, "bytes [0, 3) of 2, index 0: not a part of a file"},
		{"part outside results", `{"TotalPart": {"bucket": "my-bucket", "key": "today/SUCCEEDED_0.json", "status": "SUCCEEDED", "size": 2, "start": 0, "end": 1, "index": 0}}`, `not in a run's directory under the results prefix`},
		{"part in another bucket", `{"TotalPart": {"bucket": "other-bucket", "key": "results/x/SUCCEEDED_0.json", "status": "SUCCEEDED", "size": 2, "start": 0, "end": 1, "index": 0}}`, `this function reads only bucket "my-bucket"`},
		{"gather without its split size", `{"Gather": {}, "Objects": {}, "Plan": {}}`, "SplitBytes is required"},
		{"gather without its plan", `{"Gather": {}, "Objects": {}, "SplitBytes": 1}`, "Plan is required"},
		{"unknown field in a gather", `{"Gather": {}, "Objects": {}, "Plan": {"Parts": 1, "Extra": 1}, "SplitBytes": 1}`, `gather event: unknown field "Extra"`},
		{"gather of no data run", `{"Gather": {}, "Plan": {}, "SplitBytes": 1}`, "Objects"},
		{"total without its tolerance", `{"Total": {}, "Ranges": {"Count": 0}}`, "ToleratedFailurePercentage is required"},
		{"total without its ranges", `{"Total": {}, "ToleratedFailurePercentage": 5}`, "Ranges is required"},
		{"total percentage a string", `{"Total": {}, "Ranges": {}, "ToleratedFailurePercentage": "5"}`, "total event: cannot unmarshal string"},
		{"total percentage over 100", `{"Total": {}, "Ranges": {"Count": 0}, "ToleratedFailurePercentage": 101}`, "ToleratedFailurePercentage 101 is not from 0 to 100"},
		{"total without its range count", `{"Total": {}, "Ranges": {"ItemCounts": {"Total": 0}}, "ToleratedFailurePercentage": 5}`, "Ranges: Count is required"},
		{"unknown field in a total", `{"Total": {"objects": 1, "Extra": 1}, "Ranges": {}, "ToleratedFailurePercentage": 5}`, `total event: unknown field "Extra"`},
		{"the old total", `{"MapRunArn": "arn:m", "ResultWriterDetails": {"Bucket": "my-bucket", "Key": "results/x/manifest.json"}, "ItemCounts": {"Total": 1}, "ToleratedFailurePercentage": 5}`, `want {"Items", "BatchInput"}, {"Inventory"}, {"PlanTotal"}, {"TotalPart"}, {"Gather"}, {"Range"}, {"Total"} or {"bucket", "key"}`},
		{"an array", `[{"objects": 1}]`, "want {"},
		{"duplicate field", `{"bucket": "my-bucket", "key": "a", "key": "b"}`, `object event: field "key" given twice`},
		{"case-variant field", `{"bucket": "my-bucket", "key": "a", "KEY": "b"}`, `object event: field "KEY" given twice, also as "key"`},
		{"case-variant field in an item", `{"Items": [{"bucket": "my-bucket", "key": "a", "Key": "b"}]}`, `batch event: field "Key" given twice, also as "key" (at Items.[].Key)`},
		{"duplicate Items", `{"Items": [], "items": []}`, `batch event: field "items" given twice, also as "Items"`},
		{"other bucket", `{"bucket": "other-bucket", "key": "a"}`, `this function reads only bucket "my-bucket"`},
		{"results object", `{"bucket": "my-bucket", "key": "results/x/SUCCEEDED_0.json"}`, `where the Map writes its results`},
	}
	c := testConfig(t)
	c.Bucket = bucket
	h := newTestHandler(s3test.NewServer(t, bucket), c)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.Invoke(context.Background(), []byte(tt.event))
			e, ok := err.(*job.InvalidEventError)
			if got != nil || !ok || !strings.Contains(e.Reason, tt.reason) {
				t.Fatalf("Invoke(%s) = %s, %#v; want *job.InvalidEventError containing %q", tt.event, got, err, tt.reason)
			}
		})
	}
}

// jsonLines decodes a file of JSON Lines, one value a line, into the
// slice *v points to.
func jsonLines[T any](b []byte, v *[]T) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var e T
		if err := dec.Decode(&e); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		*v = append(*v, e)
	}
}

// TestHandleInvalidEventShortened: an event that is none of the shapes is
// quoted in the message cut short, and never in the middle of a character
// (the message is JSON, where a broken one becomes U+FFFD).
func TestHandleInvalidEventShortened(t *testing.T) {
	h := newTestHandler(s3test.NewServer(t, bucket), testConfig(t))
	for n := 50; n < 70; n++ {
		event := `{"prefix": "` + strings.Repeat("x", n) + `€€€€€€€€"}`
		_, err := h.Invoke(context.Background(), []byte(event))
		e, ok := err.(*job.InvalidEventError)
		if !ok || !utf8.ValidString(e.Reason) || len(e.Reason) > 200 || !strings.Contains(e.Reason, "...: want {") {
			t.Fatalf("Invoke(%s) = %#v; want an *job.InvalidEventError quoting the event shortened, in valid UTF-8", event, err)
		}
	}
}

// TestHandleErrors checks that failures come back as the job package's
// types, unwrapped, for each event shape.
func TestHandleErrors(t *testing.T) {
	srv := newTestServer(t)
	srv.Hook(bucket, "denied.log", s3test.Fail(http.StatusForbidden, "AccessDenied"))
	srv.Hook(bucket, "unavailable.log", s3test.Fail(http.StatusServiceUnavailable, "ServiceUnavailable"))
	tests := []struct {
		name, event string
		want        error  // its type
		prefix      string // how its message begins
	}{
		{"missing object", `{"bucket": "my-bucket", "key": "today/nothing.log"}`,
			&job.ObjectNotFoundError{}, "s3://my-bucket/today/nothing.log: object not found"},
		{"missing bucket", `{"bucket": "arn:aws:s3:::no-such-bucket", "key": "a.log"}`,
			&job.ObjectNotFoundError{}, "s3://no-such-bucket/a.log: object not found"},
		{"bad content", `{"bucket": "my-bucket", "key": "today/bad.log"}`,
			&job.InvalidContentError{}, `s3://my-bucket/today/bad.log: line 3 (byte 4): not an integer: "seven"`},
		{"access denied", `{"bucket": "my-bucket", "key": "denied.log"}`,
			&job.AccessDeniedError{}, "s3://my-bucket/denied.log: access denied: "},
		{"S3 unavailable", `{"bucket": "my-bucket", "key": "unavailable.log"}`,
			&job.S3UnavailableError{}, "s3://my-bucket/unavailable.log: S3 unavailable: "},
		{"S3 unavailable in a batch", `{"Items": [{"bucket": "my-bucket", "key": "today/random_1.log"}, {"bucket": "my-bucket", "key": "unavailable.log"}]}`,
			&job.S3UnavailableError{}, "s3://my-bucket/unavailable.log: S3 unavailable: "},
		{"missing manifest", `{"PlanTotal": {"MapRunArn": "arn:aws:states:us-east-1:123456789012:mapRun:sumsq-sumsq/SumObjects:none", ` +
			`"ResultWriterDetails": {"Bucket": "my-bucket", "Key": "results/none/manifest.json"}, "ItemCounts": {"Total": 0}}, "PartBytes": 1000}`,
			&job.InvalidResultsError{}, "results/none/manifest.json: invalid Map results: "},
		{"missing result file", `{"TotalPart": {"bucket": "my-bucket", "key": "results/none/SUCCEEDED_0.json", "status": "SUCCEEDED", "size": 10, "start": 0, "end": 10, "index": 0}}`,
			&job.InvalidResultsError{}, "results/none/SUCCEEDED_0.json: invalid Map results: "},
	}
	h := newTestHandler(srv, testConfig(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.Invoke(context.Background(), []byte(tt.event))
			if got != nil || reflect.TypeOf(err) != reflect.TypeOf(tt.want) || !strings.HasPrefix(err.Error(), tt.prefix) {
				t.Fatalf("Invoke(%s) = %s, %T %v; want %T beginning %q", tt.event, got, err, err, tt.want, tt.prefix)
			}
		})
	}
}

// TestHandleDeadline checks that the handler stops reading a margin before
// the invocation's deadline and returns a *job.TimeoutError.
func TestHandleDeadline(t *testing.T) {
	tests := []struct {
		name    string
		margin  time.Duration // configured
		timeout time.Duration // left to the invocation
		stop    time.Duration // when the handler should stop
	}{
		{"a tenth of a short timeout", 5 * time.Second, 2 * time.Second, 1800 * time.Millisecond},
		{"configured margin", 150 * time.Millisecond, time.Second, 850 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t)
			srv.Hook(bucket, "today/random_1.log", s3test.Stall(3))
			c := testConfig(t)
			c.TimeoutMargin = tt.margin
			h := newTestHandler(srv, c)
			start := time.Now()
			ctx, cancel := context.WithDeadline(context.Background(), start.Add(tt.timeout))
			defer cancel()
			got, err := h.Invoke(ctx, readFile(t, filepath.Join("testdata", "object.json")))
			elapsed := time.Since(start)
			want := &job.TimeoutError{Bucket: bucket, Key: "today/random_1.log", Location: "s3://my-bucket/today/random_1.log"}
			if got != nil || !reflect.DeepEqual(err, want) {
				t.Fatalf("Invoke = %s, %v; want %v", got, err, want)
			}
			if elapsed < tt.stop || elapsed >= tt.timeout {
				t.Errorf("Invoke returned after %v; want from %v to the %v deadline", elapsed, tt.stop, tt.timeout)
			}
		})
	}
}

// TestInvokeEncoding checks that results are encoded as the runtime
// encodes them: no HTML escaping.
func TestInvokeEncoding(t *testing.T) {
	srv := s3test.NewServer(t, bucket)
	srv.Put(t, bucket, "a<b>&c", []byte("2\n"))
	h := newTestHandler(srv, testConfig(t))
	got, err := h.Invoke(context.Background(), []byte(`{"bucket": "my-bucket", "key": "a<b>&c"}`))
	want := `{"bucket":"my-bucket","key":"a<b>&c","count":1,"sumOfSquares":"4"}`
	if string(got) != want || err != nil {
		t.Errorf("Invoke = %s, %v; want %s, nil", got, err, want)
	}
}

// TestHandleLog checks the one JSON log line of an invocation.
func TestHandleLog(t *testing.T) {
	srv := newTestServer(t)
	var logs bytes.Buffer
	h := newHandler(testConfig(t), s3store.New(srv.Client()), newLogger(&logs, slog.LevelInfo))
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	tests := []struct {
		event string
		want  map[string]any // fields of the log line, besides time and duration
	}{
		{readFileString(t, "batch.json"),
			map[string]any{"level": "INFO", "msg": "done", "event": "batch", "requestId": "req-1", "objects": 3.0, "failedObjects": 0.0}},
		{`{"bucket": "my-bucket", "key": "today/bad.log"}`,
			map[string]any{"level": "ERROR", "msg": "failed", "event": "object", "requestId": "req-1", "errorType": "InvalidContentError",
				"error": `s3://my-bucket/today/bad.log: line 3 (byte 4): not an integer: "seven"`}},
	}
	for _, tt := range tests {
		logs.Reset()
		h.Invoke(ctx, []byte(tt.event))
		var got map[string]any
		if err := json.Unmarshal(logs.Bytes(), &got); err != nil {
			t.Fatalf("log of %.40s: %q: %v", tt.event, logs.String(), err)
		}
		if _, ok := got["duration"]; !ok {
			t.Errorf("log of %.40s: %s; want a duration", tt.event, logs.String())
		}
		if ts, ok := got["timestamp"].(string); !ok {
			t.Errorf("log of %.40s: %s; want a timestamp", tt.event, logs.String())
		} else if _, err := time.Parse(time.RFC3339, ts); err != nil {
			t.Errorf("log of %.40s: timestamp %q: %v; want RFC 3339", tt.event, ts, err)
		}
		delete(got, "timestamp")
		delete(got, "duration")
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("log of %.40s = %v; want %v", tt.event, got, tt.want)
		}
	}
}

func readFileString(t *testing.T, name string) string {
	return string(readFile(t, filepath.Join("testdata", name)))
}
