/// The Statistics section: per model, the intervals of the test objective and the paired
/// tests of the reference (best on valid) against every other measure and every baseline.

#include <string>
#include <utility>
#include <vector>

#include "experiments/report/analysis.hpp"
#include "experiments/report/format.hpp"
#include "experiments/report/sections/sections.hpp"

namespace knntune::exp::report {
namespace {

/// True when some model has a baseline result.
bool any_baseline(const ReportInput& input) {
    for (const ModelAnalysis& ma : input.models) {
        if (!ma.result.baselines.empty()) return true;
    }
    return false;
}

/// What the reference, the test, the adjustment and the intervals are.
std::string introduction(const ExperimentConfig& cfg, bool baselines) {
    const bool bootstrap = bootstrap_test(cfg);
    const std::string resamples = std::to_string(cfg.report.bootstrap_samples) +
                                  " resamples, seed " + std::to_string(cfg.report.seed);
    return "The reference is the measure that is best on valid, not the one that is best on "
           "test: choosing the reference by its test score would favour it by selection and "
           "bias the tests. Each other measure's validation winner is compared with it on the "
           "same test users by a " +
           std::string(bootstrap ? "paired bootstrap test ("
                                 : "Wilcoxon signed-rank test (zero differences dropped; ") +
           (bootstrap ? resamples + ")"
                      : std::string("exact for at most 25 non-zero pairs, else the normal "
                                    "approximation)")) +
           "." +
           (baselines ? std::string(" The baselines (rows marked \"(baseline)\") are compared "
                                    "with it in the same way.")
                      : "") +
           " p-values are adjusted for the number of comparisons within a model" +
           (baselines ? std::string(", the baselines' included,") : "") +
           " by Holm's step-down method. Differences are reference minus " +
           (baselines ? "measure or baseline" : "measure") +
           ", so a positive difference means the reference scores higher. Intervals are 95% "
           "percentile bootstrap intervals of the mean over test users (" +
           resamples + ").";
}

/// The mean test objective of each measure, then each baseline, with its interval.
Table interval_table(const ModelAnalysis& ma) {
    const ModelResult& r = ma.result;
    Table ci;
    ci.caption = "Mean " + r.objective + " over test users with its 95% bootstrap interval";
    ci.columns = {{"measure"}, {"mean"}, {"95% CI low"}, {"95% CI high"}, {"CI width"}};
    for (std::size_t i = 0; i < r.measures.size(); ++i) {
        if (!ma.ci[i]) continue;
        const auto& c = *ma.ci[i];
        ci.rows.push_back({r.measures[i].measure, c.estimate, c.lower, c.upper, c.upper - c.lower});
    }
    for (std::size_t i = 0; i < r.baselines.size(); ++i) {
        if (!ma.baseline_ci[i]) continue;
        const auto& c = *ma.baseline_ci[i];
        ci.rows.push_back({baseline_label(r.baselines[i].baseline), c.estimate, c.lower, c.upper,
                           c.upper - c.lower});
    }
    return ci;
}

/// The reference against each other measure: effect sizes, p-values, significance.
Table comparison_table(const ModelAnalysis& ma, bool bootstrap) {
    const ModelResult& r = ma.result;
    Table t;
    t.caption = "Reference " + r.best().measure + " (best on valid) against each other measure" +
                (r.baselines.empty() ? "" : std::string(" and each baseline")) + ", paired over " +
                std::to_string(r.users.size()) + " test users";
    t.columns = {{"measure"},
                 {"mean difference"},
                 {"median difference"},
                 {"Cohen's d_z", NumberFormat::Fixed, 3},
                 {"rank-biserial r", NumberFormat::Fixed, 3}};
    if (!bootstrap) t.columns.push_back({"non-zero pairs", NumberFormat::Integer});
    t.columns.push_back({"p", NumberFormat::PValue, 4});
    t.columns.push_back({"p (Holm)", NumberFormat::PValue, 4});
    t.columns.push_back({"significant at 5%"});
    for (const Comparison& c : ma.comparisons) {
        std::vector<Cell> row{c.baseline ? baseline_label(c.name) : c.name,
                              c.effect.mean_difference, c.effect.median_difference,
                              c.effect.standardized_mean_difference, c.effect.rank_biserial};
        if (!bootstrap) row.emplace_back(static_cast<std::int64_t>(c.n_nonzero));
        row.emplace_back(c.p_value);
        row.emplace_back(c.p_holm);
        row.emplace_back(std::string(c.p_holm < kSignificance ? "yes" : "no"));
        t.rows.push_back(std::move(row));
    }
    return t;
}

}  // namespace

void statistics_section(Document& doc, const ReportInput& input) {
    doc.heading("Statistics");
    doc.paragraph(introduction(input.config, any_baseline(input)));
    for (const ModelAnalysis& ma : input.models) {
        const std::string& objective = ma.result.objective;
        doc.heading(model_title(ma.model) + ": " + objective + " on test", 3);
        if (!ma.has_per_user) {
            doc.paragraph(objective +
                          " has no per-user values, so there are no intervals or paired tests.");
            continue;
        }
        doc.table(interval_table(ma));
        if (ma.comparisons.empty()) {
            doc.paragraph("Only one measure was tested, so there is nothing to compare.");
            continue;
        }
        doc.table(comparison_table(ma, bootstrap_test(input.config)));
    }
}

}  // namespace knntune::exp::report
