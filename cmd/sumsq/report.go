package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// A reporter writes what sumsq run found, object by object in order, then
// the total.
type reporter interface {
	result(o object, r sumsq.Result) error
	failure(o object, f job.Failure) error
	// flush writes out what is buffered: called when the next object is
	// not done yet, so that output never waits on a slow object.
	flush() error
	end(t *job.Tally) error
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

func (t *textReporter) result(o object, r sumsq.Result) error {
	_, err := fmt.Fprintf(t.out, "%s\t%d\t%s\n", quoteName(o.name), r.Count, r.String())
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

func (t *textReporter) end(s *job.Tally) error {
	fmt.Fprintf(t.out, "total\t%d\t%s\n", s.Count, s.Sum())
	return t.out.Flush()
}

// quoteName returns name as it is unless it could break the line format
// or could not be written as it is in JSON (a tab, a newline, another
// control character, invalid UTF-8, or a leading double quote): then it
// returns name quoted as a Go string, which strconv.Unquote turns back into
// the name's bytes.
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
//	{"results":[ObjectResult...],"objects":N,"count":N,"sumOfSquares":"S","failedObjects":N,"failed":[Failure...],"skippedObjects":N}
//
// ("skippedObjects" only when some were skipped)
//
// one result or failure a line. Results are streamed as they come;
// failures are kept by the tally (on disk past a few) until the end, so
// memory stays bounded.
type jsonReporter struct {
	out     *bufio.Writer
	results int64
}

func newJSONReporter(stdout io.Writer) *jsonReporter {
	j := &jsonReporter{out: bufio.NewWriter(stdout)}
	j.out.WriteString(`{"results":[`)
	return j
}

func (j *jsonReporter) result(o object, r sumsq.Result) error {
	b, err := job.Marshal(job.ObjectResult{Bucket: o.bucket, Key: jsonName(o), Count: r.Count, SumOfSquares: r.String()})
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

// failure writes nothing: the tally keeps the failure for end.
func (j *jsonReporter) failure(o object, f job.Failure) error { return nil }

func (j *jsonReporter) flush() error { return j.out.Flush() }

func (j *jsonReporter) end(t *job.Tally) error {
	fmt.Fprintf(j.out, "\n],\n\"objects\":%d,\"count\":%d,\"sumOfSquares\":%q,\"failedObjects\":%d,\"failed\":[",
		t.Objects, t.Count, t.Sum(), t.Failed.Len())
	all, _, err := t.Failed.All()
	if err != nil {
		return err
	}
	lines := bufio.NewScanner(all)
	lines.Buffer(nil, 1<<20)
	for n := 0; lines.Scan(); n++ {
		if n > 0 {
			j.out.WriteByte(',')
		}
		j.out.WriteByte('\n')
		j.out.Write(lines.Bytes())
	}
	if err := lines.Err(); err != nil {
		return err
	}
	j.out.WriteString("\n]")
	if t.Skipped > 0 { // as BatchResult's omitempty
		fmt.Fprintf(j.out, ",\"skippedObjects\":%d", t.Skipped)
	}
	j.out.WriteString("}\n")
	return j.out.Flush()
}

// jsonName is the key -json writes for o: its key, quoted as quoteName
// quotes it if JSON could not hold its bytes (encoding/json would replace
// invalid UTF-8 with U+FFFD, naming a file that does not exist).
func jsonName(o object) string {
	if o.bucket != "" || utf8.ValidString(o.key) && (o.key == "" || o.key[0] != '"') {
		return o.key
	}
	return strconv.Quote(o.key)
}
