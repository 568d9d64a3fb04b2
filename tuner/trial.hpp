#pragma once
/// Trials: their states, the frozen record kept by storages and samplers, and the read-only
/// view an objective receives.

#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "common/direction.hpp"
#include "tuner/search_space.hpp"

namespace knntune::tuner {

/// Life cycle of a trial. Running trials hold their full proposed configuration.
enum class TrialState { Running, Complete, Pruned, Fail };

/// "Running", "Complete", "Pruned", "Fail".
std::string_view state_name(TrialState state);
/// Inverse of `state_name`; throws `StorageError` on an unknown name.
TrialState parse_state(std::string_view name);

/// Everything recorded about one trial.
struct FrozenTrial {
    std::int64_t number = 0;  ///< 0-based, dense, never reused
    TrialState state = TrialState::Running;
    double value = std::numeric_limits<double>::quiet_NaN();  ///< objective value; NaN if none
    ParamValues params;                     ///< external values, NaN when inactive
    std::map<std::string, double> metrics;  ///< extra metrics reported by the objective
    double start_time = std::numeric_limits<double>::quiet_NaN();  ///< seconds since the epoch
    double end_time = std::numeric_limits<double>::quiet_NaN();    ///< NaN while running
    std::string error;  ///< failure text (Fail), else empty

    bool is_finished() const { return state != TrialState::Running; }
    /// end − start in seconds; NaN while running.
    double duration() const { return end_time - start_time; }
};

/// True when Complete trial `a` beats Complete trial `b` in direction `d`: a better value, or
/// the same value and a lower number (so the earliest of equal trials wins).
bool better_trial(const FrozenTrial& a, const FrozenTrial& b, Direction d);

/// The best Complete trial of `trials` (ties: lowest number), or null when none is Complete.
/// Works on any list of trials: a study's, or a log's read back with `read_trial_log`.
const FrozenTrial* best_trial(std::span<const FrozenTrial> trials, Direction d);

/// The best Complete trial per choice of categorical parameter `categorical_key` (ties: lowest
/// number), keyed by choice label; choices never tried (or never active) are absent. Throws
/// `SpaceError` for an unknown key and `StudyError` when it is not categorical.
std::map<std::string, FrozenTrial> best_trials_by(const SearchSpace& space,
                                                  std::span<const FrozenTrial> trials, Direction d,
                                                  std::string_view categorical_key);

/// What an objective returns: the value to optimise plus named extra metrics.
struct Evaluation {
    double value = std::numeric_limits<double>::quiet_NaN();
    std::map<std::string, double> metrics;
};

/// Thrown by an objective to end its trial as Pruned instead of Complete, optionally with what
/// it had measured when it stopped (e.g. the objective over the units evaluated so far).
class TrialPruned : public std::exception {
  public:
    TrialPruned() = default;
    explicit TrialPruned(Evaluation partial) : partial_(std::move(partial)) {}
    const char* what() const noexcept override { return "trial pruned"; }
    const Evaluation& partial() const { return partial_; }

  private:
    Evaluation partial_;
};

/// The objective's view of a trial: its number and parameter values, looked up by key
/// ("tversky.alpha") or, for an active parameter, by local name ("alpha").
class Trial {
  public:
    Trial(const SearchSpace& space, const FrozenTrial& frozen) : space_(&space), t_(&frozen) {}

    std::int64_t number() const { return t_->number; }
    /// True when the parameter exists and is active in this trial.
    bool has(std::string_view name) const;
    /// External value (categorical: the choice index). Throws `StudyError` when unknown or
    /// inactive.
    double value(std::string_view name) const;
    /// Value of an int parameter.
    std::int64_t int_value(std::string_view name) const;
    /// Label of a categorical parameter's choice.
    const std::string& choice(std::string_view name) const;
    /// Active parameters, key → external value.
    std::map<std::string, double> params() const;
    const ParamValues& values() const { return t_->params; }
    const SearchSpace& space() const { return *space_; }

  private:
    std::size_t resolve(std::string_view name) const;
    const SearchSpace* space_;
    const FrozenTrial* t_;
};

}  // namespace knntune::tuner
