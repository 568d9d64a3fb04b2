"""knntune.similaripy against similaripy 0.6's own outputs (../shared/reference/similarity),
compared by the folder's tie-insensitive rules, for every case: each measure in both
orientations with both parameter sets, and the recommendation step."""

import numpy as np
import pytest
import scipy.sparse as sps

import knntune.similaripy as sim
from conftest import load_case_result, load_cases, load_input, load_ties, need_reference

CASES = load_cases()
_INPUTS = {}


def _input(name):
    if name not in _INPUTS:
        _INPUTS[name] = load_input(name)
    return _INPUTS[name]


def _as_ids(result, row_ids, col_ids):
    csr = sps.csr_array(result)
    out = {}
    for r in range(csr.shape[0]):
        lo, hi = csr.indptr[r], csr.indptr[r + 1]
        if hi > lo:
            out[row_ids[r]] = {col_ids[c]: float(v)
                               for c, v in zip(csr.indices[lo:hi], csr.data[lo:hi])}
    return out


def _compare(case_id, got, want, k, ties):
    assert sorted(got) == sorted(want), f"{case_id}: rows with results differ"
    for row, ref in want.items():
        mine = got[row]
        assert len(mine) == len(ref), f"{case_id} row {row}: {len(mine)} vs {len(ref)} entries"
        np.testing.assert_allclose(sorted(mine.values(), reverse=True),
                                   sorted(ref.values(), reverse=True), rtol=1e-4,
                                   err_msg=f"{case_id} row {row}")
        if len(ref) < k or (case_id, row) not in ties:
            assert set(mine) == set(ref), f"{case_id} row {row}: column sets differ"


def _matrix(ids_rows, ids_cols, table):
    rpos = {r: n for n, r in enumerate(ids_rows)}
    cpos = {c: n for n, c in enumerate(ids_cols)}
    rows, cols, vals = [], [], []
    for r, entries in table.items():
        for c, v in entries.items():
            rows.append(rpos[r])
            cols.append(cpos[c])
            vals.append(v)
    return sps.csr_array((np.array(vals, np.float32), (rows, cols)),
                         shape=(len(ids_rows), len(ids_cols)))


@pytest.mark.parametrize("case", CASES, ids=[c["case_id"] for c in CASES])
def test_reference_case(case):
    need_reference()
    data = _input(case["input"])
    r = sps.csr_array(data.dense)
    orientation = case["orientation"]
    if orientation in ("item", "user"):
        fn = getattr(sim, case["measure"])
        matrix1 = r.T if orientation == "item" else r
        ids = data.items if orientation == "item" else data.users
        result = fn(matrix1, k=case["k"], format_output="csr", num_threads=2, verbose=False,
                    **case["params"])
        got = _as_ids(result, ids, ids)
    else:
        sim_case = case["params"]["similarity_case"]
        ids = data.items if orientation == "recommend_item" else data.users
        s = _matrix(ids, ids, load_case_result(sim_case))
        if orientation == "recommend_item":
            result = sim.dot_product(r, s.T, k=case["k"], filter_cols=r, format_output="csr")
        else:
            result = sim.dot_product(s, r, k=case["k"], filter_cols=r, format_output="csr")
        got = _as_ids(result, data.users, data.items)
    _compare(case["case_id"], got, load_case_result(case["case_id"]), case["k"], load_ties())


def test_every_measure_has_cases():
    need_reference()
    measures = {c["measure"] for c in CASES if c["orientation"] in ("item", "user")}
    assert measures == {"dot_product", "cosine", "asymmetric_cosine", "jaccard", "dice",
                        "tversky", "p3alpha", "rp3beta", "s_plus"}
