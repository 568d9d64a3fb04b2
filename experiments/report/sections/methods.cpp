/// The Methods section: how the validation and test scores, baselines, timings and effect sizes
/// were computed.

#include <algorithm>
#include <string>

#include "experiments/report/sections/sections.hpp"

namespace knntune::exp::report {

void methods_section(Document& doc, const ReportInput& input) {
    doc.heading("Methods");
    doc.paragraph(
        "Validation scores come from the trial logs: each trial fits its configuration on "
        "train_val and scores valid. For every measure, the trial with the best validation " +
        input.config.objective.metric.name +
        " (the earliest on ties) is refitted on train and scored on test; these are the test "
        "scores of the tables. Times are wall-clock seconds of that refit (fit: similarity "
        "matrix; evaluate: recommendation and metrics) and the mean duration of the measure's "
        "trials; they vary between runs. Per-user test values are the metric of each test user "
        "with at least one test interaction, so paired tests compare the same users.");
    const bool baselines =
        std::any_of(input.models.begin(), input.models.end(),
                    [](const ModelAnalysis& ma) { return !ma.result.baselines.empty(); });
    if (baselines) {
        doc.paragraph(
            "Baselines are non-personalised and tuned on nothing: top_pop gives every user the "
            "items with the most interactions in the training period (ties by lower item "
            "index), random draws items uniformly without replacement with a generator seeded "
            "by tuner.seed (the seed in the measure table) and the user's index; both leave out "
            "the items the user already has. They are "
            "scored like the measures: fitted on train_val for the valid score and on train for "
            "the test score, with the same list length, users and metrics.");
    }
    doc.paragraph(
        "Effect sizes: mean and median of the per-user differences in the metric's units, "
        "Cohen's d_z (mean difference over the standard deviation of the differences) and the "
        "matched-pairs rank-biserial correlation (Kerby 2014; +1 when every non-tied user "
        "favours the reference). With many test users even a tiny difference can be "
        "significant; read the p-values together with the effect sizes and intervals.");
}

}  // namespace knntune::exp::report
