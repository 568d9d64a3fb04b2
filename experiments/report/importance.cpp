#include "experiments/report/importance.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>

namespace knntune::exp::report {
namespace {

constexpr const char* kMeasureKey = "algorithm";

/// The parameters of `t` (values in `from`) as values in `to`, or nothing when one of its
/// categorical choices is not a choice of `to`.
std::optional<tuner::ParamValues> values_in_space(const tuner::SearchSpace& from,
                                                  const tuner::SearchSpace& to,
                                                  const tuner::FrozenTrial& t) {
    tuner::ParamValues out(to.size(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i = 0; i < to.size(); ++i) {
        const tuner::Param& p = to.param(i);
        const std::optional<std::size_t> j = from.find(p.key);
        if (!j || *j >= t.params.size() || std::isnan(t.params[*j])) continue;
        const double v = t.params[*j];
        if (!p.distribution.is_categorical()) {
            out[i] = v;
            continue;
        }
        const auto& labels = from.param(*j).distribution.choices;
        const auto index = static_cast<std::size_t>(v);
        if (index >= labels.size()) return std::nullopt;
        const auto& choices = p.distribution.choices;
        const auto it = std::find(choices.begin(), choices.end(), labels[index]);
        if (it == choices.end()) return std::nullopt;
        out[i] = static_cast<double>(it - choices.begin());
    }
    return out;
}

/// Complete trials of `trials` whose measure is choice `choice` of `algorithm` (index `key`).
std::size_t count_choice(std::span<const tuner::FrozenTrial> trials, std::size_t key,
                         std::size_t choice) {
    return static_cast<std::size_t>(
        std::count_if(trials.begin(), trials.end(), [&](const tuner::FrozenTrial& t) {
            return key < t.params.size() && t.params[key] == static_cast<double>(choice);
        }));
}

}  // namespace

tuner::PedAnovaParams report_importance_params() { return {}; }

void append_trials_in_space(const tuner::SearchSpace& space, const tuner::TrialLog& log,
                            std::vector<tuner::FrozenTrial>& out) {
    for (const tuner::FrozenTrial& t : log.trials) {
        if (t.state != tuner::TrialState::Complete || std::isnan(t.value)) continue;
        std::optional<tuner::ParamValues> values = values_in_space(log.space, space, t);
        if (!values) continue;
        tuner::FrozenTrial mapped = t;
        mapped.params = std::move(*values);
        out.push_back(std::move(mapped));
    }
}

std::vector<ImportanceAnalysis> importance_analyses(const tuner::SearchSpace& space,
                                                    std::span<const tuner::FrozenTrial> trials,
                                                    Direction direction,
                                                    const std::vector<std::string>& measures) {
    const tuner::PedAnovaParams params = report_importance_params();
    std::vector<ImportanceAnalysis> out;
    out.push_back(
        {.n_trials = trials.size(), .params = tuner::ped_anova(space, trials, direction, params)});
    const std::optional<std::size_t> key = space.find(kMeasureKey);
    if (measures.size() < 2 || !key) return out;
    const auto& choices = space.param(*key).distribution.choices;
    for (const std::string& m : measures) {
        const auto it = std::find(choices.begin(), choices.end(), m);
        if (it == choices.end()) continue;
        tuner::PedAnovaParams p = params;
        p.where_key = kMeasureKey;
        p.where_choice = m;
        out.push_back(
            {.measure = m,
             .n_trials = count_choice(trials, *key, static_cast<std::size_t>(it - choices.begin())),
             .params = tuner::ped_anova(space, trials, direction, p)});
    }
    return out;
}

}  // namespace knntune::exp::report
