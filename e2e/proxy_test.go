//go:build e2e

package e2e

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// functionName is the Lambda function the proxy serves; the state machine
// is rendered with its ARN.
const (
	functionName = "sumsq"
	functionARN  = "arn:aws:lambda:us-east-1:123456789012:function:" + functionName
)

// A lambdaProxy stands where moto's interpreter expects AWS: it answers
// Lambda's Invoke API by handing each invocation to a free emulator of its
// pool, and passes every other request (S3, Step Functions, moto's own API)
// to moto. It translates what the emulator cannot say as Lambda says it:
// a function error gets X-Amz-Function-Error (without it moto takes the
// error for a result) and a timeout becomes an error. It counts the
// invocations in flight and keeps every event it served. On request it
// answers TooManyRequestsException, as Lambda does when the function's
// concurrency is exhausted, or a function error for the events that name
// a given key, as the function does when S3 keeps failing, or for the next
// n batches (failNextBatches; in the serve mode, POST FailNextBatchesPath).
type lambdaProxy struct {
	URL  string // http://127.0.0.1:PORT
	Port int

	ln   net.Listener
	srv  *http.Server
	pool chan *emulator
	moto *httputil.ReverseProxy

	mu       sync.Mutex
	stats    proxyStats
	fails    []failRule
	failNext failNext
	onGet    map[string]func() // by path, /bucket/key: called before an S3 GET of it goes to moto
}

// failNext makes the next N batch invocations (events with "Items") fail
// with a function error of type ErrorType, without running the function.
type failNext struct {
	N         int    `json:"n"`
	ErrorType string `json:"errorType"`
}

// FailNextBatchesPath is the proxy's own switch, for a person rehearsing a
// failed run and its redrive on the serve mode's endpoint:
//
//	curl -X POST "$E/_sumsq/fail-next-batches?n=1&error=Sandbox.Timedout"
//
// n is how many batch invocations to fail from now on (0 turns it off),
// error their errorType (default Sandbox.Timedout, which the ASL does not
// retry: each failed invocation fails its batch). The answer, and a GET, is
// {"n": <left>, "errorType": "..."}. No S3 bucket name starts with "_", so
// the path is no S3 request.
const FailNextBatchesPath = "/_sumsq/fail-next-batches"

// defaultFailNextError is the error failNextBatches gives by default.
const defaultFailNextError = "Sandbox.Timedout"

// A failRule makes the invocations whose event has the top-level field
// Field ("Items": batches) and contains Marker fail with a function error
// of type ErrorType, without running the function: every one, or the next
// Left. The field keeps a rule to one step: the steps of the total name
// failed objects in their events too.
type failRule struct {
	Field, Marker, ErrorType string
	Left                     int // -1: every one
}

// proxyStats is what the proxy saw since the last reset.
type proxyStats struct {
	Invocations int            // answered: results and errors, injected ones included
	Throttled   int            // answered with TooManyRequestsException
	InFlight    int            // invocations being served now
	MaxInFlight int            // the most ever served at once
	Errors      map[string]int // function errors by errorType, the injected ones included
	Injected    int            // answered with a failRule's error
	Events      [][]byte       // every event answered, injected failures included, in arrival order
	throttle    int            // invocations still to throttle
}

// newLambdaProxy listens on a loopback port. Its port must be known before
// moto starts (moto's MOTO_PORT); start wires it to moto and the pool.
func newLambdaProxy(t testing.TB) *lambdaProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	p := &lambdaProxy{URL: fmt.Sprintf("http://127.0.0.1:%d", port), Port: port, ln: ln}
	p.stats.Errors = make(map[string]int)
	t.Cleanup(func() { ln.Close() })
	return p
}

// start serves requests: Lambda invocations to pool, the rest to moto.
func (p *lambdaProxy) start(t testing.TB, motoURL string, pool []*emulator) {
	t.Helper()
	target, err := url.Parse(motoURL)
	if err != nil {
		t.Fatal(err)
	}
	p.moto = httputil.NewSingleHostReverseProxy(target)
	p.pool = make(chan *emulator, len(pool))
	for _, e := range pool {
		p.pool <- e
	}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go p.srv.Serve(p.ln)
	t.Cleanup(func() { p.srv.Close() })
}

// reset clears the counters and returns what they were.
func (p *lambdaProxy) reset() proxyStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	p.stats = proxyStats{Errors: make(map[string]int), InFlight: s.InFlight}
	return s
}

