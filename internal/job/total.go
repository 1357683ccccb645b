package job

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"path"
	"strconv"
	"strings"
)

// Bounds on the failures a Total lists, so that its JSON stays under Step
// Functions' 256 KiB payload limit whatever the keys and the failures.
//
// Total.Failed holds at most MaxListedFailures failures and at most
// MaxListedFailuresBytes of JSON, their Cause cut to MaxListedCauseBytes
// and their Error to 128 bytes. With S3's longest keys (MaxKeyBytes) a
// failure takes at most 63 + 1,024 + 128 + 256 bytes and 45 of JSON, so
// 100 of them fit in the byte bound; keys whose bytes JSON escapes
// (\u0001, \u003c: 6 bytes a byte) are cut off by the byte bound instead.
// The rest of a Total takes at most 106,379 bytes: a sum of at most
// 2×MaxDigitsLimit+19 = 100,019 digits, a FailuresLocation of at most 6,213
// (a 1,024-byte key, every byte escaped) and 147 of names and counts; and
// 153,600 + 106,379 < 262,144.
const (
	MaxListedFailures      = 100
	MaxListedFailuresBytes = 150 << 10
	MaxListedCauseBytes    = 256
	maxErrorNameBytes      = 128
)

// MaxCauseBytes bounds a Failure's Cause: in a batch's result (see
// NewFailure) and in the list of all failures a Total writes.
const MaxCauseBytes = 512

// FailuresFileName is the name of the object, next to the manifest, that
// lists every failure of a run as JSON Lines, one Failure a line, when
// Total.Failed cannot list them all. It is no longer than "manifest.json",
// so its key is never longer than the manifest's.
const FailuresFileName = "failed.jsonl"

// Failure.Error values for failures the Map reports without an error name.
const (
	// MapItemFailed: an item failed and the Map gave no error name, or an
	// inline result is null. Inline results do not say which objects a
	// failed item held: such a Failure has an empty Key.
	MapItemFailed = "MapItemFailed"
	// MapItemPending: the Map Run ended before this item's execution did.
	MapItemPending = "MapItemPending"
)

// Total reads the results a Distributed Map's ResultWriter wrote (see
// mapresults.go for the layout) and returns the exact total over them.
//
// Every object of the run is either summed or counted in FailedObjects:
// the per-object failures in the batch outputs, and every object of a child
// execution that failed after its retries (FAILED) or never finished
// (PENDING), named by key from the execution's input with the execution's
// Error and Cause. Total.Failed lists the first failures within the bounds
// above; when it cannot list them all, every failure is written as JSON
// Lines to FailuresFileName next to the manifest, in the manifest's bucket,
// and FailuresLocation is its s3:// URL. Total.Failed is always a prefix of
// that list. The function therefore needs s3:PutObject on the results prefix.
//
// Errors: an event without the manifest's bucket and key is an
// *InvalidEventError. A manifest or result file that is missing or
// malformed, or a result that is not a valid BatchResult or ObjectResult, is
// an *InvalidResultsError naming the file and the record: the run itself is
// broken and a retry would not mend it. S3 errors are classified as the
// batch handler classifies them (*AccessDeniedError, *S3UnavailableError,
// *TimeoutError when ctx ends first).
func (s *Summer) Total(ctx context.Context, e TotalEvent) (Total, error) {
	d := e.ResultWriterDetails
	if d == nil || d.Bucket == "" || d.Key == "" {
		return Total{}, &InvalidEventError{Reason: "ResultWriterDetails needs a Bucket and a Key"}
	}
	m, err := s.readManifest(ctx, d.Bucket, d.Key)
	if err != nil {
		return Total{}, err
	}
	if e.MapRunArn != "" && m.MapRunArn != "" && e.MapRunArn != m.MapRunArn {
		return Total{}, &InvalidResultsError{Key: d.Key, Reason: fmt.Sprintf("manifest is for Map Run %s, not %s", m.MapRunArn, e.MapRunArn)}
	}
	bucket := m.DestinationBucket
	if bucket == "" {
		bucket = d.Bucket
	}
	t := newTally(s.maxDigits(), true)
	defer t.failed.discard()
	for _, f := range m.files() {
		err := s.eachRecord(ctx, bucket, f.Key, func(n int64, raw json.RawMessage) error {
			if err := t.add(raw, f.Status, n); err != nil {
				return &InvalidResultsError{Key: f.Key, Reason: fmt.Sprintf("record %d: %v", n, err)}
			}
			return nil
		})
		if err != nil {
			return Total{}, err
		}
	}
	total := t.total()
	if t.failed.unlisted() {
		key := failuresKey(d.Key)
		if err := s.putFailures(ctx, &t.failed, d.Bucket, key); err != nil {
			return Total{}, err
		}
		total.FailuresLocation = "s3://" + d.Bucket + "/" + key
	}
	return total, nil
}

