//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// startMoto starts moto's server on a loopback port through
// testdata/moto_launcher.py, which gives its Step Functions interpreter a
// JSONata engine, lets it run a state machine more than once and teaches its
// Distributed Map what AWS documents (testdata/twin/). awsPort is where the interpreter sends its AWS calls (MOTO_PORT):
// the proxy's port, so that Lambda invocations reach the emulators. It turns
// on moto's execution of state machines and returns moto's URL.
func startMoto(t testing.TB, logDir string, awsPort int) string {
	t.Helper()
	python, jsonata := python3WithMoto(t), jsonataDir(t)
	launcher, err := filepath.Abs(filepath.Join("testdata", "moto_launcher.py"))
	if err != nil {
		t.Fatal(err)
	}
	evaluator, err := filepath.Abs(filepath.Join("testdata", "jsonata_eval.js"))
	if err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port := freePort(t)
		cmd := exec.Command(python, launcher,
			"--port", fmt.Sprint(port), "--jsonata-dir", jsonata, "--evaluator", evaluator)
		cmd.Env = append(os.Environ(),
			fmt.Sprintf("MOTO_PORT=%d", awsPort),
			"PYTHONUNBUFFERED=1",
			"PYTHONDONTWRITEBYTECODE=1", // nothing written into the repository
			"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1")
		p := startProcess(t, logDir, "moto", cmd)
		url := fmt.Sprintf("http://127.0.0.1:%d", port)
		lastErr = waitReady(p, 60*time.Second, httpReady(url+"/moto-api/config"))
		if lastErr == nil {
			// moto runs state machines only when told to; GET never shows
			// this key, but it is set.
			post(t, url+"/moto-api/config", `{"stepfunctions": {"execute_state_machine": true}}`)
			return url
		}
		p.stop()
		if !isBindError(p.tail(20)) {
			break
		}
	}
	t.Fatal(lastErr)
	return ""
}

func post(t testing.TB, url, body string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s: %s: %s", url, resp.Status, b)
	}
}
