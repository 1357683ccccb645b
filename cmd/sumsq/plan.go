package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sumsq/sumsq/internal/cost"
	"github.com/sumsq/sumsq/internal/inventory"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/urlkey"
)

const planHelp = `
Usage: sumsq plan [flags] TARGET

Plan lists what a run of the deployed workflow over TARGET would sum, reads
no object, and prints what the run is made of, what it would cost and how
long it would take. TARGET is

	s3://BUCKET[/PREFIX]  the objects under the prefix, as the workflow's
	                      {"prefix": PREFIX} lists them
	s3://BUCKET/KEY/manifest.json
	                      the objects an S3 Inventory report lists (see
	                      sumsq help run), as the workflow's
	                      {"manifest": "s3://BUCKET/KEY/manifest.json"}
	                      reads them
	DIR                   a local folder, as if uploaded to the stack's data
	                      bucket by "aws s3 sync DIR s3://BUCKET/"

It prints the objects listed and their bytes; those skipped under results/;
the compressed ones (keys ending in .gz or .zst: they are read whole, never
in ranges); those of SplitSizeMiB or more, which the batches set aside, and
the ranges they are summed in; the batches, as the Map's ItemBatcher makes
them (BatchSize items and BatchMaxBytes bytes of input at most); the child
executions (the batches, the parts of the scaled-out total, the ranges);
each parameter and where its value came from; the estimated cost of each
component at us-east-1's list prices, and the estimated time at
MaxConcurrency, on the README's paper model ("What it costs").

Notes follow, of what a run should know: a compressed object or a range
that could not be read within FunctionTimeout, a report of all versions
(the workflow needs one of current versions), a report the stack cannot
read (outside InventoryBucketName, or the data bucket when that is empty),
a report or a prefix of objects of another bucket than the stack's, a
value of the stack that the template does not allow (not used).

The parameters are the deployed stack's (CloudFormation DescribeStacks of
-stack, by default samconfig.toml's stack_name, or "sumsq"), else those of
samconfig.toml's parameter_overrides, else template.yaml's defaults; a flag
overrides any of them. -no-stack reads no stack. A stack that cannot be
read (not deployed, no credentials) is noted, and the others are used.

S3 is reached as sumsq run reaches it: the SDK's configuration, -profile,
-region and -endpoint-url, S3_FORCE_PATH_STYLE=true. While listing goes
on, a terminal shows on standard error the objects and bytes listed so far
(-q: never).

With -json, standard output gets one JSON document: the counts, the
parameters with where each came from, the cost by component in dollars and
the time by step in seconds.

Exit status: 0 if the target was listed, 1 if the listing failed or the
target matched no object, 2 on a usage error, 130 if interrupted.

Examples:

	sumsq plan s3://my-bucket/today/
	sumsq plan -batch-size 500 -max-concurrency 100 s3://my-bucket/
	sumsq plan -json s3://my-reports/inventory/my-bucket/daily/2026-12-01T01-00Z/manifest.json
	sumsq plan -no-stack examples/today
`

// A plan is what sumsq plan prints.
type plan struct {
	Target string `json:"target"`
	Source string `json:"source"` // "listing", "inventory" or "folder"

	Listed          int64 `json:"listed"`                      // keys listed, or rows of the report
	Noncurrent      int64 `json:"noncurrent,omitempty"`        // rows of the report that are older versions or delete markers
	Skipped         int64 `json:"skipped"`                     // under results/
	Unlisted        int64 `json:"unlisted,omitempty"`          // folders that could not be read
	Objects         int64 `json:"objects"`                     // the run's: listed, less those skipped
	Bytes           int64 `json:"bytes"`                       // theirs
	Compressed      int64 `json:"compressed"`                  // keys ending in .gz or .zst
	LargestCompress int64 `json:"largestCompressed,omitempty"` // bytes
	Large           int64 `json:"large"`                       // set aside: SplitSizeMiB or more, not compressed
	Ranges          int64 `json:"ranges"`
	Batches         int64 `json:"batches"`
	TotalParts      int64 `json:"totalParts"`
	Children        int64 `json:"children"`
	ListRequests    int64 `json:"listRequests"`
	Requests        int64 `json:"getRequests"`

	Bucket     string    `json:"bucket,omitempty"` // a local folder's: the data bucket it is counted in
	Parameters []setting `json:"parameters"`

	Cost planCost `json:"cost"`
	Time planTime `json:"time"`

	Notes []string `json:"notes,omitempty"`
}

