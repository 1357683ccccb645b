package maprun

import (
	"github.com/sumsq/sumsq/internal/job"
)

// The events of the total and what they return, in the order the
// workflow (statemachine.asl.json) sends them: PlanTotal, TotalPart (one
// per part of the plan, children of the TotalParts Map), Gather, and
// Total. Every field of an event is required unless it says otherwise.

// ResultWriterDetails is where a Distributed Map wrote its results.
type ResultWriterDetails struct {
	Bucket string `json:"Bucket"`
	Key    string `json:"Key"` // of manifest.json
}

// ItemCounts is the part of DescribeMapRun's itemCounts a total checks.
type ItemCounts struct {
	Total *int64 `json:"Total"` // every item of the Map Run
}

// MapRun is a Map Run whose results a total reads: its ARN and where its
// ResultWriter wrote (the Map's output), and its own count of its items
// (DescribeMapRun), which the results must account for.
type MapRun struct {
	MapRunArn           string               `json:"MapRunArn"`
	ResultWriterDetails *ResultWriterDetails `json:"ResultWriterDetails"`
	ItemCounts          *ItemCounts          `json:"ItemCounts"`
}

// PlanEvent asks for the plan of a total: the data Map Run's result files
// (SumObjects' or SumInventory's) cut into parts of at most PartBytes.
type PlanEvent struct {
	PlanTotal *MapRun `json:"PlanTotal"`
	PartBytes *int64  `json:"PartBytes"`
}

// PlanFileName is the name of the plan, next to the data Map Run's
// manifest: JSON Lines, one Part a line, which the TotalParts Map reads.
const PlanFileName = "total-plan.jsonl"

// Plan is where a total's plan is, and how many parts it has.
type Plan struct {
	Bucket    string `json:"Bucket"`
	Key       string `json:"Key"`
	Parts     int64  `json:"Parts"`
	MapRunArn string `json:"MapRunArn"` // the data Map Run's
}

// Part is a part of a total: the records that begin in [Start, End) of a
// result file of Size bytes, filed under Status; Index is its place in the
// plan, from 0.
type Part struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Status string `json:"status"`
	Size   int64  `json:"size"`
	Start  int64  `json:"start"`
	End    int64  `json:"end"`
	Index  int64  `json:"index"`
}

// PartEvent asks for the subtotal of one part: the input of a TotalParts
// child.
type PartEvent struct {
	TotalPart *Part `json:"TotalPart"`
}

// Partial is the subtotal of a part: what its records account for, the
// first failures (bounded as Total.Failed is), and where the part's
// lists of every failure and of every object set aside are, when it has
// any.
type Partial struct {
	Index           int64         `json:"index"`
	Objects         int64         `json:"objects"` // objects summed
	Count           int64         `json:"count"`   // numbers summed
	SumOfSquares    string        `json:"sumOfSquares"`
	FailedObjects   int64         `json:"failedObjects"`
	Failed          []job.Failure `json:"failed"`
	SkippedObjects  int64         `json:"skippedObjects"`
	DeferredObjects int64         `json:"deferredObjects"`
	FailuresKey     string        `json:"failuresKey,omitempty"` // JSON Lines of job.Failure
	DeferredKey     string        `json:"deferredKey,omitempty"` // JSON Lines of job.Deferred
}

// GatherEvent asks for the sum of the parts' subtotals.
type GatherEvent struct {
	Gather     *MapRun `json:"Gather"`     // TotalParts
	Objects    *MapRun `json:"Objects"`    // the data Map Run (SumObjects or SumInventory)
	Plan       *Plan   `json:"Plan"`       // PlanTotal's
	SplitBytes *int64  `json:"SplitBytes"` // the size of a range of an object set aside
}

// RangesFileName is the name of the ranges of the objects set aside, next
// to the data Map Run's manifest: JSON Lines, one job.Range a line, which
// the SumLargeObjects Map reads.
const RangesFileName = "ranges.jsonl"

// Gathered is what Gather returns: the subtotal of every part, and where
// the ranges of the objects set aside are.
type Gathered struct {
	Partial Subtotal   `json:"Partial"`
	Ranges  RangesFile `json:"Ranges"`
}

// RangesFile is where the ranges are, and how many.
type RangesFile struct {
	Bucket string `json:"Bucket"`
	Key    string `json:"Key"`
	Count  int64  `json:"Count"`
}

// Subtotal is a Total before the objects set aside are added: the objects
// summed and failed so far, and how many were set aside; MapRun is the
// data Map Run (as Gather was given it), whose directory holds the lists
// of failures.
type Subtotal struct {
	Objects          int64         `json:"objects"`
	Count            int64         `json:"count"`
	SumOfSquares     string        `json:"sumOfSquares"`
	FailedObjects    int64         `json:"failedObjects"`
	Failed           []job.Failure `json:"failed"`
	FailuresLocation string        `json:"failuresLocation,omitempty"`
	SkippedObjects   int64         `json:"skippedObjects"`
	DeferredObjects  int64         `json:"deferredObjects"`
	MapRun           *MapRun       `json:"mapRun"`
}

// TotalEvent asks for the total: Gather's subtotal, the SumLargeObjects
// Map Run and the number of ranges Gather wrote, and the tolerance.
type TotalEvent struct {
	Total  *Subtotal  `json:"Total"`
	Ranges *RangesRun `json:"Ranges"`
	// ToleratedFailurePercentage is the share of the run's objects, 0 to
	// 100, that may fail without failing the run.
	ToleratedFailurePercentage *int `json:"ToleratedFailurePercentage"`
}

// RangesRun is the SumLargeObjects Map Run, and the ranges it was given.
type RangesRun struct {
	MapRun
	Count *int64 `json:"Count"`
}
