#!/usr/bin/env bash
# Benchmark of `knntune prepare`: wall time and peak RSS over N runs (median, min, max),
# against the size of the prepared matrices and id maps.
#
# Usage: benchmarks/bench_prepare.sh [CONFIG] [RUNS]
#   default CONFIG configs/online-retail.yaml, RUNS 5. Build first: cmake --preset release &&
#   cmake --build --preset release. Run from the repository root.
set -euo pipefail
config=${1:-configs/online-retail.yaml}
runs=${2:-5}
bin=${KNNTUNE_BIN:-build/release/experiments/knntune}
[ -x "$bin" ] || { echo "bench_prepare: $bin not built (cmake --build --preset release)" >&2; exit 2; }
walls=(); rss=(); mem=""
for ((i = 0; i < runs; i++)); do
    out=$( { /usr/bin/time -f 'BENCH %e %M' "$bin" prepare "$config" --no-save; } 2>&1 )
    walls+=("$(awk '/^BENCH/ {print $2}' <<<"$out")")
    rss+=("$(awk '/^BENCH/ {print $3}' <<<"$out")")
    mem=$(awk '/^memory/ {print $(NF-1)}' <<<"$out")
done
stats() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {printf "%s [%s–%s]", a[int((NR+1)/2)], a[1], a[NR]}'; }
echo "config:            $config ($runs runs)"
echo "wall s:            $(stats "${walls[@]}")"
echo "peak RSS MB:       $(stats $(for r in "${rss[@]}"; do awk "BEGIN {printf \"%.0f\\n\", $r/1024}"; done))"
base=$( { /usr/bin/time -f 'BENCH %M' "$bin" --help >/dev/null; } 2>&1 | awk '/^BENCH/ {printf "%.0f", $2/1024}')
echo "matrices+ids MB:   $mem"
echo "process baseline:  $base MB peak RSS of 'knntune --help' (shared libraries loaded)"
