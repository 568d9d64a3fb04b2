"""similaripy 0.6's normalisation functions on knntune's engine weighting.

Same names, parameters and defaults as ``similaripy.normalization``. Each returns a CSR
matrix (float32: the engine computes in float32, where similaripy keeps float64 input in
float64); ``inplace=True`` writes the new values into a CSR input's own ``data`` when its
layout allows it (sorted columns, no duplicates) and returns that input.
"""

from math import e

from .. import _core, _sparse

_TF_MODES = ("binary", "raw", "sqrt", "freq", "log")
_IDF_MODES = ("unary", "base", "smooth", "prob", "bm25")


def _validate_modes(tf_mode, idf_mode):
    if tf_mode not in _TF_MODES:
        raise ValueError(f"tf_mode must be one of {_TF_MODES}, got {tf_mode!r}")
    if idf_mode not in _IDF_MODES:
        raise ValueError(f"idf_mode must be one of {_IDF_MODES}, got {idf_mode!r}")


def _apply(X, axis, inplace, params):
    if axis not in (0, 1):
        raise ValueError(f"axis must be 0 or 1, got {axis}")
    if not _sparse.is_sparse(X):
        raise TypeError("X must be a sparse matrix")
    op = _sparse.operand(X, "X")
    rows, cols = op[3], op[4]
    if axis == 0:  # the columns of X are the rows of Xᵀ, whose CSR is X's CSC
        op = (op[0], op[1], op[2], cols, rows, not op[5])
    indptr, indices, data = _core.weight(op, params)
    if axis == 0:  # back to X: the result's CSR arrays are X's CSC, which the engine transposes back
        indptr, indices, data = _core.weight((indptr, indices, data, rows, cols, True), {})
    if inplace and getattr(X, "format", None) == "csr" and len(X.data) == len(data):
        X.data[...] = data
        return X
    return _sparse.make_csr(indptr, indices, data, (rows, cols))


def normalize(X, norm="l2", axis=1, inplace=False):
    """Divides each row (axis=1) or column (axis=0) by its L1, L2 or max norm."""
    if norm not in ("l1", "l2", "max"):
        raise ValueError(f"norm must be 'l1', 'l2' or 'max', got {norm!r}")
    return _apply(X, axis, inplace, {"normalize": norm})


def bm25(X, axis=1, k1=1.2, b=0.75, logbase=e, tf_mode="raw", idf_mode="bm25", inplace=False):
    """BM25 weighting of the rows (axis=1) or columns (axis=0)."""
    _validate_modes(tf_mode, idf_mode)
    return _apply(X, axis, inplace, {"weighting": "bm25", "bm25_k1": float(k1),
                                     "bm25_b": float(b), "logbase": float(logbase),
                                     "tf_mode": tf_mode, "idf_mode": idf_mode})


def bm25plus(X, axis=1, k1=1.2, b=0.75, delta=1.0, logbase=e, tf_mode="raw", idf_mode="bm25",
             inplace=False):
    """BM25+ weighting: BM25 plus a floor delta on every stored entry's term."""
    _validate_modes(tf_mode, idf_mode)
    return _apply(X, axis, inplace, {"weighting": "bm25plus", "bm25_k1": float(k1),
                                     "bm25_b": float(b), "bm25_delta": float(delta),
                                     "logbase": float(logbase), "tf_mode": tf_mode,
                                     "idf_mode": idf_mode})


def tfidf(X, axis=1, logbase=e, tf_mode="sqrt", idf_mode="smooth", inplace=False):
    """TF-IDF weighting of the rows (axis=1) or columns (axis=0)."""
    _validate_modes(tf_mode, idf_mode)
    return _apply(X, axis, inplace, {"weighting": "tfidf", "logbase": float(logbase),
                                     "tf_mode": tf_mode, "idf_mode": idf_mode})


__all__ = ["normalize", "bm25", "bm25plus", "tfidf"]
