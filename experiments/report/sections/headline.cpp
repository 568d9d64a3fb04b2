/// The Headline section: per model, the measure that scores best on test with its interval,
/// the measures it cannot be told apart from, the baselines, item- against user-KNN, and the
/// trial budget.

#include <algorithm>
#include <string>
#include <vector>

#include "experiments/report/analysis.hpp"
#include "experiments/report/format.hpp"
#include "experiments/report/sections/sections.hpp"

namespace knntune::exp::report {
namespace {

std::string fixed4(double v) { return format_number(v, NumberFormat::Fixed, 4); }

/// "0.1950 (95% interval 0.1500–0.2400)", or the value alone when there is no interval.
std::string value_with_ci(double value, const std::optional<ConfidenceInterval>& ci) {
    if (!ci) return fixed4(value) + " (no interval: no per-user values)";
    return fixed4(value) + " (95% interval " + fixed4(ci->lower) + "–" + fixed4(ci->upper) + ")";
}

/// The test name used in sentences.
std::string test_name(const ExperimentConfig& cfg) {
    return bootstrap_test(cfg) ? "paired bootstrap" : "Wilcoxon signed-rank";
}

/// Which measures the test-best measure can and cannot be told apart from.
std::string separation_sentence(const ExperimentConfig& cfg, const ModelAnalysis& ma) {
    if (ma.test_best_comparisons.empty()) {
        return ma.result.measures.size() < 2 ? "It is the only measure tested."
                                             : "Without per-user values it was not compared with "
                                               "the other measures.";
    }
    std::vector<std::string> same;
    std::vector<std::string> worse;
    for (const Comparison& c : ma.test_best_comparisons) {
        const std::string item = c.name + " (" + p_value_text(c.p_holm) + ")";
        (c.p_holm < kSignificance ? worse : same).push_back(item);
    }
    std::string s;
    if (!same.empty()) s += "On these test users it cannot be told apart from " + join(same) + ".";
    if (!worse.empty()) {
        s += std::string(s.empty() ? "" : " ") + "It scores significantly better than " +
             join(worse) + ".";
    }
    return s + " (Two-sided " + test_name(cfg) +
           " tests, Holm-adjusted p-values. The measure was picked by its test score, which "
           "favours it in these tests: it may be indistinguishable from more measures than "
           "listed.)";
}

/// The baselines' test scores with their intervals.
std::string baseline_sentence(const ModelAnalysis& ma) {
    const ModelResult& r = ma.result;
    if (r.baselines.empty()) return "";
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < r.baselines.size(); ++i) {
        parts.push_back(r.baselines[i].baseline + " " +
                        value_with_ci(test_objective(r.baselines[i]), ma.baseline_ci[i]));
    }
    return " Baselines on test: " + join(parts, "; ") + ".";
}

/// The measures `race` stopped, in words (empty when none).
std::vector<std::string> stopped_arms(const tuner::RaceRecord& race) {
    std::vector<std::string> stopped;
    for (const tuner::RaceArm& arm : race.arms) {
        if (arm.racing) continue;
        stopped.push_back(arm.label + " after " + std::to_string(arm.n_trials) +
                          " of its trials (at trial " + std::to_string(arm.stopped_at) +
                          ", Holm-adjusted " + p_value_text(arm.p_value) + " against " +
                          arm.leader + " on valid)");
    }
    return stopped;
}

/// The races' stopped measures, in words, per repeat when there are several; "" when the
/// study was not a race.
std::string race_sentence(const std::vector<tuner::RaceRecord>& races) {
    if (races.empty()) return "";
    if (races.size() == 1) {
        const std::vector<std::string> stopped = stopped_arms(races.front());
        if (stopped.empty()) return " The race stopped no measure.";
        return " The race stopped " + join(stopped, "; ") + ".";
    }
    std::string text;
    for (std::size_t r = 0; r < races.size(); ++r) {
        const std::vector<std::string> stopped = stopped_arms(races[r]);
        if (!stopped.empty()) {
            text += " In repeat " + std::to_string(r) + " the race stopped " + join(stopped, "; ") +
                    ".";
        }
    }
    if (text.empty()) {
        return " The race stopped no measure in any of the " + std::to_string(races.size()) +
               " repeats.";
    }
    return text;
}

/// Trials per measure (min–max) and, for a race, which measures it stopped.
std::string budget_sentence(const ModelAnalysis& ma) {
    std::size_t lo = 0;
    std::size_t hi = 0;
    bool first = true;
    for (const MeasureTrials& m : ma.trials.measures) {
        const std::size_t n = m.value.size();
        lo = first ? n : std::min(lo, n);
        hi = first ? n : std::max(hi, n);
        first = false;
    }
    const std::string range =
        lo == hi ? std::to_string(lo) : std::to_string(lo) + "–" + std::to_string(hi);
    const int repeats = ma.trials.n_repeats;
    return "Budget: " + range + " complete trials per measure (" +
           (repeats > 1 ? "over " + std::to_string(repeats) + " repeats, " : "") +
           std::to_string(ma.trials.n_complete) + " in all" +
           (ma.trials.n_pruned > 0 ? ", besides " + std::to_string(ma.trials.n_pruned) +
                                         (ma.trials.n_pruned == 1 ? " trial" : " trials") +
                                         " pruned early as worse than their measure's best"
                                   : "") +
           ")." + race_sentence(ma.trials.races);
}

/// The headline paragraph of one model.
std::string model_sentence(const ExperimentConfig& cfg, const ModelAnalysis& ma) {
    const ModelResult& r = ma.result;
    const MeasureResult& best = r.measures[ma.test_best];
    std::string s = model_title(ma.model) + ": " + best.measure + " scores best on test, " +
                    r.objective + " " + value_with_ci(test_objective(best), ma.ci[ma.test_best]) +
                    " over " + std::to_string(r.users.size()) + " test users";
    s += ma.test_best == 0 ? "; it is also the best on valid. "
                           : "; the best on valid was " + r.best().measure + " (test " +
                                 fixed4(test_objective(r.best())) + "). ";
    return s + separation_sentence(cfg, ma) + baseline_sentence(ma);
}

/// Item- against user-KNN: the best on test of each, and whether they differ significantly.
std::string models_sentence(const ExperimentConfig& cfg, const ModelAnalysis& a,
                            const ModelAnalysis& b) {
    const MeasureResult& ba = a.result.measures[a.test_best];
    const MeasureResult& bb = b.result.measures[b.test_best];
    std::string s = "Best of each model on test: " + model_title(a.model) + " " + ba.measure + " " +
                    fixed4(test_objective(ba)) + ", " + model_title(b.model) + " " + bb.measure +
                    " " + fixed4(test_objective(bb)) + "; ";
    const auto* va = per_user(ba, a.result.objective);
    const auto* vb = per_user(bb, b.result.objective);
    if (!va || !vb || a.result.users != b.result.users) {
        return s +
               "they were not scored on the same users with per-user values, so they are "
               "not compared.";
    }
    const Comparison c = paired_test(cfg, *va, *vb);
    return s +
           (c.p_value < kSignificance ? "the difference is significant"
                                      : "they cannot be told apart") +
           " (two-sided " + test_name(cfg) + " test over " + std::to_string(va->size()) +
           " common test users, mean difference " + fixed4(c.effect.mean_difference) + ", " +
           p_value_text(c.p_value) + ").";
}

}  // namespace

void headline_section(Document& doc, const ReportInput& input) {
    doc.paragraph("Generated by knntune " KNNTUNE_VERSION
                  " from the run folder's trial logs, test results and model file.");
    doc.heading("Headline");
    for (const ModelAnalysis& ma : input.models) {
        doc.paragraph(model_sentence(input.config, ma));
        doc.paragraph(budget_sentence(ma));
    }
    if (input.models.size() >= 2) {
        doc.paragraph(models_sentence(input.config, input.models[0], input.models[1]));
    }
}

}  // namespace knntune::exp::report
