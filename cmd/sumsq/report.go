package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
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
// sha256sum: stdout keeps one format that scripts can cut. With summary,
// stdout gets the total line only.
type textReporter struct {
	out     *bufio.Writer
	stderr  io.Writer // through the progress bar, if any
	summary bool
}

func newTextReporter(stdout, stderr io.Writer, summary bool) *textReporter {
	return &textReporter{out: bufio.NewWriter(stdout), stderr: stderr, summary: summary}
}

func (t *textReporter) result(o object, r sumsq.Result) error {
	if t.summary {
		return nil
	}
	_, err := fmt.Fprintf(t.out, "%s\t%d\t%s\n", quoteName(o.name()), r.Count, r.String())
	return err
}

func (t *textReporter) failure(o object, f job.Failure) error {
	if err := t.out.Flush(); err != nil { // keep the order on a shared terminal
		return err
	}
	_, err := fmt.Fprintf(t.stderr, "%s\t%s: %s\n", quoteName(o.name()), f.Error, escapeControls(f.Cause))
	return err
}

func (t *textReporter) flush() error { return t.out.Flush() }

func (t *textReporter) end(s *job.Tally) error {
	fmt.Fprintf(t.out, "total\t%d\t%s\n", s.Count, s.Sum())
	return t.out.Flush()
}

// quoteName returns name as it is unless it could break the line format,
// could act on a terminal, or could not be written as it is in JSON: a
// control character (Unicode's category Cc: C0, DEL and C1, such as a tab,
// a newline, U+0085 NEXT LINE or U+009B, which a terminal may take for the
// start of an escape sequence), U+2028 or U+2029 (line and paragraph
// separators), invalid UTF-8, or a leading double quote. Then it returns
// name quoted as a Go string, which strconv.Unquote turns back into the
// name's bytes.
func quoteName(name string) string {
	if name != "" && name[0] == '"' || !utf8.ValidString(name) || strings.IndexFunc(name, isControl) >= 0 {
		return strconv.Quote(name)
	}
	return name
}

// isControl reports whether r is a control character (category Cc) or a
// line or paragraph separator: the characters no name is printed with.
func isControl(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

// escapeControls returns a message with each character isControl reports
// written as its Go escape (\t, \x1b, \u0085), the rest as it is: a cause
// may quote what an object or a server said.
func escapeControls(msg string) string {
	if strings.IndexFunc(msg, isControl) < 0 {
		return msg
	}
	var b strings.Builder
	for _, r := range msg {
		if isControl(r) {
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// escapeJSON returns JSON text with every control character and U+2028
// and U+2029 escaped (\u0085): encoding/json escapes those below U+0020
// only, and job.Marshal writes U+2028 and U+2029 as themselves. In valid
// JSON such characters can only be inside strings, where the escape stands
// for the same character: a key still decodes to its bytes.
func escapeJSON(b []byte) []byte {
	if !bytes.ContainsFunc(b, isControl) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if isControl(r) {
			out = fmt.Appendf(out, "\\u%04x", r)
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}

// jsonReporter writes one job.BatchResult as a JSON document, its members
// in the order they are known: "results" first, one result a line, as
// objects are summed (and "resultsOmitted", with summary, which leaves them
// out), then the counts and "failed", one failure a line, from the tally,
// which keeps them (on disk past a few) until the end, so that memory stays
// bounded:
//
//	{"results":[ObjectResult...],"resultsOmitted":N,"objects":N,"count":N,"sumOfSquares":"S","failedObjects":N,"failed":[Failure...],"skippedObjects":N}
//
// Every member is job.Marshal's of a job.BatchResult, and goes through
// escapeJSON.
type jsonReporter struct {
	out     *bufio.Writer
	summary bool
	results int64 // written, or with summary left out
}

func newJSONReporter(stdout io.Writer, summary bool) *jsonReporter {
	j := &jsonReporter{out: bufio.NewWriter(stdout), summary: summary}
	j.out.WriteString(`{"results":[`)
	return j
}

func (j *jsonReporter) result(o object, r sumsq.Result) error {
	j.results++
	if j.summary {
		return nil
	}
	b, err := job.Marshal(job.ObjectResult{Bucket: o.bucket, Key: jsonName(o), Count: r.Count, SumOfSquares: r.String()})
	if err != nil {
		return err
	}
	if j.results > 1 {
		j.out.WriteByte(',')
	}
	j.out.WriteByte('\n')
	_, err = j.out.Write(escapeJSON(b))
	return err
}

// failure writes nothing: the tally keeps the failure for end.
func (j *jsonReporter) failure(o object, f job.Failure) error { return nil }

func (j *jsonReporter) flush() error { return j.out.Flush() }

// end writes the members of t's job.BatchResult after "results", in its
// order but for "resultsOmitted", which goes with the results (and, as
// BatchResult's omitempty says, only when some were left out).
func (j *jsonReporter) end(t *job.Tally) error {
	r := job.BatchResult{Objects: t.Objects, Count: t.Count, SumOfSquares: t.Sum(), FailedObjects: t.Failed.Len(), SkippedObjects: t.Skipped}
	if j.summary {
		r.ResultsOmitted = j.results
	}
	ms, err := marshalMembers(r)
	if err != nil {
		return err
	}
	// "results" is written already; "resultsOmitted" goes with it.
	var omitted []member
	ms = slices.DeleteFunc(ms, func(m member) bool {
		if m.name == "resultsOmitted" {
			omitted = append(omitted, m)
		}
		return m.name == "results" || m.name == "resultsOmitted"
	})
	ms = append(omitted, ms...)
	j.out.WriteString("\n],\n")
	for i, m := range ms {
		if i > 0 {
			j.out.WriteByte(',')
		}
		name, _ := json.Marshal(m.name)
		j.out.Write(name)
		j.out.WriteByte(':')
		switch m.name {
		case "failed":
			if err := j.failed(t); err != nil {
				return err
			}
		default:
			j.out.Write(escapeJSON(m.value))
		}
	}
	j.out.WriteString("}\n")
	return j.out.Flush()
}

// failed writes the tally's failures, one a line, as a JSON array.
func (j *jsonReporter) failed(t *job.Tally) error {
	j.out.WriteByte('[')
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
		j.out.Write(escapeJSON(lines.Bytes()))
	}
	if err := lines.Err(); err != nil {
		return err
	}
	j.out.WriteString("\n]")
	return nil
}

// A member is one member of a JSON object: its name and its value's text.
type member struct {
	name  string
	value json.RawMessage
}

// marshalMembers returns the members of job.Marshal(v), an object, in
// order.
func marshalMembers(v any) ([]member, error) {
	b, err := job.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	var ms []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		m := member{name: tok.(string)}
		if err := dec.Decode(&m.value); err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, nil
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
