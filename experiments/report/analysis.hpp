#pragma once
/// The model analysis of the report: each model's trials summarised per measure, the bootstrap
/// intervals of its test objective and the paired tests of its measures and baselines against
/// the best measure, Holm-adjusted.
///
/// Everything here is a function of the run folder's files and the config's seeds; the
/// sections only format it.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/paired_stats.hpp"
#include "experiments/config/experiment_config.hpp"
#include "experiments/run/results.hpp"
#include "tuner/importance.hpp"
#include "tuner/storage.hpp"

namespace knntune::exp::report {

// The paired statistics of common/paired_stats.hpp, as the report uses them.
using stats::bootstrap_mean_ci;
using stats::ConfidenceInterval;
using stats::holm_adjust;
using stats::paired_bootstrap_test;
using stats::paired_effect_size;
using stats::PairedEffectSize;
using stats::wilcoxon_signed_rank;

inline constexpr double kSignificance = 0.05;  ///< level of the "significant" column
inline constexpr double kConfidence = 0.95;    ///< level of every bootstrap interval

/// The finished trials of one measure, in trial order (log by log).
struct MeasureTrials {
    std::string measure{};
    std::vector<double> number{};  ///< trial numbers of the complete trials
    /// Parallel to `number`: the repeat of the study each trial belongs to (`log_repeat` of
    /// its log), 0 without repeats. Trial numbers count within one repeat's log.
    std::vector<int> repeat{};
    std::vector<double> value{};    ///< their objective on valid
    std::vector<double> k{};        ///< their k (NaN when absent)
    std::vector<double> shrink{};   ///< their shrink (NaN when absent)
    std::vector<double> seconds{};  ///< their durations, wall-clock seconds
    std::int64_t n_failed = 0;
    std::int64_t n_pruned = 0;
    std::vector<int> pruned_repeat{};  ///< the repeat of each pruned trial
};

/// The PED-ANOVA importance (tuner/importance.hpp) of one set of a model's trials.
struct ImportanceAnalysis {
    std::string measure{};     ///< empty: every trial of the model, else that measure's trials
    std::size_t n_trials = 0;  ///< complete trials with a value in the set
    /// Per parameter, in `tuner::ped_anova`'s order: the evaluated ones by decreasing
    /// importance, then those with too few trials (`evaluated` false).
    std::vector<tuner::ParamImportance> params{};
};

/// All trials of a model, one entry per configured measure, in config order (so that a
/// measure has the same colour in every plot of the report), then any other measure found in
/// the logs.
struct ModelTrials {
    std::vector<MeasureTrials> measures{};
    std::int64_t n_complete = 0;
    std::int64_t n_failed = 0;
    std::int64_t n_pruned = 0;
    std::vector<std::string> missing_logs{};  ///< file names of logs that do not exist
    /// The race record of the model's trial log; empty unless `tuner.strategy` is race.
    tuner::RaceRecord race{};
    /// Every race record of the model's logs, one per repeat (tuner.repeats), in log order;
    /// `race` is the first.
    std::vector<tuner::RaceRecord> races{};
    /// The repeats the trials come from (1 + the largest repeat index seen).
    int n_repeats = 1;
    /// The parameter importance over every complete trial (the measure choice `algorithm`
    /// included), then, with two or more configured measures, over each configured measure's
    /// own trials in config order (`algorithm` left out). Trials of every log (repeats
    /// included) count, mapped into the config's search space.
    std::vector<ImportanceAnalysis> importance{};

    /// The trials of `measure`, or null.
    [[nodiscard]] const MeasureTrials* find(const std::string& measure) const;
};

/// A paired comparison of a reference (best on valid) with one other configuration.
struct Comparison {
    std::string name{};     ///< the other configuration's measure or baseline
    bool baseline = false;  ///< the other configuration is a baseline
    PairedEffectSize effect{};
    double p_value = 1.0;
    double p_holm = 1.0;        ///< Holm-adjusted within the model; = p_value when alone
    std::size_t n_nonzero = 0;  ///< Wilcoxon only
};

/// Everything the report shows about one model.
struct ModelAnalysis {
    std::string model{};   ///< "item_knn" | "user_knn"
    ModelResult result{};  ///< test-MODEL.json
    ModelTrials trials{};
    /// Per measure (result order): the CI of the test objective, when per-user values exist.
    std::vector<std::optional<ConfidenceInterval>> ci{};
    /// Per baseline (result order): the CI of its test objective, when per-user values exist.
    std::vector<std::optional<ConfidenceInterval>> baseline_ci{};
    /// Per measure other than the first (result order), then per baseline, with per-user
    /// values on the same users: the paired comparison with the first measure. One Holm
    /// family: the baselines count towards the adjustment.
    std::vector<Comparison> comparisons{};
    bool has_per_user = false;  ///< the best measure has per-user objective values
    /// Index (result order) of the measure whose validation winner scores best on test.
    std::size_t test_best = 0;
    /// Per other measure with per-user values on the same users (result order): the paired
    /// test, two-sided, of the test-best measure against it, Holm-adjusted over these
    /// comparisons only (no baselines).
    std::vector<Comparison> test_best_comparisons{};
};

/// The repeat of a trial log, from its file name: N for `NAME.rN.h5` (one or more decimal
/// digits), 0 for any other name (repeat 0 has no suffix). `trials-item_knn.r1.h5` → 1,
/// `trials-item_knn-cosine.r2.h5` → 2, `trials-item_knn.h5` → 0.
[[nodiscard]] int log_repeat(const std::filesystem::path& log);

/// Reads the trial logs `logs` of one model (a missing log is listed, not an error); the
/// trials are turned into configurations by the config's search space.
[[nodiscard]] ModelTrials read_model_trials(const ExperimentConfig& cfg,
                                            const std::vector<std::filesystem::path>& logs);

/// The intervals and paired tests of the test result of `model`, per `cfg.report`.
[[nodiscard]] ModelAnalysis analyse_model(const ExperimentConfig& cfg, std::string model,
                                          ModelResult result, ModelTrials trials);

/// True when `report.test` asks for the paired bootstrap test rather than Wilcoxon.
[[nodiscard]] bool bootstrap_test(const ExperimentConfig& cfg);

/// The paired test chosen by `report.test` of `a` against `b` (same users, same order), with
/// effect sizes; p_holm is left at p_value.
[[nodiscard]] Comparison paired_test(const ExperimentConfig& cfg, std::span<const double> a,
                                     std::span<const double> b);

/// The per-user values of `metric` for `m`, or null when the metric has none (e.g. coverage).
[[nodiscard]] const std::vector<double>* per_user(const MeasureResult& m,
                                                  const std::string& metric);

/// The per-user values of `metric` for the baseline `b`, or null when it has none.
[[nodiscard]] const std::vector<double>* per_user(const BaselineResult& b,
                                                  const std::string& metric);

/// The test value of the objective (the first test metric) of `m`.
[[nodiscard]] double test_objective(const MeasureResult& m);
/// The test value of the objective of the baseline `b`.
[[nodiscard]] double test_objective(const BaselineResult& b);

}  // namespace knntune::exp::report
