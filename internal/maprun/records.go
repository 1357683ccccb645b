package maprun

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sumsq/sumsq/internal/excerpt"
	"github.com/sumsq/sumsq/internal/job"
)

// The records of a result file (see manifest.go): in a SUCCEEDED file, a
// child's output, for the data Map Run a batch's job.BatchResult; in a
// FAILED or PENDING file, the whole record of a child execution, its input
// a JSON text in a string.

// batchRecord is what a total takes of a batch's result. The text of
// "failed" and "deferred" is kept unread: most batches have neither, and
// they are decoded when there is something in them.
type batchRecord struct {
	objects, count                                 int64
	failedObjects, skippedObjects, deferredObjects int64
	sum                                            []byte // sumOfSquares as written
	failed, deferred                               []byte // JSON text, nil if absent
	has                                            uint16 // the members given, by bit (see batchMembers)
}

// batchMembers are the members of a job.BatchResult, and their bits in
// batchRecord.has.
var batchMembers = []string{"objects", "count", "sumOfSquares", "results", "resultsOmitted",
	"failedObjects", "failed", "skippedObjects", "deferredObjects", "deferred"}

const (
	hasObjects uint16 = 1 << iota
	hasCount
	hasSum
)

// recordMembers are members of a child execution's record (Transformation
// NONE) that no job.BatchResult has, even in another case, as
// encoding/json would match them.
var recordMembers = []string{"ExecutionArn", "Status", "Input", "Output"}

// errRecordInSucceeded: a child execution's record where its output belongs.
var errRecordInSucceeded = errors.New("a child execution's record in a SUCCEEDED file, as WriterConfig Transformation NONE writes it: " +
	"want the child's output alone (COMPACT)")

// parseBatch reads a batch's result from text, one JSON object, taking its
// counts, its sum and the text of its failed and deferred objects. Its
// "results" (and any member a batch does not write) are checked to be JSON
// and skipped: a total does not need them. The error says what is wrong
// with the text.
func parseBatch(text []byte) (batchRecord, error) {
	var r batchRecord
	s := scanner{b: text}
	err := r.parse(&s)
	if err == errSyntax {
		err = syntaxError(text)
	}
	return r, err
}

func (r *batchRecord) parse(s *scanner) error {
	s.ws()
	if c := s.peek(); c != '{' {
		return notAnObject(s.b)
	}
	s.i++
	s.ws()
	if s.eat('}') {
		return s.end()
	}
	for {
		s.ws()
		raw, escaped, err := s.str()
		if err != nil {
			return err
		}
		name := string(raw)
		if escaped {
			if err := json.Unmarshal(s.b[s.i-len(raw)-2:s.i], &name); err != nil {
				return errSyntax
			}
		}
		s.ws()
		if !s.eat(':') {
			return errSyntax
		}
		s.ws()
		if err := r.member(s, name); err != nil {
			return err
		}
		s.ws()
		if s.eat(',') {
			continue
		}
		if s.eat('}') {
			return s.end()
		}
		return errSyntax
	}
}

// end checks that nothing but white space follows the record.
func (s *scanner) end() error {
	s.ws()
	if s.i != len(s.b) {
		return errSyntax
	}
	return nil
}

// member reads the value of the member name.
func (r *batchRecord) member(s *scanner, name string) error {
	bit := -1
	for i, m := range batchMembers {
		if m == name {
			bit = i
		}
	}
	if bit < 0 {
		for _, m := range recordMembers {
			if strings.EqualFold(m, name) {
				return errRecordInSucceeded
			}
		}
		return s.skip() // not the function's; as encoding/json, ignored
	}
	if r.has&(1<<bit) != 0 {
		return fmt.Errorf("%q is given twice", name)
	}
	r.has |= 1 << bit
	var err error
	switch name {
	case "objects":
		r.objects, err = s.int64(name)
	case "count":
		r.count, err = s.int64(name)
	case "failedObjects":
		r.failedObjects, err = s.int64(name)
	case "skippedObjects":
		r.skippedObjects, err = s.int64(name)
	case "deferredObjects":
		r.deferredObjects, err = s.int64(name)
	case "resultsOmitted":
		_, err = s.int64(name)
	case "sumOfSquares":
		if s.peek() != '"' {
			return fmt.Errorf("sumOfSquares is not a string")
		}
		raw, escaped, serr := s.str()
		if serr != nil {
			return serr
		}
		if escaped {
			return fmt.Errorf("sumOfSquares %q is not a non-negative decimal integer", excerptBytes(raw))
		}
		r.sum = raw
	case "results", "failed", "deferred":
		start := s.i
		if c := s.peek(); c != '[' && c != 'n' {
			return fmt.Errorf("%s is not a list", name)
		}
		if err := s.skip(); err != nil {
			return err
		}
		switch text := s.b[start:s.i]; {
		case string(text) == "null" || isEmptyList(text):
		case name == "failed":
			r.failed = text
		case name == "deferred":
			r.deferred = text
		}
	}
	return err
}

