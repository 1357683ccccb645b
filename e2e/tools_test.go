//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Pinned versions of what the tests install, and what must be installed.
const (
	// rieModule is the Lambda Runtime Interface Emulator; the module has no
	// tags, and this is the version the module proxy serves.
	rieModule  = "github.com/aws/aws-lambda-runtime-interface-emulator"
	rieVersion = "v0.0.0-20261030222936-bef5c4ba774d"
	rieCommand = rieModule + "/cmd/aws-lambda-rie@" + rieVersion

	// versityGWVersion is the S3 gateway that checks what moto does not:
	// TLS, and the SDK's default checksums and aws-chunked uploads.
	versityGWVersion = "v1.8.0"
	versityGWCommand = "github.com/versity/versitygw/cmd/versitygw@" + versityGWVersion

	// jsonataVersion is the npm jsonata package moto's interpreter is given.
	jsonataVersion = "2.2.2"

	// motoVersion is the moto the launcher's patches were written for.
	motoVersion = "5.2.1"
)

// prerequisite fails the test under CI (where a missing tool is a broken
// machine) and skips it elsewhere, saying what is missing.
func prerequisite(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("missing prerequisite: %v", err)
	}
	t.Skipf("missing prerequisite (under CI=true this fails): %v", err)
}

// onceValue memoizes an expensive step (a build, an install) for the whole
// test binary; a failure is remembered and reported to every caller.
type onceValue struct {
	once     sync.Once
	value    string
	err      error
	prereq   bool // err is a missing prerequisite
	duration time.Duration
}

func (o *onceValue) get(t testing.TB, what string, f func() (string, bool, error)) string {
	t.Helper()
	o.once.Do(func() {
		start := time.Now()
		o.value, o.prereq, o.err = f()
		o.duration = time.Since(start)
		if o.err == nil {
			t.Logf("%s: %v", what, o.duration.Round(time.Millisecond))
		}
	})
	if o.prereq {
		prerequisite(t, o.err)
	}
	if o.err != nil {
		t.Fatalf("%s: %v", what, o.err)
	}
	return o.value
}

var (
	bootstrapOnce, sumsqOnce, rieOnce, versityGWOnce, jsonataOnce, motoOnce onceValue
)

// repoRoot is the module root: the tests run in e2e/.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// run runs a command and returns its combined output in the error.
func run(cmd *exec.Cmd) error {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out.Bytes())
	}
	return nil
}

// bootstrapPath builds the function through the Makefile target `sam build`
// runs (template.yaml, BuildMethod makefile), the one build of the deployed
// binary, for this machine's architecture so that it runs here.
func bootstrapPath(t testing.TB) string {
	return bootstrapOnce.get(t, "make build-SumFunction (the deployed build) as bootstrap", func() (string, bool, error) {
		if _, err := exec.LookPath("make"); err != nil {
			return "", true, err
		}
		cmd := exec.Command("make", "build-SumFunction", "ARTIFACTS_DIR="+workDir, "GOARCH="+runtime.GOARCH)
		cmd.Dir = repoRoot(t)
		return filepath.Join(workDir, "bootstrap"), false, run(cmd)
	})
}

// sumsqPath builds the CLI, cmd/sumsq, as `go build` does: the tests run
// `sumsq start -redrive` against the twin as a user does against AWS.
func sumsqPath(t testing.TB) string {
	return sumsqOnce.get(t, "go build ./cmd/sumsq", func() (string, bool, error) {
		bin := filepath.Join(workDir, "sumsq")
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/sumsq")
		cmd.Dir = repoRoot(t)
		return bin, false, run(cmd)
	})
}

// cacheDir is where installed tools are kept between runs, outside the
// repository.
func cacheDir(t testing.TB, name string) string {
	t.Helper()
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "sumsq-e2e", name)
}

// installInto runs install with a fresh temporary directory and renames it
// to dir when install succeeds, so that an interrupted install never looks
// like a finished one and two runs at once do not mix their files.
func installInto(dir string, install func(tmp string) error) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), filepath.Base(dir)+".tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := install(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil && !exists(dir) {
		return err
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// riePath installs the pinned emulator with `go install` into the cache.
func riePath(t testing.TB) string {
	return goInstall(t, &rieOnce, rieCommand, "aws-lambda-rie-"+rieVersion, "aws-lambda-rie")
}

// versityGWPath installs the pinned S3 gateway with `go install` into the cache.
func versityGWPath(t testing.TB) string {
	return goInstall(t, &versityGWOnce, versityGWCommand, "versitygw-"+versityGWVersion, "versitygw")
}

