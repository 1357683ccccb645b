// Bootstrap is the sumsq Lambda function: it sums the squares of the
// newline-separated integers in S3 objects, exactly. One binary answers the
// events of the workflow in statemachine.asl.json: a batch of objects from
// the Distributed Map's ItemBatcher, the total over the Map's written
// results, and one object (the blog's event, and `sam local invoke -e
// testdata/object.json`). See handler.Handle for the event shapes and
// config.go for the environment variables.
//
// main is wiring: configuration and the S3 client are made once per
// execution environment, at cold start, and shared by every invocation.
package main

import (
	"context"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/sumsq/sumsq/internal/s3store"
)

func main() {
	c, err := loadConfig(os.Getenv)
	if err != nil {
		fatal("configuration", err)
	}
	if limit := c.memoryLimit(); limit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(limit)
	}
	aws, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		fatal("AWS configuration", err)
	}
	client, err := s3store.NewClient(aws, s3store.ClientConfig{Connections: c.Concurrency})
	if err != nil {
		fatal("configuration", err)
	}
	h := newHandler(c, s3store.New(client), newLogger(os.Stderr, c.LogLevel))
	h.metrics.function = os.Getenv("AWS_LAMBDA_FUNCTION_NAME") // set by Lambda
	lambda.Start(h)
}

// fatal logs why the function cannot start and exits. The line is JSON with
// level FATAL and a timestamp, as every other line of the function: Lambda
// takes a line without them for INFO and drops it when the function's
// ApplicationLogLevel is WARN or ERROR (see newLogger), and a function that
// cannot start must always say why.
func fatal(what string, err error) {
	newLogger(os.Stderr, levelFatal).LogAttrs(context.Background(), levelFatal, "cannot start: "+what,
		slog.String("error", err.Error()))
	os.Exit(1)
}
