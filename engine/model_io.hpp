#pragma once
/// The similarity model file: the best item-item (or user-user) matrix of a run with its id
/// maps, item names and the training matrix it was fitted on. Layout in docs/model-file.md.

#include <string>
#include <vector>

#include "engine/csr.hpp"

namespace knntune::engine {

/// Everything a model file holds.
struct SimilarityModel {
    std::string model;        ///< "item_knn" or "user_knn"
    std::string measure;      ///< e.g. "rp3beta"
    std::string params_json;  ///< the full parameter set, JSON object text
    std::string fingerprint;  ///< of the prepared data it was fitted on
    CsrMatrix similarity;     ///< rows ranked: score descending, then column ascending
    CsrMatrix train;          ///< users × items matrix it was fitted on
    std::vector<std::string> user_keys;
    std::vector<std::string> item_keys;
    std::vector<std::string> item_names;       ///< empty strings when unknown
    std::vector<std::string> item_attributes;  ///< may be empty
};

/// Writes atomically (temporary file + rename).
void save_model(const SimilarityModel& model, const std::string& path);

/// Reads a model file; throws InputError when missing or not a knntune model.
[[nodiscard]] SimilarityModel load_model(const std::string& path);

}  // namespace knntune::engine
