/// The Warnings section: the reasons a reader should distrust the headline, each a bullet
/// starting with a bold "Warning:".

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "experiments/report/analysis.hpp"
#include "experiments/report/format.hpp"
#include "experiments/report/sections/sections.hpp"

namespace knntune::exp::report {
namespace {

/// Below this many users in valid or test, every mean and test rests on few users.
constexpr std::int64_t kMinUsers = 100;
/// Without a race, a measure with fewer complete trials than this is under-tuned.
constexpr std::int64_t kMinTrials = 8;

std::string fixed4(double v) { return format_number(v, NumberFormat::Fixed, 4); }

/// Periods with fewer than kMinUsers users.
void user_warnings(const DataSummary& data, std::vector<std::string>& out) {
    for (const auto period : {engine::Period::Valid, engine::Period::Test}) {
        const std::int64_t n = data.stats[static_cast<std::size_t>(period)].users;
        if (n >= kMinUsers) continue;
        out.push_back(std::string(engine::period_name(period)) + " has only " + std::to_string(n) +
                      " users (fewer than " + std::to_string(kMinUsers) +
                      "): the scores, intervals and tests of this report rest on few users.");
    }
}

/// Index of the first best of `values` (maximised or not).
std::size_t best_index(const std::vector<double>& values, bool maximize) {
    const auto it = maximize ? std::max_element(values.begin(), values.end())
                             : std::min_element(values.begin(), values.end());
    return static_cast<std::size_t>(it - values.begin());
}

/// The values of `m` from repeat `r`, in trial order.
std::vector<double> repeat_values(const MeasureTrials& m, int r) {
    std::vector<double> out;
    for (std::size_t i = 0; i < m.value.size(); ++i) {
        if (i >= m.repeat.size() || m.repeat[i] == r) out.push_back(m.value[i]);
    }
    return out;
}

/// Measures with too few trials, and measures whose best came in their last fifth; with
/// several repeats, each repeat is judged on its own and named.
void trial_warnings(const ModelAnalysis& ma, std::vector<std::string>& out) {
    const tuner::RaceRecord& race = ma.trials.race;
    const std::int64_t min_trials = race.empty() ? kMinTrials : race.min_trials;
    const std::string why = race.empty() ? "" : " (the race's min_trials)";
    const std::string model = model_title(ma.model) + ": ";
    const int repeats = ma.trials.n_repeats;
    for (const MeasureTrials& m : ma.trials.measures) {
        for (int r = 0; r < repeats; ++r) {
            const std::vector<double> values = repeat_values(m, r);
            const std::string where =
                repeats > 1 ? " in repeat " + std::to_string(r) : std::string();
            const auto n = static_cast<std::int64_t>(values.size());
            // A pruned trial explored its configuration too: it was found worse early.
            const auto pruned = std::count(m.pruned_repeat.begin(), m.pruned_repeat.end(), r);
            if (n + pruned < min_trials) {
                out.push_back(model + m.measure + " has only " + std::to_string(n) +
                              " complete trials" +
                              (pruned > 0 ? " and " + std::to_string(pruned) + " pruned" : "") +
                              where + ", fewer than " + std::to_string(min_trials) + why +
                              ": its best configuration is poorly explored and its rank says "
                              "little.");
            }
            if (n < 2) continue;
            const auto at = static_cast<std::int64_t>(best_index(values, ma.result.maximize)) + 1;
            if (at * 5 > n * 4) {
                out.push_back(model + m.measure + "'s best" + where + " came at its trial " +
                              std::to_string(at) + " of " + std::to_string(n) +
                              ", in the last fifth of its trials: it may be under-tuned.");
            }
        }
    }
}

/// Intervals wider than the spread of the measures' test scores.
void interval_warning(const ModelAnalysis& ma, std::vector<std::string>& out) {
    const ModelResult& r = ma.result;
    double lo = 0.0;
    double hi = 0.0;
    double narrowest = 0.0;
    std::size_t n = 0;
    for (std::size_t i = 0; i < r.measures.size(); ++i) {
        if (!ma.ci[i]) continue;
        const double v = test_objective(r.measures[i]);
        const double w = ma.ci[i]->upper - ma.ci[i]->lower;
        lo = n == 0 ? v : std::min(lo, v);
        hi = n == 0 ? v : std::max(hi, v);
        narrowest = n == 0 ? w : std::min(narrowest, w);
        ++n;
    }
    if (n < 2 || narrowest <= hi - lo) return;
    out.push_back(model_title(ma.model) + ": even the narrowest 95% interval of the measures' " +
                  "test " + r.objective + " (width " + fixed4(narrowest) +
                  ") is wider than the spread of their test scores (" + fixed4(hi - lo) +
                  "): the test data cannot rank the measures.");
}

}  // namespace

std::vector<std::string> report_warnings(const ReportInput& input) {
    std::vector<std::string> out;
    user_warnings(input.data, out);
    for (const ModelAnalysis& ma : input.models) {
        trial_warnings(ma, out);
        interval_warning(ma, out);
    }
    return out;
}

void warnings_section(Document& doc, const ReportInput& input) {
    doc.heading("Warnings");
    std::vector<std::string> w = report_warnings(input);
    if (w.empty()) {
        doc.paragraph(
            "None: enough users and trials, and the intervals are narrower than the "
            "spread of the measures' test scores.");
        return;
    }
    doc.warnings(std::move(w));
}

}  // namespace knntune::exp::report
