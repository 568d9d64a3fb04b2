"""similaripy 0.6's similarity functions on knntune's engine.

Same names, parameters, defaults and outputs as ``similaripy.similarity``; the scores follow
the engine's reading of similaripy (docs/python.md lists the few deliberate differences).
``matrix1`` is A (n × m), ``matrix2`` is B (m × p), by default Aᵀ; the result is n × p.
"""

from .. import _core, _selection, _sparse

_SHRINK_TYPES = ("stabilized", "bayesian", "additive")


def _run(measure, matrix1, matrix2, own, k, shrink, shrink_type, threshold, binary,
         target_rows, target_cols, filter_cols, format_output, num_threads):
    if shrink_type not in _SHRINK_TYPES:
        raise ValueError("shrink_type must be one of 'stabilized', 'bayesian', or 'additive'")
    if format_output not in ("coo", "csr"):
        raise ValueError("format_output must be 'coo' or 'csr'")
    a = _sparse.operand(matrix1, "matrix1")
    b = None if matrix2 is None else _sparse.operand(matrix2, "matrix2")
    n = a[3]
    p = a[3] if b is None else b[4]
    if b is not None and a[4] != b[3]:
        raise ValueError(f"matrix1 has {a[4]} columns but matrix2 has {b[3]} rows")
    if int(k) < 1:
        raise ValueError("k must be >= 1")
    k = max(1, min(int(k), p))
    mask, order = _selection.row_order(target_rows, n)
    exclude = _selection.exclusion(target_cols, filter_cols, (n, p), mask)
    params = dict(own, k=k, shrink=float(shrink), shrink_type=shrink_type,
                  threshold=float(threshold), binary=bool(binary))
    indptr, indices, data = _core.similarity(measure, a, b, params, mask, exclude,
                                             int(num_threads))
    return _sparse.result(indptr, indices, data, (n, p), order, k, format_output)




def dot_product(matrix1, matrix2=None, k=100, shrink=0.0, shrink_type="stabilized",
                threshold=0.0, binary=False, target_rows=None, target_cols=None,
                filter_cols=None, verbose=True, format_output="coo", num_threads=0,
                block_size=0):
    """s = xy: the top-k of A·B per row."""
    return _run("dot_product", matrix1, matrix2, {}, k, shrink, shrink_type, threshold, binary,
                target_rows, target_cols, filter_cols, format_output, num_threads)


def cosine(matrix1, matrix2=None, k=100, shrink=0.0, shrink_type="stabilized", threshold=0.0,
           binary=False, target_rows=None, target_cols=None, filter_cols=None, verbose=True,
           format_output="coo", num_threads=0, block_size=0):
    """s = xy / (‖x‖·‖y‖ + shrink)."""
    return _run("cosine", matrix1, matrix2, {}, k, shrink, shrink_type, threshold, binary,
                target_rows, target_cols, filter_cols, format_output, num_threads)


def asymmetric_cosine(matrix1, matrix2=None, alpha=0.5, k=100, shrink=0.0,
                      shrink_type="stabilized", threshold=0.0, binary=False, target_rows=None,
                      target_cols=None, filter_cols=None, verbose=True, format_output="coo",
                      num_threads=0, block_size=0):
    """s = xy / (‖x‖^(2α)·‖y‖^(2(1−α)) + shrink)."""
    return _run("asymmetric_cosine", matrix1, matrix2, {"alpha": float(alpha)}, k, shrink,
                shrink_type, threshold, binary, target_rows, target_cols, filter_cols,
                format_output, num_threads)


def tversky(matrix1, matrix2=None, alpha=1.0, beta=1.0, k=100, shrink=0.0,
            shrink_type="stabilized", threshold=0.0, binary=False, target_rows=None,
            target_cols=None, filter_cols=None, verbose=True, format_output="coo",
            num_threads=0, block_size=0):
    """s = xy / (α(X2 − xy) + β(Y2 − xy) + xy + shrink)."""
    return _run("tversky", matrix1, matrix2, {"alpha": float(alpha), "beta": float(beta)}, k,
                shrink, shrink_type, threshold, binary, target_rows, target_cols, filter_cols,
                format_output, num_threads)


