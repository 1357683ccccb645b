package maprun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"math/bits"
	"path"
	"strconv"
	"strings"

	"github.com/sumsq/sumsq/internal/excerpt"
	"github.com/sumsq/sumsq/internal/job"
)

// FailuresFileName is the name of the object, next to the manifest, that
// lists every failure of a run as JSON Lines, one Failure a line, when
// Total.Failed cannot list them all.
const FailuresFileName = "failed.jsonl"

// Failure.Error values for failures the Map reports without an error name.
const (
	// MapItemFailed: a child execution failed and the Map gave no error name.
	MapItemFailed = "MapItemFailed"
	// MapItemPending: the Map Run ended before this child execution did.
	MapItemPending = "MapItemPending"
)

// ResultWriterDetails is where a Distributed Map wrote its results.
type ResultWriterDetails struct {
	Bucket string `json:"Bucket"`
	Key    string `json:"Key"` // of manifest.json
}

// Event asks for the total over a Map Run's results. Every field is
// required: statemachine.asl.json's Total state builds it from the Map's
// output, DescribeMapRun's item count and the template's
// ToleratedFailurePercentage.
type Event struct {
	MapRunArn           string               `json:"MapRunArn"`
	ResultWriterDetails *ResultWriterDetails `json:"ResultWriterDetails"`
	// ItemCounts is the Map Run's own count of its items: the objects its
	// results must account for, summed, failed or skipped.
	ItemCounts *ItemCounts `json:"ItemCounts"`
	// ToleratedFailurePercentage is the share of the run's objects, 0 to
	// 100, that may fail without failing the run.
	ToleratedFailurePercentage *int `json:"ToleratedFailurePercentage"`
}

// ItemCounts is the part of DescribeMapRun's itemCounts a total checks.
type ItemCounts struct {
	Total *int64 `json:"Total"` // every item of the Map Run
}

// Total is the exact total over every object of a run.
type Total struct {
	Objects          int64         `json:"objects"` // objects summed
	Count            int64         `json:"count"`   // numbers summed
	SumOfSquares     string        `json:"sumOfSquares"`
	FailedObjects    int64         `json:"failedObjects"`
	Failed           []job.Failure `json:"failed"`                     // the first job.MaxListedFailures
	FailuresLocation string        `json:"failuresLocation,omitempty"` // where the full list is (s3://bucket/key), when Failed is not all of it
	SkippedObjects   int64         `json:"skippedObjects,omitempty"`   // the Map's own result files, listed but not read
}

// totalOf returns t as a Total, FailuresLocation aside.
func totalOf(t *job.Tally) Total {
	return Total{
		Objects:        t.Objects,
		Count:          t.Count,
		SumOfSquares:   t.Sum(),
		FailedObjects:  t.Failed.Len(),
		Failed:         t.Failed.Listed(),
		SkippedObjects: t.Skipped,
	}
}

