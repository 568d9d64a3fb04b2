/// The model sections: per model, its trials, the measure table and all test metrics, with a
/// row for each baseline.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "experiments/report/analysis.hpp"
#include "experiments/report/format.hpp"
#include "experiments/report/sections/sections.hpp"

namespace knntune::exp::report {
namespace {

/// 1-based rank of each measure (result order) by its test objective; ties share the rank.
std::vector<std::int64_t> test_ranks(const ModelResult& r) {
    std::vector<std::int64_t> rank;
    for (const MeasureResult& m : r.measures) {
        std::int64_t better = 0;
        for (const MeasureResult& o : r.measures) {
            const double a = test_objective(o);
            const double b = test_objective(m);
            if (r.maximize ? a > b : a < b) ++better;
        }
        rank.push_back(better + 1);
    }
    return rank;
}

/// The model's first sentences: trial counts, the best on valid, what is missing.
std::string summary(const ModelAnalysis& ma, const ExperimentConfig& cfg) {
    const ModelResult& r = ma.result;
    const MeasureResult& best = r.best();
    std::string text = std::to_string(ma.trials.n_complete) + " complete trials";
    if (ma.trials.n_failed > 0) text += ", " + std::to_string(ma.trials.n_failed) + " failed";
    if (ma.trials.n_pruned > 0) text += ", " + std::to_string(ma.trials.n_pruned) + " pruned";
    text += ". Best on valid: " + best.config.describe() + " with " + r.objective + " " +
            format_number(best.valid_value, NumberFormat::Fixed, 4) + " on valid and " +
            format_number(test_objective(best), NumberFormat::Fixed, 4) + " on test (" +
            std::to_string(r.users.size()) + " test users).";
    std::vector<std::string> untested;
    for (const auto& m : cfg.search.measures) {
        const bool tested = std::any_of(r.measures.begin(), r.measures.end(),
                                        [&](const MeasureResult& x) { return x.measure == m; });
        if (!tested) untested.push_back(m);
    }
    if (!untested.empty()) text += " No complete trial, so not tested: " + join(untested) + ".";
    if (!ma.trials.missing_logs.empty()) {
        text += " Missing trial logs: " + join(ma.trials.missing_logs) + ".";
    }
    return text;
}

const Cell kDash{std::string("-")};

/// A number cell, or "-" for NaN.
Cell number_or_dash(double v) { return std::isnan(v) ? kDash : Cell{v}; }

/// The row of a baseline in the measure table: nothing tuned, not ranked.
std::vector<Cell> baseline_row(const BaselineResult& b) {
    // "random seed=3" → "seed=3": the settings after the name, as the measures' parameters.
    const std::string settings = b.describe().substr(b.baseline.size());
    return {baseline_label(b.baseline),
            kDash,
            b.valid_value,
            test_objective(b),
            kDash,
            kDash,
            kDash,
            settings.empty() ? std::string("-") : settings.substr(1),
            kDash,
            b.eval_seconds,
            kDash};
}

/// One row per measure: trials, valid and test score, rank, parameters, timings; then one
/// per baseline.
Table measure_table(const ModelAnalysis& ma, const ExperimentConfig& cfg) {
    const ModelResult& r = ma.result;
    const std::vector<std::int64_t> rank = test_ranks(r);
    Table t;
    t.caption =
        "Each measure's best configuration on valid, retrained on train and scored on "
        "test (best on valid first)";
    if (!r.baselines.empty()) {
        t.caption += "; the baselines after them, untuned and not ranked";
    }
    t.columns = {{"measure"},
                 {"trials", NumberFormat::Integer},
                 {"valid " + r.objective},
                 {"test " + r.objective},
                 {"test rank", NumberFormat::Integer},
                 {"k", NumberFormat::Integer},
                 {"shrink", NumberFormat::Fixed, 2},
                 {"other parameters"},
                 {"fit (s)", NumberFormat::Fixed, 3},
                 {"evaluate (s)", NumberFormat::Fixed, 3},
                 {"mean trial (s)", NumberFormat::Fixed, 3}};
    for (std::size_t i = 0; i < r.measures.size(); ++i) {
        const MeasureResult& m = r.measures[i];
        const MeasureTrials* mt = ma.trials.find(m.measure);
        const double k = param_number(m.config, "k");
        t.rows.push_back({m.measure, m.n_trials, m.valid_value, test_objective(m), rank[i],
                          std::isnan(k) ? Cell{std::string("-")}
                                        : Cell{static_cast<std::int64_t>(std::llround(k))},
                          number_or_dash(param_number(m.config, "shrink")),
                          other_params(m.config, cfg.search.fixed), m.fit_seconds, m.eval_seconds,
                          number_or_dash(mt ? mean_of(mt->seconds) : std::nan(""))});
    }
    for (const BaselineResult& b : r.baselines) t.rows.push_back(baseline_row(b));
    return t;
}

/// The `names` metrics of `scores` as cells, "-" for a metric it lacks.
std::vector<Cell> metric_cells(std::string label,
                               const std::vector<std::pair<std::string, double>>& scores,
                               const std::vector<std::pair<std::string, double>>& names) {
    std::vector<Cell> row{std::move(label)};
    for (const auto& named : names) {
        // NOTE: not a structured binding: clang 14 (the `fuzz` preset) cannot capture one in
        // a lambda (a C++20 feature it lacks).
        const std::string& name = named.first;
        const auto it = std::find_if(scores.begin(), scores.end(),
                                     [&](const auto& p) { return p.first == name; });
        row.push_back(it == scores.end() ? kDash : Cell{it->second});
    }
    return row;
}

/// Every test metric (columns of the best measure) of every measure.
Table metrics_table(const ModelResult& r) {
    const MeasureResult& best = r.best();
    Table metrics;
    metrics.caption = "All test metrics of each measure's validation winner";
    if (!r.baselines.empty()) metrics.caption += " and of each baseline";
    metrics.columns = {{"measure"}};
    for (const auto& [name, value] : best.test_metrics) metrics.columns.push_back({name});
    for (const MeasureResult& m : r.measures) {
        metrics.rows.push_back(metric_cells(m.measure, m.test_metrics, best.test_metrics));
    }
    for (const BaselineResult& b : r.baselines) {
        metrics.rows.push_back(
            metric_cells(baseline_label(b.baseline), b.test_metrics, best.test_metrics));
    }
    return metrics;
}

}  // namespace

void models_section(Document& doc, const ReportInput& input) {
    for (const ModelAnalysis& ma : input.models) {
        doc.heading(model_title(ma.model) + " (" + ma.model + ")");
        doc.paragraph(summary(ma, input.config));
        doc.table(measure_table(ma, input.config));
        doc.table(metrics_table(ma.result));
    }
}

}  // namespace knntune::exp::report
