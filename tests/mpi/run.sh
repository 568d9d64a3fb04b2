#!/usr/bin/env bash
# The distributed tests (docs/distributed.md), on one machine with local ranks:
#   run.sh KNNTUNE SOURCE_DIR WORK_DIR similarity|trials|kill-resume
# similarity  `knntune similarity` and `evaluate` split over 2 and 3 ranks equal one process
# trials      the trial table (and test results) of `knntune run` on 2 and 3 ranks, with shared
#             and broadcast data, equals one process's
# kill-resume SIGKILL a worker rank mid-study; `--resume` on another number of ranks gives the
#             same trial table as an uninterrupted run: nothing lost, nothing run twice
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
knntune=$1
src=$2
work=$3
what=$4

# Local ranks only: shared memory, no network probing; as root where CI runs as root.
export OMPI_MCA_btl=self,vader
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun_n() { local n=$1; shift; mpirun --oversubscribe -np "$n" "$@"; }

rm -rf "$work"
mkdir -p "$work"
cd "$src"
config=configs/online-retail.yaml
fail() { echo "FAIL: $*" >&2; exit 1; }

trials_csv() { "$knntune" trials "$1" --format csv > "$2"; }

case $what in
similarity)
    "$knntune" prepare "$config" --out "$work/prep" -q
    input="$work/prep/prepared.h5 --period train"
    cases=("--measure cosine --orientation item --param k=50 --param shrink=5"
           "--measure rp3beta --orientation user --param k=30 --param alpha=0.7 --param beta=0.3"
           "--measure s_plus --orientation item --param k=20 --param l=0.4 --param t1=1.2 --param t2=0.8 --param c=0.5"
           "--measure p3alpha --orientation item --param k=25 --param variant=literature")
    i=0
    for c in "${cases[@]}"; do
        # shellcheck disable=SC2086
        "$knntune" similarity --input $input $c --output "$work/s$i-1.csv"
        for n in 2 3; do
            # shellcheck disable=SC2086
            mpirun_n "$n" "$knntune" similarity --input $input $c --output "$work/s$i-$n.csv" \
                2> "$work/s$i-$n.err"
            cmp "$work/s$i-1.csv" "$work/s$i-$n.csv" || fail "similarity '$c' on $n ranks differs"
            grep -q "similarity split over $n ranks" "$work/s$i-$n.err" ||
                fail "no split report: $(cat "$work/s$i-$n.err")"
        done
        echo "similarity '$c': 1, 2 and 3 ranks identical ($(wc -l < "$work/s$i-1.csv") lines)"
        i=$((i + 1))
    done
    # evaluate: the same JSON but for the timings.
    ev=(evaluate "$config" --out "$work/prep" --measure cosine --param k=40 --param shrink=3 --period test)
    "$knntune" "${ev[@]}" > "$work/eval-1.json"
    mpirun_n 3 "$knntune" "${ev[@]}" > "$work/eval-3.json"
    grep -q '"value"' "$work/eval-1.json" || fail "evaluate printed no value"
    python3 "$here/same_json.py" "$work/eval-1.json" "$work/eval-3.json" ||
        fail "evaluate on 3 ranks differs"
    echo "evaluate: 1 and 3 ranks identical"
    ;;
trials)
    sets=(--set 'models=[item_knn]' --set tuner.n_trials=24 --set tuner.parallel_trials=4
          --set report.plots=false)
    "$knntune" run "$config" "${sets[@]}" --out "$work/one" -q
    mpirun_n 3 "$knntune" run "$config" "${sets[@]}" --out "$work/three" -q
    mpirun_n 2 "$knntune" run "$config" "${sets[@]}" --mpi-data broadcast --out "$work/two" -q
    # Nothing saved to read: rank 0 sends the bytes of a temporary prepared file; on 4 ranks,
    # rank 0 sends to several slots of each worker at once.
    mpirun_n 4 "$knntune" tune "$config" "${sets[@]}" --set output.save_prepared=false \
        --out "$work/unsaved" -q
    [ ! -e "$work/unsaved/prepared.h5" ] || fail "a run with save_prepared false saved prepared.h5"
    trials_csv "$work/one" "$work/one.csv"
    trials_csv "$work/unsaved" "$work/unsaved.csv"
    python3 "$here/compare_trials.py" "$work/one.csv" "$work/unsaved.csv" ||
        fail "trial table of the 4-rank run with nothing saved differs"
    for r in three two; do
        trials_csv "$work/$r" "$work/$r.csv"
        python3 "$here/compare_trials.py" "$work/one.csv" "$work/$r.csv" ||
            fail "trial table of the $r-rank run differs"
        # The test stage (similarity split by rows) scores the same.
        python3 "$here/same_json.py" "$work/one/test-item_knn.json" \
            "$work/$r/test-item_knn.json" || fail "test results of the $r-rank run differ"
    done
    echo "run on 1, 3 (shared data) and 2 (broadcast data) ranks: same trials, same test results;"
    echo "tune on 4 ranks with no prepared file saved: same trials"
    ;;
kill-resume)
    sets=(--set 'models=[item_knn]' --set tuner.n_trials=60 --set tuner.parallel_trials=2
          --set tuner.strategy=joint)
    "$knntune" tune "$config" "${sets[@]}" --out "$work/ref" -q
    trials_csv "$work/ref" "$work/ref.csv"
    mpirun_n 3 "$knntune" tune "$config" "${sets[@]}" --out "$work/cut" -q > "$work/cut.log" 2>&1 &
    launcher=$!
    log="$work/cut/trials-item_knn.h5"
    # Wait for some trials, then SIGKILL worker rank 1.
    victim=""
    for _ in $(seq 1 600); do
        if [ -e "$log" ] && [ "$("$knntune" trials "$log" --format csv 2>/dev/null | grep -c ',Complete,' || true)" -ge 10 ]; then
            for p in $(pgrep -f "knntune tune $config" || true); do
                if tr '\0' '\n' < "/proc/$p/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then
                    victim=$p
                fi
            done
            break
        fi
        sleep 0.05
    done
    [ -n "$victim" ] || { wait "$launcher" || true; fail "found no worker rank to kill (the study ended first?)"; }
    kill -9 "$victim"
    if wait "$launcher"; then fail "mpirun ended normally after a rank was killed"; fi
    trials_csv "$work/cut" "$work/cut.csv"
    done_before=$(grep -c ',Complete,' "$work/cut.csv" || true)
    [ "$done_before" -lt 60 ] || fail "the study had finished before the kill"
    echo "killed rank 1 (pid $victim) after $done_before complete trials"
    mpirun_n 2 "$knntune" tune "$config" "${sets[@]}" --out "$work/cut" --resume -q
    trials_csv "$work/cut" "$work/resumed.csv"
    python3 "$here/compare_trials.py" "$work/ref.csv" "$work/resumed.csv" ||
        fail "the resumed trial table differs from the uninterrupted one"
    echo "resumed on 2 ranks: the same 60 trials as one uninterrupted process"
    ;;
*)
    echo "usage: run.sh KNNTUNE SOURCE_DIR WORK_DIR similarity|trials|kill-resume" >&2
    exit 2
    ;;
esac