// planCost is a plan's cost.Estimate, in dollars.
type planCost struct {
	Prices   string  `json:"prices"`
	Listing  float64 `json:"listing"`
	Requests float64 `json:"getRequests"`
	Children float64 `json:"children"`
	Duration float64 `json:"lambdaDuration"`
	Tracing  float64 `json:"tracingAndLogs"`
	KMS      float64 `json:"kms"`
	Total    float64 `json:"total"`
}

// planTime is a plan's cost.Time, in seconds.
type planTime struct {
	MaxConcurrency int     `json:"maxConcurrency"`
	Listing        float64 `json:"listing"`
	Batches        float64 `json:"batches"`
	Total          float64 `json:"total"`
	Ranges         float64 `json:"ranges"`
	Run            float64 `json:"run"`
}

func cmdPlan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return planCommand(ctx, args, connectAWS, stdout, stderr)
}

// planCommand is sumsq plan, reaching CloudFormation through connect.
func planCommand(ctx context.Context, args []string, connect connector, stdout, stderr io.Writer) error {
	fs := newFlagSet("plan", planHelp, stdout)
	asJSON := fs.Bool("json", false, "print one JSON document")
	quiet := fs.Bool("q", false, "never show the listing's progress")
	stack := fs.String("stack", "", "the CloudFormation stack `name` whose parameters to use (default: samconfig.toml's stack_name, or "+DefaultStackName+")")
	noStack := fs.Bool("no-stack", false, "read no stack: samconfig.toml's parameter_overrides and the template's defaults only")
	paramFlags := registerParamFlags(fs)
	kmsKey := fs.String("kms-key-arn", "", "set "+KMSParam+" to `ARN`, the data bucket's customer managed KMS key: with one, and no S3 Bucket Key, every GET is a KMS request (\"\": none)")
	reports := fs.String("inventory-bucket", "", "set "+InventoryParam+" to `B`, the bucket the stack reads S3 Inventory reports from (\"\": the data bucket)")
	var a awsFlags
	a.register(fs, "the AWS `region` of the stack and the buckets, as AWS_REGION")
	operands, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := a.check("plan"); err != nil {
		return err
	}
	switch {
	case len(operands) == 0:
		return usageError{"plan: no TARGET; run 'sumsq plan -h'"}
	case len(operands) > 1:
		return usageError{fmt.Sprintf("plan: one TARGET, not %d; run 'sumsq plan -h'", len(operands))}
	case *noStack && *stack != "":
		return usageError{"plan: -stack and -no-stack exclude each other"}
	}
	t, err := parseTarget("plan", operands[0])
	if err != nil {
		return err
	}
	if t.scheme == "" && t.prefix == "-" {
		return usageError{"plan: standard input cannot be planned: plan lists objects and reads none"}
	}

	// The parameters: the template's defaults, samconfig.toml's, the
	// stack's, the flags', each over the one before.
	s := defaultSettings()
	var notes []string
	overrides, err := readSAMParameters("samconfig.toml")
	if err != nil {
		return err
	}
	for name, v := range overrides {
		if err := s.set(name, v, "samconfig.toml"); err != nil {
			return err
		}
	}
	var dataBucket string
	if !*noStack {
		sam, err := readSAMConfig("samconfig.toml")
		if err != nil {
			return err
		}
		name := cmp.Or(*stack, sam.StackName, DefaultStackName)
		d, err := readStack(ctx, connect, a.in(cmp.Or(a.region, sam.Region)), name)
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			notes = append(notes, fmt.Sprintf("stack %s not read, its parameters not used: %v", name, err))
		default:
			// A stack deployed from another version of the template may
			// hold a value this one does not allow: noted, not used.
			for _, k := range slices.Sorted(maps.Keys(d.parameters)) {
				if err := s.set(k, d.parameters[k], "stack "+name); err != nil {
					notes = append(notes, fmt.Sprintf("%v: not used", err))
				}
			}
			dataBucket = d.dataBucket
		}
	}
	var flagErr error
	fs.Visit(func(f *flag.Flag) {
		for _, p := range stackParams {
			if f.Name == p.flag && flagErr == nil {
				if err := s.set(p.name, *paramFlags[p.name], "flag -"+p.flag); err != nil {
					flagErr = usageError{fmt.Sprintf("plan: -%s: %v", p.flag, strings.TrimPrefix(err.Error(), "flag -"+p.flag+": "))}
				}
			}
		}
		if f.Name == "kms-key-arn" {
			s.set(KMSParam, *kmsKey, "flag -kms-key-arn")
		}
		if f.Name == "inventory-bucket" {
			s.set(InventoryParam, *reports, "flag -inventory-bucket")
		}
	})
	if flagErr != nil {
		return flagErr
	}

	r := &runner{aws: a, concurrency: DefaultConcurrency, resultsPrefix: job.DefaultResultsPrefix}
	var bar *planProgress
	if !*quiet && isTerminal(stderr) {
		bar = startPlanProgress(newTerminal(stderr), t.arg)
	}
	p, err := r.plan(ctx, &t, s, dataBucket, bar)
	bar.finish()
	if err != nil {
		return err
	}
	p.Notes = append(notes, p.Notes...)
	if *asJSON {
		err = writeJSON(stdout, p)
	} else {
		err = p.print(stdout)
	}
	if err != nil {
		return err
	}
	if p.Listed == 0 {
		fmt.Fprintf(stderr, "sumsq: %s: %s\n", quoteName(t.arg), t.noObjects())
		return errFailed
	}
	return nil
}

