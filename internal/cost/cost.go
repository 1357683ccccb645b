// Package cost is the paper model of what a run costs on AWS and how long
// it takes: the README's cost tables and `sumsq plan` are both computed
// here, from list prices and the measured speed of a batch, so that they
// can never disagree.
//
// A [Run] is what a run is made of: the objects listed (by ListObjectsV2,
// or read from an S3 Inventory report), the requests that read them, the
// batches of the data Map, the parts of the scaled-out total (TotalParts)
// and the ranges of the objects too large for one invocation
// (SumLargeObjects). `sumsq plan` counts them in a listing (see
// [Run.AddObject]); the README's tables assume them ([SmallObjects]).
// [Prices.Estimate] turns a Run into dollars, [Run.Time] into hours.
//
// The model counts what a run pays for per object, per listing page and
// per child execution; what it pays once per run (the parent execution's
// few transitions, the PlanTotal, Gather and Total invocations, the result
// files' storage and requests, Express duration) is a fraction of a cent
// and is left out.
package cost

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Prices are the list prices the model uses, in US dollars.
type Prices struct {
	S3Get           float64 // per GET (or HEAD) request
	S3List          float64 // per LIST request, of up to 1,000 keys
	InventoryObject float64 // per object an S3 Inventory report lists
	Transition      float64 // per Standard state transition
	Express         float64 // per Express execution request: one per batch, one per range
	LambdaReq       float64 // per Lambda invocation
	LambdaGBs       float64 // per GB-second of Lambda duration (arm64)
	XRayTrace       float64 // per trace recorded
	LogsGB          float64 // per GB of CloudWatch Logs ingested
	KMSRequest      float64 // per KMS request
}

// USEast1 are us-east-1's list prices, as AWS's pricing pages list them
// (December 2026, when they were written here; check the pages before
// relying on a figure):
//
//   - https://aws.amazon.com/s3/pricing/: S3 Standard GET $0.0004 and LIST
//     $0.005 per 1,000 requests; S3 Inventory (Management & Insights)
//     $0.0025 per million objects listed;
//   - https://aws.amazon.com/step-functions/pricing/: Standard $0.025 per
//     1,000 state transitions, a Distributed Map's child execution started
//     counting as one (concepts-transitions.html); Express $1.00 per
//     million requests;
//   - https://aws.amazon.com/lambda/pricing/: $0.20 per million requests,
//     $0.0000133334 per GB-second on arm64;
//   - https://aws.amazon.com/xray/pricing/: $5.00 per million traces;
//   - https://aws.amazon.com/cloudwatch/pricing/: logs $0.50 per GB
//     ingested;
//   - https://aws.amazon.com/kms/pricing/: $0.03 per 10,000 requests.
var USEast1 = Prices{
	S3Get:           0.0004 / 1000,
	S3List:          0.005 / 1000,
	InventoryObject: 0.0025 / 1e6,
	Transition:      0.025 / 1000,
	Express:         1.0 / 1e6,
	LambdaReq:       0.20 / 1e6,
	LambdaGBs:       0.0000133334,
	XRayTrace:       5.0 / 1e6,
	LogsGB:          0.50,
	KMSRequest:      0.03 / 10000,
}

