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
