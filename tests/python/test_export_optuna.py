"""`knntune export-optuna` read back by Optuna: a tiny `knntune tune` run, exported, loaded with
optuna.load_study and compared with `knntune trials --format json`, trial by trial.

Usage: test_export_optuna.py KNNTUNE_BINARY. Exit 0 on success, 77 (skipped) when optuna
cannot be imported, 1 on a mismatch.
"""

import datetime
import json
import math
import os
import subprocess
import sys
import tempfile

try:
    import optuna
    from optuna.distributions import CategoricalDistribution
    from optuna.distributions import FloatDistribution
    from optuna.distributions import IntDistribution
    from optuna.trial import TrialState
except ImportError as err:
    print(f"SKIPPED: python3-optuna cannot be imported ({err}); "
          "scripts/install-deps.sh installs it")
    sys.exit(77)

MEASURES = ["cosine", "rp3beta", "jaccard"]


def tiny_log():
    """A small deterministic purchase log: 60 users, 40 items, three months, taste groups."""
    rows = ["user,item,time"]
    x = 987654321

    def draw():
        nonlocal x
        x = (x * 2862933555777941757 + 3037000493) % 2**64
        return x >> 33

    for day in range(90):
        for hour in range(12):
            user = draw() % 60
            item = (user % 3) * 10 + draw() % 10 if draw() % 2 == 0 else draw() % 40
            if draw() % 4 == 0:
                item = draw() % 5
            rows.append(f"u{user},i{item},2020-{1 + day // 30:02d}-{1 + day % 28:02d} {hour:02d}:00")
    return "\n".join(rows) + "\n"


CONFIG = f"""schema_version: 1
data:
  path: log.csv
  columns: {{user: user, item: item, timestamp: time}}
split:
  end: 2020-03-29
  window: 4 weeks
models: [item_knn, user_knn]
search:
  measures: [{", ".join(MEASURES)}]
  k: {{low: 2, high: 30, log: true}}
  shrink: {{low: 0, high: 10}}
tuner:
  n_trials: 9
  seed: 7
  parallel_trials: 1
  race: {{min_trials: 2}}
objective:
  metric: ndcg@5
  extra: [recall@5]
output:
  dir: run
"""

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAILED:", what)


def knntune(binary, cwd, *args):
    r = subprocess.run([binary, *args], cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"knntune {' '.join(args)} exited {r.returncode}: {r.stderr}")
    return r.stdout


STATES = {"Complete": TrialState.COMPLETE, "Fail": TrialState.FAIL,
          "Pruned": TrialState.PRUNED, "Running": TrialState.RUNNING}


def check_distributions(study, trial, where):
    """The configured ranges, written out again; the measures' own from the search space."""
    dists = trial.distributions
    check(dists["algorithm"] == CategoricalDistribution(MEASURES), f"{where}: algorithm")
    check(dists["k"] == IntDistribution(2, 30, log=True), f"{where}: k {dists['k']}")
    check(dists["shrink"] == FloatDistribution(0.0, 10.0), f"{where}: shrink {dists['shrink']}")
    space = {p["key"] if "key" in p else p["name"]: p
             for p in study.user_attrs["search_space"]["params"]}
    for key, dist in dists.items():
        spec = space.get(key)
        check(spec is not None, f"{where}: {key} is not in the search space")
        if spec is None or spec["type"] == "categorical":
            continue
        cls = IntDistribution if spec["type"] == "int" else FloatDistribution
        check(isinstance(dist, cls) and dist.low == spec["low"] and dist.high == spec["high"]
              and dist.log == spec.get("log", False), f"{where}: {key} {dist} against {spec}")


def check_study(study, expected):
    name = expected["study"]
    check(study.study_name == name, f"study name {study.study_name}")
    check(study.direction == optuna.study.StudyDirection.MAXIMIZE, f"{name}: direction")
    trials = study.get_trials(deepcopy=False)
    check(len(trials) == len(expected["trials"]), f"{name}: {len(trials)} trials")
    for trial, want in zip(trials, expected["trials"]):
        where = f"{name} trial {want['number']}"
        check(trial.number == want["number"], f"{where}: number {trial.number}")
        check(trial.state == STATES[want["state"]], f"{where}: state {trial.state}")
        # Bit for bit: both sides are the shortest round-tripping text of the same double.
        check(trial.value == want["value"], f"{where}: value {trial.value} != {want['value']}")
        active = {k: v for k, v in want["params"].items() if v is not None}
        check(trial.params == active, f"{where}: params {trial.params} != {active}")
        check(set(trial.distributions) == set(active), f"{where}: distributions")
        for key, value in active.items():
            check(type(trial.params[key]) is type(value), f"{where}: type of {key}")
        check(trial.params["algorithm"] in MEASURES, f"{where}: algorithm")
        check_distributions(study, trial, where)
        for metric, value in want["metrics"].items():
            check(trial.user_attrs.get(metric) == value, f"{where}: {metric}")
        check(abs(trial.datetime_start.timestamp() - want["start_time"]) < 1e-6,
              f"{where}: datetime_start")
        if want["end_time"] is not None:
            check(abs(trial.datetime_complete.timestamp() - want["end_time"]) < 1e-6,
                  f"{where}: datetime_complete")
    complete = [t for t in expected["trials"] if t["state"] == "Complete"]
    best = max(complete, key=lambda t: (t["value"], -t["number"]))
    check(study.best_trial.number == best["number"], f"{name}: best trial")
    check(study.best_value == best["value"], f"{name}: best value")
    check(study.best_params == {k: v for k, v in best["params"].items() if v is not None},
          f"{name}: best params")
    race = study.user_attrs.get("race")
    check(race is not None and [a["label"] for a in race["arms"]] == MEASURES, f"{name}: race")
    check(study.user_attrs["seed"] == expected["seed"], f"{name}: seed")
    check(study.user_attrs["sampler"] == expected["sampler"], f"{name}: sampler")


def main():
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="knntune-optuna-") as tmp:
        with open(os.path.join(tmp, "log.csv"), "w") as f:
            f.write(tiny_log())
        with open(os.path.join(tmp, "config.yaml"), "w") as f:
            f.write(CONFIG)
        knntune(binary, tmp, "tune", "config.yaml")
        journal = os.path.join(tmp, "studies.log")
        knntune(binary, tmp, "export-optuna", "run", "--journal", journal)
        expected = json.loads(knntune(binary, tmp, "trials", "run", "--format", "json"))
        storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(journal))
        names = sorted(s.study_name for s in optuna.get_all_study_summaries(storage))
        check(names == ["item_knn", "user_knn"], f"studies {names}")
        for want in expected["studies"]:
            check_study(optuna.load_study(study_name=want["study"], storage=storage), want)

        # --study: one study, which load_study then finds without a name.
        one = os.path.join(tmp, "one.log")
        knntune(binary, tmp, "export-optuna", "run", "--journal", one, "--study", "user_knn")
        storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(one))
        study = optuna.load_study(study_name=None, storage=storage)
        want = next(s for s in expected["studies"] if s["study"] == "user_knn")
        check_study(study, want)
        # The loaded study goes on as an Optuna study: a new trial gets the next number.
        trial = study.ask()
        check(trial.number == len(want["trials"]), "ask after load")
    if failures:
        print(f"{len(failures)} checks failed")
        return 1
    print("export-optuna: every study read back by Optuna", optuna.__version__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
