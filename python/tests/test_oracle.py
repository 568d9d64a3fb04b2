"""knntune.similaripy against formulas written out again in dense float64 NumPy: every
measure, explicit matrix2, the row and column selectors, the output formats, input types."""

import numpy as np
import pytest
import scipy.sparse as sps

import knntune.similaripy as sim


def _random(rows, cols, density, seed):
    rng = np.random.default_rng(seed)
    dense = np.where(rng.random((rows, cols)) < density, rng.uniform(0.1, 5.0, (rows, cols)), 0)
    return dense.astype(np.float32)


A = _random(40, 30, 0.2, 1)  # n × m
B = _random(30, 25, 0.2, 2)  # m × p


def _l1_rows(m):
    s = np.abs(m).sum(axis=1, keepdims=True)
    return np.divide(m, s, out=np.zeros_like(m), where=s != 0)


def _oracle(measure, a, b, **p):
    """Dense scores (float64) of every pair with a common entry; 0 elsewhere."""
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    support = (a != 0).astype(float) @ (b != 0).astype(float) > 0
    xy = a @ b
    x2 = (a * a).sum(axis=1)[:, None]
    y2 = (b * b).sum(axis=0)[None, :]
    h = p.get("shrink", 0.0)
    if measure == "dot_product":
        s = xy
    elif measure == "cosine":
        s = xy / (np.sqrt(x2) * np.sqrt(y2) + h)
    elif measure == "asymmetric_cosine":
        al = p["alpha"]
        s = xy / (x2 ** al * y2 ** (1 - al) + h)
    elif measure in ("tversky", "jaccard", "dice"):
        al, be = {"jaccard": (1, 1), "dice": (0.5, 0.5)}.get(measure,
                                                               (p.get("alpha"), p.get("beta")))
        s = xy / (al * (x2 - xy) + be * (y2 - xy) + xy + h)
    else:  # p3alpha, rp3beta
        pop = b.sum(axis=0)[None, :]
        al = p["alpha"]
        s = (_l1_rows(a) ** al) @ (_l1_rows(b) ** al)
        if measure == "rp3beta":
            s = s / (pop ** p["beta"] + h)
    return np.where(support, s, 0.0)


def _top(scores, k, threshold=0.0, allowed=None):
    """{row: {col: score}} of the k best per row (score desc, column asc), s ≥ threshold."""
    out = {}
    for r in range(scores.shape[0]):
        cand = [(c, scores[r, c]) for c in range(scores.shape[1])
                if scores[r, c] != 0 and scores[r, c] >= threshold
                and (allowed is None or allowed(r, c))]
        cand.sort(key=lambda e: (-e[1], e[0]))
        if cand[:k]:
            out[r] = dict(cand[:k])
    return out


def _rows(result):
    csr = sps.csr_array(result)
    out = {}
    for r in range(csr.shape[0]):
        lo, hi = csr.indptr[r], csr.indptr[r + 1]
        if hi > lo:
            out[r] = dict(zip(csr.indices[lo:hi].tolist(), csr.data[lo:hi].tolist()))
    return out


def _same(got, want):
    assert sorted(got) == sorted(want)
    for r in want:
        assert sorted(got[r]) == sorted(want[r]), f"row {r}"
        for c in want[r]:
            assert got[r][c] == pytest.approx(want[r][c], rel=1e-4), f"({r}, {c})"


MEASURES = [
    ("dot_product", {}),
    ("cosine", {"shrink": 2.0}),
    ("asymmetric_cosine", {"alpha": 0.3, "shrink": 1.0}),
    ("tversky", {"alpha": 0.7, "beta": 0.2}),
    ("jaccard", {"shrink": 0.5}),
    ("dice", {}),
    ("p3alpha", {"alpha": 0.8}),
    ("rp3beta", {"alpha": 0.6, "beta": 0.4, "shrink": 0.5}),
]


@pytest.mark.parametrize("measure,params", MEASURES, ids=[m for m, _ in MEASURES])
def test_measure_matches_dense_formula(measure, params):
    fn = getattr(sim, measure)
    got = _rows(fn(sps.csr_array(A), sps.csr_array(B), k=7, format_output="csr", **params))
    _same(got, _top(_oracle(measure, A, B, **params), 7))


@pytest.mark.parametrize("measure,params", MEASURES, ids=[m for m, _ in MEASURES])
def test_default_matrix2_is_the_transpose(measure, params):
    fn = getattr(sim, measure)
    got = _rows(fn(sps.csr_array(A).T, k=5, format_output="csr", **params))
    _same(got, _top(_oracle(measure, A.T, A, **params), 5))


def test_s_plus_reduces_to_cosine_and_jaccard():
    a = sps.csr_array(A)
    cos = _rows(sim.s_plus(a, l1=0, l2=1, c1=0.5, c2=0.5, k=6, format_output="csr"))
    _same(cos, _top(_oracle("cosine", A, A.T), 6))
    jac = _rows(sim.s_plus(a, l1=1, l2=0, t1=1, t2=1, k=6, format_output="csr"))
    _same(jac, _top(_oracle("jaccard", A, A.T), 6))


def test_threshold_is_applied_before_top_k():
    want = _top(_oracle("cosine", A, B), 4, threshold=0.2)
    _same(_rows(sim.cosine(sps.csr_array(A), sps.csr_array(B), k=4, threshold=0.2,
                           format_output="csr")), want)


