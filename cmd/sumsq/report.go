package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"unicode/utf8"

	"github.com/sumsq/sumsq/internal/job"
)

// A reporter writes what sumsq run found, object by object in order, then
// the total.
type reporter interface {
	result(o object, r job.ObjectResult) error
	failure(o object, f job.Failure) error
	// flush writes out what is buffered: called when the next object is
	// not done yet, so that output never waits on a slow object.
	flush() error
	end(t *tally) error
}

// A tally is the running total of a run.
type tally struct {
	objects int64 // objects summed
	count   int64 // numbers summed
	sum     big.Int
	failed  int64 // objects that failed
}

// add adds one object's result to t.
func (t *tally) add(r job.ObjectResult) error {
	var v big.Int
	if _, ok := v.SetString(r.SumOfSquares, 10); !ok {
		return fmt.Errorf("%s: sum %q is not a decimal integer", r.Key, r.SumOfSquares)
	}
	t.objects++
	t.count += r.Count
	t.sum.Add(&t.sum, &v)
	return nil
}

// textReporter writes one line per object, PATH<TAB>COUNT<TAB>SUM, and a
// last line "total<TAB>COUNT<TAB>SUM" to stdout; failures go to stderr as
// PATH<TAB>ErrorName: message, in their place, like the errors of wc or
// sha256sum: stdout keeps one format that scripts can cut.
type textReporter struct {
	out    *bufio.Writer
	stderr io.Writer // through the progress bar, if any
}

func newTextReporter(stdout, stderr io.Writer) *textReporter {
	return &textReporter{out: bufio.NewWriter(stdout), stderr: stderr}
}

func (t *textReporter) result(o object, r job.ObjectResult) error {
	_, err := fmt.Fprintf(t.out, "%s\t%d\t%s\n", quoteName(o.name), r.Count, r.SumOfSquares)
	return err
}

func (t *textReporter) failure(o object, f job.Failure) error {
	if err := t.out.Flush(); err != nil { // keep the order on a shared terminal
		return err
	}
	_, err := fmt.Fprintf(t.stderr, "%s\t%s: %s\n", quoteName(o.name), f.Error, f.Cause)
	return err
}

func (t *textReporter) flush() error { return t.out.Flush() }

func (t *textReporter) end(s *tally) error {
	fmt.Fprintf(t.out, "total\t%d\t%s\n", s.count, s.sum.String())
	return t.out.Flush()
}

// quoteName returns name as it is unless it could break the line format
// (a tab, a newline, another control character, invalid UTF-8, or a
// leading double quote): then it returns name quoted as a Go string.
func quoteName(name string) string {
	if name != "" && name[0] == '"' || !utf8.ValidString(name) {
		return strconv.Quote(name)
	}
	for _, r := range name {
		if r < ' ' || r == 0x7f {
			return strconv.Quote(name)
		}
	}
	return name
}

// jsonReporter writes one JSON document with the field names of the
// Lambda's BatchResult:
//
//	{"results":[ObjectResult...],"objects":N,"count":N,"sumOfSquares":"S","failedObjects":N,"failed":[Failure...]}
//
// one result or failure a line. Results are streamed as they come;
// failures are kept in a spool until the end, so memory stays bounded.
type jsonReporter struct {
	out     *bufio.Writer
	results int64
	failed  spool
}

func newJSONReporter(stdout io.Writer) *jsonReporter {
	j := &jsonReporter{out: bufio.NewWriter(stdout)}
	j.out.WriteString(`{"results":[`)
	return j
}

func (j *jsonReporter) result(o object, r job.ObjectResult) error {
	r.Bucket, r.Key = o.bucket, o.key
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if j.results > 0 {
		j.out.WriteByte(',')
	}
	j.results++
	j.out.WriteByte('\n')
	_, err = j.out.Write(b)
	return err
}

func (j *jsonReporter) failure(o object, f job.Failure) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return j.failed.add(b)
}

func (j *jsonReporter) flush() error { return j.out.Flush() }

func (j *jsonReporter) end(t *tally) error {
	defer j.failed.close()
	fmt.Fprintf(j.out, "\n],\n\"objects\":%d,\"count\":%d,\"sumOfSquares\":%q,\"failedObjects\":%d,\"failed\":[",
		t.objects, t.count, t.sum.String(), t.failed)
	if err := j.failed.writeTo(j.out); err != nil {
		return err
	}
	j.out.WriteString("\n]}\n")
	return j.out.Flush()
}