// failWhen adds a failRule for every invocation, failOnce one for the
// next; clearFails removes them all.
func (p *lambdaProxy) failWhen(marker, errorType string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fails = append(p.fails, failRule{Field: "Items", Marker: marker, ErrorType: errorType, Left: -1})
}

func (p *lambdaProxy) failOnce(marker, errorType string) { p.failOnceIn("Items", marker, errorType) }

// failOnceIn makes the next invocation whose event has the top-level field
// field and contains marker fail with errorType.
func (p *lambdaProxy) failOnceIn(field, marker, errorType string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fails = append(p.fails, failRule{Field: field, Marker: marker, ErrorType: errorType, Left: 1})
}

func (p *lambdaProxy) clearFails() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fails = nil
}

// failNextBatches makes the next n batch invocations fail with errorType.
func (p *lambdaProxy) failNextBatches(n int, errorType string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.failNext = failNext{N: n, ErrorType: errorType}
}

// injectedFailure returns the error type of the first failRule event
// matches, or failNextBatches' if event is a batch and some are left.
func (p *lambdaProxy) injectedFailure(event []byte) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, f := range p.fails {
		if f.Left != 0 && hasField(event, f.Field) && bytes.Contains(event, []byte(f.Marker)) {
			if f.Left > 0 {
				p.fails[i].Left--
			}
			return f.ErrorType, true
		}
	}
	if p.failNext.N > 0 && isBatch(event) {
		p.failNext.N--
		return p.failNext.ErrorType, true
	}
	return "", false
}

// hasField reports whether event is a JSON object with the top-level
// field name: "Items" for a batch.
func hasField(event []byte, name string) bool {
	var fields map[string]json.RawMessage
	if json.Unmarshal(event, &fields) != nil {
		return false
	}
	_, ok := fields[name]
	return ok
}

// isBatch reports whether event is a batch, {"Items": [...], ...}.
func isBatch(event []byte) bool {
	var e struct {
		Items json.RawMessage `json:"Items"`
	}
	return json.Unmarshal(event, &e) == nil && len(e.Items) > 0 && e.Items[0] == '['
}

// serveFailNext answers FailNextBatchesPath: POST sets the switch, GET
// shows it.
func (p *lambdaProxy) serveFailNext(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		q := r.URL.Query()
		n, err := strconv.Atoi(q.Get("n"))
		if err != nil || n < 0 {
			http.Error(w, "n must be a whole number of batch invocations to fail, 0 or more", http.StatusBadRequest)
			return
		}
		errorType := cmp.Or(q.Get("error"), defaultFailNextError)
		p.failNextBatches(n, errorType)
	} else if r.Method != http.MethodGet {
		http.Error(w, "POST ?n=N[&error=TYPE] or GET", http.StatusMethodNotAllowed)
		return
	}
	p.mu.Lock()
	state := p.failNext
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(state)
}

// throttleNext makes the next n invocations fail with TooManyRequestsException.
func (p *lambdaProxy) throttleNext(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.throttle = n
}

// invocationsPath matches Lambda's Invoke API; the function is a name, a
// partial ARN or an ARN, with an optional qualifier.
var invocationsPath = regexp.MustCompile(`^/2015-03-31/functions/([^/]+)/invocations$`)

