#pragma once
/// The run report: report.md and report.html (self-contained) in the run folder.
///
/// Sections, in order (documented in docs/report.md):
///   Run          knntune version, objective, models, measures, tuner and report settings
///   Data         the split statistics table
///   MODEL        per model: one row per measure (validation winner): valid and test score,
///                parameters, fit/evaluate/trial seconds, trials; all test metrics
///   Item-KNN against user-KNN   the best measure of each model, side by side
///   Statistics   per model: 95% bootstrap CIs of the test objective per measure, and paired
///                per-user tests of the best-on-valid measure against every other measure
///                (Wilcoxon signed-rank or paired bootstrap), Holm-adjusted, with effect sizes
///   Plots        per model: best so far, score distribution, score vs k, score vs shrink,
///                test objective with CIs (gnuplot SVG)
///   Item map     PCA of the best item-item matrix's columns, most popular items
///   Methods      how the numbers above were computed
///
/// Every wall-clock number sits in a table column whose header ends in "(s)"; everything else
/// is a deterministic function of the run folder and the config's seeds.

#include "experiments/knn_study.hpp"
#include "experiments/run/context.hpp"
#include "experiments/run/results.hpp"

namespace knntune::exp {

/// Builds the report of a run from its prepared data, trial logs, test results and model
/// file, and writes RUN_DIR/report.html, RUN_DIR/report.md and RUN_DIR/figures/*.svg
/// atomically. Plots and the item map are skipped when `report.plots` is false; when they
/// cannot be drawn (gnuplot missing or failing), the report says so in their place and a
/// warning goes to stderr. Throws ConfigError when a model has no test result yet.
void write_report(const RunContext& ctx);

}  // namespace knntune::exp
