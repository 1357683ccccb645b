// Package bench holds the whole-process benchmark of the CLI (run.sh) and
// the straightforward loop it is compared with (naive/).
package bench

import (
	"os"
	"regexp"
	"testing"
)

// TestRunDefaults checks that the README quotes run.sh with the number of
// runs it makes by default: its speed table says how it was measured.
func TestRunDefaults(t *testing.T) {
	script, err := os.ReadFile("run.sh")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^runs=\$\{1:-(\d+)\}$`).FindSubmatch(script)
	if m == nil {
		t.Fatal("run.sh has no line runs=${1:-N}")
	}
	quoted := regexp.MustCompile("`bash bench/run.sh`, whole process, (\\d+) runs").FindSubmatch(readme)
	if quoted == nil {
		t.Fatal("README.md does not quote `bash bench/run.sh`, whole process, N runs")
	}
	if string(m[1]) != string(quoted[1]) {
		t.Errorf("run.sh makes %s runs by default; README.md says %s", m[1], quoted[1])
	}
}
