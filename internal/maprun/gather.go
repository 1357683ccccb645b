package maprun

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"slices"

	"github.com/sumsq/sumsq/internal/excerpt"
	"github.com/sumsq/sumsq/internal/job"
)

// Gather adds up the parts' subtotals, which the TotalParts Map Run
// e.Gather wrote, and writes the ranges of the objects the batches set
// aside, for the SumLargeObjects Map to sum.
//
// It checks that TotalParts counted as many items as the plan has parts,
// that its SUCCEEDED results hold one Partial of each part, no more (a
// part missing, or counted twice, is an *job.InvalidResultsError naming
// it), each one the function could have written, and that the parts
// account for every item of the data Map Run e.Objects: objects summed,
// failed, skipped and set aside (otherwise an *job.InvalidResultsError
// names both numbers: no total is made of incomplete results).
//
// The objects set aside, read from the parts' lists in the plan's order,
// become RangesFileName next to the data Map Run's manifest: for an object
// of size bytes, ceil(size/e.SplitBytes) lines (at least one) of
// job.Range, pinned to the ETag the batch saw; a file of no line when
// there is none.
//
// The Subtotal names the first failures (the parts' own, in the plan's
// order, within the bounds of Total.Failed) and, when any object failed,
// FailuresLocation: the folder FailuresDir, which holds the parts' lists.
func Gather(ctx context.Context, s *job.Summer, e GatherEvent) (Gathered, error) {
	switch {
	case e.SplitBytes == nil || *e.SplitBytes <= 0:
		return Gathered{}, &job.InvalidEventError{Reason: "SplitBytes is required: the size of a range of an object set aside, more than 0"}
	case e.Plan == nil:
		return Gathered{}, &job.InvalidEventError{Reason: "Plan is required: PlanTotal's result"}
	}
	dataBucket, dataManifest, err := runOf(s, e.Objects, "Objects")
	if err != nil {
		return Gathered{}, err
	}
	dataDir, _ := path.Split(dataManifest)
	partsManifest := ""
	if e.Gather != nil && e.Gather.ResultWriterDetails != nil {
		partsManifest = e.Gather.ResultWriterDetails.Key
	}
	plan := e.Plan
	switch {
	case counted(e.Objects) < 0:
		return Gathered{}, &job.InvalidEventError{Reason: "Objects: ItemCounts.Total is required, not negative: the data Map Run's count of its items (DescribeMapRun)"}
	case e.Gather != nil && counted(e.Gather) < 0:
		return Gathered{}, &job.InvalidEventError{Reason: "Gather: ItemCounts.Total is required, not negative: TotalParts' count of its items (DescribeMapRun)"}
	case plan.Bucket != dataBucket || plan.Key != dataDir+PlanFileName || plan.MapRunArn != e.Objects.MapRunArn || plan.Parts < 0:
		return Gathered{}, &job.InvalidEventError{Reason: fmt.Sprintf("Plan %s of Map Run %s, %d parts, is not the plan of the data Map Run %s",
			excerpt.Quote(plan.Key), plan.MapRunArn, plan.Parts, e.Objects.MapRunArn)}
	}
	bucket, _, files, err := readManifest(ctx, s, e.Gather, "Gather")
	if err != nil {
		return Gathered{}, err
	}
	if n := counted(e.Gather); n != plan.Parts {
		return Gathered{}, &job.InvalidResultsError{Key: partsManifest, Reason: fmt.Sprintf(
			"TotalParts counted %d items but the plan has %d parts: no total is made of a plan read in part", n, plan.Parts)}
	}
	g := &gathering{s: s, dir: dataDir, parts: plan.Parts, max: s.DigitLimit(),
		failed: make([]int64, plan.Parts), deferred: make([]int64, plan.Parts), seen: make([]bool, plan.Parts)}
	for _, f := range files {
		if f.Status != statusSucceeded {
			continue // a part that did not succeed has no result: missing, below
		}
		err := read(ctx, s, bucket, f.Key, f.Size, 0, -1, func(r io.Reader) error {
			return eachLineOf(r, func(l line) error {
				if err := g.add(l.text); err != nil {
					return fmt.Errorf("%s: %w", l.where(0), err)
				}
				return nil
			})
		})
		if err != nil {
			return Gathered{}, err
		}
	}
	for i, seen := range g.seen {
		if !seen {
			return Gathered{}, &job.InvalidResultsError{Key: partsManifest, Reason: fmt.Sprintf(
				"part %d of %d has no result among TotalParts' SUCCEEDED results: no total is made of a plan read in part", i, plan.Parts)}
		}
	}
	accounted, ok := g.accounted()
	if items := counted(e.Objects); !ok || accounted != items {
		return Gathered{}, &job.InvalidResultsError{Key: dataManifest, Reason: fmt.Sprintf(
			"the results account for %d objects (%d summed, %d failed, %d skipped, %d set aside) but the Map Run counted %d items: "+
				"the manifest or its result files leave out child executions; no total is given from incomplete results",
			accounted, g.objects, g.failedObjects, g.skipped, g.deferredObjects, items)}
	}
	ranges, err := g.writeRanges(ctx, dataBucket, *e.SplitBytes)
	if err != nil {
		return Gathered{}, err
	}
	sub := Subtotal{
		Objects:         g.objects,
		Count:           g.count,
		SumOfSquares:    g.sum.String(),
		FailedObjects:   g.failedObjects,
		Failed:          g.listed(),
		SkippedObjects:  g.skipped,
		DeferredObjects: g.deferredObjects,
		MapRun:          e.Objects,
	}
	if sub.FailedObjects > 0 {
		sub.FailuresLocation = s.Storage.Location(dataBucket, dataDir+FailuresDir)
	}
	return Gathered{Partial: sub, Ranges: RangesFile{Bucket: dataBucket, Key: dataDir + RangesFileName, Count: ranges}}, nil
}

