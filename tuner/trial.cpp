#include "tuner/trial.hpp"

#include <cmath>

#include "tuner/error.hpp"

namespace knntune::tuner {

std::string_view state_name(TrialState state) {
    switch (state) {
        case TrialState::Running:
            return "Running";
        case TrialState::Complete:
            return "Complete";
        case TrialState::Pruned:
            return "Pruned";
        case TrialState::Fail:
            return "Fail";
    }
    return "?";
}

TrialState parse_state(std::string_view name) {
    for (TrialState s :
         {TrialState::Running, TrialState::Complete, TrialState::Pruned, TrialState::Fail}) {
        if (state_name(s) == name) return s;
    }
    throw StorageError("unknown trial state '" + std::string(name) + "'");
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
