package maprun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/sumsq/sumsq/internal/excerpt"
	"github.com/sumsq/sumsq/internal/job"
)

// A Distributed Map with a ResultWriter writes, under its prefix, a
// directory named after the Map Run holding manifest.json and result files
// grouped by the status of the child executions
// (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html):
//
//	{"DestinationBucket": "b",
//	 "MapRunArn": "arn:aws:states:…:mapRun:…",
//	 "ResultFiles": {
//	   "FAILED":    [{"Key": "results/<id>/FAILED_0.json", "Size": 1024}],
//	   "PENDING":   [],
//	   "SUCCEEDED": [{"Key": "results/<id>/SUCCEEDED_0.json", "Size": 2048}]}}
//
// The template's WriterConfig, OutputType JSONL and Transformation COMPACT,
// writes each result file as JSON Lines, one record a line (so that a file
// can be read in byte ranges, a line at a time): in a SUCCEEDED file, the
// children's outputs themselves, the function's batch results; in a FAILED
// or PENDING file, the whole records of those children, as Transformation
// NONE writes every record:
//
//	{"ExecutionArn": "…", "Name": "…", "Status": "FAILED",
//	 "Input": "{\"Items\":[…]}", "Error": "…", "Cause": "…", …}
//
// whose Input holds JSON text in a string. That is all the reader takes:
// a JSON array (OutputType JSON), or a record in a SUCCEEDED file
// (Transformation NONE), is not what the template writes, and is refused.

// manifest is manifest.json. Each field is required: the page above
// documents all three, and a run of no items writes them too, ResultFiles
// holding empty lists (AWS does not document that case; it is the reading
// the local twin follows, and the Total's check of the Map Run's item count
// catches a manifest that leaves out what the run did).
type manifest struct {
	DestinationBucket *string                    `json:"DestinationBucket"`
	MapRunArn         *string                    `json:"MapRunArn"`
	ResultFiles       map[string]json.RawMessage `json:"ResultFiles"`
}

// resultFile is one entry of the manifest's ResultFiles.
type resultFile struct {
	Key  string `json:"Key"`
	Size *int64 `json:"Size"`
}

// statusFile is a result file and the status its records were filed under.
type statusFile struct {
	Status string
	Key    string
	Size   int64 // -1 if the manifest does not say
}

// statusSucceeded is the status of the child executions that succeeded;
// every other status in a manifest (FAILED, PENDING) names executions whose
// objects were not summed.
const statusSucceeded = "SUCCEEDED"

// MaxManifestBytes bounds the manifest read into memory. A manifest lists
// one small entry per result file, and Step Functions writes a result file
// per several MB of results: this is far more than any run writes. A larger
// manifest is refused as too large, unread past the bound.
const MaxManifestBytes = 16 << 20

// errManifestTooLarge is what a manifest's reader says past the bound.
var errManifestTooLarge = fmt.Errorf("manifest is larger than %d bytes (16 MiB), more than any Map Run writes", MaxManifestBytes)

