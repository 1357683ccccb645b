package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"
)

// TestLoggerLambdaKeys checks the keys Lambda's log-level filtering reads
// from a JSON log line: "level" with Lambda's level names, TRACE and FATAL
// included, and "timestamp" in RFC 3339. Without them, Lambda takes a line
// for INFO and drops it under an ApplicationLogLevel of WARN or ERROR.
func TestLoggerLambdaKeys(t *testing.T) {
	tests := []struct {
		level slog.Level
		want  string
	}{
		{levelTrace, "TRACE"},
		{slog.LevelDebug, "DEBUG"},
		{slog.LevelInfo, "INFO"},
		{slog.LevelWarn, "WARN"},
		{slog.LevelError, "ERROR"},
		{levelFatal, "FATAL"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		before := time.Now().Add(-time.Second)
		newLogger(&b, levelTrace).Log(context.Background(), tt.level, "m", "errorType", "X")
		var line map[string]any
		if err := json.Unmarshal(b.Bytes(), &line); err != nil {
			t.Fatalf("log line %q: %v", b.String(), err)
		}
		if line["level"] != tt.want {
			t.Errorf("level %v logs level %v; want %q", tt.level, line["level"], tt.want)
		}
		ts, _ := line["timestamp"].(string)
		if when, err := time.Parse(time.RFC3339, ts); err != nil || when.Before(before) {
			t.Errorf("level %v logs timestamp %q (%v); want the time now in RFC 3339", tt.level, ts, err)
		}
		if _, ok := line["time"]; ok {
			t.Errorf("log line %s has a time key; want only timestamp", b.String())
		}
		if line["errorType"] != "X" {
			t.Errorf("log line %s lost its attributes", b.String())
		}
	}
}

// TestLoggerLevelFilter checks that the configured level filters as
// Lambda's does: at WARN, an INFO line is dropped and an ERROR line kept.
func TestLoggerLevelFilter(t *testing.T) {
	var b bytes.Buffer
	log := newLogger(&b, slog.LevelWarn)
	log.Info("dropped")
	log.Error("kept")
	if n := bytes.Count(b.Bytes(), []byte("\n")); n != 1 || !bytes.Contains(b.Bytes(), []byte(`"level":"ERROR"`)) {
		t.Errorf("at WARN, logged %q; want the ERROR line only", b.String())
	}
}
