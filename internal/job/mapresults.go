package job

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sumsq/sumsq/internal/s3read"
)

// A Distributed Map with a ResultWriter writes, under its prefix, a
// directory named after the Map Run holding manifest.json and result files
// grouped by the status of the child executions:
//
//	{"DestinationBucket": "b",
//	 "MapRunArn": "arn:aws:states:…:mapRun:…",
//	 "ResultFiles": {
//	   "FAILED":    [{"Key": "results/<id>/FAILED_0.json", "Size": 1024}],
//	   "PENDING":   [],
//	   "SUCCEEDED": [{"Key": "results/<id>/SUCCEEDED_0.json", "Size": 2048}]}}
//
// A result file is a JSON array of child execution records,
//
//	{"ExecutionArn": "…", "Name": "…", "Status": "FAILED",
//	 "Input": "{\"Items\":[…]}", "Output": "…", "Error": "…", "Cause": "…", …}
//
// whose Input and Output hold JSON text in a string. With a WriterConfig
// OutputType of JSONL the file holds one record a line instead, and with a
// Transformation of COMPACT or FLATTEN a SUCCEEDED file holds the outputs
// themselves; failed executions are always written as whole records. The
// readers below accept all of these.

// manifest is manifest.json.
type manifest struct {
	DestinationBucket string                  `json:"DestinationBucket"`
	MapRunArn         string                  `json:"MapRunArn"`
	ResultFiles       map[string][]resultFile `json:"ResultFiles"`
}

// resultFile is one entry of the manifest's ResultFiles.
type resultFile struct {
	Key  string `json:"Key"`
	Size int64  `json:"Size"`
}

// statusFile is a result file and the status its records were filed under.
type statusFile struct {
	Status string
	Key    string
}

// statusSucceeded is the status of the child executions that succeeded;
// every other status in a manifest (FAILED, PENDING) names executions whose
// objects were not summed.
const statusSucceeded = "SUCCEEDED"

// files lists the result files in the order a total reads them: SUCCEEDED,
// FAILED, PENDING, then any other status by name, each in manifest order,
// so that the order of the failures a total names is reproducible.
func (m *manifest) files() []statusFile {
	statuses := make([]string, 0, len(m.ResultFiles))
	for status := range m.ResultFiles {
		statuses = append(statuses, status)
	}
	rank := func(s string) int {
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
	slices.SortFunc(statuses, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		if a < b {
			return -1
		}
		if a > b {
			return 1
		}
		return 0
	})
	var files []statusFile
	for _, status := range statuses {
		for _, f := range m.ResultFiles[status] {
			files = append(files, statusFile{Status: status, Key: f.Key})
		}
	}
	return files
}

// maxManifestBytes bounds the manifest read into memory. A manifest lists
// one small entry per result file; this is far more than any run writes.
const maxManifestBytes = 64 << 20

// readManifest reads and checks the manifest at bucket/key.
func (s *Summer) readManifest(ctx context.Context, bucket, key string) (*manifest, error) {
	out, err := s.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return nil, resultsReadError(ctx, err, bucket, key)
	}
	defer out.Body.Close()
	body := &stickyReader{r: io.LimitReader(out.Body, maxManifestBytes)}
	dec := json.NewDecoder(body)
	m := new(manifest)
	err = dec.Decode(m)
	if err == nil {
		if _, err = dec.Token(); err == io.EOF {
			err = nil
		} else if err == nil {
			err = errors.New("data after the manifest")
		}
	}
	if err != nil {
		if body.err != nil {
			return nil, resultsReadError(ctx, body.err, bucket, key)
		}
		return nil, &InvalidResultsError{Key: key, Reason: fmt.Sprintf("manifest: %v", err)}
	}
	if m.ResultFiles == nil {
		return nil, &InvalidResultsError{Key: key, Reason: "manifest has no ResultFiles"}
	}
	for status, files := range m.ResultFiles {
		for i, f := range files {
			if f.Key == "" {
				return nil, &InvalidResultsError{Key: key, Reason: fmt.Sprintf("manifest: ResultFiles.%s[%d] has no Key", status, i)}
			}
		}
	}
	return m, nil
}

// eachRecord streams the JSON array, or the JSON Lines, in the object at
// bucket/key and calls fn with each element and its 1-based position. It
// holds one element in memory at a time, so a result file of any size can
// be read. An empty object has no elements. An error from fn is returned
// as is; a malformed file is an *InvalidResultsError naming key and the
// element; a failed read is classified as the S3 error it is.
func (s *Summer) eachRecord(ctx context.Context, bucket, key string, fn func(n int64, raw json.RawMessage) error) error {
	// s3read.Copy resumes a body that breaks off, which matters for result
	// files of gigabytes; the pipe turns its writes into the reads a
	// decoder wants. If decoding stops early, canceling copyCtx and
	// closing pr end the copy, wherever it is.
	copyCtx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		_, err := s3read.Copy(copyCtx, pw, s.S3, bucket, key)
		pw.CloseWithError(err)
	}()
	defer func() {
		cancel()
		pr.Close()
		<-copied
	}()
	body := &stickyReader{r: pr}
	br := bufio.NewReader(body)
	first, err := firstByte(br)
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return resultsReadError(ctx, err, bucket, key)
	}
	dec := json.NewDecoder(br)
	// decodeError tells a read that failed (transient) from a file that is
	// not JSON (permanent): the decoder returns both kinds unwrapped.
	decodeError := func(n int64, err error) error {
		if body.err != nil {
			return resultsReadError(ctx, body.err, bucket, key)
		}
		return &InvalidResultsError{Key: key, Reason: fmt.Sprintf("record %d: %v", n, err)}
	}
	array := first == '['
	if array {
		if _, err := dec.Token(); err != nil {
			return decodeError(1, err)
		}
	}
	n := int64(0)
	for {
		if array && !dec.More() {
			break
		}
		n++
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if !array && err == io.EOF {
				break
			}
			return decodeError(n, err)
		}
		if err := fn(n, raw); err != nil {
			return err
		}
	}
	if array {
		if _, err := dec.Token(); err != nil { // the closing ]
			return decodeError(n+1, err)
		}
		if _, err := dec.Token(); err != io.EOF {
			if err == nil {
				err = errors.New("data after the end of the array")
			}
			return decodeError(n+1, err)
		}
	}
	return nil
}

// firstByte returns the first byte of r that is not JSON white space,
// leaving it unread.
func firstByte(r *bufio.Reader) (byte, error) {
	for {
		c, err := r.ReadByte()
		if err != nil {
			return 0, err
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c, r.UnreadByte()
	}
}

// stickyReader remembers the first error of r other than io.EOF.
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

// resultsReadError classifies a failure to read a result file or the
// manifest. A missing one means the run's results are incomplete, which no
// retry mends: that is an *InvalidResultsError, not the per-object
// *ObjectNotFoundError.
func resultsReadError(ctx context.Context, err error, bucket, key string) error {
	err = s3Error(ctx, err, bucket, key)
	var nf *ObjectNotFoundError
	if errors.As(err, &nf) {
		return &InvalidResultsError{Key: key, Reason: "not found in bucket " + bucket}
	}
	return err
}
