#!/usr/bin/env bash
# Checks the house limits on the code's shape (CONTRIBUTING.md):
#   - every source file is clang-formatted with the committed .clang-format;
#   - no source file is over 600 lines;
#   - no function is over 80 lines (clang-tidy's readability-function-size on every
#     translation unit of the build, the kernel headers included).
# Usage: scripts/check-code-shape.sh [BUILD_DIR]   (default build/ci; it needs the
# compile_commands.json that CMake writes there). Exit status 1 lists what is over a limit.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/ci}
jobs=$(nproc)

mapfile -t sources < <(git ls-files 'common/*.[ch]pp' 'engine/*.[ch]pp' 'tuner/*.[ch]pp' \
    'experiments/*.[ch]pp' 'tests/*.[ch]pp' 'benchmarks/*.[ch]pp' 'python/*.[ch]pp')
status=0

unformatted=$(clang-format --dry-run "${sources[@]}" 2>&1 | grep -o '^[^:]*:[0-9]*:[0-9]*: warning' \
    | cut -d: -f1 | sort -u || true)
if [ -n "$unformatted" ]; then
    echo "not clang-formatted (run: clang-format -i FILE):"
    printf '  %s\n' $unformatted
    status=1
fi

long_files=$(wc -l "${sources[@]}" | awk '$2 != "total" && $1 > 600 {print "  " $2 " (" $1 " lines)"}')
if [ -n "$long_files" ]; then
    echo "files over 600 lines:"
    echo "$long_files"
    status=1
fi

if [ ! -f "$build/compile_commands.json" ]; then
    echo "no $build/compile_commands.json: configure the build first (cmake --preset ci)"
    exit 1
fi
mapfile -t units < <(printf '%s\n' "${sources[@]}" | grep '\.cpp$')
config='{Checks: "-*,readability-function-size", CheckOptions: [{key: readability-function-size.LineThreshold, value: 80}]}'
long_functions=$(printf '%s\n' "${units[@]}" | xargs -P "$jobs" -n 4 \
    clang-tidy --quiet -p "$build" --config="$config" --header-filter="$PWD/(common|engine|tuner|experiments|tests|benchmarks|python)/" 2>/dev/null \
    | grep 'warning: function .* exceeds recommended size' | sort -u || true)
if [ -n "$long_functions" ]; then
    echo "functions over 80 lines:"
    echo "$long_functions" | sed "s|^$PWD/|  |"
    status=1
fi
[ $status -eq 0 ] && echo "code shape ok: ${#sources[@]} files formatted, none over 600 lines, no function over 80 lines"
exit $status
