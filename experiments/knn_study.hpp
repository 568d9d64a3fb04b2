#pragma once
/// The bridge between a KNN configuration and the tuner: the conditional search space over
/// similarity measures, trial → configuration, and the evaluation of one configuration.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/baselines.hpp"
#include "engine/csr.hpp"
#include "engine/metrics.hpp"
#include "engine/similarity/params.hpp"
#include "experiments/config/search_config.hpp"
#include "tuner/trial.hpp"

namespace knntune::exp {

/// One complete KNN configuration: a measure and all its parameters.
struct KnnConfig {
    std::string measure;
    engine::similarity::ParamMap params;  ///< k, shrink, own parameters and fixed ones
    /// "rp3beta k=50 shrink=3.2 alpha=0.81 beta=0.4" (numbers with 4 significant digits).
    [[nodiscard]] std::string describe() const;
};

/// The progress bar's best so far: "best 0.1161 cosine k=120 shrink=40" (the value with 4
/// significant digits, then `config.describe()`).
[[nodiscard]] std::string best_text(double value, const KnnConfig& config);

/// Parameters as a JSON object (numbers and strings), as stored in result and model files.
[[nodiscard]] boost::json::object params_to_json(const engine::similarity::ParamMap& params);
/// Parameters of `measure` as the model file stores them: each value with the type its key
/// declares (Int as a JSON integer, Real as a number, Bool as true/false, Choice as its
/// label); a value its key does not accept, or a name the measure does not declare, is kept
/// as `params_to_json` gives it.
[[nodiscard]] boost::json::object typed_params_json(const std::string& measure,
                                                    const engine::similarity::ParamMap& params);
/// Inverse of `params_to_json` and of `typed_params_json` (a JSON boolean becomes the text
/// "true" or "false", which a Bool key reads).
[[nodiscard]] engine::similarity::ParamMap params_from_json(const boost::json::object& o);

/// The configuration a trial stands for (fixed values filled in).
[[nodiscard]] KnnConfig config_from_trial(const SearchConfig& search, const tuner::Trial& trial);

/// A configuration of `measure` from parameter values (`--param NAME=VALUE`); every tuned
/// parameter must be given, fixed ones are filled in. Values are validated by the engine.
[[nodiscard]] KnnConfig config_from_values(const SearchConfig& search, const std::string& measure,
                                           const engine::similarity::ParamMap& values);

/// Timing and metrics of one evaluated configuration.
struct KnnResult {
    engine::Evaluation evaluation;  ///< metrics in the requested order, with per-user vectors
    double fit_seconds = 0.0;       ///< similarity computation
    double eval_seconds = 0.0;      ///< recommendation + metrics
    bool cache_hit = false;         ///< the similarity came from the co-occurrence cache
    [[nodiscard]] double metric(const std::string& name) const;
};

/// What a tuning trial keeps of an evaluation: the objective's value, every metric's mean,
/// the timings, and with `per_unit` the objective per evaluated user (what the race tests).
/// A worker rank sends exactly this back to rank 0.
struct TrialResult {
    double value = 0.0;
    std::vector<std::pair<std::string, double>> metrics;  ///< in the requested order
    std::vector<double> per_unit;
    double fit_seconds = 0.0;
    double eval_seconds = 0.0;
    bool cache_hit = false;
};

/// The `TrialResult` of `r` for the objective `objective` (ParamError when it was not
/// computed); the per-user vector only with `per_unit`.
[[nodiscard]] TrialResult trial_result(const KnnResult& r, const std::string& objective,
                                       bool per_unit);

/// The stages of a pruned evaluation: nested prefixes of a seeded order of the evaluated
/// units (the users with an item in the target, numbered 0.. in ascending user order).
struct PruneStages {
    std::vector<std::size_t> order;   ///< a permutation of the unit numbers
    std::vector<std::size_t> checks;  ///< units evaluated at each check, ascending, < |order|
};

/// The stages for `n_units` units: the first check after max(`min_units`, ⌈first · n_units⌉)
/// units, each next one after twice as many, while fewer than all; none when `first` is 0.
/// The order is a Fisher–Yates shuffle drawn from `Rng(seed, 0)`.
[[nodiscard]] PruneStages prune_stages(std::size_t n_units, double first, std::size_t min_units,
                                       std::uint64_t seed);

/// Asked after each check of a staged evaluation with the units evaluated so far (in stage
/// order) and the objective of each; true stops the evaluation there.
using StageCheck =
    std::function<bool(std::span<const std::size_t> units, std::span<const double> values)>;

/// What a staged evaluation gives: the full result, or where it stopped.
struct StagedResult {
    KnnResult result;               ///< complete when `stopped_units` is 0
    std::size_t stopped_units = 0;  ///< units evaluated when a check stopped it, else 0
    double partial_value = 0.0;     ///< the objective's mean over those units
};

/// Everything that stays the same across the trials of one study: the matrices, the
/// metrics, the evaluated users, item popularity and (optionally) the co-occurrence cache.
class KnnEvaluator {
  public:
    /// `cache_max_pairs` bounds the co-occurrence cache (0: no cache).
    KnnEvaluator(const engine::CsrMatrix& train, const engine::CsrMatrix& target,
                 engine::similarity::Orientation orientation,
                 std::vector<engine::MetricSpec> metrics, std::size_t cache_max_pairs = 0);
    ~KnnEvaluator();

