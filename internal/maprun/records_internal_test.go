package maprun

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/sumsq/sumsq/internal/job"
)

// TestFailures checks that a record's failures are what encoding/json
// reads from them, whether they are taken in place (plain) or not.
func TestFailures(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		plain bool // taken in place, not by encoding/json
	}{
		{"empty", `[]`, true},
		{"empty, spaced", "[ \n ]", true},
		{"one", `[{"bucket":"b","key":"k","error":"E","cause":"c"}]`, true},
		{"two, spaced", `[ {"bucket" : "b", "key":"k1","error":"E","cause":"c"} , {"bucket":"b","key":"k2","error":"E","cause":"c"} ]`, true},
		{"members in another order", `[{"cause":"c","error":"E","key":"k","bucket":"b"}]`, true},
		{"members missing", `[{"key":"k"},{}]`, true},
		{"escapes", `[{"bucket":"b","key":"a\"b\\c\u00e9\u2028","error":"E","cause":"line 3: not an integer: \"seven\"\n"}]`, true},
		{"UTF-8", `[{"bucket":"b","key":"été/日本","error":"E","cause":"c"}]`, true},
		{"not UTF-8", "[{\"bucket\":\"b\",\"key\":\"\xff\xfe\",\"error\":\"E\",\"cause\":\"c\"}]", false},
		{"a member of another case", `[{"bucket":"b","Key":"k","error":"E","cause":"c"}]`, false},
		{"an unknown member", `[{"bucket":"b","key":"k","error":"E","cause":"c","extra":[1,2]}]`, false},
		{"a member twice", `[{"bucket":"b","key":"k1","key":"k2","error":"E","cause":"c"}]`, false},
		{"a null member", `[{"bucket":"b","key":null,"error":"E","cause":"c"}]`, false},
		{"an escaped name", `[{"bucket":"b","k\u0065y":"k","error":"E","cause":"c"}]`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []job.Failure
			if err := json.Unmarshal([]byte(tt.text), &want); err != nil {
				t.Fatal(err)
			}
			_, plain := plainFailures([]byte(tt.text))
			got, err := (&batchRecord{failed: []byte(tt.text)}).failures()
			if err != nil || !reflect.DeepEqual(got, want) || plain != tt.plain {
				t.Errorf("failures(%s) = %+v, %v, taken in place %v; want %+v, as encoding/json reads it, in place %v",
					tt.text, got, err, plain, want, tt.plain)
			}
		})
	}
}