// readStack reads the deployed stack name, in the region of a.
func readStack(ctx context.Context, connect connector, a awsFlags, name string) (deployedStack, error) {
	clients, err := connect(ctx, a)
	if err != nil {
		return deployedStack{}, err
	}
	return describeStack(ctx, clients.stacks, name, clients.region)
}

// localBucket is the data bucket a local folder's objects are counted in
// when the stack's is not known: a name as long as the one CloudFormation
// gives the bucket a stack named sumsq creates (<stack>-databucket-<12
// random characters>), for the bytes of the batches' items.
const localBucket = "sumsq-databucket-xxxxxxxxxxxx"

// planParams returns the cost model's parameters of the settings s.
func planParams(s settings) cost.Params {
	return cost.Params{
		MaxConcurrency: s.int("MaxConcurrency"),
		MemoryMB:       s.int("FunctionMemory"),
		SplitBytes:     int64(s.int("SplitSizeMiB")) << 20,
		TotalPartBytes: TotalPartMiB << 20,
		Tracing:        s.bool("Tracing"),
		KMS:            s.get(KMSParam).Value != "",
	}
}

// newPlanCounter returns a counter of objects at the settings s, batched
// with a BatchInput naming bucket (with keys URL-encoded, for a report).
func newPlanCounter(s settings, bucket, resultsPrefix string, urlKeys bool) *planCounter {
	params := planParams(s)
	return &planCounter{
		params:  params,
		skip:    (&job.Summer{ResultsPrefix: resultsPrefix}).IsResult,
		batches: newBatcher(s.int("BatchSize"), s.int("BatchMaxBytes"), batchInputBytes(bucket, resultsPrefix, params.SplitBytes, urlKeys)),
	}
}