    /// Fits `config` on train, recommends the top-N (N = the largest cut-off) to every user
    /// with at least one item in target, and scores the lists. User-KNN computes only the
    /// similarity rows of those users, the only rows its recommendation reads. Thread-safe.
    [[nodiscard]] KnnResult evaluate(const KnnConfig& config) const;
    /// Same, with the similarity given (fitted elsewhere, e.g. split across ranks);
    /// `fit_seconds` is reported as given.
    [[nodiscard]] KnnResult evaluate_similarity(const engine::CsrMatrix& similarity,
                                                double fit_seconds) const;
    /// Recommends the lists of `baseline` (random draws with `seed`) to the same users with
    /// the same length as `evaluate`, and scores them the same way; fit_seconds is 0 (the
    /// baselines fit nothing). Thread-safe.
    [[nodiscard]] KnnResult evaluate_baseline(engine::Baseline baseline, std::uint64_t seed) const;
    /// `evaluate` in the stages of `stages`: after each check, `check` sees the objective
    /// `objective` of the units so far and may stop it. Item-KNN fits once and recommends per
    /// stage; user-KNN also fits only each stage's rows. Not stopped, the result is that of
    /// `evaluate`, value for value (each user's list does not depend on the others). Thread-safe.
    [[nodiscard]] StagedResult evaluate_staged(const KnnConfig& config,
                                               const std::string& objective,
                                               const PruneStages& stages,
                                               const StageCheck& check) const;
    /// Users evaluated (those with an item in target), ascending: unit i is `units()[i]`.
    [[nodiscard]] const std::vector<engine::Index>& units() const { return units_; }
    /// The similarity matrix of `config` on train (from the cache when it applies). Item-KNN
    /// rows hold the ranked entries in an unspecified order (the recommendation reads S by
    /// columns); user-KNN rows are ranked.
    [[nodiscard]] engine::CsrMatrix fit(const KnnConfig& config, bool* cache_hit = nullptr) const;

    /// Pairs held by the cache (0 when there is none) and its bytes.
    [[nodiscard]] engine::Offset cache_pairs() const;
    [[nodiscard]] std::size_t cache_bytes() const;

  private:
    /// `fit`, or with `rows` (length: rows of S) only the rows it marks, each the same as
    /// `fit` gives it (the others empty), when the measure takes a selection.
    [[nodiscard]] engine::CsrMatrix fit_rows(const KnnConfig& config, bool* cache_hit,
                                             const std::vector<std::uint8_t>* rows) const;
    /// Whether `fit_rows` computes only the rows asked for `config` (else all of them).
    [[nodiscard]] bool fits_rows(const KnnConfig& config) const;

    const engine::CsrMatrix& train_;
    const engine::CsrMatrix& target_;
    engine::similarity::Orientation orientation_;
    std::vector<engine::MetricSpec> metrics_;
    std::vector<engine::Offset> popularity_;
    std::vector<std::uint8_t> user_mask_;
    std::vector<engine::Index> units_;
    engine::Index top_n_ = 1;
    struct Cache;
    std::unique_ptr<Cache> cache_;
};

/// One-off evaluation (no cache): `KnnEvaluator(train, target, orientation,
/// metrics).evaluate(config)`.
[[nodiscard]] KnnResult evaluate_knn(const engine::CsrMatrix& train,
                                     const engine::CsrMatrix& target,
                                     engine::similarity::Orientation orientation,
                                     const KnnConfig& config,
                                     const std::vector<engine::MetricSpec>& metrics);

/// One-off evaluation of a baseline on the users and metrics `evaluate_knn` uses:
/// `KnnEvaluator(train, target, any orientation, metrics).evaluate_baseline(baseline, seed)`.
[[nodiscard]] KnnResult evaluate_baseline(const engine::CsrMatrix& train,
                                          const engine::CsrMatrix& target,
                                          engine::Baseline baseline, std::uint64_t seed,
                                          const std::vector<engine::MetricSpec>& metrics);

/// The similarity matrix of `config` on `train` (items × items or users × users).
[[nodiscard]] engine::CsrMatrix fit_knn(const engine::CsrMatrix& train,
                                        engine::similarity::Orientation orientation,
                                        const KnnConfig& config);

}  // namespace knntune::exp
