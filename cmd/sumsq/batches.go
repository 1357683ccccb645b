package main

import (
	"strconv"
	"unicode/utf8"
)

// A batcher counts the batches a Distributed Map's ItemBatcher makes of a
// run's items, as AWS documents it
// (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html):
// in order, at most maxItems items and at most maxBytes bytes of input a
// batch, a batch ending at whichever limit it reaches first. The bytes
// counted are those the local twin counts (e2e/testdata/twin/batching.py):
// the child's whole input, {"Items":[...],"BatchInput":{...}}, as compact
// JSON in UTF-8, so that no batch is ever larger than AWS makes it however
// it counts. An item too large for a batch by itself makes one alone (the
// twin refuses it; a key of S3's is at most 1,024 bytes, and the smallest
// BatchMaxBytes is 4,096).
type batcher struct {
	maxItems, maxBytes int
	empty              int // bytes of a batch of no item: {"Items":[],"BatchInput":{...}}

	items, bytes int // of the batch being filled
	batches      int64
}

// newBatcher returns a batcher of batches of at most maxItems items and
// maxBytes bytes, each with a BatchInput of batchInput bytes.
func newBatcher(maxItems, maxBytes, batchInput int) *batcher {
	return &batcher{maxItems: maxItems, maxBytes: maxBytes, empty: len(`{"Items":[],"BatchInput":}`) + batchInput}
}

// add adds an item of n bytes of compact JSON.
func (b *batcher) add(n int) {
	if b.items > 0 {
		if grown := b.bytes + 1 + n; b.items < b.maxItems && grown <= b.maxBytes { // 1: the comma before it
			b.items, b.bytes = b.items+1, grown
			return
		}
	}
	b.batches++
	b.items, b.bytes = 1, b.empty+n
}

// batchInputBytes returns the bytes of the BatchInput the state machine's
// ItemBatcher gives every batch, in compact JSON: {"bucket",
// "resultsPrefix", "splitBytes"}, and "keys": "url" for the items of an S3
// Inventory report.
func batchInputBytes(bucket, resultsPrefix string, splitBytes int64, urlKeys bool) int {
	n := len(`{"bucket":,"resultsPrefix":,"splitBytes":}`) + jsonStringBytes(bucket) + jsonStringBytes(resultsPrefix) +
		len(strconv.FormatInt(splitBytes, 10))
	if urlKeys {
		n += len(`,"keys":"url"`)
	}
	return n
}

// itemBytes returns the bytes of an item as the state machine's
// ItemSelector makes it, {"bucket","key","size"}, in compact JSON; a size
// below 0 (unknown: an inventory without sizes) is null.
func itemBytes(bucket, key string, size int64) int {
	n := len(`{"bucket":,"key":,"size":}`) + jsonStringBytes(bucket) + jsonStringBytes(key)
	if size < 0 {
		return n + len("null")
	}
	return n + len(strconv.FormatInt(size, 10))
}

// jsonStringBytes returns the bytes of s as a JSON string, quotes included,
// written as Python's json.dumps(ensure_ascii=False) writes it (the twin's
// count): '"' and '\' and the control characters \b, \f, \n, \r, \t
// escaped in two bytes, the other control characters in six (\u001f),
// everything else as its UTF-8 bytes. A byte that is not UTF-8 counts as
// the six bytes of the escape of the replacement character, U+FFFD, that
// JSON writers put in its place.
func jsonStringBytes(s string) int {
	n := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t':
				n += 2
			case c < 0x20:
				n += 6
			default:
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			n += 6
		} else {
			n += size
		}
		i += size
	}
	return n
}
