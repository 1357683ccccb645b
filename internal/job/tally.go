package job

import (
	"errors"
	"math"
	"math/big"

	"github.com/sumsq/sumsq/internal/sumsq"
)

// A Tally adds up a run: objects and numbers summed, the exact sum of
// squares, objects skipped, and the failures. The CLI adds each object's
// sumsq.Result; a Map Run's total adds the subtotals in its result files.
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

// AddSubtotal adds a subtotal of objects summed, of count numbers whose
// squares add up to sum, and of objects skipped: a batch's. Counts that
// would overflow int64 are an error, and nothing is added.
func (t *Tally) AddSubtotal(objects, count, skipped int64, sum *big.Int) error {
	if t.Objects > math.MaxInt64-objects || t.Count > math.MaxInt64-count || t.Skipped > math.MaxInt64-skipped {
		return errors.New("counts overflow int64")
	}
	t.Objects += objects
	t.Count += count
	t.Skipped += skipped
	t.decimal.Add(&t.decimal, sum)
	return nil
}
