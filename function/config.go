package main

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/s3store"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// The environment variables the function reads, once, at cold start. An
// unset or empty variable takes its default. An invalid value stops the
// function at start, with a message naming the variable. The S3 endpoint
// needs no variable of ours: the SDK reads AWS_ENDPOINT_URL_S3 and
// AWS_ENDPOINT_URL itself; S3_FORCE_PATH_STYLE is read by the S3 client's
// constructor (s3store.NewClient), as the CLI's is.
const (
	// The bucket the function reads (and writes its failure lists to):
	// events naming another are refused. Empty: any bucket, as its role
	// allows (for `sam local invoke` without the template's variables).
	envBucket = "SUMSQ_BUCKET"
	// Where the Map writes its results, "results/" by default: batches skip
	// the objects under it, and the Total reads and writes only under it.
	envResultsPrefix = "SUMSQ_RESULTS_PREFIX"
	// The most digits a number may have, 1 to job.MaxDigitsLimit (30000).
	// Default sumsq.DefaultMaxDigits (4300, Python's default).
	envMaxDigits = "SUMSQ_MAX_DIGITS"
	// How many objects of a batch are read at once, 1 to maxConcurrency.
	// Default job.DefaultConcurrency (8).
	envConcurrency = "SUMSQ_CONCURRENCY"
	// How long before the invocation's deadline the function stops and
	// returns a TimeoutError, as a Go duration ("2s", "500ms"), at most
	// maxTimeoutMargin. Default defaultTimeoutMargin. See handler.withMargin.
	envTimeoutMargin = "SUMSQ_TIMEOUT_MARGIN"
	// The function's memory in MB, 128 to 10240, which Lambda (and the
	// emulator `sam local invoke` runs) sets from the function's
	// MemorySize. The function keeps within it (see config.memoryLimit).
	// Unset: no bound.
	envMemory = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"
	// The log level: TRACE, DEBUG, INFO, WARN, ERROR or FATAL, any case.
	// LOG_LEVEL wins; AWS_LAMBDA_LOG_LEVEL is what Lambda sets from the
	// function's ApplicationLogLevel. Default INFO.
	envLogLevel       = "LOG_LEVEL"
	envLambdaLogLevel = "AWS_LAMBDA_LOG_LEVEL"
)

const (
	// maxConcurrency bounds SUMSQ_CONCURRENCY: beyond it a batch would
	// mostly wait for its connections and memory.
	maxConcurrency = 256
	// defaultTimeoutMargin leaves time to report the error and the
	// runtime time to send it; it is capped at a tenth of each invocation's
	// time, so that a short timeout still leaves time to work.
	defaultTimeoutMargin = 2 * time.Second
	maxTimeoutMargin     = time.Minute
	// Lambda's least and most memory, in MB.
	minMemoryMB, maxMemoryMB = 128, 10240
)

// config is the function's configuration. Its zero value is not valid; use
// loadConfig.
type config struct {
	Bucket        string
	ResultsPrefix string
	MaxDigits     int
	Concurrency   int
	TimeoutMargin time.Duration
	MemoryMB      int // 0: no bound
	LogLevel      slog.Level
}

