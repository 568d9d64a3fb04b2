#!/usr/bin/env bash
# Benchmark of a whole tuning study: seconds per trial over an N-trial item-KNN study
# (median and quartiles of the trial durations recorded in the trial log), with the split
# between similarity fit, recommendation + metrics, and everything else (sampler, log write),
# and the co-occurrence cache's hits and misses.
#
# Usage: benchmarks/bench_study.sh [CONFIG] [TRIALS] [PARALLEL]
#   default configs/online-retail.yaml, 100 trials, 1 trial at a time. Build the release
#   preset first. Run from the repository root. Extra --set overrides: BENCH_SET="a=b c=d".
set -euo pipefail
config=${1:-configs/online-retail.yaml}
trials=${2:-100}
parallel=${3:-1}
bin=${KNNTUNE_BIN:-build/release/experiments/knntune}
[ -x "$bin" ] || { echo "bench_study: $bin not built (cmake --build --preset release)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
sets=(--set "tuner.n_trials=$trials" --set "tuner.parallel_trials=$parallel" --set "models=[item_knn]")
for s in ${BENCH_SET:-}; do sets+=(--set "$s"); done
start=$(date +%s.%N)
"$bin" tune "$config" --out "$out/run" "${sets[@]}" --quiet
end=$(date +%s.%N)
"$bin" trials "$out/run/trials-item_knn.h5" --format csv > "$out/trials.csv"
python3 - "$out/trials.csv" "$config" "$trials" "$parallel" "$start" "$end" <<'PY'
import csv, statistics, sys
path, config, trials, parallel, start, end = sys.argv[1:]
rows = [r for r in csv.DictReader(open(path)) if r["state"] == "Complete"]
def q(key, rows=rows):
    v = sorted(float(r[key]) for r in rows)
    if not v:
        return "n/a"
    return "%.4f [%.4f–%.4f]" % (statistics.median(v), v[len(v) // 4], v[(3 * len(v)) // 4])
hits = [r for r in rows if r.get("cache_hit") == "1"]
miss = [r for r in rows if r.get("cache_hit") != "1"]
print(f"config:               {config} ({trials} trials, {parallel} at a time)")
print(f"wall clock:           {float(end) - float(start):.1f} s for the whole command (data load included)")
allrows = list(csv.DictReader(open(path)))
span = max(float(r["end_time"]) for r in allrows) - min(float(r["start_time"]) for r in allrows)
print(f"s/trial median [q1–q3]: {q('duration')}   (objective call: fit + recommend + metrics)")
print(f"s/trial throughput:   {span / len(allrows):.4f}   (first start to last end / trials: sampler and log writes included)")
print(f"  fit (similarity):   {q('fit_seconds')}")
print(f"  recommend+metrics:  {q('eval_seconds')}")
print(f"cache hits / misses:  {len(hits)} / {len(miss)}")
print(f"  s/trial on hits:    {q('duration', hits)}")
print(f"  s/trial on misses:  {q('duration', miss)}")
PY
