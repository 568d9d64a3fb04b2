#!/usr/bin/env bash
# Runs the similarity/recommendation benchmarks of docs/benchmarks.md ("Similarity kernel and
# recommendation"). Each run is one process under /usr/bin/time -v: the call's wall time comes
# from similarity_bench itself, the peak RSS from time -v. Prints one line per run and a
# median [min-max] summary per call.
#
# usage: benchmarks/similarity_bench.sh BUILD_DIR ONLINE_RETAIL_CSV SYNTHETIC_CSV_GZ [RUNS]
#   ONLY=REGEX runs only the calls whose label matches (e.g. ONLY=recommend).
set -euo pipefail
build=$1; retail=$2; synth=$3; runs=${4:-5}
only=${ONLY:-}
bench="$build/benchmarks/similarity_bench"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() {  # label runs args...
    local label=$1 n=$2; shift 2
    if [[ -n $only && ! $label =~ $only ]]; then return; fi
    local secs=() rss=() cpus=()
    for ((i = 0; i < n; i++)); do
        /usr/bin/time -v "$bench" "$@" >"$tmp/out" 2>"$tmp/time"
        local line; line=$(grep '^call=' "$tmp/out")
        local s; s=$(sed -E 's/.* seconds=([0-9.]+).*/\1/' <<<"$line")
        local c; c=$(sed -E 's/.* cpu_s=([0-9.]+).*/\1/' <<<"$line")
        local m; m=$(awk '/Maximum resident/ {printf "%.0f", $6 / 1024}' "$tmp/time")
        echo "$label run $((i + 1)): $line peak_rss_mb=$m load=$(cut -d' ' -f1 /proc/loadavg)"
        secs+=("$s"); rss+=("$m"); cpus+=("$c")
    done
    python3 - "$label" "${secs[*]}" "${rss[*]}" "${cpus[*]}" <<'PY'
import statistics, sys
label, secs, rss, cpus = sys.argv[1], *[list(map(float, a.split())) for a in sys.argv[2:]]
print(f"SUMMARY {label}: wall {statistics.median(secs):.3f} [{min(secs):.3f}-{max(secs):.3f}] s, "
      f"cpu {statistics.median(cpus):.3f} s, peak RSS {statistics.median(rss):.0f} MB")
PY
}

"$bench" --input "$retail" --call item-cosine --save-sim "$tmp/retail_s.bin" >/dev/null
run "retail item-cosine" "$runs" --input "$retail" --call item-cosine
run "retail item-rp3beta" "$runs" --input "$retail" --call item-rp3beta
run "retail user-cosine" "$runs" --input "$retail" --call user-cosine
run "retail recommend-item" "$runs" --input "$retail" --call recommend-item --sim "$tmp/retail_s.bin"

"$bench" --input "$synth" --call item-cosine --save-sim "$tmp/synth_s.bin" >/dev/null
run "synthetic item-cosine" "$runs" --input "$synth" --call item-cosine
run "synthetic item-cosine 1 thread" 1 --input "$synth" --call item-cosine --threads 1
run "synthetic item-rp3beta" "$runs" --input "$synth" --call item-rp3beta
run "synthetic recommend-item" "$runs" --input "$synth" --call recommend-item --sim "$tmp/synth_s.bin"
run "synthetic recommend-item 1 thread" 1 --input "$synth" --call recommend-item --sim "$tmp/synth_s.bin" --threads 1
run "synthetic user-cosine" 1 --input "$synth" --call user-cosine