func (p *lambdaProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == FailNextBatchesPath {
		p.serveFailNext(w, r)
		return
	}
	m := invocationsPath.FindStringSubmatch(r.URL.Path)
	if m == nil || r.Method != http.MethodPost {
		if r.Method == http.MethodGet {
			p.mu.Lock()
			hook := p.onGet[r.URL.Path]
			p.mu.Unlock()
			if hook != nil {
				hook()
			}
		}
		p.moto.ServeHTTP(w, r)
		return
	}
	if !isFunction(m[1]) {
		lambdaError(w, http.StatusNotFound, "ResourceNotFoundException",
			map[string]string{"Type": "User", "Message": "Function not found: " + m[1]})
		return
	}
	if t := r.Header.Get("X-Amz-Invocation-Type"); t != "" && t != "RequestResponse" {
		lambdaError(w, http.StatusBadRequest, "InvalidParameterValueException",
			map[string]string{"Type": "User", "message": "only RequestResponse invocations are served here, not " + t})
		return
	}
	event, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}

	if p.takeThrottle() {
		// Lambda's answer when the function's reserved concurrency is in use.
		w.Header().Set("Retry-After", "1")
		lambdaError(w, http.StatusTooManyRequests, "TooManyRequestsException", map[string]string{
			"Type":    "User",
			"message": "Rate Exceeded.",
			"Reason":  "ReservedFunctionConcurrentInvocationLimitExceeded",
		})
		return
	}

	p.enter()
	defer p.leave()
	if errorType, ok := p.injectedFailure(event); ok {
		// A function error the test asked for, answered as the function
		// answers one (S3 failing for an object of the batch, say), without
		// running it.
		p.count(errorType, event)
		p.mu.Lock()
		p.stats.Injected++
		p.mu.Unlock()
		body, _ := json.Marshal(map[string]string{"errorType": errorType, "errorMessage": "injected by the e2e proxy, without running the function"})
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		w.WriteHeader(http.StatusOK)
		w.Write(body)
		return
	}
	var e *emulator
	select {
	case e = <-p.pool:
	case <-r.Context().Done():
		return
	}
	defer func() { p.pool <- e }()

	status, body, err := e.invoke(r.Context(), event)
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("%s answered HTTP %d: %s", e.name, status, body)
	}
	if err != nil {
		lambdaError(w, http.StatusInternalServerError, "ServiceException",
			map[string]string{"Type": "Service", "message": err.Error()})
		return
	}

	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if errorType, ok := functionError(body); ok {
		p.count(errorType, event)
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
	} else if msg, ok := timeoutText(body); ok {
		// Lambda reports a timeout as an unhandled error of the sandbox.
		p.count("Sandbox.Timedout", event)
		body, _ = json.Marshal(map[string]string{"errorType": "Sandbox.Timedout", "errorMessage": msg})
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
	} else {
		p.count("", event)
	}
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// beforeGet calls hook before each GET of bucket/key (path style, as the
// function and the tests address S3) goes to moto; nil removes it. The
// function's S3 requests go through the proxy (see startHarness), so that a
// test can change an object between two of them.
func (p *lambdaProxy) beforeGet(bucket, key string, hook func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.onGet == nil {
		p.onGet = make(map[string]func())
	}
	path := "/" + bucket + "/" + key
	if hook == nil {
		delete(p.onGet, path)
		return
	}
	p.onGet[path] = hook
}

func (p *lambdaProxy) takeThrottle() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stats.throttle == 0 {
		return false
	}
	p.stats.throttle--
	p.stats.Throttled++
	return true
}

func (p *lambdaProxy) enter() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.InFlight++
	p.stats.MaxInFlight = max(p.stats.MaxInFlight, p.stats.InFlight)
}

func (p *lambdaProxy) leave() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.InFlight--
}

func (p *lambdaProxy) count(errorType string, event []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.Invocations++
	p.stats.Events = append(p.stats.Events, event)
	if errorType != "" {
		p.stats.Errors[errorType]++
	}
}

// isFunction reports whether the Invoke API's function names ours:
// "sumsq", "123456789012:function:sumsq" or its ARN, each maybe with a
// ":qualifier".
func isFunction(name string) bool {
	name = strings.TrimPrefix(name, "arn:aws:lambda:us-east-1:")
	name = strings.TrimPrefix(name, "123456789012:function:")
	name, _, _ = strings.Cut(name, ":")
	return name == functionName
}

// functionError reports whether an emulator's answer is a function error,
// {"errorMessage": "...", "errorType": "..."}.
func functionError(body []byte) (errorType string, ok bool) {
	var e struct {
		ErrorType    *string `json:"errorType"`
		ErrorMessage *string `json:"errorMessage"`
	}
	if json.Unmarshal(body, &e) != nil || e.ErrorType == nil || e.ErrorMessage == nil {
		return "", false
	}
	return *e.ErrorType, true
}

// timeoutText reports whether an emulator's answer is its timeout text,
// "Task timed out after N.NN seconds", and returns it as Lambda words it.
func timeoutText(body []byte) (string, bool) {
	s := string(bytes.TrimSpace(body))
	if !strings.HasPrefix(s, "Task timed out after") {
		return "", false
	}
	return s, true
}

// lambdaError answers as the Lambda service answers an API error: the code
// in x-amzn-ErrorType, the details as JSON.
func lambdaError(w http.ResponseWriter, status int, code string, body map[string]string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", code)
	w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("e2e-%d", time.Now().UnixNano()))
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}