// Read reads the results a Distributed Map's ResultWriter wrote (see
// manifest.go for the layout) and returns the exact total over them.
//
// Every object of the run is either summed or counted in FailedObjects:
// the per-object failures in the batch outputs, and every object of a child
// execution that failed after its retries (FAILED) or never finished
// (PENDING), named by key from the execution's input with the execution's
// Error and Cause. Total.Failed lists the first failures within the bounds
// of failures.go; when it cannot list them all, every failure is written as
// JSON Lines to FailuresFileName next to the manifest, and
// FailuresLocation says where it is, as the Storage writes it (an s3://
// URL). Total.Failed is always a prefix of
// that list.
//
// The objects the results account for (summed, failed and skipped) must be
// the Map Run's own count of its items, e.ItemCounts.Total: otherwise the
// results are incomplete (a manifest that leaves out child executions, a
// lost file) and Total returns an *InvalidResultsError naming both numbers,
// never a short total. When more of the run's objects (summed and failed)
// failed than e.ToleratedFailurePercentage allows, Total writes the list of
// every failure as above, whatever its length, and returns a
// *TooManyFailuresError naming it.
//
// The Summer reads and writes only under its ResultsPrefix, in its Bucket
// if set: an event naming a manifest elsewhere is an *InvalidEventError,
// and a manifest naming result files outside its own directory, or one file
// twice, is an *InvalidResultsError. So is a manifest or result file that
// is missing or malformed, or a record that is not one the function and the
// Map could have written, naming the file and the record: the run itself is
// broken and a retry would not mend it. Errors reading are classified as
// for objects (*AccessDeniedError, *S3UnavailableError, *TimeoutError when
// ctx ends first, ...).
func Read(ctx context.Context, s *job.Summer, e Event) (Total, error) {
	bucket, key, err := check(s, e)
	if err != nil {
		return Total{}, err
	}
	mapRun, files, err := readManifest(ctx, s, bucket, key)
	if err != nil {
		return Total{}, err
	}
	if mapRun != e.MapRunArn {
		return Total{}, &job.InvalidResultsError{Key: key, Reason: fmt.Sprintf("manifest is for Map Run %s, not %s", mapRun, e.MapRunArn)}
	}
	t := &job.Tally{Failed: job.FailureList{Spill: true}}
	defer t.Failed.Close()
	max := maxSumDigits{maxDigits: s.DigitLimit()}
	for _, f := range files {
		err := read(ctx, s, bucket, f.Key, f.Size, func(r io.Reader) error {
			return eachRecord(r, func(n int64, raw []byte) error {
				if err := addRecord(s, t, &max, raw, f.Status); err != nil {
					return fmt.Errorf("record %d: %w", n, err)
				}
				return nil
			})
		})
		if err != nil {
			return Total{}, err
		}
	}
	total := totalOf(t)
	if err := accountsFor(total, *e.ItemCounts.Total); err != nil {
		return Total{}, &job.InvalidResultsError{Key: key, Reason: err.Error()}
	}
	objects := total.Objects + total.FailedObjects
	tooMany := exceeds(total.FailedObjects, objects, *e.ToleratedFailurePercentage)
	if !t.Failed.Complete() || tooMany {
		dir, _ := path.Split(key)
		failures := dir + FailuresFileName
		body, size, err := t.Failed.All()
		if err != nil {
			return Total{}, err
		}
		if err := s.Storage.Put(ctx, bucket, failures, body, size); err != nil {
			return Total{}, s.Classify(ctx, err, bucket, failures)
		}
		total.FailuresLocation = s.Storage.Location(bucket, failures)
	}
	if tooMany {
		err := &job.TooManyFailuresError{Failed: total.FailedObjects, Objects: objects,
			Percentage: *e.ToleratedFailurePercentage, Location: total.FailuresLocation}
		if len(total.Failed) > 0 { // always: the first failure is listed
			err.First = total.Failed[0]
		}
		return Total{}, err
	}
	return total, nil
}

// accountsFor returns an error unless t accounts for exactly items objects,
// summed, failed or skipped: the Map Run's count of its items.
func accountsFor(t Total, items int64) error {
	accounted, carry := bits.Add64(uint64(t.Objects), uint64(t.FailedObjects), 0)
	accounted, carry2 := bits.Add64(accounted, uint64(t.SkippedObjects), 0)
	if carry == 0 && carry2 == 0 && accounted == uint64(items) {
		return nil
	}
	return fmt.Errorf("the results account for %d objects (%d summed, %d failed, %d skipped) but the Map Run counted %d items: "+
		"the manifest or its result files leave out child executions; no total is given from incomplete results",
		accounted, t.Objects, t.FailedObjects, t.SkippedObjects, items)
}

// exceeds reports whether failed of objects is more than percentage allows:
// failed×100 > percentage×objects, exactly (128-bit products), as the Map
// compares failed items with its ToleratedFailurePercentage. Nothing
// failed never exceeds; 0 % tolerates no failure.
func exceeds(failed, objects int64, percentage int) bool {
	fh, fl := bits.Mul64(uint64(failed), 100)
	oh, ol := bits.Mul64(uint64(percentage), uint64(objects))
	return fh > oh || fh == oh && fl > ol
}

