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

// NOTE: the data comes from the context: loaded from prepared.h5, or held in memory by a run
// that does not save it (output.save_prepared: false).
void report_stage(const RunContext& ctx) {
    write_report(ctx.folder(), ctx.progress(),
                 [&ctx]() -> const engine::PreparedData& { return ctx.data(); });
}

}  // namespace knntune::exp
