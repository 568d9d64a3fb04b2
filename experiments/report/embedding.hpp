#pragma once
/// 2-D (or few-D) map of item embeddings for the report.
///
/// An item's embedding is its column of the item × item similarity matrix. The map is the
/// PCA of those columns: the matrix is centred implicitly (the mean column is subtracted
/// inside every product, so the sparse matrix is never densified) and its leading singular
/// vectors are found by a randomized truncated SVD with power iterations (Halko, Martinsson
/// & Tropp 2011, Algorithms 4.4 and 5.1).
///
/// NOTE: PCA with Eigen was chosen over UMAP (umap-js via Node) to keep the report free of a
/// runtime dependency outside Debian, and because a linear map is deterministic for a seed
/// and reproducible in numpy from the saved matrix.

#include <Eigen/Dense>
#include <cstdint>
#include <span>

namespace knntune::exp::report {

/// Read-only view of a CSR matrix. Shape rows × cols; row r holds entries
/// `indptr[r] .. indptr[r+1]` of `indices` (column ids in [0, cols)) and `values`.
struct CsrView {
    std::int64_t rows = 0;                    ///< number of rows, >= 1
    std::int64_t cols = 0;                    ///< number of columns (points to embed), >= 2
    std::span<const std::int64_t> indptr{};   ///< size rows + 1, non-decreasing, from 0
    std::span<const std::int32_t> indices{};  ///< size nnz, column ids
    std::span<const float> values{};          ///< size nnz, finite
};

/// Knobs of `embed_columns`.
struct EmbeddingParams {
    int n_components = 2;      ///< dimensions of the map, in [1, min(rows, cols)]
    int oversampling = 10;     ///< extra random directions of the sketch, >= 0
    int power_iterations = 4;  ///< subspace iterations; more sharpen a slowly decaying spectrum
    std::uint64_t seed = 0;    ///< seed of the Gaussian sketch
};

/// Result of `embed_columns`.
struct Embedding {
    /// cols × n_components; row j is the map position of column (item) j, i.e. the projection
    /// of the centred column onto the principal axes. Each axis is signed so that its entry of
    /// largest magnitude is positive, which makes the output deterministic.
    Eigen::MatrixXd coords{};
    /// n_components singular values of the centred matrix, descending, >= 0.
    Eigen::VectorXd singular_values{};
    /// Share of the total variance of the columns captured by each axis, in [0, 1].
    Eigen::VectorXd explained_variance_ratio{};
};

/// PCA of the columns of `m` by randomized truncated SVD; deterministic for a seed.
/// Throws `ReportError` for a malformed CSR view or out-of-range parameters. Example:
/// `auto e = embed_columns({n, n, indptr, indices, values}, {.seed = 7}); e.coords(j, 0);`
Embedding embed_columns(const CsrView& m, const EmbeddingParams& params = {});

}  // namespace knntune::exp::report
