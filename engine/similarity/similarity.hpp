#pragma once
/// Public entry point of the similarity engine.
///
/// Typical use (the experiment runner):
///
///     using namespace knntune::engine::similarity;
///     const Measure m = measure_from_name("rp3beta");
///     const SimilarityParams p = parse_params(m, {{"k", 50.0}, {"alpha", 0.8}});
///     const CsrMatrix s = compute_similarity(user_item, Orientation::Item, m, p);
///
/// The result rows are ranked: score descending, then column ascending.

#include <cstdint>
#include <vector>

#include "engine/csr.hpp"
#include "engine/similarity/params.hpp"

namespace knntune::engine::similarity {

/// Computes the top-k similarity matrix of `user_item` (CSR, users × items).
///
/// Item orientation gives items × items (A = Rᵀ, B = R); user orientation gives users × users
/// (A = R, B = Rᵀ). Order of operations on A (spec section 9): explicit zeros are dropped,
/// then `binary`, then `weighting`, then `normalize`; B is the transpose of the result. p3alpha
/// and rp3beta then L1-normalise the rows of A and of B and raise them to α; rp3beta's
/// popularity is the column sum of B taken before that step. Their `variant = literature`
/// changes these steps and adds some after the kernel (measures/p3_variant.hpp).
///
/// The self-pair is kept unless `exclude_self` (or variant = literature, which always drops
/// it). Exact zero scores are not stored. Throws ParamError for invalid parameters (use
/// `parse_params` to build them). `selection` (below) restricts the rows and columns kept,
/// as for `compute_similarity_ab`; a kept row is the same as without it, which a row split
/// across processes relies on. See `takes_selection`.
struct Selection;
[[nodiscard]] CsrMatrix compute_similarity(const CsrMatrix& user_item, Orientation orientation,
                                           Measure measure, const SimilarityParams& params,
                                           const Selection& selection);

/// Optional restrictions of the rows and columns `compute_similarity_ab` keeps (similaripy's
/// `target_rows`, `target_cols` and `filter_cols`). Side statistics, popularity and the p3
/// transform still use every row and column.
struct Selection {
    /// Length n (rows of A): rows with 0 are left empty. Null: every row.
    const std::vector<std::uint8_t>* row_mask = nullptr;
    /// n × p pattern: column c is never kept in row r when (r, c) is stored. Null: none.
    const CsrMatrix* exclude = nullptr;
    /// False: each row holds the same entries, in an unspecified but deterministic order
    /// instead of ranked (for callers that reorder them, such as an item-KNN recommendation,
    /// which reads S by columns). The literature variant's result is always ranked.
    bool ranked = true;
};

/// `compute_similarity` with no selection.
[[nodiscard]] CsrMatrix compute_similarity(const CsrMatrix& user_item, Orientation orientation,
                                           Measure measure, const SimilarityParams& params);

/// Whether `measure` with `params` accepts a `Selection`: all but p3alpha/rp3beta's
/// `variant = literature`, whose steps after the kernel need every row.
[[nodiscard]] bool takes_selection(Measure measure, const SimilarityParams& params);

/// Lower level: the kernel on explicit inputs, A (n × m) and B (m × p), with no orientation
/// handling and no weighting. `binary`, the p3alpha/rp3beta transform and all side statistics
/// are applied as in `compute_similarity`; B is not assumed to be Aᵀ. `exclude_self` and
/// p3alpha/rp3beta's `variant = literature` need n == p; that variant takes no `selection`.
/// Throws ParamError when `selection` does not fit the shapes (mask length, pattern shape, a
/// pattern column out of range).
[[nodiscard]] CsrMatrix compute_similarity_ab(const CsrMatrix& a, const CsrMatrix& b,
                                              Measure measure, const SimilarityParams& params,
                                              const Selection& selection = {});

}  // namespace knntune::engine::similarity
