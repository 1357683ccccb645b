package main

import (
	"log/slog"
	"testing"
	"time"
)

func TestLoadConfig(t *testing.T) {
	defaults := config{ResultsPrefix: "results/", MaxDigits: 4300, Concurrency: 8, TimeoutMargin: 2 * time.Second, LogLevel: slog.LevelInfo}
	with := func(f func(*config)) config {
		c := defaults
		f(&c)
		return c
	}
	tests := []struct {
		name string
		env  map[string]string
		want config
	}{
		{"defaults", nil, defaults},
		{"empty is unset", map[string]string{"SUMSQ_MAX_DIGITS": "", "LOG_LEVEL": ""}, defaults},
		{"max digits", map[string]string{"SUMSQ_MAX_DIGITS": "30000"}, with(func(c *config) { c.MaxDigits = 30000 })},
		{"bucket", map[string]string{"SUMSQ_BUCKET": "my-bucket"}, with(func(c *config) { c.Bucket = "my-bucket" })},
		{"results prefix", map[string]string{"SUMSQ_RESULTS_PREFIX": "runs/out/"}, with(func(c *config) { c.ResultsPrefix = "runs/out/" })},
		{"concurrency", map[string]string{"SUMSQ_CONCURRENCY": "1"}, with(func(c *config) { c.Concurrency = 1 })},
		{"leading zeros", map[string]string{"SUMSQ_CONCURRENCY": "016"}, with(func(c *config) { c.Concurrency = 16 })},
		{"memory", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"}, with(func(c *config) { c.MemoryMB = 128 })},
		{"most memory", map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "10240"}, with(func(c *config) { c.MemoryMB = 10240 })},
		{"timeout margin", map[string]string{"SUMSQ_TIMEOUT_MARGIN": "500ms"}, with(func(c *config) { c.TimeoutMargin = 500 * time.Millisecond })},
		{"no timeout margin", map[string]string{"SUMSQ_TIMEOUT_MARGIN": "0s"}, with(func(c *config) { c.TimeoutMargin = 0 })},
		{"LOG_LEVEL", map[string]string{"LOG_LEVEL": "debug"}, with(func(c *config) { c.LogLevel = slog.LevelDebug })},
		{"AWS_LAMBDA_LOG_LEVEL", map[string]string{"AWS_LAMBDA_LOG_LEVEL": "WARN"}, with(func(c *config) { c.LogLevel = slog.LevelWarn })},
		{"LOG_LEVEL wins", map[string]string{"LOG_LEVEL": "ERROR", "AWS_LAMBDA_LOG_LEVEL": "TRACE"}, with(func(c *config) { c.LogLevel = slog.LevelError })},
		{"TRACE", map[string]string{"LOG_LEVEL": "TRACE"}, with(func(c *config) { c.LogLevel = slog.LevelDebug - 4 })},
		{"FATAL", map[string]string{"LOG_LEVEL": "FATAL"}, with(func(c *config) { c.LogLevel = slog.LevelError + 4 })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadConfig(func(k string) string { return tt.env[k] })
			if got != tt.want || err != nil {
				t.Errorf("loadConfig(%v) = %+v, %v; want %+v, nil", tt.env, got, err, tt.want)
			}
		})
	}
}

