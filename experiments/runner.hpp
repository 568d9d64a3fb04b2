#pragma once
/// The experiment runner: prepare → tune (each model) → test → report, each stage restartable
/// from the run folder.
///
/// Run folder layout (docs/run-folder.md):
///   config.resolved.yaml       the resolved config (overrides applied)
///   prepared.h5                prepared data (docs/prepared-data.md)
///   trials-MODEL.h5            one trial log per model (MODEL = item_knn | user_knn); with
///                              tuner.per_measure, trials-MODEL-MEASURE.h5 per measure
///   test-MODEL.json            validation winners per measure retrained on train, test scores
///                              and per-user metric vectors
///   model-item_knn.h5          the best item-item similarity (docs/model-file.md)
///   report.md, report.html     the report

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/data/prepare.hpp"
#include "experiments/experiment_config.hpp"
#include "experiments/knn_study.hpp"
#include "experiments/progress.hpp"

namespace knntune::exp {

/// Where each file of a run lives.
struct RunPaths {
    std::filesystem::path dir;
    [[nodiscard]] std::filesystem::path config() const;
    [[nodiscard]] std::filesystem::path prepared() const;
    [[nodiscard]] std::filesystem::path trials(const std::string& model,
                                               const std::string& measure = "") const;
    [[nodiscard]] std::filesystem::path test(const std::string& model) const;
    [[nodiscard]] std::filesystem::path model(const std::string& model) const;
    [[nodiscard]] std::filesystem::path report_md() const;
    [[nodiscard]] std::filesystem::path report_html() const;
    /// Every trial log in the folder, sorted by name.
    [[nodiscard]] std::vector<std::filesystem::path> trial_logs() const;
};

/// Test result of one measure's validation winner.
struct MeasureResult {
    std::string measure;
    std::int64_t trial = -1;            ///< trial number in its log
    std::string log;                    ///< file name of that log
    double valid_value = 0.0;           ///< objective on valid
    KnnConfig config;
    std::vector<std::pair<std::string, double>> test_metrics;  ///< name → mean, objective first
    std::map<std::string, std::vector<double>> per_user;       ///< name → values over `users`
    double fit_seconds = 0.0;           ///< similarity on train
    double eval_seconds = 0.0;          ///< recommendation + metrics on test
    std::int64_t n_trials = 0;          ///< finished trials of this measure
};

/// Test results of one model.
struct ModelResult {
    std::string model;
    std::string objective;               ///< metric name
    bool maximize = true;
    std::vector<engine::UserIndex> users;  ///< evaluated test users
    std::vector<MeasureResult> measures;   ///< ordered by validation value, best first
    [[nodiscard]] const MeasureResult& best() const { return measures.front(); }
};

/// Writes / reads test-MODEL.json.
void save_model_result(const ModelResult& r, const std::filesystem::path& path);
[[nodiscard]] ModelResult load_model_result(const std::filesystem::path& path);

/// One run: a config and a folder.
class Runner {
public:
    Runner(ExperimentConfig config, std::filesystem::path dir, Progress& progress);

    /// Reads `DIR/config.resolved.yaml`. Throws ConfigError when the folder is not a run.
    [[nodiscard]] static ExperimentConfig load_run_config(const std::filesystem::path& dir);

    [[nodiscard]] const ExperimentConfig& config() const { return config_; }
    [[nodiscard]] const RunPaths& paths() const { return paths_; }

    /// Saves the resolved config into the run folder (refusing a different config already
    /// there unless `overwrite`).
    void init_folder(bool overwrite);

    /// Prepared data: loaded from prepared.h5 when it matches the config's data and split
    /// sections, else prepared from the log and saved.
    const engine::PreparedData& data();

    /// Tunes every model. With `resume`, existing logs are continued (completed trials count
    /// toward the budget; trials that were running are re-run); without it an existing log
    /// is an error.
    void tune(bool resume, bool force = false);

    /// Retrains each measure's validation winner on train, scores test, writes test-MODEL.json
    /// and, for item_knn, model-item_knn.h5.
    void test();

private:
    void tune_model(engine::similarity::Orientation o, bool resume, bool force);
    ExperimentConfig config_;
    RunPaths paths_;
    Progress* progress_;
    std::unique_ptr<engine::PreparedData> data_;
};

}  // namespace knntune::exp