// counted returns the Map Run's count of its items, or -1 if it has none.
func counted(r *MapRun) int64 {
	if r == nil || r.ItemCounts == nil || r.ItemCounts.Total == nil || *r.ItemCounts.Total < 0 {
		return -1
	}
	return *r.ItemCounts.Total
}

// A gathering adds up the Partials of a plan's parts, in any order.
type gathering struct {
	s     *job.Summer
	dir   string // the data Map Run's
	parts int64
	max   int // the digit limit

	objects, count, failedObjects, skipped, deferredObjects int64
	sum                                                     sum
	seen                                                    []bool  // by index
	failed, deferred                                        []int64 // by index
	// lists holds the failures the parts listed that may be among the
	// run's first, by index: a part's are, unless the parts before it
	// that have come list the first ones already.
	lists []partList
}

// A partList is the failures a part listed.
type partList struct {
	index    int64
	failed   []job.Failure
	complete bool // the part's every failure
}

// add adds the Partial that text holds.
func (g *gathering) add(text []byte) error {
	text = trimSpace(text)
	if len(text) == 0 {
		return nil
	}
	var p Partial
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("not a part's subtotal: %v", err)
	}
	if dec.More() {
		return fmt.Errorf("not a part's subtotal: more than one JSON value")
	}
	if err := g.check(&p); err != nil {
		return fmt.Errorf("part %d: %w", p.Index, err)
	}
	for _, c := range []struct {
		n *int64
		v int64
	}{{&g.objects, p.Objects}, {&g.count, p.Count}, {&g.failedObjects, p.FailedObjects}, {&g.skipped, p.SkippedObjects}, {&g.deferredObjects, p.DeferredObjects}} {
		if err := addCount(c.n, c.v); err != nil {
			return err
		}
	}
	g.sum.addDecimal([]byte(p.SumOfSquares))
	g.seen[p.Index] = true
	g.failed[p.Index] = p.FailedObjects
	g.deferred[p.Index] = p.DeferredObjects
	if len(p.Failed) > 0 {
		g.keep(partList{index: p.Index, failed: p.Failed, complete: int64(len(p.Failed)) == p.FailedObjects})
	}
	return nil
}

// check says what makes p a subtotal no part of the plan could have
// returned.
func (g *gathering) check(p *Partial) error {
	key := func(dir string, n int64) string {
		if n == 0 {
			return ""
		}
		return g.dir + dir + FailuresFileName(p.Index)
	}
	switch {
	case p.Index < 0 || p.Index >= g.parts:
		return fmt.Errorf("not a part of the plan's %d", g.parts)
	case g.seen[p.Index]:
		return fmt.Errorf("a second result of the part: its objects would count twice")
	case p.Objects < 0 || p.Count < 0 || p.FailedObjects < 0 || p.SkippedObjects < 0 || p.DeferredObjects < 0:
		return fmt.Errorf("negative count: objects %d, count %d, failedObjects %d, skippedObjects %d, deferredObjects %d",
			p.Objects, p.Count, p.FailedObjects, p.SkippedObjects, p.DeferredObjects)
	case int64(len(p.Failed)) > p.FailedObjects || len(p.Failed) > job.MaxListedFailures:
		return fmt.Errorf("failed names %d of its %d failures: more than a part lists", len(p.Failed), p.FailedObjects)
	case p.FailuresKey != key(FailuresDir, p.FailedObjects):
		return fmt.Errorf("failuresKey %s, for %d failures: not the part's list", excerpt.Quote(p.FailuresKey), p.FailedObjects)
	case p.DeferredKey != key(DeferredDir, p.DeferredObjects):
		return fmt.Errorf("deferredKey %s, for %d objects set aside: not the part's list", excerpt.Quote(p.DeferredKey), p.DeferredObjects)
	}
	return checkSum([]byte(p.SumOfSquares), p.Count, g.max)
}

