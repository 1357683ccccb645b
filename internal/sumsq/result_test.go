package sumsq_test

import (
	"math/big"
	"strings"
	"testing"

	"github.com/sumsq/sumsq/internal/sumsq"
)

func mustSum(t *testing.T, in string) sumsq.Result {
	t.Helper()
	r, err := sumsq.Sum(strings.NewReader(in))
	if err != nil {
		t.Fatalf("Sum(%q) = %v", in, err)
	}
	return r
}

func TestResultAdd(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"zero and zero", "", ""},
		{"small", "1\n2\n", "\n3"},
		{"carry between words", strings.Repeat("18446744073709551615\n", 3), "18446744073709551615\n4\n"},
		{"fixed and big", "99999999999999999999999\n5\n", "7\n"},
		{"big and big", "-99999999999999999999999\n", "123456789012345678901234567890\n"},
	}
	for _, tt := range tests {
		a, b := mustSum(t, tt.a), mustSum(t, tt.b)
		whole := mustSum(t, tt.a+"\n"+tt.b)
		got := a
		got.Add(b)
		// The "\n" between the parts makes one more line unless a part
		// already ended in one or was empty.
		lines := whole.Lines
		if tt.a == "" || strings.HasSuffix(tt.a, "\n") {
			lines--
		}
		if got.Count != whole.Count || got.Lines != lines || got.String() != whole.String() {
			t.Errorf("%s: Sum(%q).Add(Sum(%q)) = %v (count %d, lines %d); want %v (count %d, lines %d)",
				tt.name, tt.a, tt.b, got, got.Count, got.Lines, whole, whole.Count, lines)
		}
		if a.String() != mustSum(t, tt.a).String() {
			t.Errorf("%s: Add changed a copy of its receiver: %v", tt.name, a)
		}
	}
}

// Results are values: a copy does not change when the original is added to.
func TestResultCopiesAreIndependent(t *testing.T) {
	r := mustSum(t, "100000000000000000000\n")
	c := r
	r.Add(mustSum(t, "200000000000000000000\n"))
	if got, want := c.String(), "10000000000000000000000000000000000000000"; got != want {
		t.Errorf("copy after Add = %s; want %s", got, want)
	}
	if got, want := r.String(), "50000000000000000000000000000000000000000"; got != want {
		t.Errorf("Add = %s; want %s", got, want)
	}
}

func TestResultInt(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "0"},
		{"3", "9"},
		{"18446744073709551615\n18446744073709551615", "680564733841876926852962238568698216450"},
		{"99999999999999999999999\n5", "9999999999999999999999800000000000000000000026"},
	}
	for _, tt := range tests {
		r := mustSum(t, tt.in)
		x := r.Int()
		if x.String() != tt.want || r.String() != tt.want {
			t.Errorf("Sum(%q): Int() = %v, String() = %s; want %s", tt.in, x, r, tt.want)
		}
		x.Add(x, big.NewInt(1)) // must not change r
		if got := r.Int().String(); got != tt.want {
			t.Errorf("Sum(%q): changing Int() changed the Result to %s", tt.in, got)
		}
	}
	var zero sumsq.Result
	if got := zero.String(); got != "0" {
		t.Errorf("Result{}.String() = %q; want \"0\"", got)
	}
}
