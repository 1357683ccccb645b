package job_test

import (
	"encoding/json"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
)

func TestMarshal(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"plain", `"plain"`},
		{"<a&b>", `"<a&b>"`},
		{"\u2028\u2029", "\"\u2028\u2029\""},
		{`\u2028`, `"\\u2028"`},        // a backslash, not an escape
		{"\\\u2028", "\"\\\\\u2028\""}, // a backslash, then U+2028
		{"\x01\n\"", `"\u0001\n\""`},
	}
	var enc job.Encoder // one for every value, in turn: as Marshal
	for _, tt := range tests {
		if got, err := enc.Encode(tt.in); string(got) != tt.want || err != nil {
			t.Errorf("Encoder.Encode(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
		got, err := job.Marshal(tt.in)
		if string(got) != tt.want || err != nil {
			t.Errorf("Marshal(%q) = %s, %v; want %s", tt.in, got, err, tt.want)
			continue
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil || back != tt.in {
			t.Errorf("json.Unmarshal(Marshal(%q)) = %q, %v; want it back", tt.in, back, err)
		}
		if n := job.JSONSize(tt.in); n != len(tt.want) {
			t.Errorf("JSONSize(%q) = %d; want %d", tt.in, n, len(tt.want))
		}
	}
}