// plan lists t (see runner.listing) and counts what a run of it is made
// of, at the parameters s. A local folder's objects are counted in
// dataBucket, if known.
func (r *runner) plan(ctx context.Context, t *target, s settings, dataBucket string, bar *planProgress) (*plan, error) {
	l, err := r.listing(ctx, t)
	if err != nil {
		return nil, err
	}
	p := &plan{Target: t.arg, Source: "listing"}
	var c *planCounter
	switch report, ok := l.lister.(*inventory.Report); {
	case ok:
		p.Source = "inventory"
		c = newPlanCounter(s, report.SourceBucket, r.resultsPrefix, true)
		c.bar = bar
		err = c.report(ctx, report)
		c.run.Inventory, c.run.InventoryFiles = true, int64(len(report.Files))
		p.Notes = reportNotes(t, report.SourceBucket, s, dataBucket)
	case t.scheme == "":
		p.Source, p.Bucket = "folder", cmp.Or(dataBucket, localBucket)
		c = newPlanCounter(s, p.Bucket, r.resultsPrefix, false)
		c.bar = bar
		err = c.folder(ctx, l, p.Bucket)
	default:
		c = newPlanCounter(s, l.bucket, r.resultsPrefix, false)
		c.bar = bar
		err = c.listing(ctx, l)
		if dataBucket != "" && t.bucket != dataBucket {
			p.Notes = append(p.Notes, fmt.Sprintf("the stack sums the objects of its data bucket, s3://%s/, not those of s3://%s/", dataBucket, t.bucket))
		}
	}
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err() // a listing cut short may end as if it were whole
	}
	c.result(p, s)
	return p, nil
}

// reportNotes says whether the stack of the settings s, whose data bucket
// is dataBucket (if known), can run the report of source bucket source at
// t: the workflow reads reports only from InventoryBucketName, or the data
// bucket if it is empty, and sums objects of its data bucket only.
func reportNotes(t *target, source string, s settings, dataBucket string) []string {
	var notes []string
	reports := s.get(InventoryParam).Value
	switch {
	case t.scheme == "":
	case reports != "" && t.bucket != reports:
		notes = append(notes, fmt.Sprintf("the stack reads reports from s3://%s/ only (%s): a run of this one would be denied", reports, InventoryParam))
	case reports == "" && dataBucket != "" && t.bucket != dataBucket:
		notes = append(notes, fmt.Sprintf("the stack reads reports from its data bucket, s3://%s/, only (%s is empty): a run of this one would be denied",
			dataBucket, InventoryParam))
	}
	if dataBucket != "" && source != dataBucket {
		notes = append(notes, fmt.Sprintf("the report lists objects of s3://%s/; the stack sums those of its data bucket, s3://%s/", source, dataBucket))
	}
	return notes
}

// result fills p with what c counted, the parameters s, the cost and the
// time.
func (c *planCounter) result(p *plan, s settings) {
	run := c.run
	run.Listed, run.Batches = c.listed, c.batches.batches
	params := c.params
	e := cost.USEast1.Estimate(run, params)
	tm := run.Time(params)
	p.Listed, p.Noncurrent, p.Skipped, p.Unlisted = c.listed, c.noncurrent, c.skipped, c.unlisted
	p.Objects, p.Bytes, p.Compressed, p.LargestCompress = run.Objects, c.bytes, c.compressed, c.largestCompressed
	p.Large, p.Ranges, p.Batches, p.TotalParts, p.Children = run.Large, run.Ranges, run.Batches, run.TotalParts(params), run.Children(params)
	p.ListRequests, p.Requests = run.ListRequests(), run.Requests
	p.Parameters = append(s, setting{Name: "TotalPartMiB", Value: fmt.Sprint(TotalPartMiB), From: "template (fixed)"})
	p.Cost = planCost{Prices: "us-east-1", Listing: e.Listing, Requests: e.Requests, Children: e.Children, Duration: e.Duration,
		Tracing: e.Tracing, KMS: e.KMS, Total: e.Total()}
	p.Time = planTime{MaxConcurrency: params.MaxConcurrency, Listing: tm.Listing.Seconds(), Batches: tm.Batches.Seconds(),
		Total: tm.Total.Seconds(), Ranges: tm.Ranges.Seconds(), Run: tm.Run().Seconds()}
	p.Notes = append(p.Notes, c.notes(s)...)
}

