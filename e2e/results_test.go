//go:build e2e

package e2e

// The function's results as a client reads them: the JSON names of
// DESIGN.md's contract, spelled out here rather than taken from
// internal/job, so that a renamed field fails these tests.

// objectResult is the result of the one-object event.
type objectResult struct {
	Bucket       string `json:"bucket"`
	Key          string `json:"key"`
	Count        int64  `json:"count"`
	SumOfSquares string `json:"sumOfSquares"`
}

// failure names an object that could not be summed.
type failure struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Error  string `json:"error"`
	Cause  string `json:"cause"`
}

// batchResult is the result of a batch event.
type batchResult struct {
	Objects        int64          `json:"objects"`
	Count          int64          `json:"count"`
	SumOfSquares   string         `json:"sumOfSquares"`
	Results        []objectResult `json:"results"`
	ResultsOmitted int64          `json:"resultsOmitted,omitempty"`
	FailedObjects  int64          `json:"failedObjects"`
	Failed         []failure      `json:"failed"`
}

// total is the result of the total event: the execution's output.
type total struct {
	Objects          int64     `json:"objects"`
	Count            int64     `json:"count"`
	SumOfSquares     string    `json:"sumOfSquares"`
	FailedObjects    int64     `json:"failedObjects"`
	Failed           []failure `json:"failed"`
	FailuresLocation string    `json:"failuresLocation,omitempty"`
	SkippedObjects   int64     `json:"skippedObjects,omitempty"`
}

// partial is the result of a part of the total (a TotalParts child).
type partial struct {
	Objects         int64     `json:"objects"`
	Count           int64     `json:"count"`
	SumOfSquares    string    `json:"sumOfSquares"`
	FailedObjects   int64     `json:"failedObjects"`
	SkippedObjects  int64     `json:"skippedObjects"`
	DeferredObjects int64     `json:"deferredObjects"`
	Failed          []failure `json:"failed"`
	FailuresKey     string    `json:"failuresKey,omitempty"`
	DeferredKey     string    `json:"deferredKey,omitempty"`
}

// functionErrorBody is a function error as the runtime reports it.
type functionErrorBody struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}