// boundedReader reads at most n bytes of r, then fails with
// errManifestTooLarge if r has more: unlike io.LimitReader's EOF, which a
// decoder would report as a truncated document.
type boundedReader struct {
	r io.Reader
	n int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.n <= 0 {
		var one [1]byte
		for range 100 { // as bufio gives up on a reader that makes no progress
			n, err := b.r.Read(one[:])
			if n > 0 {
				return 0, errManifestTooLarge
			}
			if err != nil {
				return 0, err
			}
		}
		return 0, io.ErrNoProgress
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.Read(p)
	b.n -= int64(n)
	return n, err
}

// readManifest reads the manifest of the Map Run r and checks that it is
// r's, and names only result files in its own directory, each once, and
// no other bucket. It returns the bucket and the directory of the results
// (results/<map run id>/), and the files in the order a total reads them:
// SUCCEEDED, FAILED, PENDING, then any other status by name, each in
// manifest order, so that the order of the failures a total names is
// reproducible. A manifest without DestinationBucket, MapRunArn or
// ResultFiles (or with a group of ResultFiles that is not a list), of more
// than MaxManifestBytes, or of another Map Run, is an
// *InvalidResultsError; what names no manifest the Summer may read, an
// *InvalidEventError (see runOf).
func readManifest(ctx context.Context, s *job.Summer, r *MapRun, what string) (bucket, dir string, files []statusFile, err error) {
	bucket, key, err := runOf(s, r, what)
	if err != nil {
		return "", "", nil, err
	}
	dir, _ = path.Split(key)
	mapRunArn, files, err := readManifestFile(ctx, s, bucket, key)
	if err != nil {
		return "", "", nil, err
	}
	if mapRunArn != r.MapRunArn {
		return "", "", nil, &job.InvalidResultsError{Key: key, Reason: fmt.Sprintf("manifest is for Map Run %s, not %s", mapRunArn, r.MapRunArn)}
	}
	return bucket, dir, files, nil
}

// readManifestFile reads the manifest at bucket/key: its Map Run's ARN
// and its files (see readManifest).
func readManifestFile(ctx context.Context, s *job.Summer, bucket, key string) (mapRunArn string, files []statusFile, err error) {
	var m manifest
	err = read(ctx, s, bucket, key, -1, 0, -1, func(r io.Reader) error {
		dec := json.NewDecoder(&boundedReader{r: r, n: MaxManifestBytes})
		if err := dec.Decode(&m); err != nil {
			return err
		}
		if _, err := dec.Token(); err != io.EOF {
			if err == nil {
				err = errors.New("data after the manifest")
			}
			return err
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	var missing []string
	for _, f := range []struct {
		name    string
		present bool
	}{{"DestinationBucket", m.DestinationBucket != nil}, {"MapRunArn", m.MapRunArn != nil}, {"ResultFiles", m.ResultFiles != nil}} {
		if !f.present {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return "", nil, &job.InvalidResultsError{Key: key, Reason: fmt.Sprintf("manifest has no %s: not one a ResultWriter writes",
			strings.Join(missing, ", "))}
	}
	if *m.DestinationBucket != bucket {
		return "", nil, &job.InvalidResultsError{Key: key, Reason: fmt.Sprintf("manifest names bucket %s, not %s", excerpt.Quote(*m.DestinationBucket), excerpt.Quote(bucket))}
	}
	dir, _ := path.Split(key)
	statuses := slices.Collect(func(yield func(string) bool) {
		for status := range m.ResultFiles {
			if !yield(status) {
				return
			}
		}
	})
	slices.SortFunc(statuses, func(a, b string) int {
		if ra, rb := statusRank(a), statusRank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	seen := make(map[string]string)
	for _, status := range statuses {
		var group []resultFile
		raw := bytes.TrimSpace(m.ResultFiles[status])
		if len(raw) == 0 || raw[0] != '[' {
			return "", nil, &job.InvalidResultsError{Key: key, Reason: fmt.Sprintf("manifest: ResultFiles.%s is %s, not a list of files", status, excerpt.Shorten(string(raw), 40))}
		}
		if err := json.Unmarshal(raw, &group); err != nil {
			return "", nil, &job.InvalidResultsError{Key: key, Reason: fmt.Sprintf("manifest: ResultFiles.%s: %v", status, err)}
		}
		for i, f := range group {
			where := fmt.Sprintf("manifest: ResultFiles.%s[%d]", status, i)
			switch {
			case f.Key == "":
				return "", nil, &job.InvalidResultsError{Key: key, Reason: where + " has no Key"}
			case !strings.HasPrefix(f.Key, dir) || strings.Contains(f.Key[len(dir):], "/") || f.Key == key || ours(f.Key[len(dir):]):
				return "", nil, &job.InvalidResultsError{Key: key, Reason: fmt.Sprintf("%s: %s is not a result file of this run, in %s", where, excerpt.Quote(f.Key), excerpt.Quote(dir))}
			case seen[f.Key] != "":
				return "", nil, &job.InvalidResultsError{Key: key, Reason: fmt.Sprintf("%s: %s is listed twice (also under %s): its results would count twice", where, excerpt.Quote(f.Key), seen[f.Key])}
			case f.Size != nil && *f.Size < 0:
				return "", nil, &job.InvalidResultsError{Key: key, Reason: fmt.Sprintf("%s: negative Size %d", where, *f.Size)}
			}
			seen[f.Key] = status
			size := int64(-1)
			if f.Size != nil {
				size = *f.Size
			}
			files = append(files, statusFile{Status: status, Key: f.Key, Size: size})
		}
	}
	return *m.MapRunArn, files, nil
}

func statusRank(s string) int {
	switch s {
	case statusSucceeded:
		return 0
	case "FAILED":
		return 1
	case "PENDING":
		return 2
	}
	return 3
}

// ours reports whether name, in a Map Run's directory, is a file a total
// writes there, not a result file.
func ours(name string) bool { return name == PlanFileName || name == RangesFileName }

// runOf returns the bucket and the manifest's key of r, the Map Run of
// what (for messages: "the data Map Run"), or an *job.InvalidEventError
// if r names no manifest in a run's directory under the Summer's
// ResultsPrefix, in its Bucket if it has one, or has no MapRunArn.
func runOf(s *job.Summer, r *MapRun, what string) (bucket, key string, err error) {
	if r == nil {
		return "", "", &job.InvalidEventError{Reason: what + " is required"}
	}
	d := r.ResultWriterDetails
	if d == nil || d.Bucket == "" || d.Key == "" {
		return "", "", &job.InvalidEventError{Reason: what + ": ResultWriterDetails needs a Bucket and a Key"}
	}
	if r.MapRunArn == "" {
		return "", "", &job.InvalidEventError{Reason: what + ": MapRunArn is required: the Map Run whose results these are"}
	}
	if bucket, err = checkResults(s, d.Bucket, d.Key, "manifest"); err != nil {
		return "", "", err
	}
	return bucket, d.Key, nil
}

// checkResults returns the name of bucket b, or an *job.InvalidEventError
// if key, the object what (for messages), is not in a run's directory
// under the Summer's ResultsPrefix, in its Bucket if it has one.
func checkResults(s *job.Summer, b, key, what string) (string, error) {
	bucket, err := s.Storage.Bucket(b)
	if err != nil {
		return "", &job.InvalidEventError{Reason: err.Error()}
	}
	dir, _ := path.Split(key)
	switch {
	case s.Bucket != "" && bucket != s.Bucket:
		return "", &job.InvalidEventError{Reason: fmt.Sprintf("bucket %s: this function reads only bucket %s", excerpt.Quote(bucket), excerpt.Quote(s.Bucket))}
	case key == "":
		return "", &job.InvalidEventError{Reason: what + " has no key"}
	case s.Storage.CheckKey(key) != nil:
		return "", &job.InvalidEventError{Reason: s.Storage.CheckKey(key).Error()}
	case s.ResultsPrefix == "" || !strings.HasPrefix(dir, s.ResultsPrefix) || len(dir) == len(s.ResultsPrefix) ||
		strings.Contains(dir[len(s.ResultsPrefix):len(dir)-1], "/") || key == dir:
		return "", &job.InvalidEventError{Reason: fmt.Sprintf("%s %s is not in a run's directory under the results prefix %s",
			what, excerpt.Quote(key), excerpt.Quote(s.ResultsPrefix))}
	}
	return bucket, nil
}

// read reads bytes [off, off+n) of the result file bucket/key, of size
// bytes (-1: unknown; n < 0: to its end), and hands them to fn. Errors
// reading it are classified (a missing file is an *InvalidResultsError:
// the run's results are incomplete, and no retry mends that); any other
// error from fn is the file's content at fault.
func read(ctx context.Context, s *job.Summer, bucket, key string, size, off, n int64, fn func(io.Reader) error) error {
	obj, err := s.Storage.Open(ctx, bucket, key, size)
	if err != nil {
		return resultsError(ctx, s, err, bucket, key)
	}
	defer obj.Close()
	r, err := obj.NewReader(ctx, off, n)
	if err != nil {
		return resultsError(ctx, s, err, bucket, key)
	}
	defer r.Close()
	sr := &stickyReader{r: r}
	if err := fn(sr); err != nil {
		if sr.err != nil {
			return resultsError(ctx, s, sr.err, bucket, key)
		}
		var ir *job.InvalidResultsError
		if errors.As(err, &ir) || job.IsTransient(err) || isContract(err) {
			return err
		}
		return &job.InvalidResultsError{Key: key, Reason: err.Error()}
	}
	return nil
}

// isContract reports whether err is one of the contract's errors (a
// failure to write, classified), which read passes on as it is.
func isContract(err error) bool {
	for _, c := range job.Contract {
		if job.ErrorType(err) == c.Name() {
			return true
		}
	}
	return false
}

// stickyReader remembers the first error of r other than io.EOF: what
// failed while a decoder read, which the decoder may report otherwise.
type stickyReader struct {
	r   io.Reader
	err error
}

func (s *stickyReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// resultsError classifies a failure to read a result file or the manifest.
func resultsError(ctx context.Context, s *job.Summer, err error, bucket, key string) error {
	err = s.Classify(ctx, err, bucket, key)
	var nf *job.ObjectNotFoundError
	if errors.As(err, &nf) {
		return &job.InvalidResultsError{Key: key, Reason: "not found in bucket " + bucket}
	}
	return err
}
