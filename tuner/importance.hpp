#pragma once
/// Parameter importance by PED-ANOVA (Watanabe, Bansal & Hutter 2023, "PED-ANOVA: Efficiently
/// Quantifying Hyperparameter Importance in Arbitrary Subspaces", IJCAI).
///
/// The finished trials are ranked best first. The *local* set is the top γ′ share of them (the
/// trials whose configurations are to be explained), the *global* set the top γ share (the
/// reference region; γ = 1 is every trial). For each parameter d, one-dimensional Parzen
/// estimators p_local and p_global are fitted to its values in the two sets, and its
/// importance is their Pearson divergence
///
///     D_d = ∫ p_global(x) (p_local(x) / p_global(x) − 1)² dx,
///
/// a sum over the choices for a categorical and over a grid on the internal scale for a
/// numeric parameter. A parameter whose values among the best trials look like its values among
/// all of them gets D_d ≈ 0. The paper shows that (γ′/γ)² D_d is the variance, over the global
/// region, of the marginal in x_d of the indicator "the trial is in the local set", so the
/// divergences of one analysis are comparable and are reported normalised to sum to 1.
///
/// Conditional parameters: each parameter is analysed on the trials in which it is active, so
/// the local set of `tversky.alpha` is the best γ′ share of the Tversky trials. Its importance
/// says how much it matters within its branch, not how much the branch matters (the parent
/// categorical's importance says that). See docs/importance.md.

#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "common/direction.hpp"
#include "tuner/search_space.hpp"
#include "tuner/trial.hpp"

namespace knntune::tuner {

/// Knobs of one PED-ANOVA analysis. `validate` says what is legal.
struct PedAnovaParams {
    double local_quantile = 0.1;   ///< γ′ in (0, 1): share of the best trials to explain
    double global_quantile = 1.0;  ///< γ in (γ′, 1]: share of the best trials taken as reference
    std::size_t min_local = 2;     ///< fewest local trials for a parameter to be evaluated, ≥ 1
    std::size_t n_grid = 100;      ///< grid points of a numeric parameter, ≥ 2
    double prior_weight = 1.0;     ///< raw weight of the prior kernel in both estimators, > 0
    /// Optional subset: only trials whose categorical `where_key` is active and takes the choice
    /// labelled `where_choice` (e.g. "algorithm" and "cosine"). Both empty: every trial.
    std::string where_key;
    std::string where_choice;  ///< the label; required with `where_key`

    /// Throws `SettingsError` naming the first value out of range.
    void validate() const;
};

/// The importance of one parameter.
struct ParamImportance {
    std::size_t index = 0;   ///< index of the parameter in the search space
    std::string key;         ///< its key ("k", "tversky.alpha")
    bool evaluated = false;  ///< false: its local set has fewer than `min_local` trials
    double raw = std::numeric_limits<double>::quiet_NaN();    ///< D_d ≥ 0; NaN if not evaluated
    double share = std::numeric_limits<double>::quiet_NaN();  ///< D_d / Σ D, in [0, 1]; NaN if not
    std::size_t n_trials = 0;  ///< usable trials in which it is active (after the subset)
    std::size_t n_local = 0;   ///< its local set: ⌈γ′·n_trials⌉ best of them
    std::size_t n_global = 0;  ///< its global set: ⌈γ·n_trials⌉ best of them
};

/// Pearson divergence Σ_j g_j (l_j/g_j − 1)² of two discrete distributions given as ln of
/// unnormalised weights on the same points (each span non-empty, same size, finite maximum);
/// both are normalised first. Points where g is 0 and l is not give +inf.
double pearson_divergence(std::span<const double> log_local, std::span<const double> log_global);

/// PED-ANOVA importance of every parameter of `space` (except `where_key`) over `trials`: only
/// Complete trials with a non-NaN value count (Pruned, Failed and Running trials are ignored),
/// ranked by value in `direction`, ties by trial number; each trial's `params` has one entry per
/// parameter of `space`. The result is sorted: evaluated parameters by decreasing importance
/// (ties by index), then the others by index; shares are over the evaluated ones (all 0 when
/// every divergence is 0). Deterministic: no random draws, independent of the order of `trials`.
/// Throws `SettingsError` for invalid `params` or a `where_choice` that is not a choice of
/// `where_key`, `SpaceError` for an unknown `where_key`.
std::vector<ParamImportance> ped_anova(const SearchSpace& space,
                                       std::span<const FrozenTrial> trials, Direction direction,
                                       const PedAnovaParams& params = {});

}  // namespace knntune::tuner
