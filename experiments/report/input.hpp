#pragma once
/// The report's input: everything the sections show, loaded once from the run folder's files
/// (docs/run-folder.md) and then only read.
///
///   config.resolved.yaml   the config
///   prepared.h5            the split statistics, item keys, names and attributes
///   trials-MODEL*.h5       the trials of each model
///   test-MODEL.json        the test results, from which the intervals and tests are computed
///   model-item_knn.h5      the item-item similarity of the item map (only when it is drawn)

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/data/prepare.hpp"
#include "engine/model_io.hpp"
#include "experiments/config/experiment_config.hpp"
#include "experiments/report/analysis.hpp"
#include "experiments/run/run_folder.hpp"

namespace knntune::exp::report {

/// The parts of the prepared data that the report shows.
struct DataSummary {
    std::int64_t rows_read = 0;
    std::int64_t rows_filtered = 0;              ///< removed by the row filters
    std::int64_t unique_pairs = 0;               ///< distinct (user, item) pairs
    std::int64_t n_users = 0;                    ///< after the split filters
    std::int64_t n_items = 0;                    ///< after the split filters
    std::array<engine::PeriodStats, 4> stats{};  ///< indexed by engine::Period
    std::vector<std::string> item_keys{};        ///< per item id
    std::vector<std::string> item_names{};       ///< per item id; empty strings when unknown
    std::vector<std::string> item_attributes{};  ///< per item id, or empty when none configured
    /// Per user id: the user's interactions in `train` (the period the test stage fits on),
    /// i.e. the stored entries of the user's row of the train matrix (users × items); 0 for a
    /// user without any.
    std::vector<std::int64_t> train_interactions{};
};

/// Everything the report is made of; the sections read it and nothing else.
struct ReportInput {
    std::string run_name{};               ///< the run folder's own name (the report title)
    ExperimentConfig config{};            ///< config.resolved.yaml
    DataSummary data{};                   ///< from prepared.h5
    std::vector<ModelAnalysis> models{};  ///< one per configured model, in config order
    /// model-item_knn.h5, loaded only when the item map is drawn (`report.plots` and
    /// `report.embedding`) and the file exists.
    std::optional<engine::SimilarityModel> item_model{};
};

/// Where the report's data summary comes from: the run's data as a stage already holds it (a
/// run with `output.save_prepared: false` has no prepared.h5). Empty: prepared.h5 of the folder.
using PreparedSource = std::function<const engine::PreparedData&()>;

/// Loads the report's input from `folder` (the data from `data`, called once the test
/// results are found, when given). Throws ConfigError naming the missing file when the folder
/// is not a run, a model has no test result yet, or there is no prepared data; the engine's
/// and tuner's errors for malformed files pass through.
[[nodiscard]] ReportInput load_report_input(const RunFolder& folder,
                                            const PreparedSource& data = {});

/// The value at which the search fixes the shared parameter `name` ("k", "shrink"), or
/// nothing when it is tuned.
///
/// NOTE: the one place where the report reads the search space's shape (`search.shared`),
/// so that it can be re-pointed when the config structs change.
[[nodiscard]] std::optional<double> fixed_search_value(const ExperimentConfig& cfg,
                                                       const std::string& name);

}  // namespace knntune::exp::report