// failures decodes the failures of r.
//
// A list as the function writes it, of objects whose members are the four
// strings of a job.Failure, is taken in place (a million failures are a
// second less to a total); any other is decoded by encoding/json, whose
// reading of a plain list is the same.
func (r *batchRecord) failures() ([]job.Failure, error) {
	if r.failed == nil {
		return nil, nil
	}
	if fs, ok := plainFailures(r.failed); ok {
		return fs, nil
	}
	var fs []job.Failure
	if err := json.Unmarshal(r.failed, &fs); err != nil {
		return nil, fmt.Errorf("failed: %w", err)
	}
	return fs, nil
}

// plainFailures reads text, a JSON array, as a list of job.Failure whose
// objects have no member but "bucket", "key", "error" and "cause", each
// once and a string; false if it is not such a list.
func plainFailures(text []byte) ([]job.Failure, bool) {
	s := scanner{b: text}
	if !s.eat('[') {
		return nil, false
	}
	fs := []job.Failure{}
	s.ws()
	if s.eat(']') {
		return fs, s.end() == nil
	}
	for {
		s.ws()
		f, ok := plainFailure(&s)
		if !ok {
			return nil, false
		}
		fs = append(fs, f)
		s.ws()
		switch {
		case s.eat(','):
		case s.eat(']'):
			return fs, s.end() == nil
		default:
			return nil, false
		}
	}
}

// unquote returns the string that quoted, a JSON string, stands for.
func unquote(quoted []byte) (string, error) {
	var v string
	err := json.Unmarshal(quoted, &v)
	return v, err
}

// plainFailure reads an object of plainFailures'.
func plainFailure(s *scanner) (job.Failure, bool) {
	var f job.Failure
	if !s.eat('{') {
		return f, false
	}
	s.ws()
	if s.eat('}') {
		return f, true
	}
	var seen uint8
	for {
		s.ws()
		name, escaped, err := s.str()
		if err != nil || escaped {
			return f, false
		}
		var bit uint8
		switch string(name) {
		case "bucket":
			bit = 1
		case "key":
			bit = 2
		case "error":
			bit = 4
		case "cause":
			bit = 8
		default:
			return f, false
		}
		if seen&bit != 0 {
			return f, false
		}
		seen |= bit
		s.ws()
		if !s.eat(':') {
			return f, false
		}
		s.ws()
		start := s.i
		raw, escaped, err := s.str()
		var v string
		switch {
		case err != nil:
			return f, false
		case escaped:
			if v, err = unquote(s.b[start:s.i]); err != nil {
				return f, false
			}
		case utf8.Valid(raw):
			v = string(raw)
		default: // encoding/json would replace what is not UTF-8
			return f, false
		}
		switch bit {
		case 1:
			f.Bucket = v
		case 2:
			f.Key = v
		case 4:
			f.Error = v
		default:
			f.Cause = v
		}
		s.ws()
		switch {
		case s.eat(','):
		case s.eat('}'):
			return f, true
		default:
			return f, false
		}
	}
}

// deferredObjectsOf decodes the objects r sets aside.
func (r *batchRecord) deferredOf() ([]job.Deferred, error) {
	var ds []job.Deferred
	if r.deferred != nil {
		if err := json.Unmarshal(r.deferred, &ds); err != nil {
			return nil, fmt.Errorf("deferred: %w", err)
		}
	}
	return ds, nil
}

// isEmptyList reports whether text, a JSON value, is an empty array.
func isEmptyList(text []byte) bool {
	return text[0] == '[' && len(trimSpace(text[1:len(text)-1])) == 0
}

// notAnObject says what text holds where a JSON object belongs.
func notAnObject(text []byte) error {
	t := bytes.TrimLeft(text, " \t\r\n")
	if len(t) == 0 {
		return errSyntax
	}
	return fmt.Errorf("%q where a JSON object belongs", t[0])
}

// syntaxError says what is wrong with text, which is not JSON, in
// encoding/json's words.
func syntaxError(text []byte) error {
	var v any
	if err := json.Unmarshal(text, &v); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	return errSyntax
}

// excerptBytes is a short excerpt of b for messages.
func excerptBytes(b []byte) string { return excerpt.Shorten(string(b), 40) }

// mapRecord is the part of a child execution's record that a total needs.
type mapRecord struct {
	ExecutionArn string          `json:"ExecutionArn"`
	Name         string          `json:"Name"`
	Status       string          `json:"Status"`
	Input        json.RawMessage `json:"Input"`
	Output       json.RawMessage `json:"Output"`
	Error        string          `json:"Error"`
	Cause        string          `json:"Cause"`
}

// parseRecord reads a child execution's record from text: one in a file
// of status (FAILED, PENDING), which the record's own Status, if it has
// one, may name more precisely (ABORTED among FAILED).
func parseRecord(text []byte, status string) (mapRecord, error) {
	var r mapRecord
	if t := bytes.TrimLeft(text, " \t\r\n"); len(t) > 0 && t[0] != '{' {
		return r, notAnObject(t)
	}
	if err := json.Unmarshal(text, &r); err != nil {
		return r, errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	switch {
	case r.Status == "" && r.ExecutionArn == "" && r.Input == nil && r.Output == nil:
		return r, fmt.Errorf("a bare output in a %s file: want a child execution record", status)
	case r.Status == statusSucceeded:
		return r, fmt.Errorf("a SUCCEEDED child's record in a %s file", status)
	}
	return r, nil
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
