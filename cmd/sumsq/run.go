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
	s3://BUCKET/KEY/manifest.json
	                     if it is an S3 Inventory report's manifest (CSV):
	                     every object the report lists, current versions
	                     only, in the report's order, as the workflow sums
	                     the input {"manifest": "s3://BUCKET/KEY/manifest.json"}
	DIR/manifest.json    a local copy of a report's destination bucket: the
	                     report's objects, read from S3 all the same

A key or file whose name is manifest.json is a report's manifest when its
content is one: a JSON object that names a "sourceBucket" or a "fileSchema",
which the report's data files must then match (a manifest that does not,
like an ORC report's, stops the run). Any other object of that name, such
as the manifest.json of a Map Run's results or a file of numbers, is a
prefix or a file as usual.

Any other URL (S3://, gs://, https://) is a usage error: write ./gs://x for
a local path that looks like one. A target that matches no object (a folder
without files, a prefix without objects, often a typo) is reported on
standard error, and the run exits 1, as "aws s3 ls" does.

As the workflow does, an S3 run skips the objects under -results-prefix
(results/), where the workflow writes its results, and says how many it
skipped: a run over a whole bucket, or any prefix that holds results/,
lists them. -results-prefix "" reads everything.

S3 access uses the SDK's usual configuration (AWS_PROFILE, AWS_REGION, ...,
AWS_ENDPOINT_URL_S3), which -profile, -region and -endpoint-url override;
S3_FORCE_PATH_STYLE=true selects path-style addressing, for S3-compatible
servers.

Standard input, a pipe, a FIFO or a device can be read only once: naming
one twice (- -, - /dev/stdin) is a usage error. A regular file named twice
is read twice.

Objects are summed -c at a time and reported in order, as they complete.
Standard output gets one line per object, PATH<TAB>COUNT<TAB>SUM, then
"total<TAB>COUNT<TAB>SUM" (COUNT: the numbers summed); -summary prints the
total line only (failures still go to standard error). A path that holds a control character (a tab, a newline,
U+0085, ...) or U+2028 or U+2029, that is not valid UTF-8 or that starts
with a double quote is printed as a quoted Go string, which strconv.Unquote
turns back into its bytes. An object that fails is reported on standard
error as PATH<TAB>ErrorName: message, with the error names of the Lambda;
the others are still summed. So is a folder that cannot be read. A number of
more than -max-digits digits is an InvalidContentError whose message names
the limit. An S3 listing that fails stops the run, as it stops the
workflow. When not every object listed was summed, standard error ends with
how many were listed, summed, failed and skipped.

With -json, standard output gets one JSON document instead:

	{"results":[{"bucket","key","count","sumOfSquares"}...],
	 "objects","count","sumOfSquares","failedObjects",
	 "failed":[{"bucket","key","error","cause"}...],"skippedObjects"}

with the field names of the Lambda's results: "objects" counts the objects
summed, "count" the numbers ("skippedObjects" only when some were skipped).
-summary leaves "results" empty and says how many it left out in
"resultsOmitted". A local file has bucket "" and its path as key, quoted as
in the text output when it is not valid UTF-8 or starts with a double quote
(JSON would otherwise replace its bytes, naming a file that does not exist).
Control characters, U+2028 and U+2029 are written as JSON escapes (\u0085).
Sums are decimal strings, exact at any size.

Listing runs ahead of the summing by up to 100,000 objects, so that the
total is known early. On a terminal, a progress bar on standard error shows,
once a run has lasted a second (-q: never), the bytes read, the objects done
out of those listed so far ("+": listing goes on), the rates in bytes and
objects a second and the time elapsed; once every object is listed, the
percentage done, which never goes back, and the time left.

Interrupted (Ctrl-C, SIGINT or SIGTERM), run stops, prints "interrupted" on
standard error and exits 130, without a total line (with -json, without the
end of the document): what it printed is not the whole.

Exit status: 0 if every object was summed, 1 if any failed or a target
matched no object, 2 on a usage error, 130 if interrupted.

