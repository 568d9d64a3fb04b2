#!/usr/bin/env bash
# Long study: does the cost per trial grow with the trial count? Runs one N-trial item-KNN study
# (one trial at a time, as bench_study.sh) and reads the trial times from its log.
#
# Usage: benchmarks/long_study.sh [CONFIG] [TRIALS] [WINDOW]
#   default configs/online-retail.yaml, 5000 trials, windows of 500 trials. Build the release
#   preset first; run from the repository root. Another binary: KNNTUNE_BIN=path (the same
#   script measures an older build). The study is joint (tuner.strategy=joint); extra --set
#   overrides: BENCH_SET="a=b c=d" (e.g. tuner.sampler=random).
# Prints, with the load average before and after:
#   throughput / median trial: (last end − first start) / trials over the median trial duration;
#   1.0 when nothing but the objective takes time and every trial takes the same time
#   throughput / mean trial: the same over the mean duration, so the skew of the durations
#   drops out; 1.0 when nothing but the objective takes time
#   interval: mean start-to-start time of consecutive trials, first and last WINDOW trials
#   gap: mean time from a trial's end to the next one's start (sampler, log writes), same windows
set -euo pipefail
config=${1:-configs/online-retail.yaml}
trials=${2:-5000}
window=${3:-500}
bin=${KNNTUNE_BIN:-build/release/experiments/knntune}
[ -x "$bin" ] || { echo "long_study: $bin not built (cmake --build --preset release)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# NOTE: the joint strategy asks one trial at a time, and each trial's duration holds its own
# ask; a race asks a whole round before running it and times each trial from the start of its
# evaluation, so its asks fall in the gap before each round and the two are not comparable.
sets=(--set "tuner.strategy=joint" --set "tuner.n_trials=$trials" --set "tuner.parallel_trials=1"
      --set "models=[item_knn]")
for s in ${BENCH_SET:-}; do sets+=(--set "$s"); done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$out/cpu" "$bin" tune "$config" --out "$out/run" "${sets[@]}" --quiet
end=$(date +%s.%N)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
log="$out/run/trials-item_knn.h5"
"$bin" trials "$log" --format csv > "$out/trials.csv"
journal_bytes=$(stat -c %s "$log.journal" 2>/dev/null || echo "none")
python3 - "$out/trials.csv" "$config" "$trials" "$window" "$start" "$end" "$(cat "$out/cpu")" \
    "$load_before" "$load_after" "$journal_bytes" <<'PY'
import csv, statistics, sys
path, config, trials, window, start, end, cpu, lb, la, jbytes = sys.argv[1:]
window = int(window)
rows = sorted(csv.DictReader(open(path)), key=lambda r: float(r["start_time"]))
st = [float(r["start_time"]) for r in rows]
en = [float(r["end_time"]) for r in rows]
dur = [e - s for s, e in zip(st, en)]
span = max(en) - min(st)
med = statistics.median(dur)
interval = [b - a for a, b in zip(st, st[1:])]
gap = [s - e for e, s in zip(en, st[1:])]
def mean_ms(v):
    return 1e3 * sum(v) / len(v)
user, system = (float(x) for x in cpu.split())
print(f"config:                {config} ({trials} trials, 1 at a time, {len(rows)} in the log)")
print(f"wall clock:            {float(end) - float(start):.1f} s (data load included); "
      f"CPU {user:.1f} s user + {system:.1f} s system")
print(f"load average:          before {lb}, after {la}")
print(f"median trial:          {1e3 * med:.2f} ms")
print(f"throughput:            {1e3 * span / len(rows):.2f} ms/trial "
      f"(first start to last end / trials)")
print(f"throughput / median:   {span / len(rows) / med:.3f}")
print(f"throughput / mean:     {span / len(rows) / statistics.fmean(dur):.3f} "
      f"(mean trial {1e3 * statistics.fmean(dur):.2f} ms; what is left is the time between trials)")
fi, li = interval[:window], interval[-window:]
fg, lg = gap[:window], gap[-window:]
fd, ld = dur[:window], dur[-window:]
print(f"interval first/last {window}: {mean_ms(fi):.2f} / {mean_ms(li):.2f} ms "
      f"(last/first {mean_ms(li) / mean_ms(fi):.3f})")
print(f"gap first/last {window}:      {mean_ms(fg):.2f} / {mean_ms(lg):.2f} ms")
print(f"trial first/last {window}:    {mean_ms(fd):.2f} / {mean_ms(ld):.2f} ms (objective)")
print(f"journal at the end:    {jbytes} bytes")
PY
