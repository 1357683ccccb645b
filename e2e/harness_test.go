//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// A harness is AWS on 127.0.0.1: moto (S3 and Step Functions), a pool of
// emulators running the bootstrap, and the proxy in front of both. Every
// process stops when the test that started it ends.
type harness struct {
	LogDir  string
	MotoURL string
	Proxy   *lambdaProxy // the endpoint for every AWS API
	Pool    []*emulator
	S3      *s3.Client
	SFN     *sfn.Client
}

// harnessConfig sizes a harness.
type harnessConfig struct {
	Emulators       int           // the pool's size: invocations served at once
	FunctionTimeout time.Duration // each emulator's AWS_LAMBDA_FUNCTION_TIMEOUT
}

func startHarness(t testing.TB, cfg harnessConfig) *harness {
	t.Helper()
	// Prerequisites first, so that a machine without them skips at once.
	python3WithMoto(t)
	jsonataDir(t)
	bootstrapPath(t)
	riePath(t)

	start := time.Now()
	h := &harness{LogDir: t.TempDir()}
	h.Proxy = newLambdaProxy(t)
	h.MotoURL = startMoto(t, h.LogDir, h.Proxy.Port)
	for i := range cfg.Emulators {
		// S3 through the proxy, which passes it to moto: a test may hook it.
		env := functionEnv{S3Endpoint: h.Proxy.URL, Timeout: cfg.FunctionTimeout}
		h.Pool = append(h.Pool, startEmulator(t, h.LogDir, fmt.Sprintf("rie-%d", i), env))
	}
	h.Proxy.start(t, h.MotoURL, h.Pool)
	h.S3 = newS3Client(h.Proxy.URL)
	h.SFN = newSFNClient(h.Proxy.URL)
	t.Logf("harness: moto, proxy and %d emulators up in %v (logs in %s)",
		cfg.Emulators, time.Since(start).Round(time.Millisecond), h.LogDir)
	return h
}

var testCredentials = credentials.NewStaticCredentialsProvider("test", "test", "")

// newS3Client is an S3 client for a local endpoint: path-style, and without
// the SDK's default checksums (moto does not need them; the function keeps
// its own defaults).
func newS3Client(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		Credentials:                testCredentials,
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		HTTPClient:                 &http.Client{Timeout: time.Minute},
	})
}

func newSFNClient(endpoint string) *sfn.Client {
	return sfn.New(sfn.Options{
		Region:       "us-east-1",
		Credentials:  testCredentials,
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   &http.Client{Timeout: time.Minute},
	})
}

// testContext is a context for one test's AWS calls, ended with the test.
func testContext(t testing.TB, timeout time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return ctx
}