// TotalInline returns the exact total over a Map's inline results, the
// array a Map state outputs when it has no ResultWriter. An element is a
// BatchResult, an ObjectResult, a child execution record (a WriterConfig
// with Transformation NONE), an error output ({"Error", "Cause"}) or null,
// as some interpreters report a failed item.
//
// A null or an error output counts as one failed object with an empty Key:
// inline results do not say which objects the failed item held, and it may
// have held a batch of them, so FailedObjects is then a lower bound. A
// ResultWriter names them; use one for runs that matter. There is nowhere
// to write the list of all failures either: when Failed cannot hold them
// all, FailedObjects exceeds len(Failed) and FailuresLocation is empty.
//
// A malformed element is an *InvalidResultsError naming its index.
func (s *Summer) TotalInline(ctx context.Context, results []json.RawMessage) (Total, error) {
	t := newTally(s.maxDigits(), false)
	for i, raw := range results {
		if err := ctx.Err(); err != nil {
			return Total{}, &TimeoutError{}
		}
		if err := t.add(raw, "", int64(i)); err != nil {
			return Total{}, &InvalidResultsError{Key: "inline results", Reason: fmt.Sprintf("result %d: %v", i, err)}
		}
	}
	return t.total(), nil
}

// failuresKey is the key of the list of all failures: FailuresFileName in
// the manifest's directory.
func failuresKey(manifestKey string) string {
	dir, _ := path.Split(manifestKey)
	return dir + FailuresFileName
}

// tally accumulates a total, one Map result at a time.
type tally struct {
	maxDigits               int
	objects, count, skipped int64
	sum                     big.Int
	failed                  failureList
}

func newTally(maxDigits int, spill bool) *tally {
	return &tally{maxDigits: maxDigits, failed: failureList{spill: spill}}
}

// mapRecord is the part of a child execution record, or of an error output,
// that a total needs. No field name matches one of BatchResult's or
// ObjectResult's, even case-insensitively, so one decode tells them apart.
type mapRecord struct {
	ExecutionArn string          `json:"ExecutionArn"`
	Name         string          `json:"Name"`
	Status       string          `json:"Status"`
	Input        json.RawMessage `json:"Input"`
	Output       json.RawMessage `json:"Output"`
	Error        string          `json:"Error"`
	Cause        string          `json:"Cause"`
}

// add adds one element of a result file (filed under status) or of inline
// results (status ""), the n-th. An error says why the element is invalid.
func (t *tally) add(raw json.RawMessage, status string, n int64) error {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		t.failed.add(Failure{Error: MapItemFailed, Cause: fmt.Sprintf(
			"Map result %d is null: its item (an object or a batch) failed, and inline results do not name its objects", n)})
		return nil
	}
	var r mapRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
	switch {
	case r.Status != "" || r.ExecutionArn != "" || r.Input != nil || r.Output != nil:
		return t.addRecord(&r, status)
	case r.Error != "":
		t.failed.add(Failure{Error: r.Error, Cause: r.Cause})
		return nil
	}
	return t.addOutput(raw)
}

// addRecord adds a child execution record: its output if it succeeded,
// otherwise every object of its input as failed.
func (t *tally) addRecord(r *mapRecord, status string) error {
	if r.Status != "" {
		status = r.Status
	}
	if status == "" {
		return errors.New("child execution record has no Status")
	}
	invalid := func(field string, err error) error {
		return fmt.Errorf("%s of %s execution %s: %w", field, status, r.Name, err)
	}
	if status == statusSucceeded {
		out, err := jsonText(r.Output)
		if err == nil {
			err = t.addOutput(out)
		}
		if err != nil {
			return invalid("Output", err)
		}
		return nil
	}
	objects, skip, err := inputObjects(r.Input)
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
	for _, o := range objects {
		if skip != "" && strings.HasPrefix(o.Key, skip) {
			t.skipped++ // as the batch would have: not data
			continue
		}
		t.failed.add(Failure{Bucket: failedBucket(o.Bucket), Key: o.Key, Error: name, Cause: cause})
	}
	return nil
}

// jsonText returns the JSON text a record's Input or Output holds: the
// content of a JSON string, or the JSON itself if it is not a string.
func jsonText(raw json.RawMessage) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, errors.New("missing")
	}
	if raw[0] != '"' {
		return raw, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, err
	}
	return json.RawMessage(s), nil
}