def test_target_rows_leave_other_rows_empty_and_repeat_duplicates():
    oracle = _top(_oracle("cosine", A, B), 5)
    res = sim.cosine(sps.csr_array(A), sps.csr_array(B), k=5, target_rows=[7, 2, 7],
                     format_output="csr")
    csr = sps.csr_array(res)
    assert csr.shape == (40, 25)
    assert set(np.flatnonzero(np.diff(csr.indptr))) == {2, 7}
    row7 = csr.indices[csr.indptr[7]:csr.indptr[8]].tolist()
    assert sorted(row7) == sorted(list(oracle[7]) * 2)
    coo = sim.cosine(sps.csr_array(A), sps.csr_array(B), k=5, target_rows=[7, 2, 7])
    assert coo.nnz == 3 * 5


def test_column_lists_select_before_top_k():
    targets, filters = [0, 3, 4, 8, 9, 15, 20, 24, 99], [4, 9, -1]
    allowed = set(targets) - set(filters)
    want = _top(_oracle("rp3beta", A, B, alpha=1.0, beta=0.5), 3,
                allowed=lambda r, c: c in allowed)
    got = sim.rp3beta(sps.csr_array(A), sps.csr_array(B), beta=0.5, k=3, target_cols=targets,
                      filter_cols=filters, format_output="csr")
    _same(_rows(got), want)


def test_sparse_selectors_are_per_row():
    rng = np.random.default_rng(5)
    target = sps.csr_array((rng.random((40, 25)) < 0.6).astype(np.float32))
    filt = sps.csr_array((rng.random((40, 25)) < 0.2).astype(np.float32))
    t, f = target.toarray(), filt.toarray()
    want = _top(_oracle("jaccard", A, B), 3, allowed=lambda r, c: t[r, c] != 0 and f[r, c] == 0)
    got = sim.jaccard(sps.csr_array(A), sps.csr_array(B), k=3, target_cols=target,
                      filter_cols=filt, format_output="csr")
    _same(_rows(got), want)


def test_coo_output_pads_every_row_to_k():
    res = sim.cosine(sps.csr_array(A), sps.csr_array(B), k=6, threshold=0.3)
    assert res.format == "coo"
    assert res.nnz == 40 * 6
    want = _top(_oracle("cosine", A, B), 6, threshold=0.3)
    kept = res.data != 0
    assert kept.sum() == sum(len(v) for v in want.values())
    assert np.all(res.row[~kept] == 0) and np.all(res.col[~kept] == 0)
    _same(_rows(sps.coo_array((res.data[kept], (res.row[kept], res.col[kept])),
                              shape=res.shape)), want)


class _Plain:
    """A CSR-like object that is not a scipy matrix."""

    def __init__(self, m):
        c = sps.csr_array(m)
        self.indptr, self.indices, self.data, self.shape = c.indptr, c.indices, c.data, c.shape


class _Strided(_Plain):
    """A CSR-like object whose arrays are strided views (not contiguous)."""

    def __init__(self, m):
        super().__init__(m)
        for name in ("indptr", "indices", "data"):
            a = getattr(self, name)
            spread = np.zeros(2 * len(a), dtype=a.dtype)
            spread[::2] = a
            setattr(self, name, spread[::2])


_BINARY = (A > 0).astype(np.float32), (B > 0).astype(np.float32)


@pytest.mark.parametrize("make,expected", [
    (sps.coo_array, (A, B)), (sps.csc_matrix, (A, B)), (sps.csr_matrix, (A, B)),
    (lambda m: sps.csr_array(m.astype(np.float64)), (A, B)),
    (lambda m: sps.csr_array((m > 0).astype(np.int64)), _BINARY),
    (_Plain, (A, B)), (_Strided, (A, B))],
    ids=["coo", "csc", "csr_matrix", "float64", "int", "plain", "strided"])
def test_any_sparse_input(make, expected):
    got = _rows(sim.cosine(make(A), make(B), k=5, format_output="csr"))
    _same(got, _top(_oracle("cosine", *expected), 5))


def test_unsorted_and_duplicate_entries_are_summed():
    rows = np.array([0, 0, 0, 1, 1])
    cols = np.array([2, 0, 2, 1, 0])
    vals = np.array([1.0, 2.0, 3.0, 4.0, 5.0], np.float32)
    m = sps.csr_matrix((vals, cols, np.array([0, 3, 5])), shape=(2, 3))
    dense = np.array([[2, 0, 4], [5, 4, 0]], np.float32)
    _same(_rows(sim.dot_product(m, k=2, format_output="csr")),
          _top(_oracle("dot_product", dense, dense.T), 2))


def test_errors_name_the_problem():
    a = sps.csr_array(A)
    with pytest.raises(ValueError, match="columns but matrix2 has"):
        sim.cosine(a, a)
    with pytest.raises(ValueError, match="shrink_type"):
        sim.cosine(a, shrink_type="nope")
    with pytest.raises(ValueError, match="format_output"):
        sim.cosine(a, format_output="dense")
    with pytest.raises(ValueError, match="k must be"):
        sim.cosine(a, k=0)
    with pytest.raises(ValueError, match="target_rows"):
        sim.cosine(a, target_rows=[40])
    with pytest.raises(ValueError, match="filter_cols"):
        sim.cosine(a, filter_cols=sps.csr_array(np.ones((3, 3))))
    with pytest.raises(NotImplementedError, match="pop1"):
        sim.s_plus(a, pop1=np.ones(40))
    with pytest.raises(TypeError, match="matrix1"):
        sim.cosine(A)
