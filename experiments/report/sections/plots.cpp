/// The Plots section: per model, best so far, the score distribution, the score against k
/// and shrink, and the test objective with its intervals (gnuplot SVG).

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "experiments/report/format.hpp"
#include "experiments/report/plot.hpp"
#include "experiments/report/sections/sections.hpp"

namespace knntune::exp::report {
namespace {

/// True when some measure has a finite value of `field` in a complete trial.
bool any_finite(const ModelTrials& trials, std::vector<double> MeasureTrials::*field) {
    for (const auto& m : trials.measures) {
        const auto& v = m.*field;
        if (std::any_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); })) return true;
    }
    return false;
}

/// Score against a parameter, one series per measure; a sentence instead when the search
/// fixes the parameter.
void parameter_plot(Document& doc, const ModelAnalysis& ma, const ExperimentConfig& cfg,
                    std::vector<double> MeasureTrials::*field, const std::string& name,
                    bool log_x) {
    if (const std::optional<double> fixed = fixed_search_value(cfg, name)) {
        doc.paragraph(name + " is fixed at " + short_number(*fixed) +
                      ", so there is no plot of the score against it.");
        return;
    }
    if (!any_finite(ma.trials, field)) return;
    std::vector<Series> series;
    for (const auto& m : ma.trials.measures) series.push_back({m.measure, m.*field, m.value});
    const std::string title = model_title(ma.model);
    const std::string& objective = ma.result.objective;
    auto p = plot_params(title + ": " + objective + " on valid against " + name,
                         name + (log_x ? " (log scale)" : ""), objective + " on valid");
    p.log_x = log_x;
    doc.figure(plot_scatter(series, p),
               title + ": validation " + objective + " of every complete trial against " + name +
                   (log_x ? " (logarithmic axis)" : " (linear axis, shrink 0 included)") +
                   ", one colour per measure.");
}

/// Best so far against trial number, one line per measure.
void best_so_far_plot(Document& doc, const ModelAnalysis& ma, const ExperimentConfig& cfg) {
    const bool maximize = cfg.objective.metric.direction == engine::Direction::Maximize;
    const std::string title = model_title(ma.model);
    const std::string& objective = ma.result.objective;
    // With repeats, trial numbers restart in every log: the plot shows repeat 0, and the
    // convergence plot shows all repeats against each measure's own trial count.
    std::vector<Series> lines;
    for (const auto& m : ma.trials.measures) {
        std::vector<double> number;
        std::vector<double> value;
        for (std::size_t i = 0; i < m.value.size(); ++i) {
            if (i < m.repeat.size() && m.repeat[i] != 0) continue;
            number.push_back(m.number[i]);
            value.push_back(m.value[i]);
        }
        lines.push_back({m.measure, number, best_so_far(value, maximize)});
    }
    const bool repeats = ma.trials.n_repeats > 1;
    auto p =
        plot_params(title + ": best " + objective + " so far",
                    cfg.tuner.per_measure() ? "trial number (per-measure study)" : "trial number",
                    objective + " on valid");
    const std::string cut = best_so_far_axis(lines, maximize, p);
    doc.figure(plot_lines(lines, p), title + ": best validation " + objective +
                                         " so far against trial number, one line per measure" +
                                         (repeats ? ", repeat 0 only." : ".") + cut);
}

/// The validation scores of each measure's trials.
void distribution_plot(Document& doc, const ModelAnalysis& ma) {
    const std::string title = model_title(ma.model);
    const std::string& objective = ma.result.objective;
    std::vector<Group> groups;
    for (const auto& m : ma.trials.measures) groups.push_back({m.measure, m.value});
    const auto p = plot_params(title + ": " + objective + " of the trials", "measure",
                               objective + " on valid");
    doc.figure(plot_distribution(groups, p),
               title + ": distribution of the validation " + objective +
                   " over each measure's trials (box: quartiles, whiskers: 1.5 IQR; "
                   "points: trials).");
}

/// The test objective of each measure's validation winner with its interval.
void interval_plot(Document& doc, const ModelAnalysis& ma) {
    const std::string title = model_title(ma.model);
    const std::string& objective = ma.result.objective;
    std::vector<Interval> intervals;
    for (std::size_t i = 0; i < ma.result.measures.size(); ++i) {
        if (!ma.ci[i]) continue;
        intervals.push_back(
            {ma.result.measures[i].measure, ma.ci[i]->estimate, ma.ci[i]->lower, ma.ci[i]->upper});
    }
    if (intervals.empty()) return;
    doc.figure(plot_intervals(intervals,
                              plot_params(title + ": " + objective + " on test",
                                          "measure (best on valid first)", objective + " on test")),
               title + ": test " + objective +
                   " of each measure's validation winner with its 95% bootstrap interval.");
}

}  // namespace

void plots_section(Document& doc, const ReportInput& input) {
    doc.heading("Plots");
    doc.paragraph(
        "Rendered by gnuplot. Each measure keeps its colour in every plot; scores are "
        "on valid, except in the last plot of each model, which shows test scores.");
    for (const ModelAnalysis& ma : input.models) {
        doc.heading(model_title(ma.model), 3);
        if (ma.trials.n_complete == 0) {
            doc.paragraph("No complete trial to plot.");
            continue;
        }
        best_so_far_plot(doc, ma, input.config);
        distribution_plot(doc, ma);
        parameter_plot(doc, ma, input.config, &MeasureTrials::k, "k", true);
        parameter_plot(doc, ma, input.config, &MeasureTrials::shrink, "shrink", false);
        interval_plot(doc, ma);
    }
}

}  // namespace knntune::exp::report