// The speed the model assumes. Measured figures say where they were
// measured; the others are assumptions, and say so.
const (
	// ObjectsPerSecond is a batch's rate on small objects: the README's
	// measured rate behind S3's latency (function's BenchmarkShapedBatch,
	// with the template's concurrency).
	ObjectsPerSecond = 2500

	// BytesPerSecond is how fast one invocation reads an object's bytes:
	// measured, a 64 MiB object in 1.09 s over 8 ranged GETs at once
	// against a local S3 shaped to 8 MB/s a connection (function's
	// BenchmarkShapedLargeObject). Lambda's network is faster; the parse
	// runs at over 1 GB/s a core.
	BytesPerSecond = 60e6

	// BatchOverhead is an invocation's fixed time: its start, its
	// result, the child execution around it.
	BatchOverhead = 20 * time.Millisecond

	// ListPageTime is the time of one ListObjectsV2 request of 1,000 keys.
	// An assumption: S3 documents no figure (its performance guide puts
	// the median latency of small requests in the tens of milliseconds; a
	// page is about 250 KB of XML). Pages are read one after another: each
	// request needs the previous one's continuation token.
	ListPageTime = 100 * time.Millisecond

	// InventoryRowsPerSecond is how fast a Distributed Map reads an S3
	// Inventory report's rows. An assumption: AWS documents no rate for
	// its MANIFEST reader; this is a fifth of what this project's own
	// reader does on one core here (internal/inventory's BenchmarkRows,
	// 5.0 million rows a second).
	InventoryRowsPerSecond = 1e6

	// InventoryRowsPerFile is how many rows an S3 Inventory data file
	// holds, for the GETs of a report's files. An assumption: S3 does not
	// document how it splits a report; the GETs are a rounding error
	// whatever it is.
	InventoryRowsPerFile = 1_000_000

	// ResultBytesPerSecond is how fast a TotalParts child reads the data
	// Map Run's results: the rate the Total measured here before it
	// skipped per-object results undecoded (43 MB/s); the parts do
	// better.
	ResultBytesPerSecond = 43e6
)

// TotalMemoryMB is the Total function's memory (template.yaml): one full
// vCPU, which Lambda gives at 1,769 MB (configuration-memory.html), for
// the parts of the total, whose reading is bound by one core.
const TotalMemoryMB = 1769

// LogBytesPerInvocation is what one invocation writes to CloudWatch Logs:
// the function's one JSON line and Lambda's platform lines (start, end,
// report), about a kilobyte.
const LogBytesPerInvocation = 1024

// PartBytes is the size of the parts an object of at least that many
// bytes is read in, one GET each (job.DefaultPartSize).
const PartBytes = 8 << 20

// The results a batch writes (the ResultWriter's COMPACT JSON Lines),
// which the TotalParts children read: an object's result is
// {"bucket","key","count","sumOfSquares"}, its bucket and key and this
// much more (with a count and a sum of a few digits), and a batch's line
// this much more than its objects' results.
const (
	ResultBytesPerObject = 60
	ResultBytesPerBatch  = 120
)

// Params are the stack's parameters a run's cost and time depend on.
type Params struct {
	MaxConcurrency int   // children of a Map at once
	MemoryMB       int   // FunctionMemory: the batch function's (the Total function has TotalMemoryMB)
	SplitBytes     int64 // SplitSizeMiB in bytes: larger objects are summed in ranges; 0: none are
	TotalPartBytes int64 // TotalPartMiB in bytes: the results one TotalParts child reads
	Tracing        bool  // X-Ray on (the template's Tracing)
	KMS            bool  // the bucket is encrypted with a customer managed key, without an S3 Bucket Key
}

// A Run is what a run is made of, as far as its cost and time go.
type Run struct {
	// Listed is what the run's source lists: the keys ListObjectsV2
	// returns, those under results/ included, or every row of the S3
	// Inventory report (S3 bills each object a report lists).
	Listed int64
	// Inventory: the objects come from an S3 Inventory report, read from
	// InventoryFiles data files, instead of a listing.
	Inventory      bool
	InventoryFiles int64

	Objects     int64 // objects the batches take: listed, less those skipped under results/
	Batches     int64 // child executions of the data Map
	Requests    int64 // GET and HEAD requests of the objects, their ranges' included
	Bytes       int64 // bytes the batches read
	Large       int64 // objects the batches set aside, to be summed in ranges
	Ranges      int64 // of the objects set aside: SumLargeObjects' children
	RangeBytes  int64 // bytes the ranges read
	ResultBytes int64 // of the batches' per-object results (see ResultBytesPerObject)
}

// Compressed reports whether key names an object stored compressed, by
// its suffix (job's codecs: gzip's .gz, zstd's .zst). The workflow tells
// them by their first bytes; a plan reads no object.
func Compressed(key string) bool {
	return strings.HasSuffix(key, ".gz") || strings.HasSuffix(key, ".zst")
}

