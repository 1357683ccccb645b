package job

import (
	"math/big"

	"github.com/sumsq/sumsq/internal/sumsq"
)

// A Tally adds up a run: objects and numbers summed, the exact sum of
// squares, objects skipped, and the failures. The CLI adds each object's
// sumsq.Result; a Total adds the subtotals in the Map's result files.
type Tally struct {
	Objects int64 // objects summed
	Count   int64 // numbers summed
	Skipped int64 // objects listed but not read (the Map's own results)
	Failed  FailureList

	sum     sumsq.Result // the sum of the Results added
	decimal big.Int      // the sum of the subtotals added
}

// Add adds one summed object.
func (t *Tally) Add(r sumsq.Result) {
	t.Objects++
	t.Count += r.Count
	t.sum.Add(r)
}

// Sum returns the sum of squares in decimal.
func (t *Tally) Sum() string {
	if t.decimal.Sign() == 0 {
		return t.sum.String()
	}
	return new(big.Int).Add(t.sum.Int(), &t.decimal).String()
}

// Total returns the tally as a Total, FailuresLocation aside.
func (t *Tally) Total() Total {
	return Total{
		Objects:        t.Objects,
		Count:          t.Count,
		SumOfSquares:   t.Sum(),
		FailedObjects:  t.Failed.Len(),
		Failed:         t.Failed.Listed(),
		SkippedObjects: t.Skipped,
	}
}
