package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

const (
	// stableTotalPolls is how many descriptions in a row must give a
	// running Map Run the same item total before the total counts as
	// known. A Distributed Map starts child executions while its
	// ItemReader still reads (an S3 listing, a page at a time), and
	// DescribeMapRun's total counts the items read so far: it grows until
	// the reader is done. AWS does not say when it is done, so a total
	// that has not grown over several polls (seconds apart) is taken as
	// final. If it grows after all, it counts as unknown again until it
	// is stable, and the percentage is not shown until it is back to
	// what was shown (see mapRun.floor): it never goes down.
	stableTotalPolls = 3
	// followRateWindow is how far back the rate of items looks: several
	// polls, which are seconds apart.
	followRateWindow = 30 * time.Second
)

// mapRunAPI is the Step Functions calls a mapRunWatch makes;
// *sfn.Client has them.
type mapRunAPI interface {
	ListMapRuns(ctx context.Context, in *sfn.ListMapRunsInput, optFns ...func(*sfn.Options)) (*sfn.ListMapRunsOutput, error)
	DescribeMapRun(ctx context.Context, in *sfn.DescribeMapRunInput, optFns ...func(*sfn.Options)) (*sfn.DescribeMapRunOutput, error)
}

var _ mapRunAPI = (*sfn.Client)(nil)

// mapRunLabel returns the label of a Map Run from its ARN,
// arn:PARTITION:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:ID: the Map
// state's Label field, or one Step Functions made up if it has none
// (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-examine-map-run.html,
// state-map-distributed.html). It returns the ARN if it is of another form.
func mapRunLabel(mapRunARN string) string {
	_, resource, ok := strings.Cut(mapRunARN, ":mapRun:")
	if !ok {
		return mapRunARN
	}
	_, labelAndID, ok := strings.Cut(resource, "/")
	if i := strings.LastIndexByte(labelAndID, ':'); ok && i > 0 {
		return labelAndID[:i]
	}
	return mapRunARN
}

// A mapRunWatch follows the Map Runs of one execution through ListMapRuns
// and DescribeMapRun. It describes the Map Run that runs at each poll, and
// lists the execution's Map Runs only when none runs: to find the next
// one. A Map Run that has ended is described no more, unless it ended
// before the execution's current attempt began (a redrive may run it
// again). So a poll makes one call while a Map Run runs, and two between
// them.
type mapRunWatch struct {
	api       mapRunAPI
	execution string
	runs      map[string]*mapRun // by ARN
	current   *mapRun            // the Map Run running, if any
}

func newMapRunWatch(api mapRunAPI, executionARN string) *mapRunWatch {
	return &mapRunWatch{api: api, execution: executionARN, runs: map[string]*mapRun{}}
}

// A mapRun is what the watch knows of one Map Run.
type mapRun struct {
	arn, label string
	d          *sfn.DescribeMapRunOutput // the last description
	settled    bool                      // ended in the current attempt: described no more

	lastTotal  int64 // the item total of the last description
	sameTotals int   // how many descriptions in a row gave lastTotal
	floor      int   // the last percentage shown: none below it is shown
	samples    []itemSample
}

// An itemSample is how many items had ended at a time: the rate is
// measured between two.
type itemSample struct {
	at    time.Time
	ended int64
}

// poll describes the Map Run that runs, or, if none does, lists the
// execution's Map Runs and describes those not settled. attempt is when
// the execution's current attempt began (its redrive, if redriven): a Map
// Run that stopped before belongs to an attempt before. It returns the
// Map Runs seen to end in this poll, in the order they started.
func (w *mapRunWatch) poll(ctx context.Context, attempt, now time.Time) ([]mapRunProgress, error) {
	var ended []mapRunProgress
	if r := w.current; r != nil {
		d, err := w.api.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: &r.arn})
		if err != nil {
			return nil, fmt.Errorf("describing Map Run %s: %w", r.arn, err)
		}
		r.observe(d, now)
		if d.Status == sfntypes.MapRunStatusRunning {
			return nil, nil
		}
		r.settled, w.current = true, nil
		ended = append(ended, r.progress(now))
	}
	// None runs: find the next one, and those that ended since the last
	// poll (a short one may have run between two).
	var listed []sfntypes.MapRunListItem
	pages := sfn.NewListMapRunsPaginator(w.api, &sfn.ListMapRunsInput{ExecutionArn: &w.execution})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return ended, fmt.Errorf("listing the Map Runs of %s: %w", w.execution, err)
		}
		listed = append(listed, page.MapRuns...)
	}
	slices.SortStableFunc(listed, func(a, b sfntypes.MapRunListItem) int {
		return aws.ToTime(a.StartDate).Compare(aws.ToTime(b.StartDate))
	})
	for _, item := range listed {
		arn := aws.ToString(item.MapRunArn)
		r := w.runs[arn]
		if r == nil {
			r = &mapRun{arn: arn, label: mapRunLabel(arn)}
			w.runs[arn] = r
		}
		if r.settled {
			continue
		}
		d, err := w.api.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: &r.arn})
		if err != nil {
			return ended, fmt.Errorf("describing Map Run %s: %w", r.arn, err)
		}
		r.observe(d, now)
		switch {
		case d.Status == sfntypes.MapRunStatusRunning:
			w.current = r // the last one started, if several run
		case d.StopDate != nil && d.StopDate.Before(attempt):
			// Ended in an attempt before a redrive: it is described
			// again, in case this attempt runs it again.
		default:
			r.settled = true
			ended = append(ended, r.progress(now))
		}
	}
	return ended, nil
}

