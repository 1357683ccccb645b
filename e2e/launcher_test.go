//go:build e2e

package e2e

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"
)

// TestLauncher runs the launcher's own tests, testdata/test_*.py: each of
// the twin's patches against the examples AWS documents, and the patched
// interpreter in one process (moto's S3 and Step Functions, no Lambda), the
// JSONata tests with the engine the harness installs.
func TestLauncher(t *testing.T) {
	python, jsonata := python3WithMoto(t), jsonataDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-m", "unittest", "discover", "-s", ".", "-p", "test_*.py", "-v")
	cmd.Dir = "testdata"
	cmd.SysProcAttr = sysProcAttr()
	cmd.Env = append(os.Environ(),
		"TWIN_JSONATA_DIR="+jsonata,
		"PYTHONDONTWRITEBYTECODE=1", // nothing written into the repository
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3 -m unittest: %v\n%s", err, out)
	}
	if m := regexp.MustCompile(`(?m)^Ran \d+ tests.*$`).Find(out); m != nil {
		t.Logf("%s in %v", m, time.Since(start).Round(100*time.Millisecond))
	}
	if regexp.MustCompile(`skipped`).Match(out) {
		t.Errorf("some launcher tests were skipped:\n%s", out)
	}
}
