#!/usr/bin/env python3
"""Kills `knntune tune` with SIGKILL at several moments, resumes each, and compares the resumed
trial table (parameters and values) with an uninterrupted run of the same config.

Example (docs/testing.md, "Kill and resume"):
  benchmarks/kill_resume.py build/release/experiments/knntune configs/online-retail.yaml \\
      --work /tmp/kill-resume --kills 12 --set tuner.strategy=joint --set tuner.n_trials=40

Prints one line per kill (moment, trials complete at the kill, equal or not) and exits 1 when
any resumed table differs. Python 3 standard library only.
"""

import argparse
import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import time

# Columns that depend on timing, not on what was sampled and computed.
TIMING = {"start_time", "end_time", "duration", "fit_seconds", "eval_seconds", "cache_hit",
          "error"}


def table(knntune, out):
    text = subprocess.run([knntune, "trials", out, "--format", "csv"], check=True,
                          capture_output=True, text=True).stdout
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        rows.append({k: v for k, v in row.items() if k not in TIMING})
    return rows


def complete_count(knntune, out):
    try:
        return sum(r["state"] == "Complete" for r in table(knntune, out))
    except subprocess.CalledProcessError:
        return -1  # no log yet


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("knntune")
    p.add_argument("config")
    p.add_argument("--work", required=True)
    p.add_argument("--kills", type=int, default=10)
    p.add_argument("--set", action="append", default=[])
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    sets = [x for s in args.set for x in ("--set", s)]
    base = [args.knntune, "tune", args.config, "--quiet", "--set", "models=[item_knn]"] + sets

    ref = os.path.join(args.work, "uninterrupted")
    shutil.rmtree(ref, ignore_errors=True)
    t0 = time.monotonic()
    subprocess.run(base + ["--out", ref], check=True)
    full = time.monotonic() - t0
    whole = table(args.knntune, ref)
    print("uninterrupted: %d trials in %.1f s" % (len(whole), full))

    differ = 0
    for i in range(args.kills):
        out = os.path.join(args.work, "kill-%d" % i)
        shutil.rmtree(out, ignore_errors=True)
        moment = full * (0.1 + 0.8 * i / max(1, args.kills - 1))
        proc = subprocess.Popen(base + ["--out", out])
        time.sleep(moment)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        done = complete_count(args.knntune, out)
        resume = base + ["--out", out] + (["--resume"] if done >= 0 else [])
        subprocess.run(resume, check=True)
        same = table(args.knntune, out) == whole
        differ += 0 if same else 1
        print("kill %2d at %5.1f s: %3d complete at the kill; resumed table %s" %
              (i, moment, done, "equal" if same else "DIFFERS"))
    print("%d of %d resumed tables differ" % (differ, args.kills))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