// loadConfig reads the configuration from getenv (os.Getenv), applies the
// defaults and checks every value.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		ResultsPrefix: job.DefaultResultsPrefix,
		MaxDigits:     sumsq.DefaultMaxDigits,
		Concurrency:   job.DefaultConcurrency,
		TimeoutMargin: defaultTimeoutMargin,
		LogLevel:      slog.LevelInfo,
	}
	var err error
	if v := getenv(envBucket); v != "" {
		if c.Bucket, err = s3store.BucketName(v); err != nil || c.Bucket != v {
			return config{}, fmt.Errorf("%s=%q: want a bucket name", envBucket, v)
		}
	}
	if v := getenv(envResultsPrefix); v != "" {
		if !strings.HasSuffix(v, "/") || strings.HasPrefix(v, "/") || len(v) > s3store.MaxKeyBytes/2 {
			return config{}, fmt.Errorf("%s=%q: want a key prefix ending in /, like results/", envResultsPrefix, v)
		}
		c.ResultsPrefix = v
	}
	if v := getenv(envMaxDigits); v != "" {
		if c.MaxDigits, err = intIn(v, 1, job.MaxDigitsLimit); err != nil {
			return config{}, fmt.Errorf("%s=%q: %v", envMaxDigits, v, err)
		}
	}
	if v := getenv(envConcurrency); v != "" {
		if c.Concurrency, err = intIn(v, 1, maxConcurrency); err != nil {
			return config{}, fmt.Errorf("%s=%q: %v", envConcurrency, v, err)
		}
	}
	if v := getenv(envTimeoutMargin); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > maxTimeoutMargin {
			return config{}, fmt.Errorf("%s=%q: want a duration from 0s to %v, like 2s", envTimeoutMargin, v, maxTimeoutMargin)
		}
		c.TimeoutMargin = d
	}
	if v := getenv(envMemory); v != "" {
		if c.MemoryMB, err = intIn(v, minMemoryMB, maxMemoryMB); err != nil {
			return config{}, fmt.Errorf("%s=%q: %v", envMemory, v, err)
		}
	}
	name, v := envLogLevel, getenv(envLogLevel)
	if v == "" {
		name, v = envLambdaLogLevel, getenv(envLambdaLogLevel)
	}
	if v != "" {
		if c.LogLevel, err = parseLevel(v); err != nil {
			return config{}, fmt.Errorf("%s=%q: %v", name, v, err)
		}
	}
	return c, nil
}

// The function's memory, split. Lambda's MB are MiB. The Go runtime may
// hold memoryLimit of it (GOMEMLIMIT): three quarters, the rest for the
// binary's own pages (about 8 MiB), what the runtime does not count, and
// room to spare: the runtime lets garbage grow to the limit before it
// collects, and peak resident memory is then the limit and the binary.
// Half of the limit goes to the streams of a batch (job.Summer.Memory),
// less the heap the function holds idle, so that the heap can double
// between two collections (GOGC=100) without passing the limit: the
// collector then runs as often as it would without one, not all the time.
// At the template's least memory, 128 MB, a batch's streams get 44 MiB
// (four zstd -19 streams at once, a window each); at its default, 1024
// MB, 380 MiB.
const idleHeap = 4 << 20

// memoryLimit is the Go runtime's soft memory limit, in bytes, for the
// function's memory; 0 if it has none.
func (c config) memoryLimit() int64 { return int64(c.MemoryMB) << 20 * 3 / 4 }

// streamMemory is what the streams of a batch may hold at once
// (job.Summer.Memory); 0: no bound.
func (c config) streamMemory() int64 {
	if c.MemoryMB == 0 {
		return 0
	}
	return c.memoryLimit()/2 - idleHeap
}

// intIn parses s as a whole number from lo to hi written in ASCII digits
// only: strconv.Atoi would also take a sign ("+8"), which no one writes on
// purpose in a setting.
func intIn(s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || !digits(s) || n < lo || n > hi {
		return 0, fmt.Errorf("want an integer from %d to %d", lo, hi)
	}
	return n, nil
}

// digits reports whether s is one or more ASCII digits, nothing else.
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i]-'0' > 9 {
			return false
		}
	}
	return s != ""
}

// parseLevel maps Lambda's log levels to slog's (see log.go).
func parseLevel(s string) (slog.Level, error) {
	switch strings.ToUpper(s) {
	case "TRACE":
		return levelTrace, nil
	case "DEBUG":
		return slog.LevelDebug, nil
	case "INFO":
		return slog.LevelInfo, nil
	case "WARN":
		return slog.LevelWarn, nil
	case "ERROR":
		return slog.LevelError, nil
	case "FATAL":
		return levelFatal, nil
	}
	return 0, fmt.Errorf("want TRACE, DEBUG, INFO, WARN, ERROR or FATAL")
}
