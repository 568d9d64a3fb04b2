#pragma once
/// What every stage of a run reads: the validated config, the run folder, the progress
/// display, the options of the command, and the prepared data (loaded or prepared once, on
/// first use). Stages take it read-only.

#include <memory>

#include "engine/data/prepare.hpp"
#include "experiments/config/experiment_config.hpp"
#include "experiments/progress.hpp"
#include "experiments/run/cluster_run.hpp"
#include "experiments/run/run_folder.hpp"

namespace knntune::exp {

struct RunOptions {
    bool resume = false;  ///< continue existing trial logs
    bool force = false;   ///< with resume: accept a changed search space or seed
};

class RunContext {
  public:
    RunContext(ExperimentConfig config, RunFolder folder, Progress& progress,
               RunOptions options = {});

    [[nodiscard]] const ExperimentConfig& config() const { return config_; }
    [[nodiscard]] const RunFolder& folder() const { return folder_; }
    [[nodiscard]] Progress& progress() const { return *progress_; }
    [[nodiscard]] const RunOptions& options() const { return options_; }

    /// The prepared data: prepared.h5 of the run folder when it was prepared from the same
    /// data and split settings, else read from the log, prepared and (with
    /// output.save_prepared) saved. Loaded once.
    [[nodiscard]] const engine::PreparedData& data() const;
    /// The prepared file `data()` was loaded from or saved to; empty when it was prepared in
    /// memory only (output.save_prepared: false) or not loaded yet.
    [[nodiscard]] const std::string& data_file() const { return data_file_; }

    /// The other ranks of a distributed run; null for one process.
    [[nodiscard]] ClusterRun* cluster() const { return cluster_; }
    void set_cluster(ClusterRun* cluster) { cluster_ = cluster; }

  private:
    ExperimentConfig config_;
    RunFolder folder_;
    Progress* progress_;
    RunOptions options_;
    mutable std::shared_ptr<const engine::PreparedData> data_;
    mutable std::string data_file_;
    ClusterRun* cluster_ = nullptr;
};

/// The validated config of a run folder (its config.resolved.yaml); throws ConfigError when
/// the folder is not a run.
[[nodiscard]] ExperimentConfig load_run_config(const RunFolder& folder);

}  // namespace knntune::exp
