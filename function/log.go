package main

import (
	"io"
	"log/slog"
	"time"
)

// Lambda's log levels that slog lacks, one step beyond its own.
const (
	levelTrace = slog.LevelDebug - 4
	levelFatal = slog.LevelError + 4
)

// newLogger returns the function's JSON logger. Lambda filters a custom
// runtime's JSON logs by their "level" key, one of TRACE, DEBUG, INFO,
// WARN, ERROR and FATAL, and reads the time from a "timestamp" key in RFC
// 3339; a line without a valid timestamp is taken as INFO, and dropped
// when the function's ApplicationLogLevel is WARN or ERROR
// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html).
// slog writes "time" and levels like "DEBUG-4", so both are renamed.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) > 0 {
				return a
			}
			switch a.Key {
			case slog.TimeKey:
				return slog.String("timestamp", a.Value.Time().UTC().Format(time.RFC3339Nano))
			case slog.LevelKey:
				return slog.String(slog.LevelKey, levelName(a.Value.Any().(slog.Level)))
			}
			return a
		},
	}))
}

// levelName is the Lambda name of the level l is, or is above.
func levelName(l slog.Level) string {
	switch {
	case l >= levelFatal:
		return "FATAL"
	case l >= slog.LevelError:
		return "ERROR"
	case l >= slog.LevelWarn:
		return "WARN"
	case l >= slog.LevelInfo:
		return "INFO"
	case l >= slog.LevelDebug:
		return "DEBUG"
	}
	return "TRACE"
}
