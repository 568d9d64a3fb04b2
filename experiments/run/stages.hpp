#pragma once
/// A run as stages over a read-only context: prepare → tune → test → report. Each stage reads
/// what the earlier ones wrote into the run folder, so any stage can be rerun on its own.

#include <span>
#include <string_view>

#include "experiments/run/context.hpp"

namespace knntune::exp {

/// One stage of a run.
struct Stage {
    std::string_view name;
    std::string_view summary;
    void (*run)(const RunContext& ctx);
};

/// The stages in run order.
[[nodiscard]] std::span<const Stage> stages();

/// Checks the run folder (a different config is refused, unless resuming, when the folder
/// holds results: RunFolder::results), loads or prepares the data, and saves the resolved
/// config. Nothing is written before the data is prepared, so a failed preparation leaves the
/// folder as it was.
void prepare_stage(const RunContext& ctx);

/// Tunes every model of the config, appending each trial to its log. With
/// `options.resume`, existing logs are continued (completed trials count toward the budget;
/// trials that were running are re-run); without it an existing log is an error, unless it
/// holds no trial (it is then started again).
void tune_stage(const RunContext& ctx);

/// Retrains each measure's validation winner on train, scores test, and writes
/// test-MODEL.json and, for item_knn, model-item_knn.h5.
void test_stage(const RunContext& ctx);

/// Writes the report from the run folder's files.
void report_stage(const RunContext& ctx);

}  // namespace knntune::exp
