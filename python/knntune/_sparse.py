"""Sparse matrices between Python and the engine: operands in, results out.

An operand is any scipy.sparse matrix or array, or any object with ``indptr``, ``indices``,
``data`` and ``shape`` (read as CSR; a ``format`` of ``'csc'`` is honoured). Its NumPy buffers
are handed to the engine as they are, which copies them once into its own CSR (int64 row
pointers, int32 columns, float32 values); dtypes other than int32/int64 indices and
float32/float64 data are converted first.
"""

import numpy as np

try:  # scipy is optional: without it results come back as SparseResult
    import scipy.sparse as _sps
except ImportError:  # pragma: no cover - exercised only where scipy is absent
    _sps = None

_INDEX_DTYPES = (np.int32, np.int64)
_DATA_DTYPES = (np.float32, np.float64)


class SparseResult:
    """A result in CSR (``indptr``, ``indices``, ``data``) or COO (``row``, ``col``, ``data``)
    form, returned when scipy is not importable."""

    def __init__(self, fmt, shape, **arrays):
        self.format = fmt
        self.shape = shape
        for name, value in arrays.items():
            setattr(self, name, value)

    @property
    def nnz(self):
        return len(self.data)

    def __repr__(self):
        return f"<SparseResult {self.format} {self.shape[0]}x{self.shape[1]}, nnz={self.nnz}>"


def _index_array(a):
    a = np.asarray(a)
    return a if a.dtype in _INDEX_DTYPES else a.astype(np.int64)


def _data_array(a):
    a = np.asarray(a)
    return a if a.dtype in _DATA_DTYPES else a.astype(np.float32)


def operand(m, name):
    """The engine's view of a sparse operand: (indptr, indices, data, rows, cols, csc)."""
    fmt = getattr(m, "format", None)
    has_arrays = all(hasattr(m, a) for a in ("indptr", "indices", "data", "shape"))
    if fmt not in ("csr", "csc") or not has_arrays:
        if fmt is not None and hasattr(m, "tocsr"):
            m, fmt = m.tocsr(), "csr"
        elif not has_arrays:
            raise TypeError(f"{name} must be a scipy.sparse matrix or have indptr, indices, "
                            f"data and shape (got {type(m).__name__})")
    rows, cols = (int(x) for x in m.shape)
    return (_index_array(m.indptr), _index_array(m.indices), _data_array(m.data), rows, cols,
            fmt == "csc")


def shape_of(m):
    return tuple(int(x) for x in m.shape)


def is_sparse(m):
    if _sps is not None and _sps.issparse(m):
        return True
    return hasattr(m, "indptr") or hasattr(m, "tocsr")


def _narrow(indptr, indices, cols):
    """int32 index arrays when they fit (scipy's own choice), int64 otherwise."""
    if indptr[-1] < 2**31 - 1 and cols < 2**31 - 1:
        return indptr.astype(np.int32), indices
    return indptr, indices.astype(np.int64)


def make_csr(indptr, indices, data, shape):
    indptr, indices = _narrow(indptr, indices, shape[1])
    if _sps is None:
        return SparseResult("csr", shape, indptr=indptr, indices=indices, data=data)
    return _sps.csr_array((data, indices, indptr), shape=shape)


def make_coo(row, col, data, shape):
    if _sps is None:
        return SparseResult("coo", shape, row=row, col=col, data=data)
    return _sps.coo_array((data, (row, col)), shape=shape)


def _gather(indptr, order):
    """Positions of the entries of rows `order` (in that order) and each one's slot index."""
    counts = np.diff(indptr)[order]
    starts = indptr[:-1][order]
    first = np.cumsum(counts) - counts
    within = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(first, counts)
    return np.repeat(starts, counts) + within, counts, within


def result(indptr, indices, data, shape, order, k, format_output):
    """similaripy's output for the ranked engine rows.

    `order` lists the computed rows in output order (None: every row once). CSR keeps the
    stored scores (a row listed twice holds its entries twice); COO has exactly len(order)·k
    triples, the rows with fewer than k entries padded with (0, 0, 0.0), as similaripy does.
    """
    n = shape[0]
    if format_output == "csr":
        if order is None or len(np.unique(order)) == len(order):
            return make_csr(indptr, indices, data, shape)
        rows = np.sort(order)
        pos, counts, _ = _gather(indptr, rows)
        out_ptr = np.zeros(n + 1, dtype=np.int64)
        np.add.at(out_ptr, rows + 1, counts)
        return make_csr(np.cumsum(out_ptr), indices[pos], data[pos], shape)
    if order is None:
        order = np.arange(n, dtype=np.int64)
    pos, counts, within = _gather(indptr, order)
    slots = np.repeat(np.arange(len(order), dtype=np.int64) * k, counts) + within
    total = len(order) * k
    index_dtype = np.int32 if max(shape) < 2**31 - 1 and total < 2**31 - 1 else np.int64
    row = np.zeros(total, dtype=index_dtype)
    col = np.zeros(total, dtype=index_dtype)
    val = np.zeros(total, dtype=np.float32)
    row[slots] = np.repeat(order, counts)
    col[slots] = indices[pos]
    val[slots] = data[pos]
    return make_coo(row, col, val, shape)
