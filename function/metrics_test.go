package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/sumsq/sumsq/internal/s3store"
)

// TestBatchMetrics checks that a batch's log line is a valid record of the
// embedded metric format, as CloudWatch Logs reads it: every dimension and
// metric it declares is a member of the line, of the right kind, so that
// the dashboard's objects and failedObjects are recorded; and that outside
// Lambda the line has no metrics.
func TestBatchMetrics(t *testing.T) {
	srv := newTestServer(t)
	var logs bytes.Buffer
	h := newHandler(testConfig(t), s3store.New(srv.Client()), newLogger(&logs, slog.LevelInfo))
	batch := readFile(t, "testdata/batch.json")

	h.Invoke(context.Background(), batch)
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if _, ok := line["_aws"]; ok {
		t.Errorf("outside Lambda the log line has metrics: %s", logs.Bytes())
	}

	h.metrics.function = "sumsq-SumFunction-abc"
	logs.Reset()
	before := time.Now().Add(-time.Second).UnixMilli()
	h.Invoke(context.Background(), batch)
	var got struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
	}
	line = nil
	if err := json.Unmarshal(logs.Bytes(), &got); err != nil || json.Unmarshal(logs.Bytes(), &line) != nil {
		t.Fatalf("log line %s: %v", logs.Bytes(), err)
	}
	if got.AWS.Timestamp < before || got.AWS.Timestamp > time.Now().UnixMilli() {
		t.Errorf("_aws.Timestamp %d; want the time of the invocation in milliseconds", got.AWS.Timestamp)
	}
	if len(got.AWS.CloudWatchMetrics) != 1 {
		t.Fatalf("log line %s: want one metric directive", logs.Bytes())
	}
	d := got.AWS.CloudWatchMetrics[0]
	if d.Namespace != metricsNamespace {
		t.Errorf("namespace %q; want %q", d.Namespace, metricsNamespace)
	}
	for _, set := range d.Dimensions {
		for _, name := range set {
			if _, ok := line[name].(string); !ok {
				t.Errorf("dimension %s is not a string member of the line %s", name, logs.Bytes())
			}
		}
	}
	if line["FunctionName"] != "sumsq-SumFunction-abc" {
		t.Errorf("FunctionName = %v; want the function's name", line["FunctionName"])
	}
	var names []string
	for _, m := range d.Metrics {
		names = append(names, m.Name)
		if _, ok := line[m.Name].(float64); !ok || m.Unit != "Count" {
			t.Errorf("metric %s (%s) is not a numeric member of the line %s", m.Name, m.Unit, logs.Bytes())
		}
	}
	if want := []string{"objects", "failedObjects"}; !slices.Equal(names, want) || line["objects"] != 3.0 {
		t.Errorf("metrics %v, objects %v; want %v, 3", names, line["objects"], want)
	}
}
