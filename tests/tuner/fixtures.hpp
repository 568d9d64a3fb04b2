#pragma once
// Shared fixtures of the tuner tests: the KNN-shaped conditional space of
// ../shared/reference/tpe/BENCHMARK.md and a scratch directory helper.

#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "benchmarks/tuner_functions.hpp"
#include "tuner/search_space.hpp"

namespace knntune::tuner::testing {

/// The benchmark space: algorithm (9 choices), k (int, log), shrink, and branch parameters
/// keyed by (branch, name).
inline const char* kKnnSpaceJson = knntune::bench::kBenchmarkSpaceJson;

inline SearchSpace knn_space() { return SearchSpace::from_json_text(kKnnSpaceJson); }

/// A fresh, empty scratch directory under the temp dir, removed with its content when the
/// test process exits (a forked child's exit leaves it alone).
inline std::filesystem::path scratch_dir(const std::string& name) {
    struct Created {
        std::mutex mu;
        std::vector<std::filesystem::path> dirs;
        pid_t owner = ::getpid();
        Created() = default;
        Created(const Created&) = delete;
        Created& operator=(const Created&) = delete;
        ~Created() {
            if (::getpid() != owner) return;
            std::error_code ec;
            for (const auto& d : dirs) std::filesystem::remove_all(d, ec);
        }
    };
    static Created created;
    std::random_device rd;
    const auto dir = std::filesystem::temp_directory_path() /
                     ("knntune-test-" + name + "-" + std::to_string(rd()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::lock_guard lock(created.mu);
    created.dirs.push_back(dir);
    return dir;
}

}  // namespace knntune::tuner::testing