// keep keeps l, and lets go of the lists that the parts before them list
// the first failures without: those of parts after a part whose list is
// not complete, or after MaxListedFailures failures listed.
func (g *gathering) keep(l partList) {
	i, _ := slices.BinarySearchFunc(g.lists, l.index, func(k partList, index int64) int { return int(k.index - index) })
	g.lists = slices.Insert(g.lists, i, l)
	listed := 0
	for i, k := range g.lists {
		listed += len(k.failed)
		if !k.complete || listed >= job.MaxListedFailures {
			g.lists = g.lists[:i+1]
			return
		}
	}
}

// listed returns the first failures, in the plan's order.
func (g *gathering) listed() []job.Failure {
	var l job.FailureList
	next := 0
	for i, n := range g.failed {
		if next < len(g.lists) && g.lists[next].index == int64(i) {
			k := g.lists[next]
			next++
			for _, f := range k.failed {
				l.Add(f)
			}
			l.Count(n - int64(len(k.failed)))
			continue
		}
		l.Count(n)
	}
	return l.Listed()
}

// accounted returns the objects the parts account for, and false if
// their count overflows.
func (g *gathering) accounted() (int64, bool) {
	var n int64
	for _, c := range []int64{g.objects, g.failedObjects, g.skipped, g.deferredObjects} {
		if addCount(&n, c) != nil {
			return 0, false
		}
	}
	return n, true
}

// writeRanges writes RangesFileName: the ranges of every object set aside,
// read from the parts' lists in the plan's order. It returns how many.
func (g *gathering) writeRanges(ctx context.Context, bucket string, split int64) (int64, error) {
	key := g.dir + RangesFileName
	w := newLinesWriter(ctx, g.s.Storage, bucket, key)
	var ranges int64
	for i, n := range g.deferred {
		if n == 0 {
			continue
		}
		list := g.dir + DeferredDir + FailuresFileName(int64(i))
		var got int64
		err := read(ctx, g.s, bucket, list, -1, 0, -1, func(r io.Reader) error {
			return eachLineOf(r, func(l line) error {
				text := trimSpace(l.text)
				if len(text) == 0 {
					return nil
				}
				var d job.Deferred
				dec := json.NewDecoder(bytes.NewReader(text))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&d); err != nil {
					return fmt.Errorf("%s: not an object set aside: %v", l.where(0), err)
				}
				if err := checkDeferred(d); err != nil {
					return fmt.Errorf("%s: %w", l.where(0), err)
				}
				got++
				if d.ETag == "" {
					var err error
					if d, err = pin(ctx, g.s, d); err != nil {
						return err
					}
				}
				parts := max(1, (d.Size+split-1)/split)
				for k := range parts {
					b, err := job.Marshal(job.Range{Bucket: d.Bucket, Key: d.Key, Size: d.Size, ETag: d.ETag,
						Start: k * split, End: min((k+1)*split, d.Size), Part: int(k), Parts: int(parts)})
					if err != nil {
						return err
					}
					if err := w.line(b); err != nil {
						return failedWriter(ctx, g.s, w, bucket)
					}
					ranges++
				}
				return nil
			})
		})
		if err == nil && got != n {
			err = &job.InvalidResultsError{Key: list, Reason: fmt.Sprintf("lists %d objects set aside, but its part counted %d", got, n)}
		}
		if err != nil {
			w.abort(err)
			return 0, err
		}
	}
	if err := w.close(); err != nil {
		return 0, g.s.Classify(ctx, err, bucket, key)
	}
	return ranges, nil
}

// pin learns the version and size of d, an object a batch set aside before
// it read a byte of it (reason unstarted): every range of it must read one
// version, as those of an object the batch pinned do. An object that can
// no longer be read for good (missing, denied) is left as it is: its range
// fails with that, named per object. A transient failure is returned, for
// the invocation to be retried.
func pin(ctx context.Context, s *job.Summer, d job.Deferred) (job.Deferred, error) {
	src, err := s.Storage.Open(ctx, d.Bucket, d.Key, -1)
	if err != nil {
		err = s.Classify(ctx, err, d.Bucket, d.Key)
		if !job.IsTransient(err) {
			return d, nil
		}
		return d, err
	}
	defer src.Close()
	if v, size := src.Version(), src.Size(); v != "" && size >= 0 {
		d.ETag, d.Size = v, size
	}
	return d, nil
}
