// Package s3test runs an in-memory S3 (gofakes3) on a loopback HTTP server
// for tests that drive the real AWS SDK, and lets a test take over the
// requests for one object to serve faults: error statuses, bodies that break
// off, objects that change between requests, slow or generated bodies.
//
// Clients it builds use plain HTTP, path-style addressing, checksums only
// when required (gofakes3 does not understand aws-chunked uploads) and
// retries without delay, so tests of retried failures stay fast.
package s3test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// MaxAttempts is how many times clients built by Server.Client try an
// operation: the SDK's default.
const MaxAttempts = 3

// A Hook serves a request for one object in place of the fake S3, which it
// may still call as next.
type Hook func(w http.ResponseWriter, r *http.Request, next http.Handler)

// Server is a fake S3 listening on 127.0.0.1.
type Server struct {
	URL string // http://127.0.0.1:port

	srv  *httptest.Server
	fake http.Handler

	mu       sync.Mutex
	shape    Hook // around every request, if set
	hooks    map[string]Hook
	requests map[string]int   // by "METHOD bucket/key"
	served   map[string]int64 // body bytes sent, by "METHOD bucket/key"
}

// NewServer starts a fake S3 holding the given empty buckets. It is closed
// when the test ends.
func NewServer(t testing.TB, buckets ...string) *Server {
	t.Helper()
	backend := s3mem.New()
	for _, b := range buckets {
		if err := backend.CreateBucket(b); err != nil {
			t.Fatalf("creating bucket %q: %v", b, err)
		}
	}
	s := &Server{
		fake:     gofakes3.New(backend).Server(),
		hooks:    make(map[string]Hook),
		requests: make(map[string]int),
		served:   make(map[string]int64),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Config returns the SDK configuration of the server's clients: its URL
// over plain HTTP, static credentials, checksums only when required, and
// MaxAttempts tries without delay. Its clients want path-style addressing:
// Client sets it, and s3store.NewClient when S3_FORCE_PATH_STYLE says so.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:                     "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint:               aws.String(s.URL),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = MaxAttempts
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) {
					return time.Millisecond, nil
				})
				o.RateLimiter = ratelimit.None
			})
		},
	}
}

// Client returns an S3 client for the server (see Config). optFns adjust
// its options.
func (s *Server) Client(optFns ...func(*s3.Options)) *s3.Client {
	pathStyle := func(o *s3.Options) { o.UsePathStyle = true }
	return s3.NewFromConfig(s.Config(), append([]func(*s3.Options){pathStyle}, optFns...)...)
}

// Put stores body as bucket/key and returns its ETag. Call it from the
// test's goroutine; hooks use PutObject.
func (s *Server) Put(t testing.TB, bucket, key string, body []byte) string {
	t.Helper()
	etag, err := s.PutObject(bucket, key, body)
	if err != nil {
		t.Fatal(err)
	}
	return etag
}

// PutObject stores body as bucket/key and returns its ETag.
func (s *Server) PutObject(bucket, key string, body []byte) (string, error) {
	out, err := s.Client().PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket),
		Key:    aws.String(key),
		Body:   bytes.NewReader(body),
	})
	if err != nil {
		return "", fmt.Errorf("PutObject(%s/%s): %w", bucket, key, err)
	}
	return aws.ToString(out.ETag), nil
}

// Hook routes every request for bucket/key to h; a nil h removes the hook.
func (s *Server) Hook(bucket, key string, h Hook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h == nil {
		delete(s.hooks, bucket+"/"+key)
		return
	}
	s.hooks[bucket+"/"+key] = h
}

// Requests returns how many method requests bucket/key has received.
func (s *Server) Requests(method, bucket, key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[method+" "+bucket+"/"+key]
}

// Served returns how many bytes of body the answers to method requests
// for bucket/key have sent: for GET, the bytes of the object fetched.
func (s *Server) Served(method, bucket, key string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.served[method+" "+bucket+"/"+key]
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	// Path-style: /bucket/key. r.URL.Path is already unescaped.
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	name := bucket + "/" + key
	w = &countingWriter{ResponseWriter: w, count: func(n int) {
		s.mu.Lock()
		s.served[r.Method+" "+name] += int64(n)
		s.mu.Unlock()
	}}

	s.mu.Lock()
	s.requests[r.Method+" "+name]++
	h := s.hooks[name]
	shape := s.shape
	s.mu.Unlock()

	next := http.Handler(http.HandlerFunc(s.serveFake))
	if h != nil {
		hooked := next
		next = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(w, r, hooked) })
	}
	if shape != nil {
		shape(w, r, next)
		return
	}
	next.ServeHTTP(w, r)
}

// serveFake is gofakes3, plus the If-Match precondition on GET that S3
// honours and gofakes3 1.2.0 ignores.
func (s *Server) serveFake(w http.ResponseWriter, r *http.Request) {
	if want := r.Header.Get("If-Match"); want != "" && r.Method == http.MethodGet {
		head := r.Clone(r.Context())
		head.Method = http.MethodHead
		head.Header.Del("Range")
		rec := httptest.NewRecorder()
		s.fake.ServeHTTP(rec, head)
		if rec.Code == http.StatusOK && rec.Header().Get("ETag") != want {
			WriteError(w, http.StatusPreconditionFailed, "PreconditionFailed",
				"At least one of the pre-conditions you specified did not hold")
			return
		}
	}
	s.fake.ServeHTTP(w, r)
}

// A countingWriter counts the body bytes written through it.
type countingWriter struct {
	http.ResponseWriter
	count func(n int)
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.count(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (Flush, Hijack).
func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
