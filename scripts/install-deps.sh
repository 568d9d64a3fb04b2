#!/usr/bin/env bash
# Installs the Debian packages knntune needs to build, test and report, skipping the ones
# already present. Safe to run repeatedly; run as root (or with sudo available).
# With --lint, also the tools of scripts/check-code-shape.sh (clang-format, clang-tidy); with
# --fuzz, the compiler of the `fuzz` preset and its libFuzzer runtime (scripts/run-fuzz.sh).
#
# NOTE: Boost comes from the 1.81 packages, not libboost-all-dev (1.74, no Boost.JSON).
# Debian 12's python3-scipy conflicts with libboost1.81-dev, so the two cannot be co-installed:
# the Python tests unpack it into the build tree instead (scripts/unpack-scipy.sh).
# python3-optuna (the test of `knntune export-optuna`) does not pull it in without recommends.
set -euo pipefail

packages=(
    g++ cmake make pkg-config
    libboost1.81-dev libboost-program-options1.81-dev libboost-json1.81-dev
    libtbb-dev libeigen3-dev libhdf5-dev catch2 libyaml-cpp-dev zlib1g-dev
    gnuplot-nox
    python3-optuna
    pybind11-dev python3-dev python3-numpy python3-pytest python3-pandas
    libopenmpi-dev openmpi-bin
)

for arg in "$@"; do
    case $arg in
        --lint) packages+=(clang-format clang-tidy) ;;
        --fuzz) packages+=(clang-14 libclang-rt-14-dev) ;;
        *) echo "usage: install-deps.sh [--lint] [--fuzz]" >&2; exit 2 ;;
    esac
done

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages present"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
