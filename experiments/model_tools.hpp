#pragma once
/// Using a tuned item-KNN model after the run: similar items by name, recommendations for a
/// new user from a few items, item embeddings.

#include <string>
#include <vector>

#include "engine/model_io.hpp"

namespace knntune::exp {

/// Loads `path`: a model file, or a run folder holding model-item_knn.h5.
[[nodiscard]] engine::SimilarityModel load_model_or_run(const std::string& path);

/// Resolves an item given by name or key, case-insensitively (names first, then keys; the
/// lowest index wins among equal matches). Throws engine::InputError when nothing matches,
/// listing up to five close names (substring matches first, then by edit distance).
[[nodiscard]] engine::Index find_item(const engine::SimilarityModel& m, const std::string& query);

/// Up to five item names close to `query`, best first.
[[nodiscard]] std::vector<std::string> close_names(const engine::SimilarityModel& m,
                                                   const std::string& query);

/// One ranked item.
struct RankedItem {
    engine::Index item;
    engine::Score score;
};

/// The `top` most similar items of `item` (row of the similarity matrix), the item itself
/// excluded; scores > 0 only; ties by item index.
[[nodiscard]] std::vector<RankedItem> similar_items(const engine::CsrMatrix& similarity,
                                                    engine::Index item, engine::Index top);

/// Item-KNN recommendations for a new user who has `items` (weight 1 each):
/// score(j) = Σ_i S[j, i] over the given items i (R·Sᵀ, as in training), given items
/// excluded, scores > 0 only, ordered by score descending then item index.
[[nodiscard]] std::vector<RankedItem> recommend_for_items(const engine::CsrMatrix& similarity,
                                                          const std::vector<engine::Index>& items,
                                                          engine::Index top);

/// Recomputes the model's similarity with k = number of items (the full matrix).
[[nodiscard]] engine::CsrMatrix full_similarity(const engine::SimilarityModel& m);

}  // namespace knntune::exp