// inputObjects returns the objects of a child execution's input, a batch
// ({"Items": [...], "BatchInput": ...}) or a single item ({"bucket", "key"}),
// and the batch's results prefix, whose objects the batch would have skipped.
func inputObjects(raw json.RawMessage) ([]Object, string, error) {
	text, err := jsonText(raw)
	if err != nil {
		return nil, "", err
	}
	var in struct {
		Items      *[]Object       `json:"Items"`
		BatchInput json.RawMessage `json:"BatchInput"`
		Bucket     string          `json:"bucket"`
		Key        *string         `json:"key"`
	}
	if err := json.Unmarshal(text, &in); err != nil {
		return nil, "", err
	}
	switch {
	case in.Items != nil:
		return *in.Items, resultsPrefix(in.BatchInput), nil
	case in.Key != nil:
		return []Object{{Bucket: in.Bucket, Key: *in.Key}}, "", nil
	}
	return nil, "", errors.New("neither a batch (Items) nor an object (key)")
}

// failedBucket returns the bucket of a failed item as results name it:
// by its name, or as the item gave it if it names no bucket.
func failedBucket(b string) string {
	if name, err := BucketName(b); err == nil {
		return name
	}
	return b
}

// mapOutput is a BatchResult or an ObjectResult: Objects is present only in
// the first, Key only in the second.
type mapOutput struct {
	Objects        *int64    `json:"objects"`
	Key            *string   `json:"key"`
	Count          *int64    `json:"count"`
	SumOfSquares   *string   `json:"sumOfSquares"`
	FailedObjects  int64     `json:"failedObjects"`
	Failed         []Failure `json:"failed"`
	SkippedObjects int64     `json:"skippedObjects"`
}

// addOutput adds a batch's or an object's result, after checking that it is
// one that the function could have written.
func (t *tally) addOutput(raw json.RawMessage) error {
	var o mapOutput
	if err := json.Unmarshal(raw, &o); err != nil {
		return err
	}
	objects := int64(1)
	switch {
	case o.Objects != nil:
		objects = *o.Objects
	case o.Key == nil:
		return errors.New("neither a BatchResult (objects) nor an ObjectResult (key)")
	}
	switch {
	case o.Count == nil || o.SumOfSquares == nil:
		return errors.New("count or sumOfSquares missing")
	case objects < 0 || *o.Count < 0 || o.FailedObjects < 0 || o.SkippedObjects < 0:
		return fmt.Errorf("negative count: objects %d, count %d, failedObjects %d, skippedObjects %d",
			objects, *o.Count, o.FailedObjects, o.SkippedObjects)
	case o.FailedObjects != int64(len(o.Failed)):
		return fmt.Errorf("failedObjects is %d but failed names %d", o.FailedObjects, len(o.Failed))
	}
	sum, err := t.parseSum(*o.SumOfSquares, *o.Count)
	if err != nil {
		return err
	}
	if t.objects > math.MaxInt64-objects || t.count > math.MaxInt64-*o.Count || t.skipped > math.MaxInt64-o.SkippedObjects {
		return errors.New("counts overflow int64")
	}
	t.objects += objects
	t.count += *o.Count
	t.skipped += o.SkippedObjects
	t.sum.Add(&t.sum, sum)
	for _, f := range o.Failed {
		t.failed.add(f)
	}
	return nil
}

// parseSum parses a sum of count squares: a non-negative decimal integer,
// 0 if count is 0, and with no more digits than count squares of numbers of
// at most maxDigits digits can have. The last check is what bounds the
// digits of a Total's sum.
func (t *tally) parseSum(s string, count int64) (*big.Int, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return nil, fmt.Errorf("sumOfSquares %q is not a non-negative decimal integer", shorten(s, 40))
	}
	digits := strings.TrimLeft(s, "0")
	if count == 0 && digits != "" {
		return nil, fmt.Errorf("sumOfSquares %q of no numbers", shorten(s, 40))
	}
	if len(digits) > 2*t.maxDigits+len(strconv.FormatInt(count, 10)) {
		return nil, fmt.Errorf("sumOfSquares has %d digits, more than %d squares of %d-digit numbers can have",
			len(digits), count, t.maxDigits)
	}
	sum, _ := new(big.Int).SetString(s, 10)
	return sum, nil
}

// total returns the Total so far.
func (t *tally) total() Total {
	failed := t.failed.listed
	if failed == nil {
		failed = []Failure{}
	}
	return Total{
		Objects:        t.objects,
		Count:          t.count,
		SumOfSquares:   t.sum.String(),
		FailedObjects:  t.failed.n,
		Failed:         failed,
		SkippedObjects: t.skipped,
	}
}