// check returns the bucket and key of the manifest e names, or an
// *job.InvalidEventError if s may not read it.
func check(s *job.Summer, e Event) (bucket, key string, err error) {
	d := e.ResultWriterDetails
	if d == nil || d.Bucket == "" || d.Key == "" {
		return "", "", &job.InvalidEventError{Reason: "ResultWriterDetails needs a Bucket and a Key"}
	}
	if bucket, err = s.Storage.Bucket(d.Bucket); err != nil {
		return "", "", &job.InvalidEventError{Reason: err.Error()}
	}
	dir, _ := path.Split(d.Key)
	switch {
	case s.Bucket != "" && bucket != s.Bucket:
		return "", "", &job.InvalidEventError{Reason: fmt.Sprintf("bucket %s: this function reads only bucket %s", excerpt.Quote(bucket), excerpt.Quote(s.Bucket))}
	case s.Storage.CheckKey(d.Key) != nil:
		return "", "", &job.InvalidEventError{Reason: s.Storage.CheckKey(d.Key).Error()}
	case s.ResultsPrefix == "" || !strings.HasPrefix(dir, s.ResultsPrefix) || len(dir) == len(s.ResultsPrefix):
		return "", "", &job.InvalidEventError{Reason: fmt.Sprintf("manifest %s is not in a run's directory under the results prefix %s",
			excerpt.Quote(d.Key), excerpt.Quote(s.ResultsPrefix))}
	case e.MapRunArn == "":
		return "", "", &job.InvalidEventError{Reason: "MapRunArn is required: the Map Run whose results these are"}
	case e.ItemCounts == nil || e.ItemCounts.Total == nil:
		return "", "", &job.InvalidEventError{Reason: "ItemCounts.Total is required: the Map Run's count of its items (DescribeMapRun), which the results must account for"}
	case *e.ItemCounts.Total < 0:
		return "", "", &job.InvalidEventError{Reason: fmt.Sprintf("ItemCounts.Total %d is negative", *e.ItemCounts.Total)}
	case e.ToleratedFailurePercentage == nil:
		return "", "", &job.InvalidEventError{Reason: "ToleratedFailurePercentage is required: the share of objects, 0 to 100, that may fail"}
	case *e.ToleratedFailurePercentage < 0 || *e.ToleratedFailurePercentage > 100:
		return "", "", &job.InvalidEventError{Reason: fmt.Sprintf("ToleratedFailurePercentage %d is not from 0 to 100", *e.ToleratedFailurePercentage)}
	}
	return bucket, d.Key, nil
}

// mapRecord is the part of a child execution record that a total needs,
// and Output, which tells a record from an output. No field name matches
// one of BatchResult's, even case-insensitively, so one decode tells them
// apart.
type mapRecord struct {
	ExecutionArn string          `json:"ExecutionArn"`
	Name         string          `json:"Name"`
	Status       string          `json:"Status"`
	Input        json.RawMessage `json:"Input"`
	Output       json.RawMessage `json:"Output"`
	Error        string          `json:"Error"`
	Cause        string          `json:"Cause"`
}

// addRecord adds one record of a result file filed under status: in a
// SUCCEEDED file, a child's output itself; in any other (FAILED, PENDING),
// the whole record of a child execution, whose objects failed.
func addRecord(s *job.Summer, t *job.Tally, max *maxSumDigits, raw []byte, status string) error {
	var r mapRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	record := r.Status != "" || r.ExecutionArn != "" || r.Input != nil || r.Output != nil
	switch {
	case status == statusSucceeded && record:
		return errors.New("a child execution's record in a SUCCEEDED file, as WriterConfig Transformation NONE writes it: " +
			"want the child's output alone (COMPACT)")
	case status == statusSucceeded:
		return addOutput(t, max, raw)
	case !record:
		return fmt.Errorf("a bare output in a %s file: want a child execution record", status)
	case r.Status == statusSucceeded:
		return fmt.Errorf("a SUCCEEDED child's record in a %s file", status)
	}
	if r.Status != "" {
		status = r.Status
	}
	invalid := func(field string, err error) error {
		return fmt.Errorf("%s of %s execution %s: %w", field, status, r.Name, err)
	}
	items, err := inputItems(r.Input)
	if err != nil {
		return invalid("Input", err)
	}
	name, cause := r.Error, r.Cause
	if name == "" {
		name = MapItemFailed
		if status == "PENDING" {
			name = MapItemPending
		}
	}
	if cause == "" {
		cause = fmt.Sprintf("child execution %s ended with status %s", r.Name, status)
	}
	for _, o := range items {
		if s.IsResult(o.Bucket, o.Key) {
			t.Skipped++ // as the batch would have: not data
			continue
		}
		t.Failed.Add(job.Failure{Bucket: failedBucket(s, o.Bucket), Key: o.Key, Error: name, Cause: cause})
	}
	return nil
}

