#!/usr/bin/env bash
# Distributed runs on this machine's local ranks (docs/distributed.md, "Measured"):
#   trials  — one study at 1 process and at 2 and 4 ranks: wall and CPU seconds, trials per
#             hour, and rank 0's per-trial communication note (bytes each way, time beyond
#             the evaluation)
#   split   — `knntune similarity` split over 2 and 4 ranks: each rank's compute seconds and
#             slowest/mean, against one process
#
# Usage: benchmarks/distributed.sh trials CONFIG TRIALS PARALLEL [--set k=v]...
#        benchmarks/distributed.sh split PREPARED.h5 MEASURE ORIENTATION [--param k=v]...
# Build the release preset first; run from the repository root. Ranks run with
# `--bind-to none` so that each rank's TBB sees every core (Open MPI binds each of two ranks to
# one core by default). The trial tables of the runs are compared as the tests compare them.
set -euo pipefail
bin=${KNNTUNE_BIN:-build/release/experiments/knntune}
[ -x "$bin" ] || { echo "distributed: $bin not built (cmake --build --preset release)" >&2; exit 2; }
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The command line that runs "$@" on $1 ranks (1: a plain process).
launcher() {
    local n=$1
    if [ "$n" = 1 ]; then launch=(); else launch=(mpirun --oversubscribe --bind-to none -np "$n"); fi
}
what=$1; shift
case $what in
trials)
    config=$1 trials=$2 parallel=$3; shift 3
    sets=(--set "tuner.n_trials=$trials" --set "tuner.parallel_trials=$parallel"
          --set 'models=[item_knn]' --set tuner.strategy=joint "$@")
    # The data is prepared once, outside the timings.
    "$bin" prepare "$config" "${sets[@]}" --out "$out/prep" -q > /dev/null
    printf '%-6s %9s %9s %12s  %s\n' ranks wall_s cpu_s trials/hour "communication (rank 0)"
    for n in 1 2 4; do
        mkdir -p "$out/r$n"
        cp "$out/prep/prepared.h5" "$out/r$n/"
        start=$(date +%s.%N)
        launcher "$n"
        /usr/bin/time -f "%U %S" -o "$out/cpu$n" "${launch[@]}" "$bin" tune "$config" "${sets[@]}" \
            --out "$out/r$n" --progress lines > "$out/log$n" 2>&1
        end=$(date +%s.%N)
        wall=$(echo "$end - $start" | bc -l)
        cpu=$(awk '{print $1 + $2}' "$out/cpu$n")
        note=$(grep -o 'trials on [0-9]* workers.*' "$out/log$n" || echo "-")
        printf '%-6s %9.1f %9.1f %12.0f  %s\n' "$n" "$wall" "$cpu" \
            "$(echo "$trials * 3600 / $wall" | bc -l)" "$note"
        "$bin" trials "$out/r$n" --format csv > "$out/t$n.csv"
    done
    for n in 2 4; do
        python3 tests/mpi/compare_trials.py "$out/t1.csv" "$out/t$n.csv" > /dev/null ||
            { echo "distributed: the $n-rank trial table differs from one process's" >&2; exit 1; }
    done
    echo "trial tables at 1, 2 and 4 ranks identical"
    ;;
split)
    prepared=$1 measure=$2 orientation=$3; shift 3
    args=(similarity --input "$prepared" --period train --measure "$measure"
          --orientation "$orientation" "$@")
    start=$(date +%s.%N)
    "$bin" "${args[@]}" --output "$out/s1.csv"
    echo "1 process: $(echo "$(date +%s.%N) - $start" | bc -l | cut -c1-6) s wall (with input and output)"
    for n in 2 4; do
        start=$(date +%s.%N)
        launcher "$n"
        "${launch[@]}" "$bin" "${args[@]}" --output "$out/s$n.csv" 2> "$out/e$n"
        echo "$n ranks: $(echo "$(date +%s.%N) - $start" | bc -l | cut -c1-6) s wall; $(grep -o 'split over.*' "$out/e$n")"
        cmp -s "$out/s1.csv" "$out/s$n.csv" || { echo "distributed: $n-rank output differs" >&2; exit 1; }
    done
    echo "outputs at 1, 2 and 4 ranks identical"
    ;;
*) echo "usage: distributed.sh trials|split ..." >&2; exit 2 ;;
esac