def jaccard(matrix1, matrix2=None, k=100, shrink=0.0, shrink_type="stabilized", threshold=0.0,
            binary=False, target_rows=None, target_cols=None, filter_cols=None, verbose=True,
            format_output="coo", num_threads=0, block_size=0):
    """s = xy / (X2 + Y2 − xy + shrink)."""
    return _run("jaccard", matrix1, matrix2, {}, k, shrink, shrink_type, threshold, binary,
                target_rows, target_cols, filter_cols, format_output, num_threads)


def dice(matrix1, matrix2=None, k=100, shrink=0.0, shrink_type="stabilized", threshold=0.0,
         binary=False, target_rows=None, target_cols=None, filter_cols=None, verbose=True,
         format_output="coo", num_threads=0, block_size=0):
    """s = xy / (½X2 + ½Y2 + shrink)."""
    return _run("dice", matrix1, matrix2, {}, k, shrink, shrink_type, threshold, binary,
                target_rows, target_cols, filter_cols, format_output, num_threads)


def p3alpha(matrix1, matrix2=None, alpha=1.0, k=100, shrink=0.0, shrink_type="stabilized",
            threshold=0.0, binary=False, target_rows=None, target_cols=None, filter_cols=None,
            verbose=True, format_output="coo", num_threads=0, block_size=0):
    """s = Σ_u P1[r,u]^α·P2[u,c]^α with the rows of A and B L1-normalised."""
    return _run("p3alpha", matrix1, matrix2, {"alpha": float(alpha)}, k, shrink, shrink_type,
                threshold, binary, target_rows, target_cols, filter_cols, format_output,
                num_threads)


def rp3beta(matrix1, matrix2=None, alpha=1.0, beta=1.0, k=100, shrink=0.0,
            shrink_type="stabilized", threshold=0.0, binary=False, target_rows=None,
            target_cols=None, filter_cols=None, verbose=True, format_output="coo",
            num_threads=0, block_size=0):
    """p3alpha divided by pop(c)^β + shrink, pop the column sums of B."""
    return _run("rp3beta", matrix1, matrix2, {"alpha": float(alpha), "beta": float(beta)}, k,
                shrink, shrink_type, threshold, binary, target_rows, target_cols, filter_cols,
                format_output, num_threads)


def _pop(value, name):
    if value is None:
        return "none"
    if isinstance(value, str) and value in ("none", "sum"):
        return value
    if isinstance(value, str):
        raise ValueError(f"{name} must be 'none', 'sum' or an array")
    raise NotImplementedError(f"{name} as an array of weights is not supported by knntune; "
                              "use 'none' or 'sum'")


def s_plus(matrix1, matrix2=None, l1=0.5, l2=0.5, l3=0.0, t1=1.0, t2=1.0, c1=0.5, c2=0.5,
           pop1="none", pop2="none", alpha=1.0, beta1=0.0, beta2=0.0, k=100, shrink=0.0,
           shrink_type="stabilized", threshold=0.0, binary=False, target_rows=None,
           target_cols=None, filter_cols=None, verbose=True, format_output="coo",
           num_threads=0, block_size=0):
    """Tversky, cosine and popularity normalisations mixed by l1, l2, l3."""
    own = {"l1": float(l1), "l2": float(l2), "l3": float(l3), "t1": float(t1),
           "t2": float(t2), "c1": float(c1), "c2": float(c2), "pop1": _pop(pop1, "pop1"),
           "pop2": _pop(pop2, "pop2"), "alpha": float(alpha), "beta1": float(beta1),
           "beta2": float(beta2)}
    return _run("s_plus", matrix1, matrix2, own, k, shrink, shrink_type, threshold, binary,
                target_rows, target_cols, filter_cols, format_output, num_threads)
