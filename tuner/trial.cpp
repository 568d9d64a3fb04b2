#include "tuner/trial.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "tuner/error.hpp"

namespace knntune::tuner {

namespace {

// Index = TrialState.
constexpr std::string_view kStateNames[] = {"Running", "Complete", "Pruned", "Fail"};
static_assert(std::size(kStateNames) == static_cast<std::size_t>(TrialState::Fail) + 1);

}  // namespace

std::string_view state_name(TrialState state) {
    return kStateNames[static_cast<std::size_t>(state)];
}

TrialState parse_state(std::string_view name) {
    const auto* it = std::find(std::begin(kStateNames), std::end(kStateNames), name);
    if (it == std::end(kStateNames)) {
        throw StorageError("unknown trial state '" + std::string(name) + "'");
    }
    return static_cast<TrialState>(it - std::begin(kStateNames));
}

bool better_trial(const FrozenTrial& a, const FrozenTrial& b, Direction d) {
    return is_better(a.value, b.value, d) || (a.value == b.value && a.number < b.number);
}

const FrozenTrial* best_trial(std::span<const FrozenTrial> trials, Direction d) {
    const FrozenTrial* best = nullptr;
    for (const FrozenTrial& t : trials) {
        if (t.state == TrialState::Complete && (!best || better_trial(t, *best, d))) best = &t;
    }
    return best;
}

std::map<std::string, FrozenTrial> best_trials_by(const SearchSpace& space,
                                                  std::span<const FrozenTrial> trials, Direction d,
                                                  std::string_view categorical_key) {
    const std::size_t p = space.index_of(categorical_key);
    const Distribution& dist = space.param(p).distribution;
    if (!dist.is_categorical()) {
        throw StudyError("best_trials_by: '" + std::string(categorical_key) + "' is " +
                         dist.describe() + ", not categorical");
    }
    std::map<std::string, const FrozenTrial*> best;
    for (const FrozenTrial& t : trials) {
        if (t.state != TrialState::Complete || std::isnan(t.params[p])) continue;
        const FrozenTrial*& b = best[dist.choices[static_cast<std::size_t>(t.params[p])]];
        if (!b || better_trial(t, *b, d)) b = &t;
    }
    std::map<std::string, FrozenTrial> out;
    for (const auto& [label, t] : best) out.emplace(label, *t);
    return out;
}

std::size_t Trial::resolve(std::string_view name) const {
    if (auto i = space_->find(name)) {
        if (std::isnan(t_->params[*i])) {
            throw StudyError("parameter '" + std::string(name) + "' is inactive in trial " +
                             std::to_string(t_->number));
        }
        return *i;
    }
    bool known = false;
    for (std::size_t i = 0; i < space_->size(); ++i) {
        if (space_->param(i).name != name) continue;
        known = true;
        if (!std::isnan(t_->params[i])) return i;
    }
    if (known) {
        throw StudyError("parameter '" + std::string(name) + "' is inactive in trial " +
                         std::to_string(t_->number));
    }
    (void)space_->index_of(name);  // throws, listing the keys
    return 0;
}

bool Trial::has(std::string_view name) const {
    for (std::size_t i = 0; i < space_->size(); ++i) {
        const Param& p = space_->param(i);
        if ((p.key == name || p.name == name) && !std::isnan(t_->params[i])) return true;
    }
    return false;
}

double Trial::value(std::string_view name) const { return t_->params[resolve(name)]; }

std::int64_t Trial::int_value(std::string_view name) const {
    return static_cast<std::int64_t>(std::llround(value(name)));
}

const std::string& Trial::choice(std::string_view name) const {
    const std::size_t i = resolve(name);
    const Distribution& d = space_->param(i).distribution;
    if (!d.is_categorical()) {
        throw StudyError("parameter '" + std::string(name) + "' is not categorical");
    }
    return d.choices[static_cast<std::size_t>(t_->params[i])];
}

std::map<std::string, double> Trial::params() const {
    std::map<std::string, double> out;
    for (std::size_t i = 0; i < space_->size(); ++i) {
        if (!std::isnan(t_->params[i])) out[space_->param(i).key] = t_->params[i];
    }
    return out;
}

}  // namespace knntune::tuner
