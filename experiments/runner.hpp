#pragma once
/// The experiment runner: prepare → tune (each model) → test → report, each stage restartable
/// from the run folder.
///
/// The run folder layout is in experiments/run/run_folder.hpp.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/data/prepare.hpp"
#include "experiments/experiment_config.hpp"
#include "experiments/knn_study.hpp"
#include "experiments/progress.hpp"
#include "experiments/run/results.hpp"
#include "experiments/run/run_folder.hpp"

namespace knntune::exp {

/// One run: a config and a folder.
class Runner {
public:
    Runner(ExperimentConfig config, std::filesystem::path dir, Progress& progress);

    /// Reads `DIR/config.resolved.yaml`. Throws ConfigError when the folder is not a run.
    [[nodiscard]] static ExperimentConfig load_run_config(const std::filesystem::path& dir);

    [[nodiscard]] const ExperimentConfig& config() const { return config_; }
    [[nodiscard]] const RunFolder& paths() const { return folder_; }

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
    RunFolder folder_;
    Progress* progress_;
    std::unique_ptr<engine::PreparedData> data_;
};

}  // namespace knntune::exp
