#pragma once
// Shared fixtures of the tuner tests: the KNN-shaped conditional space of
// ../shared/reference/tpe/BENCHMARK.md and a scratch directory helper.

#include <filesystem>
#include <random>
#include <string>

#include "tuner/search_space.hpp"

namespace knntune::tuner::testing {

/// The benchmark space: algorithm (9 choices), k (int, log), shrink, and branch parameters
/// keyed by (branch, name).
inline const char* kKnnSpaceJson = R"({"params": [
  {"name": "algorithm", "type": "categorical",
   "choices": ["dot", "cosine", "jaccard", "dice", "asymmetric", "tversky", "p3alpha",
               "rp3beta", "splus"]},
  {"name": "k", "type": "int", "low": 5, "high": 1000, "log": true},
  {"name": "shrink", "type": "float", "low": 0, "high": 1000},
  {"name": "alpha", "type": "float", "low": 0, "high": 2, "parent": "algorithm", "when": ["asymmetric"]},
  {"name": "alpha", "type": "float", "low": 0, "high": 2, "parent": "algorithm", "when": ["tversky"]},
  {"name": "beta", "type": "float", "low": 0, "high": 2, "parent": "algorithm", "when": ["tversky"]},
  {"name": "alpha", "type": "float", "low": 0, "high": 2, "parent": "algorithm", "when": ["p3alpha"]},
  {"name": "alpha", "type": "float", "low": 0, "high": 2, "parent": "algorithm", "when": ["rp3beta"]},
  {"name": "beta", "type": "float", "low": 0, "high": 2, "parent": "algorithm", "when": ["rp3beta"]},
  {"name": "lambda", "type": "float", "low": 0, "high": 1, "parent": "algorithm", "when": ["splus"]},
  {"name": "c", "type": "float", "low": 0, "high": 1, "parent": "algorithm", "when": ["splus"]}
]})";

inline SearchSpace knn_space() { return SearchSpace::from_json_text(kKnnSpaceJson); }

/// A fresh, empty scratch directory under the build's temp dir.
inline std::filesystem::path scratch_dir(const std::string& name) {
    std::random_device rd;
    const auto dir = std::filesystem::temp_directory_path() /
                     ("knntune-test-" + name + "-" + std::to_string(rd()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

}  // namespace knntune::tuner::testing
