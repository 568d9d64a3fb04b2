#pragma once
/// The run report: report.md and report.html (self-contained) in the run folder.

#include "experiments/progress.hpp"
#include "experiments/runner.hpp"

namespace knntune::exp {

/// Builds the report of a run from its prepared data, trial logs and test results, and writes
/// RUN_DIR/report.html, RUN_DIR/report.md and RUN_DIR/figures/*.svg atomically.
void write_report(Runner& runner, Progress& progress);

}  // namespace knntune::exp
