//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/sumsq/sumsq/internal/s3test"
)

// The smallest FunctionMemory template.yaml allows, and the template's
// SUMSQ_CONCURRENCY: the function's tightest setting.
const (
	smallestMemoryMB  = 128
	templateStreams   = "64"
	memoryBatchBucket = "memory-bucket"
)

// TestBatchMemory runs the deployed build under the emulator with the
// smallest memory the template allows (AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
// which Lambda sets from MemorySize) and the template's concurrency, sends
// it a batch of 64 large objects, plain, gzip and zstd (each zstd frame
// asking for an 8 MiB window; and the zstd command's -19, if there is one,
// which uses that window), and checks that the
// bootstrap's peak resident memory (VmHWM) stays within the memory Lambda
// would give it. Each batch runs in a fresh emulator, so that each peak is
// its own.
func TestBatchMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak resident memory is read from /proc")
	}
	riePath(t)
	bootstrapPath(t)

	var text bytes.Buffer
	for i := 0; text.Len() < 9<<20; i++ {
		fmt.Fprintf(&text, "%d\n", i*7919%1000003)
	}
	plain := text.Bytes()
	sum := referenceSum(t, plain)
	kinds := []struct {
		name  string
		body  []byte
		count int // objects
	}{
		{"plain", bytes.Repeat(plain, 2), 64}, // 18 MiB: read in parts
		{"gzip", gzipBytes(t, plain), 64},
		{"zstd, 8 MiB window", zstdBytes(t, plain, 8<<20), 64},
		{"zstd -19", zstdCommand(t, plain, "-19"), 64}, // nil without the zstd command
	}
	for _, kind := range kinds {
		t.Run(kind.name, func(t *testing.T) {
			if kind.body == nil {
				t.Skip("no zstd command")
			}
			srv := s3test.NewServer(t, memoryBatchBucket)
			var items []map[string]any
			for i := range kind.count {
				key := fmt.Sprintf("%s/%03d", kind.name, i)
				body := kind.body
				srv.Hook(memoryBatchBucket, key, func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
					w.Header().Set("ETag", `"same"`)
					http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body)) // Range as S3 answers it
				})
				items = append(items, map[string]any{"bucket": memoryBatchBucket, "key": key, "size": len(body)})
			}
			event, _ := json.Marshal(map[string]any{"Items": items, "BatchInput": map[string]any{}})

			emu := startEmulator(t, t.TempDir(), "rie-memory", functionEnv{
				S3Endpoint: srv.URL,
				Timeout:    60 * time.Second,
				Extra: []string{
					"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(smallestMemoryMB),
					"SUMSQ_CONCURRENCY=" + templateStreams,
				},
			})
			ctx := testContext(t, 2*time.Minute)
			start := time.Now()
			status, body, err := emu.invoke(ctx, event)
			elapsed := time.Since(start)
			if err != nil || status != 200 {
				t.Fatalf("invoke = HTTP %d, %.300s, %v", status, body, err)
			}
			var res struct {
				Objects      int    `json:"objects"`
				SumOfSquares string `json:"sumOfSquares"`
			}
			json.Unmarshal(body, &res)
			want := new(big.Int).Mul(sum, big.NewInt(int64(kind.count)))
			if kind.name == "plain" {
				want.Mul(want, big.NewInt(2))
			}
			if res.Objects != kind.count || res.SumOfSquares != want.String() {
				t.Fatalf("invoke = %.300s; want %d objects, sum %s", body, kind.count, want)
			}
			peak := peakRSS(t, emu)
			t.Logf("%s: %d objects of %d bytes (%d MiB read) in %v; peak RSS %d MiB of %d MB",
				kind.name, kind.count, len(kind.body), kind.count*len(kind.body)>>20, elapsed.Round(time.Millisecond), peak>>20, smallestMemoryMB)
			if peak > smallestMemoryMB<<20 {
				t.Errorf("%s: peak RSS %d MiB; want at most the function's %d MB", kind.name, peak>>20, smallestMemoryMB)
			}
		})
	}
}

// referenceSum is the sum of squares of the lines of text, by math/big.
func referenceSum(t testing.TB, text []byte) *big.Int {
	sum, n := new(big.Int), new(big.Int)
	for _, line := range strings.Fields(string(text)) {
		if _, ok := n.SetString(line, 10); !ok {
			t.Fatalf("not a number: %q", line)
		}
		sum.Add(sum, n.Mul(n, n))
	}
	return sum
}

func gzipBytes(t testing.TB, b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// zstdBytes compresses b in one frame that declares the given window, as
// the zstd command does for a file larger than its level's window.
func zstdBytes(t testing.TB, b []byte, window int) []byte {
	var out bytes.Buffer
	w, err := zstd.NewWriter(&out, zstd.WithWindowSize(window), zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// zstdCommand compresses b with the zstd command and the given level, or
// returns nil if there is no such command.
func zstdCommand(t testing.TB, b []byte, level string) []byte {
	if _, err := exec.LookPath("zstd"); err != nil {
		return nil
	}
	cmd := exec.Command("zstd", "-q", "-c", level)
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("zstd %s: %v", level, err)
	}
	return out
}

// peakRSS returns the peak resident memory (VmHWM) of the emulator's
// runtime process, the bootstrap.
func peakRSS(t testing.TB, emu *emulator) int64 {
	t.Helper()
	pid := childPID(t, emu.proc.cmd.Process.Pid, "bootstrap")
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no VmHWM in /proc/%d/status", pid)
	return 0
}

// childPID finds the process named name whose parent is ppid.
func childPID(t testing.TB, ppid int, name string) int {
	t.Helper()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		open, close := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
		if open < 0 || close < open {
			continue
		}
		fields := strings.Fields(string(b[close+1:]))
		if string(b[open+1:close]) != name || len(fields) < 2 || fields[1] != strconv.Itoa(ppid) {
			continue
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b[:open])))
		return pid
	}
	t.Fatalf("no process %s with parent %d", name, ppid)
	return 0
}
