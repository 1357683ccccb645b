package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/sumsq"
)

// DefaultConcurrency is how many objects run sums at once unless -c says
// otherwise: the default MaxConcurrency of the state machine's Map.
const DefaultConcurrency = 10

// MaxConcurrency bounds -c: each object summed at once holds a read buffer
// and, for S3, a connection; far more than the cores or the connections
// could use only costs memory.
const MaxConcurrency = 1024

const runHelp = `
Usage: sumsq run [flags] TARGET...

Flags and targets may come in any order; "--" ends the flags (for a target
whose name starts with "-").

Run computes, for each object of the targets, the exact sum of the squares of
its newline-separated integers, with the parser and the error names of the
Lambda, and the total over all objects. A TARGET is

	FILE                 one file (a symbolic link is followed)
	DIR                  every regular file under DIR, in key order: sorted by
	                     path relative to DIR, as S3 lists an uploaded folder;
	                     symbolic links and special files under DIR are skipped
	-                    standard input
	s3://BUCKET[/PREFIX] every object under the prefix, as the state machine
	                     lists it; empty objects and keys ending in "/" count
	                     as objects with no numbers and are not read

As the workflow does, an S3 run skips the objects under -results-prefix
(results/), where the workflow writes its results, and says how many it
skipped: a run over a whole bucket, or any prefix that holds results/,
lists them. -results-prefix "" reads everything.

S3 access uses the SDK's usual configuration (AWS_PROFILE, AWS_REGION, ...,
AWS_ENDPOINT_URL_S3); S3_FORCE_PATH_STYLE=true selects path-style addressing,
for S3-compatible servers.

Standard input, a pipe, a FIFO or a device can be read only once: naming
one twice (- -, - /dev/stdin) is a usage error. A regular file named twice
is read twice.

Objects are summed -c at a time and reported in order, as they complete.
Standard output gets one line per object, PATH<TAB>COUNT<TAB>SUM, then
"total<TAB>COUNT<TAB>SUM". A path that holds a tab, a newline or another
control character, that is not valid UTF-8 or that starts with a double
quote is printed as a quoted Go string, which strconv.Unquote turns back
into its bytes. An object that fails is reported on standard error as
PATH<TAB>ErrorName: message, with the error names of the Lambda; the others
are still summed. So is a folder that cannot be read. A number of more than
-max-digits digits is an InvalidContentError whose message names the limit.
An S3 listing that fails stops the run, as it stops the workflow.

With -json, standard output gets one JSON document instead:

	{"results":[{"bucket","key","count","sumOfSquares"}...],
	 "objects","count","sumOfSquares","failedObjects",
	 "failed":[{"bucket","key","error","cause"}...],"skippedObjects"}

with the field names of the Lambda's results ("skippedObjects" only when
some were skipped). A local file has bucket "" and its path as key, quoted
as in the text output when it is not valid UTF-8 (JSON would otherwise
replace its bytes, naming a file that does not exist). Sums are decimal
strings, exact at any size.

On a terminal, a progress bar on standard error shows, once a run has lasted
a second (-q: never), the bytes read out of those listed so far and the
rate, the objects done out of those listed so far ("+": listing goes on),
the time elapsed and, once every object is listed, the time left.

Exit status: 0 if every object was summed, 1 if any failed, 2 on a usage
error, 130 if interrupted.

Examples:

	sumsq run examples/today
	sumsq run -json examples/today/random_1.log examples/today/random_2.log
	printf '3\n4\n' | sumsq run -
	sumsq run -c 64 s3://my-bucket/today/
	AWS_ENDPOINT_URL_S3=http://127.0.0.1:9000 S3_FORCE_PATH_STYLE=true sumsq run s3://test/today/
`

func cmdRun(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", runHelp, stderr)
	r := &runner{stdin: stdin}
	asJSON := fs.Bool("json", false, "print one JSON document")
	quiet := fs.Bool("q", false, "never show a progress bar")
	fs.IntVar(&r.concurrency, "c", DefaultConcurrency, fmt.Sprintf("sum at most `N` objects at once, 1 to %d", MaxConcurrency))
	fs.StringVar(&r.resultsPrefix, "results-prefix", job.DefaultResultsPrefix, "skip the S3 objects under this key `prefix`, where the workflow writes its results (\"\": none)")
	fs.IntVar(&r.maxDigits, "max-digits", sumsq.DefaultMaxDigits, fmt.Sprintf("reject numbers of more than `N` digits, 1 to %d", job.MaxDigitsLimit))
	targets, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(targets) == 0:
		return usageError{"run: no TARGET; run 'sumsq run -h'"}
	case r.concurrency < 1 || r.concurrency > MaxConcurrency:
		return usageError{fmt.Sprintf("run: -c must be from 1 to %d", MaxConcurrency)}
	case r.maxDigits < 1 || r.maxDigits > job.MaxDigitsLimit:
		return usageError{fmt.Sprintf("run: -max-digits must be from 1 to %d", job.MaxDigitsLimit)}
	case r.resultsPrefix != "" && !strings.HasSuffix(r.resultsPrefix, "/"):
		return usageError{fmt.Sprintf("run: -results-prefix %q: want a key prefix ending in /, like %s, or \"\"", r.resultsPrefix, job.DefaultResultsPrefix)}
	}
	for _, t := range targets {
		if isS3(t) {
			if _, _, err := parseS3URL(t); err != nil {
				return usageError{"run: " + err.Error()}
			}
		}
	}
	streams, err := checkStreams(targets, stdin)
	if err != nil {
		return err
	}

	if !*quiet && isTerminal(stderr) {
		term := newTerminal(stderr)
		r.progress = startProgress(term, progressDelay, streams)
		if sameTerminal(stdout, stderr) {
			stdout = term.lines(stdout) // results are written above the bar
		}
		stderr = term.lines(stderr) // and so are failures
	}
	var rep reporter = newTextReporter(stdout, stderr)
	t := &job.Tally{}
	if *asJSON {
		rep = newJSONReporter(stdout)
		t.Failed.Spill = true
	}
	defer t.Failed.Close()
	err = r.sumAll(ctx, r.objects(ctx, targets), func(o object, res sumsq.Result, err error) error {
		if err != nil {
			f := r.failure(o, err)
			t.Failed.Add(f)
			return rep.failure(o, f)
		}
		t.Add(res)
		return rep.result(o, res)
	}, rep.flush)
	r.progress.finish()
	if err != nil {
		rep.flush() // what was reported before the run stopped
		return err
	}
	t.Skipped = r.skipped
	if err := rep.end(t); err != nil {
		return err
	}
	if t.Skipped > 0 {
		fmt.Fprintf(stderr, "sumsq: skipped %d objects under %s, where the workflow writes its results (-results-prefix \"\" reads them)\n",
			t.Skipped, r.resultsPrefix)
	}
	if n := t.Failed.Len(); n > 0 {
		fmt.Fprintf(stderr, "sumsq: %d of %d objects failed\n", n, t.Objects+n)
		return errFailed
	}
	return nil
}

// failure records that o failed with err. A number over the digit limit
// says which limit and which flag changes it.
func (r *runner) failure(o object, err error) job.Failure {
	f := job.NewFailure(o.bucket, o.key, err)
	f.Key = jsonName(o)
	if errors.Is(err, sumsq.ErrDigits) {
		f.Cause += fmt.Sprintf(" (more than %d digits; -max-digits changes the limit, up to %d)", r.maxDigits, job.MaxDigitsLimit)
	}
	return f
}
