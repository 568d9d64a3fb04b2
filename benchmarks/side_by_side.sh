#!/usr/bin/env bash
# knntune's similarity_bench and similaripy 0.6's similaripy_bench.py on the very same matrix,
# one period of a knntune prepared.h5, call by call, interleaved A B A B (docs/benchmarks.md,
# "Side by side with the baselines").
#
# usage: benchmarks/side_by_side.sh PREPARED.h5[:PERIOD] [PAIRS]
#   PERIOD train_val (default), valid, train or test; PAIRS 3. Run from the repository root.
#   Calls: item-cosine, item-rp3beta (alpha 0.8, beta 0.4), user-cosine, recommend-item (top 10,
#   seen items excluded, S = each tool's own item cosine); k 100 and 2 threads on both sides.
#   Each run is one process making one call under /usr/bin/time -v. Per call it prints the
#   median wall and CPU seconds of the call (as each tool measures it, loading excluded), the
#   knntune / similaripy ratios, the median peak RSS of the process and the 1-minute load
#   average before each run.
# env: KNNTUNE_BENCH   similarity_bench binary (default build/release/benchmarks/..., else ci)
#      SIMILARIPY_ENV  env.sh of build-similaripy.sh (default build/similaripy/env.sh)
#      BASELINES       the baselines folder (default ../shared/baselines)
#      THREADS         threads of both tools (default 2)
#      CALLS           the calls to time, space-separated (default: all four); user-cosine on
#                      hm-scale is a Σ deg(i)² = 8.4e11 multiply-add job, leave it out there
set -euo pipefail
input=$1
pairs=${2:-3}
[[ $input == *.h5:* ]] || input="$input:train_val"
threads=${THREADS:-2}
k=100
baselines=${BASELINES:-../shared/baselines}
spy_env=${SIMILARIPY_ENV:-build/similaripy/env.sh}
bench=${KNNTUNE_BENCH:-}
if [[ -z $bench ]]; then
    for b in build/release/benchmarks/similarity_bench build/ci/benchmarks/similarity_bench; do
        if [[ -x $b ]]; then bench=$b; break; fi
    done
fi
[[ -x $bench ]] || { echo "side_by_side: similarity_bench not built" >&2; exit 2; }
[[ -f $spy_env ]] || {
    echo "side_by_side: $spy_env missing (run $baselines/build-similaripy.sh build/similaripy)" >&2
    exit 2
}
[[ -f ${input%:*} ]] || { echo "side_by_side: ${input%:*}: no such file" >&2; exit 2; }
# shellcheck disable=SC1090
. "$spy_env"
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The same matrix on both sides: similaripy_prep.py's shape and nnz against the engine reader's.
spy_shape=$("$py" "$baselines/similaripy_prep.py" "$input" "$tmp/R.npz" | tail -1)
read -r spy_rows spy_cols spy_nnz < <(sed -E 's/.*\(([0-9]+), ([0-9]+)\) ([0-9]+)$/\1 \2 \3/' <<<"$spy_shape")
line=$("$bench" --input "$input" --call item-cosine --k "$k" --threads "$threads" \
    --save-sim "$tmp/S.bin")
kn_rows=$(sed -E 's/.* users=([0-9]+).*/\1/' <<<"$line")
kn_cols=$(sed -E 's/.* items=([0-9]+).*/\1/' <<<"$line")
kn_nnz=$(sed -E 's/.* nnz=([0-9]+).*/\1/' <<<"$line")
echo "matrix $input: similaripy ${spy_rows}x${spy_cols} nnz $spy_nnz; knntune ${kn_rows}x${kn_cols} nnz $kn_nnz"
if [[ "$spy_rows $spy_cols $spy_nnz" != "$kn_rows $kn_cols $kn_nnz" ]]; then
    echo "side_by_side: the two tools do not see the same matrix" >&2
    exit 1
fi
"$py" "$baselines/similaripy_bench.py" "$tmp/R.npz" item-cosine 1 --threads "$threads" \
    --save-sim "$tmp/S.npz" >/dev/null

# One timed process: prints "wall cpu rss_mb load".
timed() {
    local load; load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -v "$@" >"$tmp/out" 2>"$tmp/time"
    local l; l=$(grep '^call=' "$tmp/out" | tail -1)
    local s; s=$(sed -E 's/.* seconds=([0-9.]+).*/\1/' <<<"$l")
    local c; c=$(sed -E 's/.* cpu_s=([0-9.]+).*/\1/' <<<"$l")
    local m; m=$(awk '/Maximum resident/ {printf "%.0f", $6 / 1024}' "$tmp/time")
    echo "$s $c $m $load"
}

summary=()
for call in ${CALLS:-item-cosine item-rp3beta user-cosine recommend-item}; do
    kn_extra=(); spy_extra=()
    if [[ $call == recommend-item ]]; then
        kn_extra=(--sim "$tmp/S.bin" --top 10); spy_extra=(--sim "$tmp/S.npz")
    fi
    kn=(); spy=()
    for ((i = 1; i <= pairs; i++)); do
        a=$(timed "$bench" --input "$input" --call "$call" --k "$k" --threads "$threads" \
            "${kn_extra[@]}")
        b=$(timed "$py" "$baselines/similaripy_bench.py" "$tmp/R.npz" "$call" 1 \
            --threads "$threads" "${spy_extra[@]}")
        echo "$call pair $i: knntune wall/cpu/rss/load $a | similaripy $b"
        kn+=("$a"); spy+=("$b")
    done
    summary+=("$call|$(printf '%s;' "${kn[@]}")|$(printf '%s;' "${spy[@]}")")
done

"$py" - "$pairs" "$threads" "${summary[@]}" <<'PY'
import statistics, sys
pairs, threads, rows = sys.argv[1], sys.argv[2], sys.argv[3:]
med = lambda runs, j: statistics.median(float(r.split()[j]) for r in runs)
print(f"\nmedians of {pairs} pairs, {threads} threads, k 100 (ratio: knntune / similaripy)")
print(f"{'call':15} {'knntune wall':>12} {'cpu':>7} {'similaripy wall':>15} {'cpu':>7} "
      f"{'wall ratio':>10} {'cpu ratio':>9} {'RSS MB kn/spy':>13}  loads")
for row in rows:
    call, a, b = row.split('|')
    a = [r for r in a.split(';') if r]; b = [r for r in b.split(';') if r]
    wk, ck, ws, cs = med(a, 0), med(a, 1), med(b, 0), med(b, 1)
    loads = ' '.join(x.split()[3] + '/' + y.split()[3] for x, y in zip(a, b))
    print(f"{call:15} {wk:12.4f} {ck:7.4f} {ws:15.4f} {cs:7.4f} {wk / ws:10.2f} {ck / cs:9.2f} "
          f"{med(a, 2):6.0f}/{med(b, 2):<6.0f}  {loads}")
PY
