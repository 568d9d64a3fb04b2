#!/usr/bin/env bash
# A whole item-KNN study, knntune against the seed stack (Optuna TPE + similaripy 0.6,
# ../shared/baselines/seed_stack_study.py), on the same prepared.h5, interleaved A B A B
# (docs/benchmarks.md, "Side by side with the baselines").
#
# usage: benchmarks/seed_stack_side_by_side.sh CONFIG N [PAIRS] [SEED]
#   CONFIG a knntune config (configs/online-retail.yaml), N trials per study, PAIRS 3, SEED 0.
#   Run from the repository root.
# Both sides tune on the split of `knntune prepare CONFIG`: the seed stack reads that
# prepared.h5, and each knntune study runs in a fresh run folder holding a copy of it, which
# `knntune tune` reuses (the data and split settings match; the script checks that the file was
# not prepared again). knntune's study is set to what seed_stack_study.py does: item-KNN only,
# one conditional TPE study over the config's measures (tuner.strategy joint), no enqueued
# trials, one trial at a time (each call on THREADS threads), precision@10 on the valid users
# and no extra metric. seed_stack_study.py's search space is configs/online-retail.yaml's; with
# another config, its search section must be the same for the studies to match.
# Printed per side: the median over the pairs of the CPU seconds per trial (the whole study's
# CPU over N: knntune's whole process, data load and sampler included; the seed stack's
# study.optimize, sampler included) and of the median trial's wall seconds, the seed stack's own
# median trial CPU (similarity + recommendation + metric only), the best precision@10 and the
# 1-minute load average before each run; the ratios are knntune / seed stack.
# env: KNNTUNE_BIN (default build/release/experiments/knntune, else build/ci/...),
#      SIMILARIPY_ENV (build/similaripy/env.sh), BASELINES (../shared/baselines), THREADS (2)
set -euo pipefail
config=$1
trials=$2
pairs=${3:-3}
seed=${4:-0}
threads=${THREADS:-2}
baselines=${BASELINES:-../shared/baselines}
spy_env=${SIMILARIPY_ENV:-build/similaripy/env.sh}
bin=${KNNTUNE_BIN:-}
if [[ -z $bin ]]; then
    for b in build/release/experiments/knntune build/ci/experiments/knntune; do
        if [[ -x $b ]]; then bin=$b; break; fi
    done
fi
[[ -x $bin ]] || { echo "seed_stack_side_by_side: knntune not built" >&2; exit 2; }
[[ -f $spy_env ]] || { echo "seed_stack_side_by_side: $spy_env missing" >&2; exit 2; }
# shellcheck disable=SC1090
. "$spy_env"
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sets=(--set "models=[item_knn]" --set tuner.strategy=joint --set "search.enqueue=[]"
      --set "tuner.n_trials=$trials" --set tuner.parallel_trials=1 --set "tuner.seed=$seed"
      --set objective.metric=precision@10 --set "objective.extra=[]")
"$bin" prepare "$config" --out "$tmp/base" "${sets[@]}" >/dev/null 2>&1 ||
    "$bin" prepare "$config" --out "$tmp/base" "${sets[@]}"
prepared=$tmp/base/prepared.h5
# NOTE: `knntune tune` runs on every core it may use (TBB follows the affinity mask), so on a
# machine with more cores than THREADS it is pinned to THREADS of them.
pin=()
if (($(nproc) > threads)); then pin=(taskset -c "0-$((threads - 1))"); fi
echo "split: $prepared of knntune prepare $config; knntune $bin, $threads threads"

kn=(); spy=()
for ((i = 1; i <= pairs; i++)); do
    run=$tmp/run$i
    mkdir -p "$run"
    cp "$prepared" "$tmp/base/config.resolved.yaml" "$run/"
    inode=$(stat -c %i "$run/prepared.h5")
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -f 'TIME %U %S %e' "${pin[@]}" "$bin" tune "$config" --out "$run" "${sets[@]}" \
        --quiet 2>"$tmp/time" >/dev/null || { cat "$tmp/time" >&2; exit 1; }
    [[ $(stat -c %i "$run/prepared.h5") == "$inode" ]] ||
        { echo "seed_stack_side_by_side: knntune prepared the data again" >&2; exit 1; }
    cpu=$(awk '/^TIME/ {print $2 + $3}' "$tmp/time")
    "$bin" trials "$run/trials-item_knn.h5" --format csv >"$tmp/trials.csv"
    a=$("$py" - "$tmp/trials.csv" "$cpu" "$trials" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
done = [r for r in rows if r["state"] == "Complete"]
best = max(float(r["value"]) for r in done)
med = statistics.median(float(r["duration"]) for r in done)
print(f"{float(sys.argv[2]) / int(sys.argv[3]):.4f} {med:.4f} nan {best:.5f}")
PY
)
    kn+=("$a $load")
    load=$(cut -d' ' -f1 /proc/loadavg)
    line=$("$py" "$baselines/seed_stack_study.py" "$prepared" "$trials" "$seed" \
        --threads "$threads" | tail -1)
    b=$(sed -E 's/.* cpu ([0-9.]+)s median trial ([0-9.]+)s median trial cpu ([0-9.]+)s best precision@10 ([0-9.]+).*/\1 \2 \3 \4/' <<<"$line")
    read -r tot med_wall med_cpu best <<<"$b"
    spy+=("$(awk -v t="$tot" -v n="$trials" 'BEGIN {printf "%.4f", t / n}') $med_wall $med_cpu $best $load")
    echo "pair $i: knntune cpu/trial, median trial s, -, best, load: ${kn[-1]} | seed stack: ${spy[-1]}"
done

"$py" - "$trials" "$(printf '%s;' "${kn[@]}")" "$(printf '%s;' "${spy[@]}")" <<'PY'
import statistics, sys
n, a, b = sys.argv[1], *[[r.split() for r in x.split(';') if r] for x in sys.argv[2:]]
med = lambda runs, j: statistics.median(float(r[j]) for r in runs)
print(f"\nmedians of {len(a)} pairs of {n}-trial studies (ratio: knntune / seed stack)")
print(f"CPU s per trial:        knntune {med(a, 0):.4f}  seed stack {med(b, 0):.4f}  ratio {med(a, 0) / med(b, 0):.2f}")
print(f"median trial wall s:    knntune {med(a, 1):.4f}  seed stack {med(b, 1):.4f}  ratio {med(a, 1) / med(b, 1):.2f}")
print(f"seed stack median trial CPU s (objective only): {med(b, 2):.4f}")
print(f"best precision@10:      knntune {' '.join(r[3] for r in a)}  seed stack {' '.join(r[3] for r in b)}")
print(f"load before each run:   knntune {' '.join(r[4] for r in a)}  seed stack {' '.join(r[4] for r in b)}")
PY
