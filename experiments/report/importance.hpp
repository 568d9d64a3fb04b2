#pragma once
/// The report's parameter importance: PED-ANOVA (tuner/importance.hpp, docs/importance.md) over
/// a model's trials, once over all of them and once per measure over that measure's own.
///
/// A model's trials may come from several logs (one per measure with `tuner.strategy:
/// per_measure`, one per repeat), each with its own search space. They are first mapped into
/// one space, the config's search space over all its measures, so that one analysis can take
/// them all.

#include <span>
#include <string>
#include <vector>

#include "common/direction.hpp"
#include "experiments/report/analysis.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/search_space.hpp"
#include "tuner/trial.hpp"

namespace knntune::exp::report {

/// The settings of the report's analyses: `tuner::PedAnovaParams`' defaults (γ′ = 0.1, γ = 1,
/// at least `min_local` = 2 trials in a local set), as `knntune trials --importance` uses them.
[[nodiscard]] tuner::PedAnovaParams report_importance_params();

/// Appends to `out` the Complete trials of `log` that have a value, with their parameters
/// re-indexed from the log's search space into `space` by key: a categorical choice by its
/// label, a parameter the log lacks as inactive (NaN). A trial whose choice `space` does not
/// have is left out.
void append_trials_in_space(const tuner::SearchSpace& space, const tuner::TrialLog& log,
                            std::vector<tuner::FrozenTrial>& out);

/// The importance over `trials` (parameters in `space`), ranked in `direction`, then, when
/// `measures` has two or more entries, over each measure's own trials (the categorical
/// `algorithm` taking that choice), in the order of `measures`.
[[nodiscard]] std::vector<ImportanceAnalysis> importance_analyses(
    const tuner::SearchSpace& space, std::span<const tuner::FrozenTrial> trials,
    Direction direction, const std::vector<std::string>& measures);

}  // namespace knntune::exp::report