// goInstall runs `go install pkg@version` into cacheDir(dir), once, unless
// the command is there already, and returns the command's path. An install
// that fails (offline, or no module proxy) is a missing prerequisite: the
// tests that need the command skip, saying so, except under CI=true.
func goInstall(t testing.TB, once *onceValue, pkgAtVersion, dir, name string) string {
	return once.get(t, "installing "+name, func() (string, bool, error) {
		dir := cacheDir(t, dir)
		bin := filepath.Join(dir, name)
		if exists(bin) {
			return bin, false, nil
		}
		err := installInto(dir, func(tmp string) error {
			cmd := exec.Command("go", "install", pkgAtVersion)
			cmd.Dir = tmp // outside this module: its go.mod stays as it is
			cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=-mod=mod", "GOWORK=off", "CGO_ENABLED=0")
			return run(cmd)
		})
		if err != nil {
			return "", true, fmt.Errorf("%s could not be installed (is the Go module proxy reachable?): %v", name, err)
		}
		return bin, false, nil
	})
}

// jsonataDir installs the pinned npm jsonata package into the cache and
// returns the directory holding node_modules/jsonata.
func jsonataDir(t testing.TB) string {
	return jsonataOnce.get(t, "installing npm jsonata", func() (string, bool, error) {
		for _, tool := range []string{"node", "npm"} {
			if _, err := exec.LookPath(tool); err != nil {
				return "", true, fmt.Errorf("%s (for moto's JSONata evaluator): %v", tool, err)
			}
		}
		dir := cacheDir(t, "jsonata-"+jsonataVersion)
		if installedVersion(filepath.Join(dir, "node_modules", "jsonata", "package.json")) == jsonataVersion {
			return dir, false, nil
		}
		os.RemoveAll(dir)
		err := installInto(dir, func(tmp string) error {
			cmd := exec.Command("npm", "install", "--prefix", tmp, "--no-save", "--no-package-lock",
				"--no-audit", "--no-fund", "--ignore-scripts", "jsonata@"+jsonataVersion)
			cmd.Dir = tmp
			return run(cmd)
		})
		if err != nil {
			return "", true, fmt.Errorf("npm jsonata@%s could not be installed (is the npm registry reachable?): %v", jsonataVersion, err)
		}
		return dir, false, nil
	})
}

func installedVersion(packageJSON string) string {
	b, err := os.ReadFile(packageJSON)
	if err != nil {
		return ""
	}
	var p struct{ Version string }
	json.Unmarshal(b, &p)
	return p.Version
}

// installMoto says how to install the moto the launcher patches.
const installMoto = "python3 -m pip install 'moto[server]==" + motoVersion + "'"

// python3WithMoto checks that python3 imports the moto the launcher patches.
func python3WithMoto(t testing.TB) string {
	return motoOnce.get(t, "checking python3 and moto", func() (string, bool, error) {
		python, err := exec.LookPath("python3")
		if err != nil {
			return "", true, fmt.Errorf("python3 with moto %s: %v", motoVersion, err)
		}
		out, err := exec.Command(python, "-c", "import moto, flask; print(moto.__version__)").CombinedOutput()
		if err != nil {
			return "", true, fmt.Errorf("python3 with moto[server] %s (install it with %s): %v: %s", motoVersion, installMoto, err, out)
		}
		if v := strings.TrimSpace(string(out)); v != motoVersion {
			return "", true, fmt.Errorf("moto %s is installed; the launcher's patches are for moto %s (install it with %s)", v, motoVersion, installMoto)
		}
		return python, false, nil
	})
}

// TestInstallOffline checks that a tool that cannot be installed (here:
// no module proxy, and a module no cache holds) skips the tests that need
// it, with the reason, rather than failing them, outside CI.
func TestInstallOffline(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("GOPROXY", "off")
	t.Setenv("CI", "")
	var once onceValue
	skipped := false
	t.Run("install", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		goInstall(t, &once, "example.invalid/none/cmd/none@v1.0.0", "none-v1.0.0", "none")
		t.Error("goInstall of a module that cannot be downloaded returned")
	})
	if !skipped {
		t.Fatalf("a tool that cannot be installed did not skip the test")
	}
	if once.err == nil || !strings.Contains(once.err.Error(), "could not be installed") {
		t.Errorf("the reason given is %v; want it to say the tool could not be installed", once.err)
	}
}
