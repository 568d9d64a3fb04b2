"""similaripy's row and column selectors as the engine takes them.

`target_rows` becomes a row mask. `target_cols` and `filter_cols` become one pattern of
excluded (row, column) pairs: a list is one set for every computed row, a sparse matrix of
shape (n, p) gives each row its own set. A column kept by `target_cols` is the complement of
what is excluded, so a small `target_cols` costs one excluded entry per other column and row.
"""

import numpy as np

from . import _sparse

# Rows handled at once when the complement of a sparse target_cols is formed densely.
_DENSE_BLOCK = 1 << 24


def row_order(target_rows, n):
    """(mask, order): the engine's row mask and the output row order, both None for all."""
    if target_rows is None:
        return None, None
    order = np.asarray(target_rows, dtype=np.int64).ravel()
    if len(order) > n:
        raise ValueError(f"target_rows has {len(order)} entries but matrix1 has {n} rows")
    if len(order) and (order.min() < 0 or order.max() >= n):
        raise ValueError(f"target_rows must lie in [0, {n})")
    mask = np.zeros(n, dtype=np.uint8)
    mask[order] = 1
    return mask, order


def _kind(sel, name, shape):
    """'none', 'list' or 'sparse' for a selector, after similaripy's checks."""
    if sel is None:
        return "none", None
    if _sparse.is_sparse(sel):
        if sel.nnz == 0:
            return "none", None
        if _sparse.shape_of(sel) != shape:
            raise ValueError(f"{name} is {_sparse.shape_of(sel)} but the result is {shape}")
        return "sparse", _sparse.operand(sel, name)
    ids = np.asarray(sel, dtype=np.int64).ravel()
    if len(ids) == 0:
        return "none", None
    ids = np.unique(ids[(ids >= 0) & (ids < shape[1])])
    return "list", ids


def _pattern_rows(op):
    """(row, col) of every stored entry of a selector operand, as int64 arrays."""
    indptr, indices, _, rows, cols, csc = op
    indptr = indptr.astype(np.int64)
    major = np.repeat(np.arange(len(indptr) - 1, dtype=np.int64), np.diff(indptr))
    minor = indices[: indptr[-1]].astype(np.int64)
    return (minor, major) if csc else (major, minor)


def _complement(r, c, active, p):
    """(row, col) of the pairs of rows `active` that are not in (r, c)."""
    out_r, out_c = [], []
    pos = np.full(int(active.max()) + 1 if len(active) else 1, -1, dtype=np.int64)
    step = max(1, _DENSE_BLOCK // max(p, 1))
    for start in range(0, len(active), step):
        block = active[start:start + step]
        pos[block] = np.arange(len(block))
        keep = np.ones((len(block), p), dtype=bool)
        sel = np.isin(r, block)
        keep[pos[r[sel]], c[sel]] = False
        br, bc = np.nonzero(keep)
        out_r.append(block[br])
        out_c.append(bc)
        pos[block] = -1
    if not out_r:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(out_r), np.concatenate(out_c)


def exclusion(target_cols, filter_cols, shape, mask):
    """The engine's excluded pattern (indptr, indices, rows, cols), or None for no selection."""
    n, p = shape
    t_kind, t = _kind(target_cols, "target_cols", shape)
    f_kind, f = _kind(filter_cols, "filter_cols", shape)
    if t_kind == "none" and f_kind == "none":
        return None
    if t_kind == "none" and f_kind == "sparse" and not f[5]:
        return f[0], f[1], n, p  # a CSR filter (the recommendation step's R) as it is
    active = np.arange(n, dtype=np.int64) if mask is None else np.flatnonzero(mask)
    parts_r, parts_c = [], []
    if t_kind == "list":
        outside = np.setdiff1d(np.arange(p, dtype=np.int64), t, assume_unique=True)
        parts_r.append(np.repeat(active, len(outside)))
        parts_c.append(np.tile(outside, len(active)))
    elif t_kind == "sparse":
        r, c = _complement(*_pattern_rows(t), active, p)
        parts_r.append(r)
        parts_c.append(c)
    if f_kind == "list":
        parts_r.append(np.repeat(active, len(f)))
        parts_c.append(np.tile(f, len(active)))
    elif f_kind == "sparse":
        parts_r.append(_pattern_rows(f)[0])
        parts_c.append(_pattern_rows(f)[1])
    r = np.concatenate(parts_r)
    c = np.concatenate(parts_c)
    order = np.argsort(r, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=n), out=indptr[1:])
    return indptr, c[order].astype(np.int32), n, p
