"""knntune.similaripy.normalization against the formulas of spec section 6 in dense NumPy."""

import math

import numpy as np
import pytest
import scipy.sparse as sps

from knntune.similaripy import normalization as norm

rng = np.random.default_rng(3)
X = np.where(rng.random((50, 20)) < 0.15, rng.uniform(0.5, 4.0, (50, 20)), 0).astype(np.float32)


def _dense(m):
    return sps.csr_array(m).toarray()


@pytest.mark.parametrize("kind", ["l1", "l2", "max"])
@pytest.mark.parametrize("axis", [1, 0])
def test_normalize(kind, axis):
    x = X.astype(np.float64) if axis == 1 else X.T.astype(np.float64)
    d = {"l1": np.abs(x).sum(1), "l2": np.sqrt((x * x).sum(1)), "max": x.max(1)}[kind]
    want = np.divide(x, d[:, None], out=x.copy(), where=d[:, None] > 0)
    got = _dense(norm.normalize(sps.csr_array(X), norm=kind, axis=axis))
    np.testing.assert_allclose(got, want if axis == 1 else want.T, rtol=1e-5)


def _tf_idf_parts(x, logbase):
    n = x.shape[0]
    df = (x > 0).sum(0)
    dl = x.sum(1)
    return n, df, dl, math.log(logbase)


def test_tfidf_sqrt_smooth():
    x = X.astype(np.float64)
    n, df, _, lb = _tf_idf_parts(x, math.e)
    idf = np.where(df > 0, np.log(n / (1 + df)) / lb, 0)
    want = np.sqrt(x) * idf[None, :]
    np.testing.assert_allclose(_dense(norm.tfidf(sps.csr_array(X))), want, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("delta", [0.0, 1.0])
def test_bm25_and_bm25plus(delta):
    x = X.astype(np.float64)
    n, df, dl, lb = _tf_idf_parts(x, 2.0)
    idf = np.where(df > 0, np.log((n - df + 0.5) / (df + 0.5)) / lb, 0)
    k1, b = 1.5, 0.6
    tf = x
    body = tf * (k1 + 1) / (tf + k1 * ((1 - b) + b * dl[:, None] / dl.mean())) + delta
    want = np.where(x != 0, idf[None, :] * body, 0)
    fn = norm.bm25plus if delta else norm.bm25
    extra = {"delta": delta} if delta else {}
    got = _dense(fn(sps.csr_array(X), k1=k1, b=b, logbase=2.0, **extra))
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_inplace_writes_into_the_input():
    m = sps.csr_array(X.copy())
    out = norm.normalize(m, norm="l1", inplace=True)
    assert out is m
    np.testing.assert_allclose(m.toarray().sum(1)[X.sum(1) > 0], 1.0, rtol=1e-5)
    untouched = sps.csr_array(X.copy())
    norm.normalize(untouched, norm="l1")
    np.testing.assert_array_equal(untouched.toarray(), X)


def test_bad_modes_are_errors():
    with pytest.raises(ValueError, match="tf_mode"):
        norm.tfidf(sps.csr_array(X), tf_mode="nope")
    with pytest.raises(ValueError, match="axis"):
        norm.normalize(sps.csr_array(X), axis=2)
    with pytest.raises(TypeError, match="sparse"):
        norm.normalize(X)
