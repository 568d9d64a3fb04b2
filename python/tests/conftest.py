"""Shared helpers of the Python tests: the reference folder and input loading."""

import csv
import gzip
import json
import os
from pathlib import Path

import numpy as np
import pytest

SOURCE = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("KNNTUNE_SHARED_DIR", SOURCE / ".." / "shared"))
# The reference outputs of ../shared, or the copy vendored in tests/fixtures (gzip-compressed,
# without the MovieLens cases' data).
REFERENCE = SHARED / "reference" / "similarity"
if not (REFERENCE / "cases.csv").exists():
    REFERENCE = SOURCE / "tests" / "fixtures" / "reference" / "similarity"


def need_reference():
    if not (REFERENCE / "cases.csv").exists():
        pytest.skip(f"the reference outputs are absent ({REFERENCE})")


def _open(path):
    """A text file, or its .gz form."""
    if path.exists():
        return open(path, newline="")
    gz = path.with_name(path.name + ".gz")
    if gz.exists():
        return gzip.open(gz, "rt", newline="")
    pytest.skip(f"{path} is absent (it lives in ../shared)")


class Indexed:
    """A user × item matrix R (float32 values) with the reference's string-sorted ids."""

    def __init__(self, triples):
        users = sorted({u for u, _, _ in triples})
        items = sorted({i for _, i, _ in triples})
        self.users, self.items = users, items
        upos = {u: n for n, u in enumerate(users)}
        ipos = {i: n for n, i in enumerate(items)}
        self.dense = np.zeros((len(users), len(items)), dtype=np.float32)
        for u, i, v in triples:
            self.dense[upos[u], ipos[i]] = np.float32(v)


def load_input(name):
    if name.endswith(".csv"):
        with _open(REFERENCE / name) as f:
            rows = list(csv.DictReader(f))
        return Indexed([(r["user"], r["item"], float(r["value"])) for r in rows])
    path = SHARED / "data" / "movielens-100k" / "u.data"
    if not path.exists():
        pytest.skip(f"MovieLens 100K is absent ({path})")
    triples = []
    with open(path) as f:
        for line in f:
            u, i, _, _ = line.split("\t")
            triples.append((u, i, 1.0))
    return Indexed(triples)


def load_cases():
    if not (REFERENCE / "cases.csv").exists():
        return []
    with _open(REFERENCE / "cases.csv") as f:
        return [dict(r, params=json.loads(r["params_json"]), k=int(r["k"]))
                for r in csv.DictReader(f)]


def load_case_result(case_id):
    """{row id: {col id: score}} of one reference case."""
    out = {}
    with _open(REFERENCE / "cases" / f"{case_id}.csv") as f:
        for r in csv.DictReader(f):
            out.setdefault(r["row"], {})[r["col"]] = float(r["score"])
    return out


def load_ties():
    ties = set()
    with _open(REFERENCE / "boundary_ties.csv") as f:
        for r in csv.DictReader(f):
            ties.add((r["case_id"], r["row"]))
    return ties