// A planCounter counts a listing's objects into a cost.Run.
type planCounter struct {
	params  cost.Params
	skip    func(bucket, key string) bool // under the results prefix
	batches *batcher
	bar     *planProgress

	run                                   cost.Run
	listed, noncurrent, skipped, unlisted int64
	bytes, compressed, largestCompressed  int64
}

// add counts an object listed: bucket and key as the batch's item names
// them (itemKey) and as the object is (key).
func (c *planCounter) add(bucket, key, itemKey string, size int64) {
	c.listed++
	c.bar.listed(max(size, 0))
	c.batches.add(itemBytes(bucket, itemKey, size))
	if c.skip(bucket, key) {
		c.skipped++
		return
	}
	c.run.AddObject(bucket, key, size, c.params)
	c.bytes += max(size, 0)
	if cost.Compressed(key) && !strings.HasSuffix(key, "/") {
		c.compressed++
		c.largestCompressed = max(c.largestCompressed, size)
	}
}

// listing counts the objects under a prefix.
func (c *planCounter) listing(ctx context.Context, l listing) error {
	for item, err := range l.lister.List(ctx, l.bucket, l.prefix) {
		if err != nil {
			return fmt.Errorf("listing %s: %w", l.backend.store.Location(l.bucket, l.prefix), err)
		}
		c.add(item.Bucket, item.Key, item.Key, item.Size)
	}
	return nil
}

// folder counts a local folder's files as objects of bucket, keyed by
// their paths under it, as "aws s3 sync DIR s3://BUCKET/" uploads them.
func (c *planCounter) folder(ctx context.Context, l listing, bucket string) error {
	root := l.prefix
	for item, err := range l.lister.List(ctx, "", root) {
		if err != nil {
			if item.Key == "" {
				return err
			}
			c.listed++
			c.unlisted++ // what it holds is unknown
			continue
		}
		key := filepath.Base(item.Key)
		if rel, err := filepath.Rel(root, item.Key); err == nil && rel != "." {
			key = filepath.ToSlash(rel)
		}
		size := item.Size
		if size < 0 {
			// A file that says it has 0 bytes (filestore lists it as of
			// unknown size): uploaded, it has what it has now.
			if fi, err := os.Stat(item.Key); err == nil && fi.Mode().IsRegular() {
				size = fi.Size()
			}
		}
		c.add(bucket, key, key, size)
	}
	return nil
}

// report counts the objects an S3 Inventory report lists: every row is
// listed (S3 bills them), the current ones are the run's, each an item
// whose key is URL-encoded as the report's CSV writes it (counted as
// urlkey.Encode writes it: S3 may spell a few characters otherwise).
func (c *planCounter) report(ctx context.Context, r *inventory.Report) error {
	for row, err := range r.Rows(ctx) {
		if err != nil {
			return err
		}
		if !row.Current() {
			c.listed++
			c.noncurrent++
			continue
		}
		c.add(row.Bucket, row.Key, urlkey.Encode(row.Key), row.Size)
	}
	return nil
}

// notes says what a run of the plan should know.
func (c *planCounter) notes(s settings) []string {
	var notes []string
	timeout := time.Duration(s.int("FunctionTimeout")) * time.Second
	if c.noncurrent > 0 {
		notes = append(notes, fmt.Sprintf("the report lists %s that are older versions or delete markers: "+
			"the workflow reads every row of a report, so give it a report of current versions only (the counts here are of the current ones)",
			plural(c.noncurrent, "row")))
	}
	if c.unlisted > 0 {
		notes = append(notes, fmt.Sprintf("%s could not be read: what they hold is not counted", plural(c.unlisted, "folder")))
	}
	if d := readTime(c.largestCompressed); c.compressed > 0 && d > timeout {
		notes = append(notes, fmt.Sprintf("a compressed object of %s takes about %s to read whole, more than FunctionTimeout (%s): "+
			"it would fail with ObjectTimeoutError; decompress it first, or raise FunctionMemory", bytesString(c.largestCompressed), cost.FormatTime(d), timeout))
	}
	if d := readTime(c.params.SplitBytes); c.run.Ranges > 0 && d > timeout {
		notes = append(notes, fmt.Sprintf("a range of SplitSizeMiB takes about %s to read, more than FunctionTimeout (%s): lower SplitSizeMiB",
			cost.FormatTime(d), timeout))
	}
	return notes
}