Examples:

	sumsq run examples/today
	sumsq run -json examples/today/random_1.log examples/today/random_2.log
	printf '3\n4\n' | sumsq run -
	sumsq run -c 64 -summary s3://my-bucket/today/
	sumsq run -profile prod -region eu-west-1 s3://my-bucket/today/
	sumsq run -summary s3://my-reports/inventory/my-bucket/daily/2026-12-01T01-00Z/manifest.json
	S3_FORCE_PATH_STYLE=true sumsq run -endpoint-url http://127.0.0.1:9000 s3://test/today/
`

func cmdRun(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", runHelp, stdout)
	r := &runner{stdin: stdin}
	asJSON := fs.Bool("json", false, "print one JSON document")
	quiet := fs.Bool("q", false, "never show a progress bar")
	summary := fs.Bool("summary", false, "print the total only, not a line per object (with -json: no \"results\")")
	fs.IntVar(&r.concurrency, "c", DefaultConcurrency, fmt.Sprintf("sum at most `N` objects at once, 1 to %d", MaxConcurrency))
	fs.StringVar(&r.resultsPrefix, "results-prefix", job.DefaultResultsPrefix, "skip the S3 objects under this key `prefix`, where the workflow writes its results (\"\": none)")
	fs.IntVar(&r.maxDigits, "max-digits", sumsq.DefaultMaxDigits, fmt.Sprintf("reject numbers of more than `N` digits, 1 to %d", job.MaxDigitsLimit))
	r.aws.register(fs, "the AWS `region` of the buckets, as AWS_REGION")
	operands, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(operands) == 0:
		return usageError{"run: no TARGET; run 'sumsq run -h'"}
	case r.concurrency < 1 || r.concurrency > MaxConcurrency:
		return usageError{fmt.Sprintf("run: -c must be from 1 to %d", MaxConcurrency)}
	case r.maxDigits < 1 || r.maxDigits > job.MaxDigitsLimit:
		return usageError{fmt.Sprintf("run: -max-digits must be from 1 to %d", job.MaxDigitsLimit)}
	case r.resultsPrefix != "" && !strings.HasSuffix(r.resultsPrefix, "/"):
		return usageError{fmt.Sprintf("run: -results-prefix %q: want a key prefix ending in /, like %s, or \"\"", r.resultsPrefix, job.DefaultResultsPrefix)}
	}
	if err := r.aws.check("run"); err != nil {
		return err
	}
	var targets []target
	for _, arg := range operands {
		t, err := parseTarget("run", arg)
		if err != nil {
			return err
		}
		targets = append(targets, t)
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
	var rep reporter = newTextReporter(stdout, stderr, *summary)
	t := &job.Tally{}
	if *asJSON {
		rep = newJSONReporter(stdout, *summary)
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
	if err == nil {
		err = ctx.Err() // a signal since the last object: no total
	}
	if err != nil {
		rep.flush() // what was reported before the run stopped
		return err
	}
	t.Skipped = r.skipped
	if err := rep.end(t); err != nil {
		return err
	}
	return r.summarize(stderr, t)
}

// summarize ends standard error with what a run that did not sum every
// object it listed should say: the targets that matched no object, and
// how many objects were listed, summed, failed and skipped (under the
// results prefix). It returns errFailed if any object failed or any
// target matched none.
func (r *runner) summarize(stderr io.Writer, t *job.Tally) error {
	for _, t := range r.empty {
		fmt.Fprintf(stderr, "sumsq: %s: %s\n", quoteName(t.arg), t.noObjects())
	}
	failed := t.Failed.Len()
	if failed > 0 || t.Skipped > 0 {
		fmt.Fprintf(stderr, "sumsq: %s listed: %d summed, %d failed, %d skipped", plural(t.Objects+failed+t.Skipped, "object"), t.Objects, failed, t.Skipped)
		if t.Skipped > 0 {
			fmt.Fprintf(stderr, " under %s, where the workflow writes its results (-results-prefix \"\" reads them)", quoteName(r.resultsPrefix))
		}
		fmt.Fprintln(stderr)
	}
	if failed > 0 || len(r.empty) > 0 {
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
