#pragma once
/// Reuse of work across tuning trials: the co-occurrence counts of a binary training matrix
/// are computed once, and each trial only re-scores them.
///
/// For binary input every measure except p3alpha and rp3beta is a function of the pair's
/// co-occurrence count xy(r, c) and of per-row side statistics (X2 = Y2 = the row's degree,
/// popularity = degree). A trial then costs one pass over the stored pairs (score, threshold,
/// top-k) instead of a sparse product. p3alpha and rp3beta raise every entry to α before the
/// product, so they are always computed from scratch. Each measure says which case it is in
/// (`kCooccurrence` in its header; `MeasureInfo::cooccurrence` at run time).
///
/// The result is bit-identical to `compute_similarity`: counts are exact in float, the side
/// statistics come from the same `powered_stat`, and scores from the same `master_score`.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/csr.hpp"
#include "engine/similarity/params.hpp"
#include "engine/similarity/stats.hpp"

namespace knntune::engine::similarity {

namespace detail {

/// Rows shorter than this are filtered by the threshold alone.
inline constexpr std::size_t kFloorSampleMin = 512;
/// One score in this many is sampled for a row's floor.
inline constexpr std::size_t kFloorSampleStep = 16;
/// Rows shorter than this many times k are filtered by the threshold alone.
inline constexpr std::size_t kFloorSampleMinRatio = 2;

/// A floor for the scores of row r (`len` pairs: `scores`, columns `cols`) that, with high
/// probability, at least k of its accepted scores reach (accepted: ≥ `thr`, not 0, not NaN, and
/// column ≠ r unless `keep_self`): the j-th best accepted score among the pairs at positions
/// 0, 16, 32, …, where j is the share of the top k such a sample is expected to hold (k/16)
/// plus three of its standard deviations and two. Returns `thr` when the row is shorter than
/// 512 pairs or than 2k, or the sample holds j accepted scores or fewer; never less than `thr`.
/// NOTE: only a filter. The re-scoring keeps the pairs at or above the floor and selects the
/// top k among them, about k + 16·(3·√(k/16) + 2) keys instead of the whole row, most groups of
/// eight pairs being skipped by one vector comparison; when fewer than k reach the floor (the
/// sample held more of the top than expected), it filters by `thr` alone. Since at least k
/// pairs reach the floor otherwise, the k-th best does too, so the kept set never depends on
/// the sample. Measured in docs/benchmarks.md ("A sampled floor for the re-scoring").
[[nodiscard]] Score sampled_floor(const Score* scores, const Index* cols, std::size_t len,
                                  std::size_t k, Score thr, Index r, bool keep_self);

/// Row r's kept pairs as `rank_key`s in `keys`: the best k accepted (as for `sampled_floor`),
/// ranked, or with `ranked` false in an unspecified but deterministic order. Filters by the
/// sampled floor first, and by `thr` alone when fewer than k reach it.
void select_row(const Score* scores, const Index* cols, std::size_t len, std::size_t k, Score thr,
                Index r, bool keep_self, bool ranked, std::vector<std::uint64_t>& keys);

}  // namespace detail

class CooccurrenceCache {
  public:
    /// Computes all pairs with xy > 0 of `user_item` in `orientation` when the input is a
    /// binary pattern (no explicit zeros) and the pair count is at most `max_pairs` (bounded
    /// beforehand by Σ deg², the work of the product). Otherwise returns nothing.
    [[nodiscard]] static std::optional<CooccurrenceCache> build(const CsrMatrix& user_item,
                                                                Orientation orientation,
                                                                std::size_t max_pairs);

    /// True when `measure` with `params` can be scored from the cache: a measure that allows
    /// it (not p3alpha/rp3beta), no weighting or row normalisation, and binary values (given, or
    /// forced by `binary`).
    [[nodiscard]] bool supports(Measure measure, const SimilarityParams& params) const;

    /// The same matrix `compute_similarity(user_item, orientation, measure, params)` returns.
    /// With `ranked` false, each row holds the same entries in an unspecified (deterministic)
    /// order, which skips the sort of the kept k; item-KNN recommendation transposes S first,
    /// so its result does not depend on that order. With `row_mask` (length n), rows with 0
    /// are left empty and the others are unchanged, as `compute_similarity` with
    /// `Selection::row_mask` gives them. Requires `supports(measure, params)`.
    [[nodiscard]] CsrMatrix score(Measure measure, const SimilarityParams& params,
                                  bool ranked = true,
                                  const std::vector<std::uint8_t>* row_mask = nullptr) const;

    /// Stored pairs and bytes held.
    [[nodiscard]] Offset pairs() const { return xy_.nnz(); }
    [[nodiscard]] std::size_t memory_bytes() const;

  private:
    /// The side statistics of `needs` for the cached input (B = Aᵀ, 0/1 values).
    [[nodiscard]] SideStats side_stats(const StatsNeeds& needs, const CommonParams& p) const;

    CsrMatrix xy_;                ///< n × n co-occurrence counts, all pairs with xy > 0
    std::vector<double> degree_;  ///< stored entries per row of the kernel input A
    bool binary_values_ = false;  ///< every stored value of the input is 1
};

}  // namespace knntune::engine::similarity