// readTime is how long one invocation takes to read n bytes, on the paper
// model.
func readTime(n int64) time.Duration {
	return time.Duration(float64(n) / cost.BytesPerSecond * float64(time.Second))
}

// print writes the plan as text.
func (p *plan) print(w io.Writer) error {
	var b strings.Builder
	line := func(label, format string, args ...any) {
		fmt.Fprintf(&b, "%-20s %s\n", label, fmt.Sprintf(format, args...))
	}
	switch p.Source {
	case "inventory":
		line("target", "%s, an S3 Inventory report", quoteName(p.Target))
		line("listed", "%s, %d of them older versions or delete markers", plural(p.Listed, "row"), p.Noncurrent)
	case "folder":
		line("target", "%s, a local folder, as if uploaded to s3://%s/", quoteName(p.Target), p.Bucket)
		line("listed", "%s", plural(p.Listed, "object"))
	default:
		line("target", "%s, listed by ListObjectsV2", quoteName(p.Target))
		line("listed", "%s", plural(p.Listed, "object"))
	}
	line("skipped", "%s under %s", plural(p.Skipped, "object"), job.DefaultResultsPrefix)
	line("objects", "%s, %s", plural(p.Objects, "object"), bytesString(p.Bytes))
	line("compressed", "%s (.gz, .zst), read whole, never in ranges", plural(p.Compressed, "object"))
	line("large", "%s of SplitSizeMiB or more, in %s", plural(p.Large, "object"), plural(p.Ranges, "range"))
	line("batches", "%d", p.Batches)
	line("child executions", "%d: the batches, %s of the total, %s", p.Children, plural(p.TotalParts, "part"), plural(p.Ranges, "range"))

	fmt.Fprintf(&b, "\n%-20s %-16s %s\n", "parameter", "value", "from")
	for _, s := range p.Parameters {
		v := s.Value
		switch {
		case v == "" && s.Name == InventoryParam:
			v = "(data bucket)"
		case v == "":
			v = "(none)"
		}
		fmt.Fprintf(&b, "%-20s %-16s %s\n", s.Name, v, s.From)
	}

	c := p.Cost
	fmt.Fprintf(&b, "\ncost, at %s list prices\n", c.Prices)
	listing := plural(p.ListRequests, "LIST request")
	if p.Source == "inventory" {
		listing = plural(p.Listed, "object") + " listed by S3 Inventory"
	}
	line("listing", "%-10s %s", cost.Dollars(c.Listing), listing)
	line("S3 GET", "%-10s %s", cost.Dollars(c.Requests), plural(p.Requests, "request"))
	line("child executions", "%-10s %s", cost.Dollars(c.Children), plural(p.Children, "child execution"))
	line("Lambda duration", "%s", cost.Dollars(c.Duration))
	line("X-Ray and logs", "%s", cost.Dollars(c.Tracing))
	if c.KMS > 0 {
		line("KMS", "%-10s a request per GET (no S3 Bucket Key)", cost.Dollars(c.KMS))
	}
	line("total", "%s", cost.Dollars(c.Total))

	tm := p.Time
	fmt.Fprintf(&b, "\ntime, at MaxConcurrency %d\n", tm.MaxConcurrency)
	for _, s := range []struct {
		label   string
		seconds float64
	}{{"listing", tm.Listing}, {"batches", tm.Batches}, {"total", tm.Total}, {"ranges", tm.Ranges}, {"run", tm.Run}} {
		line(s.label, "%s", cost.FormatTime(time.Duration(s.seconds*float64(time.Second))))
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "\nnote: %s\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
