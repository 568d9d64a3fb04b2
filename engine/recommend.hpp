#pragma once
/// The recommendation step of a KNN recommender: scores from a similarity matrix, top-N per
/// user, already seen items excluded.

#include <cstdint>
#include <string>
#include <vector>

#include "engine/csr.hpp"
#include "engine/similarity/common_params.hpp"

namespace knntune::engine {

/// Per-call knobs of `recommend`.
struct RecommendParams {
    Index top_n = 10;          ///< list length per user, ≥ 1
    bool exclude_seen = true;  ///< drop items the user has in `user_item`
    /// Optional length n_users: users with 0 get an empty list (e.g. not evaluated). Empty
    /// means every user.
    std::vector<std::uint8_t> user_mask;
    /// The bounded selection (compute only the blocks of candidate items that can reach a
    /// user's list) is used from this many items on; below, every item is scored, which is
    /// cheaper on a small catalogue (recommend.cpp). 0: always bounded (the tests use it);
    /// negative: the orientation's default (`default_bounded_min_items`).
    Index bounded_min_items = -1;
};

/// From how many items the bounded selection pays, measured on catalogues of 1,250 to
/// 40,000 items (docs/benchmarks.md, "Where the bounded recommendation pays"): item-KNN
/// 16,384, user-KNN 32,768.
[[nodiscard]] Index default_bounded_min_items(similarity::Orientation orientation);

/// Whether `recommend` takes the bounded selection for these operands: the catalogue has at
/// least `bounded_min_items` items (or the orientation's default) and every value of both
/// matrices is finite and non-negative (the bound needs it).
[[nodiscard]] bool uses_bounded_selection(const CsrMatrix& user_item, const CsrMatrix& similarity,
                                          similarity::Orientation orientation,
                                          const RecommendParams& params);

/// Top-N recommendations for every user, as a users × items CSR whose rows are ranked (score
/// descending, then item ascending), so entry i of a row is rank i+1.
///
/// * Item-KNN (`similarity` is items × items): score(u,j) = Σ_i R[u,i]·S[j,i], i.e. R·Sᵀ; item
///   j is scored by its own neighbours that the user has.
/// * User-KNN (`similarity` is users × users): score(u,j) = Σ_v S[u,v]·R[v,j], i.e. S·R.
///
/// Scores ≤ 0 are never recommended. Throws ParamError on a shape mismatch or top_n < 1.
[[nodiscard]] CsrMatrix recommend(const CsrMatrix& user_item, const CsrMatrix& similarity,
                                  similarity::Orientation orientation,
                                  const RecommendParams& params);

/// The checks of `params` that every producer of recommendation lists makes (`recommend` and
/// the baselines of engine/baselines.hpp): top_n ≥ 1, and `user_mask` empty or one entry per
/// row of `user_item`. Throws ParamError; `who` starts the mask message ("recommend: ...").
void check_recommend_params(const CsrMatrix& user_item, const RecommendParams& params,
                            const std::string& who);

}  // namespace knntune::engine
