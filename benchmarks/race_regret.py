#!/usr/bin/env python3
"""Per-measure regret of the tuning strategies (docs/benchmarks.md, "Comparing measures").

For one config and model, runs:
  - the reference: a `per_measure` study of every measure, once per reference seed, and takes
    each measure's best over them;
  - for each strategy (race, joint) and seed, a study of `--trials` trials;
then prints, per measure, the reference best and each strategy's regret (reference best minus
the measure's best in the study; the median and the maximum over the seeds), the trials each
measure got, and the overall best of each study with the CPU seconds of its process.

The strategy `race_prune` is the race with `tuner.race.prune_first` set to --prune-first
(trials stopped early on nested subsets of the validation users; docs/race.md); its line also
counts the pruned trials.

Example:
  benchmarks/race_regret.py build/release/experiments/knntune configs/online-retail.yaml \\
      --model item_knn --trials 300 --seeds 0-4 --work /tmp/regret

Studies already in --work are reused (delete the folder to rerun). Python 3 standard library
only.
"""

import argparse
import csv
import io
import os
import resource
import statistics
import subprocess
import sys


def parse_seeds(text):
    if "-" in text:
        lo, hi = text.split("-")
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]


def run_study(args, name, strategy, trials, seed):
    out = os.path.join(args.work, name)
    done = os.path.join(out, ".bench-done")
    if not os.path.exists(done):
        subprocess.run(["rm", "-rf", out], check=True)
        extra = []
        if strategy == "race_prune":
            strategy = "race"
            extra = ["--set", "tuner.race.prune_first=%g" % args.prune_first]
        cmd = [args.knntune, "tune", args.config, "--out", out, "--quiet",
               "--set", "models=[%s]" % args.model,
               "--set", "tuner.n_trials=%d" % trials,
               "--set", "tuner.seed=%d" % seed,
               "--set", "tuner.strategy=%s" % strategy] + extra
        for s in args.set:
            cmd += ["--set", s]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(cmd, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        with open(done, "w") as f:
            f.write("%.3f\n" % cpu)
    with open(done) as f:
        text = f.read().strip()
    cpu = float(text) if text else float("nan")
    text = subprocess.run([args.knntune, "trials", out, "--format", "csv"], check=True,
                          capture_output=True, text=True).stdout
    best, count = {}, {}
    pruned = 0
    for row in csv.DictReader(io.StringIO(text)):
        m = row["algorithm"]
        count[m] = count.get(m, 0) + 1
        pruned += row["state"] == "Pruned"
        if row["state"] != "Complete":
            continue
        v = float(row["value"])
        if m not in best or (v < best[m] if args.minimize else v > best[m]):
            best[m] = v
    return best, count, cpu, pruned


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("knntune")
    p.add_argument("config")
    p.add_argument("--model", default="item_knn")
    p.add_argument("--trials", type=int, default=300)
    p.add_argument("--seeds", default="0-4")
    p.add_argument("--ref-trials", type=int, default=150)
    p.add_argument("--ref-seeds", default="0,1")
    p.add_argument("--strategies", default="race,joint")
    p.add_argument("--minimize", action="store_true")
    p.add_argument("--prune-first", type=float, default=0.125,
                   help="tuner.race.prune_first of the race_prune strategy")
    p.add_argument("--set", action="append", default=[], help="extra config override")
    p.add_argument("--work", required=True)
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    sign = -1.0 if args.minimize else 1.0

    reference = {}
    for seed in parse_seeds(args.ref_seeds):
        best, _, _, _ = run_study(args, "ref-%s-%d" % (args.model, seed), "per_measure",
                                  args.ref_trials, seed)
        for m, v in best.items():
            if m not in reference or sign * v > sign * reference[m]:
                reference[m] = v
    top = max(reference.values()) if not args.minimize else min(reference.values())
    measures = sorted(reference, key=lambda m: -sign * reference[m])

    strategies = args.strategies.split(",")
    regret = {s: {m: [] for m in measures} for s in strategies}
    trials = {s: {m: [] for m in measures} for s in strategies}
    overall = {s: [] for s in strategies}
    cpu = {s: [] for s in strategies}
    pruned = {s: [] for s in strategies}
    for s in strategies:
        for seed in parse_seeds(args.seeds):
            best, count, seconds, n_pruned = run_study(
                args, "%s-%s-%d" % (s, args.model, seed), s, args.trials, seed)
            cpu[s].append(seconds)
            pruned[s].append(n_pruned)
            overall[s].append(max(best.values()) if not args.minimize else min(best.values()))
            for m in measures:
                got = best.get(m)
                regret[s][m].append(float("inf") if got is None else sign * (reference[m] - got))
                trials[s][m].append(count.get(m, 0))

    print("%s, %s, %d trials, seeds %s; reference: best of %d-trial per_measure studies, "
          "seeds %s" % (args.config, args.model, args.trials, args.seeds, args.ref_trials,
                        args.ref_seeds))
    print()
    head = "| measure | reference | within 0.0015 |"
    for s in strategies:
        head += " %s regret median (max) | %s trials median |" % (s, s)
    print(head)
    print("|" + "---|" * (3 + 2 * len(strategies)))
    for m in measures:
        near = sign * (top - reference[m]) <= 0.0015
        line = "| %s | %.4f | %s |" % (m, reference[m], "yes" if near else "no")
        for s in strategies:
            r = regret[s][m]
            line += " %.4f (%.4f) | %g |" % (statistics.median(r), max(r),
                                             statistics.median(trials[s][m]))
        print(line)
    print()
    for s in strategies:
        print("%s: overall best per seed %s, median %.4f; CPU s per seed %s, median %.1f; "
              "pruned trials per seed %s" % (
                  s, " ".join("%.4f" % v for v in overall[s]), statistics.median(overall[s]),
                  " ".join("%.1f" % v for v in cpu[s]), statistics.median(cpu[s]),
                  " ".join("%d" % v for v in pruned[s])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