// running returns the progress of the Map Run that runs, nil if none.
func (w *mapRunWatch) running(now time.Time) *mapRunProgress {
	if w.current == nil {
		return nil
	}
	p := w.current.progress(now)
	return &p
}

// observe takes in a description of r made at now.
func (r *mapRun) observe(d *sfn.DescribeMapRunOutput, now time.Time) {
	if r.d != nil && aws.ToInt32(r.d.RedriveCount) != aws.ToInt32(d.RedriveCount) {
		r.samples = nil // a redrive: the failed items are no longer ended
	}
	r.d = d
	total := itemCounts(d).Total
	if total == r.lastTotal {
		r.sameTotals++
	} else {
		r.lastTotal, r.sameTotals = total, 1
	}
	ended := endedItems(itemCounts(d))
	if n := len(r.samples); n > 0 && ended < r.samples[n-1].ended {
		r.samples = nil // fewer ended than before: a redrive began
	}
	r.samples = append(r.samples, itemSample{at: now, ended: ended})
	for len(r.samples) > 2 && now.Sub(r.samples[1].at) >= followRateWindow {
		r.samples = r.samples[1:]
	}
}

func itemCounts(d *sfn.DescribeMapRunOutput) sfntypes.MapRunItemCounts {
	if d == nil || d.ItemCounts == nil {
		return sfntypes.MapRunItemCounts{}
	}
	return *d.ItemCounts
}

// endedItems counts the items whose child execution has ended
// (https://docs.aws.amazon.com/step-functions/latest/apireference/API_MapRunItemCounts.html).
func endedItems(c sfntypes.MapRunItemCounts) int64 {
	return c.Succeeded + c.Failed + c.TimedOut + c.Aborted
}

// progress returns what the display shows of r at now. The percentage is
// of the items succeeded: they stay succeeded when a redrive re-runs the
// others, so that it never goes down while the total stays the same.
func (r *mapRun) progress(now time.Time) mapRunProgress {
	d := r.d
	c := itemCounts(d)
	p := mapRunProgress{
		label: r.label, status: d.Status, redrives: aws.ToInt32(d.RedriveCount),
		succeeded: c.Succeeded, failed: c.Failed + c.TimedOut, aborted: c.Aborted,
		running: c.Running, pending: c.Pending + aws.ToInt64(c.PendingRedrive), total: c.Total,
		percent: -1, left: -1,
	}
	p.totalKnown = d.Status != sfntypes.MapRunStatusRunning || c.Total > 0 && r.sameTotals >= stableTotalPolls
	if p.totalKnown && c.Total > 0 {
		if pc := percent(min(float64(c.Succeeded)/float64(c.Total), 1)); pc >= r.floor {
			p.percent, r.floor = pc, pc
		}
	}
	if first, last := r.samples[0], r.samples[len(r.samples)-1]; last.at.After(first.at) {
		p.rate = float64(last.ended-first.ended) / last.at.Sub(first.at).Seconds()
	}
	if left := c.Total - endedItems(c); p.totalKnown && p.rate > 0 && d.Status == sfntypes.MapRunStatusRunning {
		p.left = time.Duration(float64(max(left, 0)) / p.rate * float64(time.Second))
	}
	if start := cmp.Or(aws.ToTime(d.RedriveDate), aws.ToTime(d.StartDate)); d.StopDate != nil && !start.IsZero() {
		p.took = d.StopDate.Sub(start)
	}
	return p
}

// A mapRunProgress is what the display shows of a Map Run.
type mapRunProgress struct {
	label    string
	status   sfntypes.MapRunStatus
	redrives int32
	// Items: failed counts those timed out too; pending those waiting
	// for a redrive.
	succeeded, failed, aborted, running, pending, total int64
	totalKnown                                          bool
	percent                                             int           // of the items succeeded; -1: not shown
	rate                                                float64       // items ended a second, lately
	left                                                time.Duration // -1: unknown
	took                                                time.Duration // once ended: from its start, or its redrive, to its end
}