// jsonText returns the JSON text a record's Input holds: the content of a
// JSON string, or the JSON itself if it is not a string.
func jsonText(raw json.RawMessage) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errors.New("missing")
	}
	if raw[0] != '"' {
		return raw, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// inputItems returns the objects of a child execution's input: a batch,
// {"Items": [...], "BatchInput": ...}, as the template's ItemBatcher sends.
func inputItems(raw json.RawMessage) ([]job.Object, error) {
	text, err := jsonText(raw)
	if err != nil {
		return nil, err
	}
	var in struct {
		Items *[]job.Object `json:"Items"`
	}
	if err := json.Unmarshal(text, &in); err != nil {
		return nil, err
	}
	if in.Items == nil {
		return nil, errors.New(`not a batch: no "Items"`)
	}
	return *in.Items, nil
}

// failedBucket returns the bucket of a failed item as results name it:
// by its name, or as the item gave it if it names no bucket.
func failedBucket(s *job.Summer, b string) string {
	if name, err := s.Storage.Bucket(b); err == nil {
		return name
	}
	return b
}

// batchOutput is the part of a BatchResult a total reads.
type batchOutput struct {
	Objects        *int64        `json:"objects"`
	Count          *int64        `json:"count"`
	SumOfSquares   *string       `json:"sumOfSquares"`
	FailedObjects  int64         `json:"failedObjects"`
	Failed         []job.Failure `json:"failed"`
	SkippedObjects int64         `json:"skippedObjects"`
}

// addOutput adds a batch's result, after checking that it is one that the
// function could have written.
func addOutput(t *job.Tally, max *maxSumDigits, raw []byte) error {
	var o batchOutput
	if err := json.Unmarshal(raw, &o); err != nil {
		return err
	}
	switch {
	case o.Objects == nil || o.Count == nil || o.SumOfSquares == nil:
		return errors.New("not a batch result: objects, count or sumOfSquares missing")
	case *o.Objects < 0 || *o.Count < 0 || o.FailedObjects < 0 || o.SkippedObjects < 0:
		return fmt.Errorf("negative count: objects %d, count %d, failedObjects %d, skippedObjects %d",
			*o.Objects, *o.Count, o.FailedObjects, o.SkippedObjects)
	case o.FailedObjects != int64(len(o.Failed)):
		return fmt.Errorf("failedObjects is %d but failed names %d", o.FailedObjects, len(o.Failed))
	}
	sum, err := max.parse(*o.SumOfSquares, *o.Count)
	if err != nil {
		return err
	}
	if err := t.AddSubtotal(*o.Objects, *o.Count, o.SkippedObjects, sum); err != nil {
		return err
	}
	for _, f := range o.Failed {
		t.Failed.Add(f)
	}
	return nil
}

// maxSumDigits checks the sums a total reads.
type maxSumDigits struct{ maxDigits int }

// parse parses a sum of count squares: a non-negative decimal integer, 0 if
// count is 0, and with no more digits than count squares of numbers of at
// most maxDigits digits can have. The last check is what bounds the digits
// of a Total's sum.
func (m *maxSumDigits) parse(s string, count int64) (*big.Int, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return nil, fmt.Errorf("sumOfSquares %q is not a non-negative decimal integer", excerpt.Shorten(s, 40))
	}
	digits := strings.TrimLeft(s, "0")
	if count == 0 && digits != "" {
		return nil, fmt.Errorf("sumOfSquares %q of no numbers", excerpt.Shorten(s, 40))
	}
	if len(digits) > 2*m.maxDigits+len(strconv.FormatInt(count, 10)) {
		return nil, fmt.Errorf("sumOfSquares has %d digits, more than %d squares of %d-digit numbers can have",
			len(digits), count, m.maxDigits)
	}
	sum, _ := new(big.Int).SetString(s, 10)
	return sum, nil
}
