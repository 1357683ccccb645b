//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// A servedBatch is a batch event the function was sent, as the Map's
// ItemBatcher built it: {"Items": [...], "BatchInput": {...}}.
type servedBatch struct {
	Items      []json.RawMessage
	BatchInput map[string]any
	Size       int // bytes of the event's compact JSON
}

// batchesServed returns the distinct batch events among events, ordered by
// their first item's key: the listing's order, whatever order they ran in.
// A retried batch is sent again unchanged and counts once.
func batchesServed(t testing.TB, events [][]byte) []servedBatch {
	t.Helper()
	seen := make(map[string]bool)
	var batches []servedBatch
	for _, e := range events {
		var compact bytes.Buffer
		if err := json.Compact(&compact, e); err != nil {
			t.Fatalf("event %s: %v", e, err)
		}
		if seen[compact.String()] {
			continue
		}
		seen[compact.String()] = true
		var b servedBatch
		if err := json.Unmarshal(e, &b); err != nil || b.Items == nil {
			continue // the Total's event
		}
		b.Size = compact.Len()
		batches = append(batches, b)
	}
	slices.SortFunc(batches, func(a, b servedBatch) int {
		return strings.Compare(itemKey(t, a.Items[0]), itemKey(t, b.Items[0]))
	})
	return batches
}

func itemKey(t testing.TB, raw json.RawMessage) string {
	t.Helper()
	var o eventObject
	mustUnmarshal(t, raw, &o)
	return o.Key
}

// checkBatches checks the batches a run over listed (by key) served: every
// object in exactly one batch, in the listing's order, as the ItemSelector
// makes it ({bucket, key, size}); each batch with the BatchInput and within
// both limits of the ItemBatcher; each batch ended by a limit, the next
// item not fitting (input-output-itembatcher.html). It reports how many
// batches each limit ended, and fails unless both ended some.
func checkBatches(t testing.TB, batches []servedBatch, bucket string, listed []testObject, maxItems, maxBytes int) {
	t.Helper()
	var keys []string
	for _, b := range batches {
		for _, raw := range b.Items {
			var o eventObject
			mustUnmarshal(t, raw, &o)
			keys = append(keys, o.Key)
			if o.Bucket != bucket || o.Size == nil {
				t.Errorf("batch item %s; want {bucket: %q, key, size}", raw, bucket)
			}
		}
		want := map[string]any{"bucket": bucket, "resultsPrefix": "results/", "splitBytes": float64(256 << 20)} // SplitSizeMiB's default
		if !equalJSON(b.BatchInput, want) {
			t.Errorf("BatchInput = %v; want %v", b.BatchInput, want)
		}
	}
	var wantKeys []string
	for _, o := range listed {
		wantKeys = append(wantKeys, o.Key)
	}
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("the batches hold %d keys; want the %d listed, each once, in order", len(keys), len(wantKeys))
	}

	byItems, byBytes := 0, 0
	for i, b := range batches {
		if len(b.Items) > maxItems || b.Size > maxBytes {
			t.Errorf("batch %d: %d items, %d bytes; want at most %d and %d", i, len(b.Items), b.Size, maxItems, maxBytes)
		}
		if i == len(batches)-1 {
			break
		}
		next := batches[i+1].Items[0]
		var compact bytes.Buffer
		json.Compact(&compact, next)
		switch {
		case len(b.Items) == maxItems:
			byItems++
		case b.Size+1+compact.Len() > maxBytes: // the next item and its comma
			byBytes++
		default:
			t.Errorf("batch %d ends at %d items, %d bytes, though the next item (%d bytes) fits", i, len(b.Items), b.Size, compact.Len())
		}
	}
	t.Logf("%d batches: %d ended by MaxItemsPerBatch (%d), %d by MaxInputBytesPerBatch (%d)",
		len(batches), byItems, maxItems, byBytes, maxBytes)
	if byItems == 0 || byBytes == 0 {
		t.Errorf("%d batches ended by the item limit and %d by the byte limit; want both", byItems, byBytes)
	}
}

// equalJSON reports whether a and b have the same JSON.
func equalJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// eventKinds counts events by the shape the function recognises them by
// (function/handler.go): "batch", "inventory", "plan", "part", "gather",
// "range", "total" or "object". Retried events count each time they were sent.
func eventKinds(t testing.TB, events [][]byte) map[string]int {
	t.Helper()
	kinds := make(map[string]int)
	for _, e := range events {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(e, &fields); err != nil {
			t.Fatalf("event %s: %v", e, err)
		}
		kind := "object"
		for field, k := range map[string]string{"Items": "batch", "Inventory": "inventory", "PlanTotal": "plan", "TotalPart": "part",
			"Gather": "gather", "Range": "range", "Total": "total"} {
			if _, ok := fields[field]; ok {
				kind = k
			}
		}
		kinds[kind]++
	}
	return kinds
}

// checkTotalSteps checks that the steps after the batches ran once each
// (PlanTotal, Gather, Total), with a TotalParts child per part of the
// results (none when they are empty) and as many SumLargeObjects children as
// ranges, and returns how many invocations they took.
func checkTotalSteps(t testing.TB, events [][]byte, ranges int) int {
	t.Helper()
	k := eventKinds(t, events)
	if k["plan"] != 1 || k["gather"] != 1 || k["total"] != 1 || k["range"] != ranges {
		t.Errorf("the function was sent %v; want plan, gather and total once each, range %d times",
			k, ranges)
	}
	return k["plan"] + k["part"] + k["gather"] + k["range"] + k["total"]
}
