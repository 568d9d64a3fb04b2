#pragma once
/// Test results of a run: each measure's validation winner retrained on train and scored on
/// test, per model (test-MODEL.json in the run folder; docs/run-folder.md).

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/types.hpp"
#include "experiments/knn_study.hpp"

namespace knntune::exp {

/// Test result of one measure's validation winner.
struct MeasureResult {
    std::string measure;
    std::int64_t trial = -1;   ///< trial number in its log
    std::string log;           ///< file name of that log
    double valid_value = 0.0;  ///< objective on valid
    KnnConfig config;
    std::vector<std::pair<std::string, double>> test_metrics{};  ///< name → mean, objective first
    std::map<std::string, std::vector<double>> per_user{};       ///< name → values over `users`
    double fit_seconds = 0.0;                                    ///< similarity on train
    double eval_seconds = 0.0;  ///< recommendation + metrics on test
    std::int64_t n_trials = 0;  ///< finished trials of this measure
};

/// Test result of one non-personalised baseline (engine/baselines.hpp): nothing is tuned, it
/// is scored on valid (fit on train_val) and on test (fit on train) like the measures.
struct BaselineResult {
    std::string baseline;      ///< "top_pop" | "random"
    std::uint64_t seed = 0;    ///< the random baseline's seed (tuner.seed); 0 for top_pop
    double valid_value = 0.0;  ///< objective on valid
    std::vector<std::pair<std::string, double>> test_metrics{};  ///< name → mean, objective first
    std::map<std::string, std::vector<double>> per_user{};       ///< name → values over `users`
    double eval_seconds = 0.0;  ///< recommendation + metrics on test
    /// "top_pop", "random seed=42".
    [[nodiscard]] std::string describe() const;
};

/// Test results of one model.
struct ModelResult {
    std::string model;
    std::string objective;  ///< metric name
    bool maximize = true;
    std::vector<engine::UserIndex> users;  ///< evaluated test users
    std::vector<MeasureResult> measures;   ///< ordered by validation value, best first
    /// In baseline-table order, on the same users; empty in files written before baselines.
    std::vector<BaselineResult> baselines{};
    [[nodiscard]] const MeasureResult& best() const { return measures.front(); }
};

/// Writes `r` to `path` atomically.
void save_model_result(const ModelResult& r, const std::filesystem::path& path);
/// Reads a file written by `save_model_result`; throws ConfigError naming the file when it is
/// missing or malformed.
[[nodiscard]] ModelResult load_model_result(const std::filesystem::path& path);

}  // namespace knntune::exp
