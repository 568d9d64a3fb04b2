#pragma once
// Shared fixtures of the tuner tests: the KNN-shaped conditional space of
// ../shared/reference/tpe/BENCHMARK.md and a scratch directory helper.

#include <filesystem>
#include <random>
#include <string>

#include "benchmarks/tuner_functions.hpp"
#include "tuner/search_space.hpp"

namespace knntune::tuner::testing {

/// The benchmark space: algorithm (9 choices), k (int, log), shrink, and branch parameters
/// keyed by (branch, name).
inline const char* kKnnSpaceJson = knntune::bench::kBenchmarkSpaceJson;

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
