/// The Run section: the settings of the run.

#include <string>
#include <utility>
#include <vector>

#include "experiments/report/analysis.hpp"
#include "experiments/report/format.hpp"
#include "experiments/report/sections/sections.hpp"

namespace knntune::exp::report {

void run_section(Document& doc, const ReportInput& input) {
    const ExperimentConfig& cfg = input.config;
    doc.heading("Run");
    std::vector<std::string> models;
    for (const auto o : cfg.models) models.push_back(model_name(o));
    const std::string fixed = param_list(cfg.search.fixed);
    const bool maximize = cfg.objective.metric.direction == engine::Direction::Maximize;
    Table t;
    t.columns = {{"setting"}, {"value"}};
    auto row = [&t](std::string key, std::string value) {
        t.rows.push_back({std::move(key), std::move(value)});
    };
    row("objective", cfg.objective.metric.name + (maximize ? " (maximised)" : " (minimised)"));
    row("models", join(models));
    row("measures", join(cfg.search.measures));
    row("fixed parameters", fixed.empty() ? "-" : fixed);
    const std::int64_t repeats = cfg.tuner.repeats;
    row("sampler", cfg.tuner.sampler + ", seed " + std::to_string(cfg.tuner.seed) +
                       (repeats > 1 ? " to " + std::to_string(cfg.tuner.seed + repeats - 1) + " (" +
                                          std::to_string(repeats) + " repeats)"
                                    : ""));
    const char* how = " per model (one study over all measures)";
    if (cfg.tuner.per_measure()) how = " per measure and model (one study per measure)";
    if (cfg.tuner.strategy == TuneStrategy::Race) {
        how = " per model (a race: each measure its own trials, docs/race.md)";
    }
    row("trial budget", std::to_string(cfg.tuner.n_trials) + how +
                            (repeats > 1 ? ", in each repeat; test takes each measure's best "
                                           "over the repeats"
                                         : ""));
    row("statistics",
        (bootstrap_test(cfg) ? "paired bootstrap test" : "Wilcoxon signed-rank test") +
            std::string(", Holm-adjusted; ") + std::to_string(cfg.report.bootstrap_samples) +
            " bootstrap resamples, seed " + std::to_string(cfg.report.seed));
    doc.table(std::move(t));
}

}  // namespace knntune::exp::report
