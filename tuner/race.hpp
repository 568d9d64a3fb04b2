#pragma once
/// A race between the choices ("arms") of one root categorical of a search space, e.g. the
/// similarity measures of `algorithm`: a budget strategy for comparing the arms rather than for
/// finding the single best configuration fast.
///
/// Racing follows F-Race and irace (Birattari et al. 2002; López-Ibáñez et al. 2016): candidates
/// are evaluated side by side and a candidate is dropped as soon as a statistical test says it
/// is worse than the best one. Here the candidates are the arms, each arm's strength is its best
/// configuration so far, and the test is paired over units (the users of a recommender's
/// validation period), in the way Optuna's WilcoxonPruner compares a trial with the best one
/// over instances.
///
/// The schedule, in rounds:
/// - *Start:* every arm gets `min_trials` trials before any test.
/// - *Rounds:* each round gives every racing arm ⌈arms / racing arms⌉ trials (so a round keeps
///   about `arms` trials, which keeps `parallel_trials` busy), in the order of the arms' current
///   bests. All trials of a round are asked together, before any of them runs.
/// - *Tests:* whenever every racing arm has at least `next_check` trials (first `min_trials`,
///   then every `check_every` more), the leader (the racing arm with the best value; ties: the
///   lower trial number) is compared with every other racing arm that has a complete trial: a
///   one-sided Wilcoxon signed-rank test (zero differences dropped, normal approximation with
///   continuity correction above 25 non-zero pairs) of "the leader's best is better per unit",
///   Holm-adjusted over the arms tested. A significant test is a *strike* unless the arm's best
///   improved since its previous test (a test that is not significant clears the strikes). An
///   arm with `confirm` strikes stops: it gets no more trials and keeps its results. (This
///   protects an arm whose first trials all missed and that is still climbing.) The trial log
///   records every test.
/// - The race ends when the study has `n_trials` finished trials (or the timeout passes).
/// - *Pruning* (`prune_alpha` > 0): each trial gets its arm's best before its round as a
///   `PruneReference`, which a staged objective uses to stop early; the round's first number
///   is recorded (`RaceRecord::round_start`) before the round is asked, so a resumed round
///   prunes against the same trial. Pruned trials never become an arm's best.
///
/// Each arm's trials are sampled from that arm's trials only (`make_arm_sampler`): its own
/// model of k, shrink and its own parameters. Trial numbers, the arm of each trial and the
/// history each sampler sees depend only on finished rounds, never on `parallel_trials`,
/// thread timing or a kill: the same seed gives the same trials at any thread count and batch
/// size, and a resumed race (Running trials re-run first) continues exactly.

#include <oneapi/tbb/task_arena.h>

#include <boost/json/object.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tuner/study.hpp"

namespace knntune::tuner {

/// What a race objective returns: the trial's evaluation and the objective per unit (user),
/// over the same units in every trial. `per_unit` is held for each arm's best trial only.
struct RaceEvaluation {
    Evaluation evaluation;
    std::vector<double> per_unit;
};

/// Evaluates one trial of a race. Throwing fails the trial, as in `Study::optimize`.
using RaceObjective = std::function<RaceEvaluation(const Trial&)>;

/// What a race trial may be pruned against (`RaceParams::prune_alpha` > 0): the per-unit
/// values of its arm's best Complete trial among the trials numbered below the trial's round
/// (the best when the round was asked, also after a kill and resume). An objective that
/// evaluates the units in stages calls `worse` after each stage and throws `TrialPruned` when it
/// returns true; it must evaluate every unit before it completes.
struct PruneReference {
    const std::vector<double>* per_unit = nullptr;  ///< null: nothing to prune against
    Direction direction = Direction::Maximize;
    double alpha = 0.0;
    /// Whether a trial with `values[i]` on unit `units[i]` (an index into `per_unit`) is
    /// significantly worse than the reference on those units: a one-sided Wilcoxon
    /// signed-rank test of "the reference is better per unit" with p < `alpha`. False without
    /// a reference. Throws `StudyError` on a unit outside the reference or unequal lengths.
    [[nodiscard]] bool worse(std::span<const std::size_t> units,
                             std::span<const double> values) const;
};

/// A race objective that may stop a trial early against its `PruneReference`.
using StagedRaceObjective = std::function<RaceEvaluation(const Trial&, const PruneReference&)>;

/// Settings of one `race` call.
struct RaceParams {
    std::string key = "algorithm";  ///< the raced root categorical
    std::int64_t n_trials = 100;    ///< finished trials of the whole study
    std::int64_t min_trials = 0;    ///< trials per arm before the first test; 0: the default
    std::int64_t check_every = 0;   ///< trials per arm between tests; 0: `min_trials`
    double alpha = 0.05;            ///< level of the Holm-adjusted test
    /// Consecutive tests an arm must be significantly worse in before it stops (>= 1).
    std::int64_t confirm = 2;
    /// Trials per round of a racing arm: "equal" (one each, scaled) or "dimension" (its number
    /// of tuned parameters, scaled), so that arms with more parameters get more trials.
    std::string allocation = "equal";
    double timeout_seconds = 0.0;  ///< stop starting rounds after this long (0: none)
    /// Stop after this many finished trials without a new best of the whole study (0: off).
    std::int64_t patience = 0;
    std::size_t parallel_trials = 1;
    std::int64_t max_failures = 0;  ///< as in `OptimizeParams`, checked after each round
    /// Level of the pruning test (`PruneReference`); 0: trials get no reference, none is pruned.
    double prune_alpha = 0.0;
    tbb::task_arena* arena = nullptr;  ///< as in `OptimizeParams`
    /// Configurations each arm runs first, in order (JSON as `Study::enqueue_json`; each must
    /// give `key`).
    std::vector<boost::json::object> enqueued;
    std::function<void(const FrozenTrial&)> on_trial_finished;
    /// Called after each test with the record and the arms it stopped.
    std::function<void(const RaceRecord&, const std::vector<std::string>&)> on_test;
};

/// The default start of each arm: max(8, n_trials / (4 · arms)).
std::int64_t default_min_trials(std::int64_t n_trials, std::size_t n_arms);

/// Wraps `inner` so that a trial whose `key` is fixed (as a race fixes it) is sampled from the
/// trials of the same choice only; other trials see the full history. With `share`, such a
/// trial sees every trial instead, each Complete value replaced by its rank quantile within
/// its own choice, so that the shared parameters learn from every arm while an arm's own
/// parameters still come from its own trials only.
std::unique_ptr<Sampler> make_arm_sampler(std::unique_ptr<Sampler> inner, std::string key,
                                          bool share = false);

/// Runs the race on `study` (whose sampler should come from `make_arm_sampler`). A resumed
/// study continues the race recorded in its log with the settings it started with. Throws
/// `SettingsError` for bad settings, `StudyError` for per-unit vectors that differ in length,
/// and `FailuresError` after a round that leaves `max_failures` failures of one kind.
OptimizeResult race(Study& study, const RaceObjective& objective, const RaceParams& params);
/// The same with an objective that can be pruned (`RaceParams::prune_alpha`).
OptimizeResult race(Study& study, const StagedRaceObjective& objective, const RaceParams& params);

}  // namespace knntune::tuner
