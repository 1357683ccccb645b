package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestBatcher counts batches as the twin's ItemBatcher makes them
// (e2e/testdata/test_twin.py's BatchingTest).
func TestBatcher(t *testing.T) {
	item := itemBytes("b", "k", 1) // {"bucket":"b","key":"k","size":1}: 34 bytes
	if item != len(`{"bucket":"b","key":"k","size":1}`) {
		t.Fatalf("itemBytes = %d; want %d", item, len(`{"bucket":"b","key":"k","size":1}`))
	}
	input := batchInputBytes("b", "results/", 256<<20, false)
	if want := len(`{"bucket":"b","resultsPrefix":"results/","splitBytes":268435456}`); input != want {
		t.Fatalf("batchInputBytes = %d; want %d", input, want)
	}
	whole := len(`{"Items":[`) + 3*item + 2 + len(`],"BatchInput":`) + input + 1 // three items exactly
	tests := []struct {
		name               string
		maxItems, maxBytes int
		items              int
		want               int64
	}{
		{"a batch may be exactly MaxInputBytesPerBatch long", 1000, whole, 10, 4},
		{"never one byte more", 1000, whole - 1, 10, 5},
		{"MaxItemsPerBatch first", 3, 1 << 20, 10, 4},
		{"one item", 3, whole, 1, 1},
		{"none", 3, whole, 0, 0},
	}
	for _, tt := range tests {
		b := newBatcher(tt.maxItems, tt.maxBytes, input)
		for range tt.items {
			b.add(item)
		}
		if b.batches != tt.want {
			t.Errorf("%s: %d batches; want %d", tt.name, b.batches, tt.want)
		}
	}
}

func TestJSONStringBytes(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 2},
		{"abc", 5},
		{"é", 4},                   // UTF-8, not \u00e9
		{"a\"b\\c", 9},             // \" and \\
		{"\n\t\r\b\f", 12},         // two bytes each
		{"\x01\x1f", 14},           // \u0001, \u001f
		{"\x7f", 3},                // DEL as it is
		{"\u2028", 5},              // as it is, as Python writes it
		{"a\xffb", 10},             // \ufffd for the byte that is not UTF-8
		{"日本", 8},                  // three bytes each
		{"today/random_1.log", 20}, // the common case
	}
	for _, tt := range tests {
		if got := jsonStringBytes(tt.s); got != tt.want {
			t.Errorf("jsonStringBytes(%q) = %d; want %d", tt.s, got, tt.want)
		}
	}
	// As encoding/json counts the strings it writes as they are.
	for _, s := range []string{"abc", "é", "a\"b\\c", "\n\t", "\x01", "日本"} {
		var b bytes.Buffer
		e := json.NewEncoder(&b)
		e.SetEscapeHTML(false)
		e.Encode(s)
		if got, want := jsonStringBytes(s), b.Len()-1; got != want {
			t.Errorf("jsonStringBytes(%q) = %d; encoding/json writes %d bytes", s, got, want)
		}
	}
}
