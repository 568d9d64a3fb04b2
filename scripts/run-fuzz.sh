#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz for a bounded time each (docs/testing.md, "Fuzzing").
# Usage: scripts/run-fuzz.sh [BUILD_DIR] [SECONDS] [TARGET...]
#   BUILD_DIR  the `fuzz` preset's build (default build/fuzz: cmake --preset fuzz &&
#              cmake --build --preset fuzz)
#   SECONDS    fuzzing time per target (default 45, as in CI)
#   TARGET     interactions_csv log_reader config model prepared trial_log trial_journal
#              (default: all)
# Each target starts from its seed corpus (tests/fuzz/corpus/TARGET, or the HDF5 files the build
# writes to BUILD_DIR/tests/fuzz/seeds/TARGET) and keeps what it learns in BUILD_DIR/fuzz-corpus/
# TARGET, so a second run continues where the first stopped. A finding (crash, sanitizer report,
# leak, uncaught exception, an input taking over 5 s, over 2 GB resident or one allocation over
# 1 GB) is saved as BUILD_DIR/fuzz-findings/TARGET-KIND-HASH; the script runs every target, then
# prints executions and findings per target and exits 1 if any target found something.
set -uo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build/fuzz}" && pwd) || exit 2
seconds=${2:-45}
shift $(($# < 2 ? $# : 2))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(interactions_csv log_reader config model prepared trial_log trial_journal)
fi

findings=$build/fuzz-findings
mkdir -p "$findings"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/fuzz/lsan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
summary=()
status=0
for t in "${targets[@]}"; do
    exe=$build/tests/fuzz/fuzz_$t
    if [ ! -x "$exe" ]; then
        echo "run-fuzz: $exe missing (cmake --preset fuzz && cmake --build --preset fuzz)" >&2
        exit 2
    fi
    seeds=$PWD/tests/fuzz/corpus/$t
    [ -d "$seeds" ] || seeds=$build/tests/fuzz/seeds/$t
    work=$build/fuzz-corpus/$t
    mkdir -p "$work"
    # Text inputs stay small (the seeds are under 2 KB); HDF5 inputs may be as long as the
    # largest seed (libFuzzer's default).
    len=()
    case $t in interactions_csv | log_reader | config) len=(-max_len=4096) ;; esac
    log=$build/fuzz-$t.log
    echo "run-fuzz: $t for ${seconds}s (log: $log)"
    "$exe" "$work" "$seeds" "${len[@]}" -max_total_time="$seconds" -timeout=5 \
        -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 \
        -artifact_prefix="$findings/$t-" >"$log" 2>&1
    rc=$?
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
    if [ $rc -ne 0 ]; then
        status=1
        what=$(grep -m1 '^SUMMARY' "$log" || grep -m1 -E 'ERROR|runtime error' "$log" || true)
        summary+=("$t: FINDING after ${execs:-?} executions: ${what:-exit status $rc} (see $log)")
        tail -n 40 "$log"
    else
        summary+=("$t: ${execs:-?} executions, corpus $(ls "$work" | wc -l) inputs, no finding")
    fi
done
echo "run-fuzz summary (${seconds}s per target):"
printf '  %s\n' "${summary[@]}"
ls "$findings" 2>/dev/null | sed 's/^/  saved: /'
exit $status
