#pragma once
/// Tree-structured Parzen Estimator sampler (Bergstra et al. 2011), in two modes:
///
/// - `TpeMode::Joint` (default): one mixture over the whole conditional tree (spec §4.3).
///   Each side (good "below" trials, other "above" trials) has one kernel per trial plus a
///   prior; a trial's kernel covers the root parameters and the branch it ran, and borrows the
///   side's branch marginal for a branch it did not run. Candidates are scored by
///   ln l(x) − ln g(x) over all active parameters, so the choice of a branch is judged together
///   with its own parameters and with the shared ones.
/// - `TpeMode::Univariate`: Optuna 3.1 `TPESampler()` behaviour — each active parameter is
///   sampled on its own with the 3.1 estimator (`KernelSettings::optuna31()`).
///
/// Both modes split all finished trials into below/above as Optuna does: Complete trials by
/// value (ties: lower trial number first), then Pruned trials (by value when they have one,
/// then by number); with constant liar, Running trials join the above set. A parameter's
/// kernels use only the trials of each side in which it is active.

#include "tuner/parzen.hpp"
#include "tuner/sampler.hpp"

namespace knntune::tuner {

/// Which TPE model to fit.
enum class TpeMode { Joint, Univariate };

/// Settings of the TPE sampler. Each field is one key of the sampler's settings table
/// (tpe_sampler.cpp), which gives its bounds and help; the initialisers are the defaults.
/// `from_json` reads the names `to_json` writes.
struct TpeSettings {
    TpeMode mode = TpeMode::Joint;
    std::size_t n_startup_trials = 10;  ///< random trials before the model is used
    /// Candidates drawn from l(x) per proposal. The joint default 64 with prior weight 2 was
    /// chosen over Optuna's 24 and 1 on the benchmark functions with held-out seeds 100..199
    /// (docs/benchmarks.md): better medians at 100 trials on F1, F3, F4 and F5.
    std::size_t n_ei_candidates = 64;
    double gamma_ratio = 0.1;    ///< size of the good set: min(ceil(ratio·n), cap), in (0, 1]
    std::size_t gamma_cap = 25;  ///< cap of the good set, ≥ 1
    bool gamma_sqrt = false;     ///< ratio·√n instead of ratio·n (hyperopt)
    double prior_weight = 2.0;   ///< raw weight of the prior kernel, > 0
    /// Kernel width floor: 0 gives Optuna's magic clip R/min(100, N + 2); Δ > 0 gives
    /// max(Δ, (N+1)^−e)·R (Watanabe 2023). The joint default 0.05 was chosen on the benchmark
    /// functions with seeds 100..119 (docs/benchmarks.md); it keeps branches explored.
    double floor_delta = 0.05;
    double floor_exponent = 2.0;                         ///< e of the floor above, ≥ 0
    WeightScheme below_weights = WeightScheme::Uniform;  ///< weights of the good set
    WeightScheme above_weights = WeightScheme::Ramp;     ///< weights of the other set
    bool constant_liar = true;                           ///< Running trials count as bad
    std::uint64_t seed = 0;  ///< recorded by `to_json`; on input the study's seed wins

    /// Optuna 3.1.0 `TPESampler(seed)` defaults (univariate, no constant liar).
    static TpeSettings optuna31(std::uint64_t seed);
    /// Parses settings with the table (unknown names, JSON types and bounds are checked, and
    /// throw `SettingsError`). `mode: univariate` starts from `optuna31(seed)` before the other
    /// settings apply. A `seed` setting is ignored: the argument `seed` wins.
    static TpeSettings from_json(const boost::json::object& o, std::uint64_t seed);
    /// Same, from settings already checked against the TPE table.
    static TpeSettings from_checked(const CheckedSettings& checked, std::uint64_t seed);
    /// Every setting, in table order, then `seed`.
    boost::json::object to_json() const;
    /// The good-set rule.
    SplitRule split() const { return {gamma_ratio, gamma_cap, gamma_sqrt}; }
    /// Kernel settings used by the joint mode.
    KernelSettings joint_kernels() const;
};

/// The TPE sampler.
class TpeSampler final : public Sampler {
  public:
    explicit TpeSampler(TpeSettings settings) : s_(settings) {}
    std::string_view name() const override { return "tpe"; }
    boost::json::object settings() const override { return s_.to_json(); }
    ParamValues sample(const SampleContext& ctx) const override;

  private:
    ParamValues sample_joint(const SampleContext& ctx, const std::vector<const FrozenTrial*>& below,
                             const std::vector<const FrozenTrial*>& above, Rng& rng) const;
    ParamValues sample_univariate(const SampleContext& ctx,
                                  const std::vector<const FrozenTrial*>& below,
                                  const std::vector<const FrozenTrial*>& above, Rng& rng) const;
    TpeSettings s_;
};

}  // namespace knntune::tuner
