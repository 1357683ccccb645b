package job

import "encoding/json"

// The JSON the function accepts and returns, and that `sumsq run -json`
// prints. Sums are decimal strings (exact whatever their size; JSON numbers
// would be read as float64 by Step Functions and most consumers); counts are
// JSON numbers.

// Object is one S3 object to sum: the blog's event ({"bucket", "key"}), an
// item of the Map, and one entry of a batch.
type Object struct {
	Bucket string `json:"bucket"`         // a bucket name, or arn:<partition>:s3:::name
	Key    string `json:"key"`            // the object key
	Size   *int64 `json:"size,omitempty"` // when known: 0 means nothing to read
}

// ObjectResult is the sum for one object.
type ObjectResult struct {
	Bucket       string `json:"bucket"`
	Key          string `json:"key"`
	Count        int64  `json:"count"`
	SumOfSquares string `json:"sumOfSquares"`
}

// Failure names an object that could not be summed and why.
type Failure struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Error  string `json:"error"` // the error type name, e.g. "InvalidContentError"
	Cause  string `json:"cause"` // the error message, bounded in length
}

// Batch is what a Distributed Map's ItemBatcher sends.
type Batch struct {
	Items      []Object        `json:"Items"`
	BatchInput json.RawMessage `json:"BatchInput,omitempty"` // what the ItemBatcher adds: not read
}

// BatchResult is the subtotal of a batch, with every object either summed
// or named in Failed.
type BatchResult struct {
	Objects        int64          `json:"objects"` // objects summed
	Count          int64          `json:"count"`   // numbers summed
	SumOfSquares   string         `json:"sumOfSquares"`
	Results        []ObjectResult `json:"results"`
	ResultsOmitted int64          `json:"resultsOmitted,omitempty"` // per-object results left out to bound the output size; the subtotal includes them
	FailedObjects  int64          `json:"failedObjects"`
	Failed         []Failure      `json:"failed"`
	SkippedObjects int64          `json:"skippedObjects,omitempty"` // under the results prefix: not read
}

// ResultWriterDetails is where a Distributed Map wrote its results.
type ResultWriterDetails struct {
	Bucket string `json:"Bucket"`
	Key    string `json:"Key"` // of manifest.json
}

// TotalEvent asks for the total over a Map run's results. Every field is
// required: statemachine.asl.json's Total state builds it from the Map's
// output, DescribeMapRun's item count and the template's
// ToleratedFailurePercentage.
type TotalEvent struct {
	MapRunArn           string               `json:"MapRunArn"`
	ResultWriterDetails *ResultWriterDetails `json:"ResultWriterDetails"`
	// ItemCounts is the Map Run's own count of its items: the objects its
	// results must account for, summed, failed or skipped.
	ItemCounts *ItemCounts `json:"ItemCounts"`
	// ToleratedFailurePercentage is the share of the run's objects, 0 to
	// 100, that may fail without failing the run.
	ToleratedFailurePercentage *int `json:"ToleratedFailurePercentage"`
}

// ItemCounts is the part of DescribeMapRun's itemCounts a Total checks.
type ItemCounts struct {
	Total *int64 `json:"Total"` // every item of the Map Run
}

// Total is the exact total over every object of a run.
type Total struct {
	Objects          int64     `json:"objects"` // objects summed
	Count            int64     `json:"count"`   // numbers summed
	SumOfSquares     string    `json:"sumOfSquares"`
	FailedObjects    int64     `json:"failedObjects"`
	Failed           []Failure `json:"failed"`                     // the first MaxListedFailures
	FailuresLocation string    `json:"failuresLocation,omitempty"` // where the full list is (s3://bucket/key), when Failed is not all of it
	SkippedObjects   int64     `json:"skippedObjects,omitempty"`   // the Map's own result files, listed but not read
}
