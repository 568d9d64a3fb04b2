/// The Convergence section: per model, each measure's best validation score so far against its
/// own complete-trial count (1, 2, 3, ... of its own trials); with repeats, the median over the
/// repeats as the line and the min–max range as a band (gnuplot SVG).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/assert.hpp"
#include "experiments/report/format.hpp"
#include "experiments/report/plot.hpp"
#include "experiments/report/sections/sections.hpp"

namespace knntune::exp::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The median of `v` (mean of the two middle values for an even count); NaN when empty.
double median(std::vector<double> v) {
    if (v.empty()) return kNaN;
    std::sort(v.begin(), v.end());
    const std::size_t mid = v.size() / 2;
    return v.size() % 2 == 1 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
}

/// Per repeat of `m` (ascending): the best so far after each of its trials, in number order.
std::vector<std::vector<double>> repeat_curves(const MeasureTrials& m, bool maximize) {
    KNNTUNE_ASSERT(m.value.size() == m.number.size());
    KNNTUNE_ASSERT(m.repeat.empty() || m.repeat.size() == m.number.size());
    std::map<int, std::vector<std::pair<double, double>>> trials;  // repeat → (number, value)
    for (std::size_t i = 0; i < m.number.size(); ++i) {
        trials[m.repeat.empty() ? 0 : m.repeat[i]].emplace_back(m.number[i], m.value[i]);
    }
    std::vector<std::vector<double>> curves;
    for (auto& [repeat, t] : trials) {
        std::stable_sort(t.begin(), t.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        std::vector<double> values;
        for (const auto& [number, value] : t) values.push_back(value);
        curves.push_back(best_so_far(values, maximize));
    }
    return curves;
}

/// The convergence plot of one model: one line (and band) per measure, in trial-table order,
/// so that each measure keeps its colour.
void convergence_plot(Document& doc, const ModelAnalysis& ma, bool maximize) {
    const std::string title = model_title(ma.model);
    const std::string& objective = ma.result.objective;
    std::vector<Band> bands;
    std::vector<Series> lines;
    std::size_t repeats = 0;
    for (const MeasureTrials& m : ma.trials.measures) {
        ConvergenceLine l = convergence_line(m, maximize);
        repeats = std::max(repeats, l.n_repeats);
        lines.push_back({m.measure, l.count, l.value});
        bands.push_back({m.measure, std::move(l.count), std::move(l.value), std::move(l.low),
                         std::move(l.high)});
    }
    auto p = plot_params(title + ": best " + objective + " so far per measure",
                         "complete trials of the measure", objective + " on valid");
    const std::string cut = best_so_far_axis(lines, maximize, p);
    const std::string over_repeats =
        repeats > 1 ? " Lines: the median over the repeats of the best so far, up to the number "
                      "of trials every repeat of the measure reached; shaded: the range (min–max) "
                      "over the repeats."
                    : "";
    doc.figure(plot_bands(bands, p),
               title + ": best validation " + objective +
                   " so far against the measure's own number of complete trials, one line per "
                   "measure." +
                   over_repeats + cut);
}

}  // namespace

ConvergenceLine convergence_line(const MeasureTrials& m, bool maximize) {
    const std::vector<std::vector<double>> curves = repeat_curves(m, maximize);
    ConvergenceLine line;
    line.n_repeats = curves.size();
    if (curves.empty()) return line;
    std::size_t n = curves.front().size();
    for (const auto& c : curves) n = std::min(n, c.size());
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<double> at;
        for (const auto& c : curves) {
            if (std::isfinite(c[i])) at.push_back(c[i]);
        }
        line.count.push_back(static_cast<double>(i + 1));
        line.value.push_back(curves.size() == 1 ? curves.front()[i] : median(at));
        if (curves.size() == 1) continue;
        line.low.push_back(at.empty() ? kNaN : *std::min_element(at.begin(), at.end()));
        line.high.push_back(at.empty() ? kNaN : *std::max_element(at.begin(), at.end()));
    }
    return line;
}

void convergence_section(Document& doc, const ReportInput& input) {
    doc.heading("Convergence");
    doc.paragraph(
        "How fast each measure's search settles: the best validation score so far after each "
        "of the measure's own complete trials (its 1st, 2nd, 3rd, ...), whatever the trials of "
        "the other measures. With repeated studies (tuner.repeats), the line is the median over "
        "the repeats and the shaded band their range. Colours as in the Plots section.");
    const bool maximize = input.config.objective.metric.direction == Direction::Maximize;
    for (const ModelAnalysis& ma : input.models) {
        doc.heading(model_title(ma.model), 3);
        if (ma.trials.n_complete == 0) {
            doc.paragraph("No complete trial to plot.");
            continue;
        }
        convergence_plot(doc, ma, maximize);
    }
}

}  // namespace knntune::exp::report
