#!/usr/bin/env bash
# Whole-process speed of `sumsq run` on one large file, side by side with
# the straightforward Go loop (bench/naive) and `wc -l`, on the same
# machine, in the same minutes: the medians of RUNS runs of each, and their
# ratios. The files are made once, in the page cache, before timing.
#
# Usage: bash bench/run.sh [RUNS] [MiB]     (defaults: 9 runs, 64 MiB)
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-9}
mib=${2:-64}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

go build -o "$dir/sumsq" ./cmd/sumsq
go build -o "$dir/naive" ./bench/naive

# blog: one number of 0 to 999 a line, as the blog's files; signed10: signed
# numbers of 10 digits, whose squares overflow int64 (naive is wrong there).
python3 - "$dir" "$mib" <<'PY'
import random, sys
d, mib = sys.argv[1], int(sys.argv[2])
size = mib << 20
r = random.Random(1)
for name, line in [("blog", lambda: str(r.randrange(1000))),
                   ("signed10", lambda: ("-" if r.random() < 0.5 else "") + str(r.randrange(10**9, 10**10)))]:
    out, n = [], 0
    while n < size:
        s = line() + "\n"
        out.append(s); n += len(s)
    open(f"{d}/{name}.txt", "w").write("".join(out))
PY

# time_ms CMD... prints the wall-clock milliseconds of one run.
time_ms() {
	local start end
	start=$(date +%s%N)
	"$@" >/dev/null
	end=$(date +%s%N)
	echo $(((end - start) / 1000))
}

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1000}'; }

printf '%s, %d MiB files, %d runs each, medians (ms) of whole-process wall time\n' "$(nproc) cores" "$mib" "$runs"
printf '%-10s %10s %10s %10s %12s %12s\n' data sumsq naive "wc -l" "naive/sumsq" "sumsq/wc"
for data in blog signed10; do
	f="$dir/$data.txt"
	cat "$f" >/dev/null # into the page cache
	: >"$dir/s" ; : >"$dir/n" ; : >"$dir/w"
	for _ in $(seq "$runs"); do # interleaved, so that noise hits all three alike
		time_ms "$dir/sumsq" run -q "$f" >>"$dir/s"
		time_ms "$dir/naive" "$f" >>"$dir/n"
		time_ms wc -l "$f" >>"$dir/w"
	done
	s=$(median <"$dir/s"); n=$(median <"$dir/n"); w=$(median <"$dir/w")
	printf '%-10s %10s %10s %10s %11.1fx %11.1fx\n' "$data" "$s" "$n" "$w" \
		"$(echo "$n / $s" | bc -l)" "$(echo "$s / $w" | bc -l)"
done
