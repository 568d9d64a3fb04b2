#!/usr/bin/env bash
# Unpacks Debian 12's SciPy (with the two libraries it needs) into OUT_DIR without installing
# it: python3-scipy conflicts with libboost1.81-dev, so it cannot be installed beside knntune's
# build dependencies. The Python tests use it for scipy.sparse inputs and outputs.
#   usage: unpack-scipy.sh OUT_DIR
# Afterwards OUT_DIR/usr/lib/python3/dist-packages goes on PYTHONPATH and
# OUT_DIR/usr/lib/x86_64-linux-gnu on LD_LIBRARY_PATH. Does nothing when already unpacked.
set -euo pipefail
out=$(mkdir -p "$1" && cd "$1" && pwd)
if [[ -d "$out/usr/lib/python3/dist-packages/scipy" ]]; then exit 0; fi
debs="$out/debs"
mkdir -p "$debs"
cd "$debs"
if ! apt-get download python3-scipy liblbfgsb0 python3-decorator >/dev/null 2>&1; then
    sudo_cmd=()
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
    "${sudo_cmd[@]}" apt-get update -qq
    apt-get download python3-scipy liblbfgsb0 python3-decorator
fi
for d in "$debs"/*.deb; do dpkg -x "$d" "$out"; done
rm -rf "$debs"
echo "unpack-scipy: scipy unpacked into $out"