func TestLoadConfigInvalid(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string // the error message
	}{
		{map[string]string{"SUMSQ_MAX_DIGITS": "0"}, `SUMSQ_MAX_DIGITS="0": want an integer from 1 to 30000`},
		{map[string]string{"SUMSQ_MAX_DIGITS": "30001"}, `SUMSQ_MAX_DIGITS="30001": want an integer from 1 to 30000`},
		{map[string]string{"SUMSQ_MAX_DIGITS": "4k"}, `SUMSQ_MAX_DIGITS="4k": want an integer from 1 to 30000`},
		{map[string]string{"SUMSQ_CONCURRENCY": "-1"}, `SUMSQ_CONCURRENCY="-1": want an integer from 1 to 256`},
		{map[string]string{"SUMSQ_CONCURRENCY": "257"}, `SUMSQ_CONCURRENCY="257": want an integer from 1 to 256`},
		// Digits only: strconv.Atoi takes a sign, a setting does not.
		{map[string]string{"SUMSQ_CONCURRENCY": "+8"}, `SUMSQ_CONCURRENCY="+8": want an integer from 1 to 256`},
		{map[string]string{"SUMSQ_CONCURRENCY": " 8"}, `SUMSQ_CONCURRENCY=" 8": want an integer from 1 to 256`},
		{map[string]string{"SUMSQ_CONCURRENCY": "8 "}, `SUMSQ_CONCURRENCY="8 ": want an integer from 1 to 256`},
		{map[string]string{"SUMSQ_CONCURRENCY": "-0"}, `SUMSQ_CONCURRENCY="-0": want an integer from 1 to 256`},
		{map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "127"}, `AWS_LAMBDA_FUNCTION_MEMORY_SIZE="127": want an integer from 128 to 10240`},
		{map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "10241"}, `AWS_LAMBDA_FUNCTION_MEMORY_SIZE="10241": want an integer from 128 to 10240`},
		{map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "+512"}, `AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+512": want an integer from 128 to 10240`},
		{map[string]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512MB"}, `AWS_LAMBDA_FUNCTION_MEMORY_SIZE="512MB": want an integer from 128 to 10240`},
		{map[string]string{"SUMSQ_MAX_DIGITS": "+4300"}, `SUMSQ_MAX_DIGITS="+4300": want an integer from 1 to 30000`},
		{map[string]string{"SUMSQ_MAX_DIGITS": "4_300"}, `SUMSQ_MAX_DIGITS="4_300": want an integer from 1 to 30000`},
		{map[string]string{"SUMSQ_BUCKET": "arn:aws:s3:::my-bucket"}, `SUMSQ_BUCKET="arn:aws:s3:::my-bucket": want a bucket name`},
		{map[string]string{"SUMSQ_BUCKET": "My_Bucket"}, `SUMSQ_BUCKET="My_Bucket": want a bucket name`},
		{map[string]string{"SUMSQ_RESULTS_PREFIX": "results"}, `SUMSQ_RESULTS_PREFIX="results": want a key prefix ending in /, like results/`},
		{map[string]string{"SUMSQ_RESULTS_PREFIX": "/results/"}, `SUMSQ_RESULTS_PREFIX="/results/": want a key prefix ending in /, like results/`},
		{map[string]string{"SUMSQ_TIMEOUT_MARGIN": "2"}, `SUMSQ_TIMEOUT_MARGIN="2": want a duration from 0s to 1m0s, like 2s`},
		{map[string]string{"SUMSQ_TIMEOUT_MARGIN": "-1s"}, `SUMSQ_TIMEOUT_MARGIN="-1s": want a duration from 0s to 1m0s, like 2s`},
		{map[string]string{"SUMSQ_TIMEOUT_MARGIN": "2m"}, `SUMSQ_TIMEOUT_MARGIN="2m": want a duration from 0s to 1m0s, like 2s`},
		{map[string]string{"LOG_LEVEL": "verbose"}, `LOG_LEVEL="verbose": want TRACE, DEBUG, INFO, WARN, ERROR or FATAL`},
		{map[string]string{"AWS_LAMBDA_LOG_LEVEL": "loud"}, `AWS_LAMBDA_LOG_LEVEL="loud": want TRACE, DEBUG, INFO, WARN, ERROR or FATAL`},
	}
	for _, tt := range tests {
		got, err := loadConfig(func(k string) string { return tt.env[k] })
		if err == nil || err.Error() != tt.want || got != (config{}) {
			t.Errorf("loadConfig(%v) = %+v, %v; want an error %q", tt.env, got, err, tt.want)
		}
	}
}

// TestMemorySplit checks how the function's memory is split between the Go
// runtime's limit (GOMEMLIMIT) and a batch's streams (job.Summer.Memory),
// at the least, the template's default and the most memory Lambda gives.
func TestMemorySplit(t *testing.T) {
	tests := []struct {
		mb            int
		limit, stream int64 // MiB
	}{
		{0, 0, 0}, // not under Lambda: no bound
		{128, 96, 44},
		{1024, 768, 380},
		{10240, 7680, 3836},
	}
	for _, tt := range tests {
		c := config{MemoryMB: tt.mb}
		if got, got2 := c.memoryLimit()>>20, c.streamMemory()>>20; got != tt.limit || got2 != tt.stream {
			t.Errorf("%d MB: memoryLimit %d MiB, streamMemory %d MiB; want %d, %d", tt.mb, got, got2, tt.limit, tt.stream)
		}
		if got := newHandler(c, nil, nil).summer.Memory; got != c.streamMemory() {
			t.Errorf("%d MB: the handler's Summer.Memory = %d; want streamMemory, %d", tt.mb, got, c.streamMemory())
		}
	}
}
