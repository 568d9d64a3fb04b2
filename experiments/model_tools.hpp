#pragma once
/// Using a tuned item-KNN model after the run: similar items by name, recommendations for a
/// new user from a few items, item embeddings.

#include <string>
#include <vector>

#include "engine/model_io.hpp"

namespace knntune::exp {

/// Loads `path`: a model file, or a run folder holding model-item_knn.h5.
[[nodiscard]] engine::SimilarityModel load_model_or_run(const std::string& path);

/// An item resolved from a name or key, and the other items that carry the same name.
struct ItemMatch {
    engine::Index item = 0;
    std::vector<engine::Index> same_name;  ///< other items with that name, by index
};

/// Resolves an item given by name or key: names ignoring case and surrounding blanks, then
/// keys exactly, then keys ignoring case and surrounding blanks. When
/// several items carry the name (a purchase log can give one description to several codes),
/// the one with the most interactions in the model's training matrix wins, then the lowest
/// index. Throws engine::InputError when nothing matches, listing up to five close names
/// (substring matches first, then by edit distance).
[[nodiscard]] ItemMatch match_item(const engine::SimilarityModel& m, const std::string& query);

/// match_item's chosen item.
[[nodiscard]] engine::Index find_item(const engine::SimilarityModel& m, const std::string& query);

/// Interactions per item in the model's training matrix.
[[nodiscard]] std::vector<engine::Offset> item_counts(const engine::SimilarityModel& m);

/// A note naming the items that share the chosen item's name, with their keys and
/// interaction counts; empty when the name is unique.
[[nodiscard]] std::string same_name_note(const engine::SimilarityModel& m, const ItemMatch& match);

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
