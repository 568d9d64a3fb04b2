#pragma once
/// Compressed sparse row matrix used everywhere in the engine.

#include <span>
#include <vector>

#include "engine/types.hpp"

namespace knntune::engine {

/// A sparse matrix in CSR form, rows × cols.
///
/// Row r owns positions indptr[r] .. indptr[r+1]-1 of `indices` and `values`. Unless a
/// producer documents otherwise, column indices inside a row are strictly increasing.
struct CsrMatrix {
    Index rows = 0;              ///< number of rows
    Index cols = 0;              ///< number of columns
    std::vector<Offset> indptr;  ///< size rows+1, indptr[0] == 0
    std::vector<Index> indices;  ///< size nnz, column of each stored value
    std::vector<Score> values;   ///< size nnz

    CsrMatrix() : indptr(1, 0) {}
    CsrMatrix(Index n_rows, Index n_cols) : rows(n_rows), cols(n_cols), indptr(n_rows + 1, 0) {}

    [[nodiscard]] Offset nnz() const { return indptr.empty() ? 0 : indptr.back(); }
    [[nodiscard]] Offset row_nnz(Index r) const { return indptr[r + 1] - indptr[r]; }
    [[nodiscard]] std::span<const Index> row_indices(Index r) const {
        return {indices.data() + indptr[r], static_cast<size_t>(row_nnz(r))};
    }
    [[nodiscard]] std::span<const Score> row_values(Index r) const {
        return {values.data() + indptr[r], static_cast<size_t>(row_nnz(r))};
    }
    /// Density nnz / (rows·cols), 0 for an empty shape.
    [[nodiscard]] double density() const;
    /// Bytes held by the three arrays.
    [[nodiscard]] size_t memory_bytes() const;
};

/// One (row, col, value) entry, used to build matrices.
struct Triplet {
    Index row;
    Index col;
    Score value;
};

/// Builds a CSR matrix from triplets. Entries are sorted by (row, col); duplicates are summed.
/// Indices must lie inside the shape (checked by assertion: callers validate user input).
[[nodiscard]] CsrMatrix csr_from_triplets(Index rows, Index cols,
                                          std::span<const Triplet> triplets);

/// Transpose (rows × cols → cols × rows), with sorted column indices in the result.
[[nodiscard]] CsrMatrix transpose(const CsrMatrix& m);

/// Number of stored entries per column (length cols).
[[nodiscard]] std::vector<Offset> column_counts(const CsrMatrix& m);

/// True when both matrices have the same shape, pattern and values.
[[nodiscard]] bool operator==(const CsrMatrix& a, const CsrMatrix& b);

}  // namespace knntune::engine
