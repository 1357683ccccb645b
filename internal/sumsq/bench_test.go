package sumsq_test

import (
	"bufio"
	"bytes"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/sumsq/sumsq/internal/sumsq"
)

// Benchmark inputs: the blog's kind of data, numbers of one to three
// digits (uniform in [0, 1000)), and signed 10-digit numbers, in the sizes
// of the bytes package's benchmarks. Each is made once, on first use.
var (
	benchData = []struct {
		name string
		line func(*rand.Rand, []byte) []byte
	}{
		{"blog", func(rng *rand.Rand, b []byte) []byte {
			return strconv.AppendInt(b, rng.Int64N(1000), 10)
		}},
		{"signed10", func(rng *rand.Rand, b []byte) []byte {
			n := 1_000_000_000 + rng.Int64N(9_000_000_000)
			if rng.IntN(2) == 0 {
				n = -n
			}
			return strconv.AppendInt(b, n, 10)
		}},
	}
	benchSizes = []struct {
		name string
		n    int
	}{
		{"4K", 4 << 10},
		{"1M", 1 << 20},
		{"64M", 64 << 20},
	}
	benchInputs = map[string][]byte{}
)

// benchInput returns lines made by line until there are at least n bytes.
func benchInput(name string, line func(*rand.Rand, []byte) []byte, n int) []byte {
	key := name + "/" + strconv.Itoa(n)
	if b, ok := benchInputs[key]; ok {
		return b
	}
	rng := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 0, n+32)
	for len(b) < n {
		b = append(line(rng, b), '\n')
	}
	benchInputs[key] = b
	return b
}

// runBench runs sum over every input, as sub-benchmarks data=.../size=...
func runBench(b *testing.B, sum func(io.Reader) error) {
	for _, d := range benchData {
		for _, s := range benchSizes {
			b.Run("data="+d.name+"/size="+s.name, func(b *testing.B) {
				in := benchInput(d.name, d.line, s.n)
				r := bytes.NewReader(nil)
				b.SetBytes(int64(len(in)))
				b.ReportAllocs()
				for b.Loop() {
					r.Reset(in)
					if err := sum(r); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkSum(b *testing.B) {
	runBench(b, func(r io.Reader) error {
		_, err := sumsq.Sum(r)
		return err
	})
}

// BenchmarkNaive is the loop a Go developer writes first, for comparison.
// It is also wrong: the square of a 10-digit number wraps around int64.
func BenchmarkNaive(b *testing.B) {
	runBench(b, func(r io.Reader) error {
		_, err := naiveSum(r)
		return err
	})
}

func naiveSum(r io.Reader) (int64, error) {
	sc := bufio.NewScanner(r)
	var sum int64
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		n, err := strconv.ParseInt(line, 10, 64)
		if err != nil {
			return 0, err
		}
		sum += n * n
	}
	return sum, sc.Err()
}
