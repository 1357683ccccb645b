package job

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
	Items      []Object    `json:"Items"`
	BatchInput *BatchInput `json:"BatchInput,omitempty"` // what the ItemBatcher adds; none: as before BatchInput said anything
}

// BatchInput is what the state machine's ItemBatcher adds to every batch.
type BatchInput struct {
	Bucket        string `json:"bucket,omitempty"`        // the data bucket
	ResultsPrefix string `json:"resultsPrefix,omitempty"` // where the Map Runs write their results
	// SplitBytes: an object of at least this many bytes that is not
	// compressed is not read by the batch but set aside (Deferred, reason
	// DeferredLarge), to be summed in ranges by other invocations. 0: none.
	SplitBytes int64 `json:"splitBytes,omitempty"`
	// Keys is "url" when the items' keys are URL-encoded, as an S3
	// Inventory report's CSV writes them; "" when they are the keys.
	Keys string `json:"keys,omitempty"`
}

// Reasons a batch sets an object aside (Deferred.Reason).
const (
	DeferredLarge     = "large"     // SplitBytes or more, not compressed: not read
	DeferredSlow      = "slow"      // not compressed, stopped at its share of the invocation's time
	DeferredUnstarted = "unstarted" // the invocation's time ran out before it was started
)

// Deferred is an object a batch set aside, for the workflow to sum in
// ranges, each by an invocation of its own (see Range).
type Deferred struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Size   int64  `json:"size"`
	ETag   string `json:"etag"`           // the version the batch saw, which every range must read
	Reason string `json:"reason"`         // DeferredLarge, DeferredSlow or DeferredUnstarted
	Read   int64  `json:"read,omitempty"` // bytes read before it was set aside (DeferredSlow)
}

// Range is a part of an object too large for one invocation: the lines
// that begin in [Start, End) of the version ETag names, by the rule of
// package sumsq's parallel ranges. Part counts from 0; the first part
// begins at 0, the last one ends at Size.
type Range struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Size   int64  `json:"size"`
	ETag   string `json:"etag"`
	Start  int64  `json:"start"`
	End    int64  `json:"end"`
	Part   int    `json:"part"`
	Parts  int    `json:"parts"`
}

// RangeResult is the sum of a Range's lines, or why it could not be read.
type RangeResult struct {
	Bucket       string        `json:"bucket"`
	Key          string        `json:"key"`
	Part         int           `json:"part"`
	Parts        int           `json:"parts"`
	Count        int64         `json:"count"`
	SumOfSquares string        `json:"sumOfSquares"`
	Lines        int64         `json:"lines"` // lines that begin in the range
	Failure      *RangeFailure `json:"failure,omitempty"`
}

// RangeFailure is why a Range could not be summed. For a bad line, Line
// counts from the range's first line (the object's line is Line plus the
// Lines of the parts before), Byte is the line's offset in the object, and
// Excerpt and Digits are those of the *sumsq.Error, so that the object's
// failure can be told exactly as a read of the whole object tells it
// (Failure does).
type RangeFailure struct {
	Error string `json:"error"` // the error type's name
	Cause string `json:"cause"` // its message, a bad line's counted from the range's first line
	Line  int64  `json:"line,omitempty"`
	Byte  int64  `json:"byte,omitempty"`
	// Excerpt is the line's first bytes quoted as the message quotes them
	// (Go's %q), so that bytes that are not UTF-8 survive JSON.
	Excerpt string `json:"excerpt,omitempty"`
	Digits  bool   `json:"digits,omitempty"` // a number over the digit limit, not a syntax error
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
	// DeferredObjects and Deferred are the objects set aside, to be summed
	// in ranges by other invocations: objects + failedObjects +
	// skippedObjects + deferredObjects is the batch's number of items.
	DeferredObjects int64      `json:"deferredObjects,omitempty"`
	Deferred        []Deferred `json:"deferred,omitempty"`
}