// AddObject counts an object the batches take, of size bytes (-1:
// unknown), in bucket: the requests that read it, and whether a batch
// reads it or sets it aside to be summed in ranges by SumLargeObjects, as
// the function does:
//
//   - an empty object or a folder marker (a key ending in "/") is not
//     read;
//   - an object under PartBytes is one GET; one of unknown size, a HEAD
//     first;
//   - a larger one, a GET of its first bytes (its compression's magic
//     number), then one of each PartBytes part, or one stream if it is
//     compressed;
//   - one of p.SplitBytes or more, not compressed, is set aside unread but
//     for a HEAD (its ETag, which its ranges are pinned to), then read in
//     ranges of SplitBytes, each by a child of its own, in parts of
//     PartBytes, a GET each.
//
// Its result, a line of its batch's, adds to ResultBytes.
func (r *Run) AddObject(bucket, key string, size int64, p Params) {
	r.Objects++
	r.ResultBytes += ResultBytesPerObject + int64(len(bucket)) + int64(len(key))
	switch {
	case size == 0 || strings.HasSuffix(key, "/"):
	case size < 0:
		r.Requests += 2
	case size < PartBytes:
		r.Requests++
		r.Bytes += size
	case Compressed(key):
		r.Requests += 2
		r.Bytes += size
	case p.SplitBytes == 0 || size < p.SplitBytes:
		r.Requests += 1 + ceilDiv(size, PartBytes)
		r.Bytes += size
	default:
		r.Large++
		r.Requests++
		for start := int64(0); start < size; start += p.SplitBytes {
			r.Requests += ceilDiv(min(p.SplitBytes, size-start), PartBytes)
			r.Ranges++
		}
		r.RangeBytes += size
	}
}

// SmallObjects is the run the README's tables assume: n objects of a few
// bytes under a prefix (or listed by an S3 Inventory report of them alone,
// in data files of InventoryRowsPerFile rows), keyBytes of bucket and key
// each, summed in batches of batchSize.
func SmallObjects(n int64, keyBytes, batchSize int, inventory bool) Run {
	r := Run{
		Listed:      n,
		Objects:     n,
		Batches:     ceilDiv(n, int64(batchSize)),
		Requests:    n,
		ResultBytes: n * (ResultBytesPerObject + int64(keyBytes)),
	}
	if inventory {
		r.Inventory, r.InventoryFiles = true, ceilDiv(n, InventoryRowsPerFile)
	}
	return r
}

// ListRequests is the run's LIST requests: a page of up to 1,000 keys
// each; none for an inventory.
func (r Run) ListRequests() int64 {
	if r.Inventory {
		return 0
	}
	return ceilDiv(r.Listed, 1000)
}

// TotalParts is the number of TotalParts children: PlanTotal splits the
// batches' results into parts of p.TotalPartBytes (at least one, if there
// is a batch).
func (r Run) TotalParts(p Params) int64 {
	results := r.ResultBytes + r.Batches*ResultBytesPerBatch
	if r.Batches == 0 || results == 0 {
		return 0
	}
	if p.TotalPartBytes <= 0 {
		return 1
	}
	return ceilDiv(results, p.TotalPartBytes)
}

// Children is the run's child executions: the batches, TotalParts' parts
// and SumLargeObjects' ranges.
func (r Run) Children(p Params) int64 { return r.Batches + r.TotalParts(p) + r.Ranges }

// seconds returns the Lambda time of each kind of child, in seconds: the
// batches (ObjectsPerSecond, BytesPerSecond and BatchOverhead each), the
// parts (ResultBytesPerSecond) and the ranges (BytesPerSecond).
func (r Run) seconds(p Params) (batches, parts, ranges float64) {
	overhead := BatchOverhead.Seconds()
	batches = float64(r.Objects)/ObjectsPerSecond + float64(r.Bytes)/BytesPerSecond + float64(r.Batches)*overhead
	n := r.TotalParts(p)
	parts = float64(r.ResultBytes+r.Batches*ResultBytesPerBatch)/ResultBytesPerSecond + float64(n)*overhead
	if n == 0 {
		parts = 0
	}
	ranges = float64(r.RangeBytes)/BytesPerSecond + float64(r.Ranges)*overhead
	return batches, parts, ranges
}

