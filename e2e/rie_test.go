//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// functionEnv is the function's configuration, as template.yaml would set
// it, pointed at the local S3.
type functionEnv struct {
	S3Endpoint string        // AWS_ENDPOINT_URL_S3
	Timeout    time.Duration // the function's timeout (AWS_LAMBDA_FUNCTION_TIMEOUT)
	Extra      []string      // more variables, NAME=value
}

// An emulator is one aws-lambda-rie running the bootstrap: the runtime `sam
// local invoke` runs inside its container. It serves one invocation at a
// time.
type emulator struct {
	name string
	url  string // http://127.0.0.1:PORT
	proc *process
}

// invokePath is the only path the emulator serves.
const invokePath = "/2015-03-31/functions/function/invocations"

// startEmulator starts the emulator on loopback ports (its defaults bind
// 0.0.0.0) with the bootstrap as its runtime.
func startEmulator(t testing.TB, logDir, name string, env functionEnv) *emulator {
	t.Helper()
	rie, bootstrap := riePath(t), bootstrapPath(t)
	home := t.TempDir() // no shared config or credentials files from this machine
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, apiPort := freePort(t), freePort(t)
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		cmd := exec.Command(rie,
			"--runtime-interface-emulator-address", addr,
			"--runtime-api-address", fmt.Sprintf("127.0.0.1:%d", apiPort),
			bootstrap)
		cmd.Dir = home
		// Every variable of the emulator reaches the function: give it only
		// what Lambda would, plus the local endpoint.
		cmd.Env = []string{
			"PATH=" + os.Getenv("PATH"),
			"HOME=" + home,
			"TZ=UTC",
			"AWS_REGION=us-east-1",
			"AWS_DEFAULT_REGION=us-east-1",
			"AWS_ACCESS_KEY_ID=test",
			"AWS_SECRET_ACCESS_KEY=test",
			"AWS_EC2_METADATA_DISABLED=true",
			"AWS_LAMBDA_FUNCTION_NAME=" + functionName,
			"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512",
			"AWS_LAMBDA_FUNCTION_TIMEOUT=" + strconv.Itoa(int(env.Timeout/time.Second)),
			"AWS_ENDPOINT_URL_S3=" + env.S3Endpoint,
			"S3_FORCE_PATH_STYLE=true",
		}
		cmd.Env = append(cmd.Env, env.Extra...)
		p := startProcess(t, logDir, name, cmd)
		lastErr = waitReady(p, 10*time.Second, dialReady(addr))
		if lastErr == nil {
			return &emulator{name: name, url: "http://" + addr, proc: p}
		}
		p.stop()
		if !isBindError(p.tail(20)) {
			break
		}
	}
	t.Fatal(lastErr)
	return nil
}

// invoke sends one event and returns the emulator's raw answer: the
// function's result, its error ({"errorMessage", "errorType"}) or a
// timeout's plain text, all with HTTP 200.
func (e *emulator) invoke(ctx context.Context, event []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url+invokePath, bytes.NewReader(event))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}
