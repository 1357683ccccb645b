// Package cost is the paper model of what a run costs on AWS: the README's
// cost table and `sumsq plan` are both computed here, from list prices and
// the measured speed of a batch, so that the two can never disagree.
//
// The model counts what a run pays for per object and per batch; what it
// pays once per run (the parent execution's few transitions, the Total's
// invocations, the result files' storage and requests) is a fraction of a
// cent and is left out.
package cost

import (
	"math"
	"time"
)

// Prices are the list prices the model uses, in US dollars.
type Prices struct {
	S3Get      float64 // per GET request
	S3List     float64 // per LIST request, of up to 1,000 keys
	Transition float64 // per Standard state transition: one per child execution started
	Express    float64 // per Express execution request: one per batch
	LambdaReq  float64 // per Lambda invocation
	LambdaGBs  float64 // per GB-second of Lambda duration (arm64)
	XRayTrace  float64 // per trace recorded
	LogsGB     float64 // per GB of CloudWatch Logs ingested
	KMSRequest float64 // per KMS request
}

// USEast1 are us-east-1's list prices.
var USEast1 = Prices{
	S3Get:      0.0004 / 1000,
	S3List:     0.005 / 1000,
	Transition: 0.025 / 1000,
	Express:    1.0 / 1e6,
	LambdaReq:  0.20 / 1e6,
	LambdaGBs:  0.0000133334,
	XRayTrace:  5.0 / 1e6,
	LogsGB:     0.50,
	KMSRequest: 0.03 / 10000,
}

// The speed of a batch the model assumes: the README's measured rate of a
// batch of small objects behind S3's latency (function's BenchmarkShapedBatch,
// with the template's concurrency), and a fixed cost per batch for the
// invocation and its result.
const (
	ObjectsPerSecond = 2500
	BatchOverhead    = 20 * time.Millisecond
)

// LogBytesPerBatch is what one invocation writes to CloudWatch Logs: the
// function's one JSON line and Lambda's platform lines (start, end,
// report), about a kilobyte.
const LogBytesPerBatch = 1024

// A Run is what a run is made of, as far as its cost goes.
type Run struct {
	Objects   int64 // objects listed
	BatchSize int   // objects per batch (the template's BatchSize)
	MemoryMB  int   // the function's memory (FunctionMemory)
	Tracing   bool  // X-Ray on (the template's Tracing)
	KMS       bool  // the bucket is encrypted with a customer managed key, without an S3 Bucket Key
}

// An Estimate is a run's cost by component, in US dollars.
type Estimate struct {
	Requests float64 // S3: a GET per object, a LIST per 1,000 objects
	Batches  float64 // per batch: a child execution started, its Express request, the Lambda request
	Duration float64 // Lambda duration of the batches
	Tracing  float64 // X-Ray traces (at most one per batch) and CloudWatch Logs
	KMS      float64 // a KMS request per GET, with a customer managed key and no S3 Bucket Key
}

// Total is the sum of the components.
func (e Estimate) Total() float64 { return e.Requests + e.Batches + e.Duration + e.Tracing + e.KMS }

// Estimate returns the cost of r at prices p. Batches are counted as N/B,
// the last one as a fraction, as a run of many batches averages out.
func (p Prices) Estimate(r Run) Estimate {
	n := float64(r.Objects)
	batches := n / float64(r.BatchSize)
	seconds := float64(r.BatchSize)/ObjectsPerSecond + BatchOverhead.Seconds()
	e := Estimate{
		Requests: n*p.S3Get + math.Ceil(n/1000)*p.S3List,
		Batches:  batches * (p.Transition + p.Express + p.LambdaReq),
		Duration: batches * seconds * float64(r.MemoryMB) / 1024 * p.LambdaGBs,
		Tracing:  batches * LogBytesPerBatch / 1e9 * p.LogsGB,
	}
	if r.Tracing {
		e.Tracing += batches * p.XRayTrace
	}
	if r.KMS {
		e.KMS = n * p.KMSRequest
	}
	return e
}