// An Estimate is a run's cost by component, in US dollars.
type Estimate struct {
	Listing  float64 // LIST requests; or the objects an S3 Inventory report lists, and GETs of its manifest and data files
	Requests float64 // S3 GETs (and HEADs) of the objects
	Children float64 // per child execution: its transitions (a STANDARD TotalParts child: its Task's too), Express request, Lambda request
	Duration float64 // Lambda duration of the batches, the total's parts and the ranges
	Tracing  float64 // X-Ray traces (at most one per invocation) and CloudWatch Logs
	KMS      float64 // a KMS request per GET, with a customer managed key and no S3 Bucket Key
}

// Total is the sum of the components.
func (e Estimate) Total() float64 {
	return e.Listing + e.Requests + e.Children + e.Duration + e.Tracing + e.KMS
}

// Estimate returns the cost of r at parameters p and prices x.
func (x Prices) Estimate(r Run, p Params) Estimate {
	parts := float64(r.TotalParts(p))
	batches, ranges := float64(r.Batches), float64(r.Ranges)
	invocations := batches + parts + ranges
	b, t, g := r.seconds(p)
	e := Estimate{
		Listing:  float64(r.ListRequests()) * x.S3List,
		Requests: float64(r.Requests) * x.S3Get,
		Children: (batches+ranges)*(x.Transition+x.Express+x.LambdaReq) + parts*(2*x.Transition+x.LambdaReq),
		Duration: ((b+g)*float64(p.MemoryMB) + t*TotalMemoryMB) / 1024 * x.LambdaGBs,
		Tracing:  invocations * LogBytesPerInvocation / 1e9 * x.LogsGB,
	}
	if r.Inventory {
		e.Listing = float64(r.Listed)*x.InventoryObject + float64(r.InventoryFiles+1)*x.S3Get
	}
	if p.Tracing {
		e.Tracing += invocations * x.XRayTrace
	}
	if p.KMS {
		e.KMS = float64(r.Requests) * x.KMSRequest
	}
	return e
}

// A Time is how long a run takes, by step, with p.MaxConcurrency children
// of each Map at once.
type Time struct {
	Listing time.Duration // the listing's pages one after another, or the report's rows read
	Batch   time.Duration // one batch
	Batches time.Duration // the batches, MaxConcurrency at a time
	Total   time.Duration // TotalParts' parts, MaxConcurrency at a time
	Ranges  time.Duration // the ranges, MaxConcurrency at a time
}

// Run is the time of the whole run: the batches run while the listing
// goes on, but the last one cannot start before the listing's end; then
// the total's parts, then the ranges. The steps between them (the item
// counts, PlanTotal, Gather, the Total) take seconds and are left out.
func (t Time) Run() time.Duration {
	return max(t.Listing+t.Batch, t.Batches) + t.Total + t.Ranges
}

// Time returns how long r takes at p (see Time).
func (r Run) Time(p Params) Time {
	c := int64(max(p.MaxConcurrency, 1))
	b, t, g := r.seconds(p)
	tm := Time{
		Listing: time.Duration(r.ListRequests()) * ListPageTime,
		Batches: span(b, r.Batches, c),
		Total:   span(t, r.TotalParts(p), c),
		Ranges:  span(g, r.Ranges, c),
	}
	if r.Inventory {
		tm.Listing = seconds(float64(r.Listed) / InventoryRowsPerSecond)
	}
	if r.Batches > 0 {
		tm.Batch = seconds(b / float64(r.Batches))
	}
	return tm
}

// span is the time n children of equal length, total seconds in all, take
// c at a time: as many waves as c divides them into.
func span(total float64, n, c int64) time.Duration {
	if n == 0 {
		return 0
	}
	return seconds(total / float64(n) * float64(ceilDiv(n, c)))
}

func seconds(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

// Dollars writes an amount as the README's tables and sumsq plan do:
// "$0.442".
func Dollars(v float64) string { return fmt.Sprintf("$%.3f", v) }

// FormatTime writes a duration as the README's tables and sumsq plan do,
// to the precision a paper model has: "42 s", "17 min", "27.8 h".
func FormatTime(d time.Duration) string {
	switch {
	case d < time.Minute-time.Second/2:
		return fmt.Sprintf("%d s", d.Round(time.Second)/time.Second)
	case d < time.Hour-time.Minute/2:
		return fmt.Sprintf("%d min", d.Round(time.Minute)/time.Minute)
	}
	return fmt.Sprintf("%.1f h", d.Hours())
}
