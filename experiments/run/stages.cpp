#include "experiments/run/stages.hpp"

#include "experiments/report/report.hpp"

namespace knntune::exp {

namespace {

constexpr Stage kStages[] = {
    {"prepare", "read, split, filter and map the log; save prepared.h5 and the resolved config",
     prepare_stage},
    {"tune", "tune every model on train_val → valid, one trial log per study", tune_stage},
    {"test", "retrain each measure's validation winner on train and score test", test_stage},
    {"report", "write report.md and report.html from the run folder", report_stage},
};

}  // namespace

std::span<const Stage> stages() { return kStages; }

void report_stage(const RunContext& ctx) { write_report(ctx.folder(), ctx.progress()); }

}  // namespace knntune::exp
