#pragma once
/// Paired statistics for comparing per-user metric vectors of two configurations on the same
/// users: Wilcoxon signed-rank test, paired bootstrap test, Holm–Bonferroni adjustment,
/// percentile bootstrap confidence intervals and effect sizes.
///
/// Every function takes plain `std::span<const double>` views so that it does not depend on
/// engine types. Inputs must be finite; a NaN or infinity throws `StatsError` naming the
/// argument and position. Bootstrap functions are deterministic for a given seed.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/error.hpp"

namespace knntune::stats {

/// Invalid input to a statistic: a NaN, unequal lengths, an empty vector, a knob out of range.
/// The message names the function and the argument.
class StatsError : public UserError {
  public:
    using UserError::UserError;
};

/// How the Wilcoxon test treats pairs with a zero difference.
enum class ZeroMethod {
    /// Drop zero differences before ranking (Wilcoxon 1945). The default: per-user metrics
    /// such as precision@10 are often tied at 0 for both configurations, and those users carry
    /// no information about which configuration is better.
    Wilcoxon,
    /// Rank zeros together with the other differences, then drop them from the statistic
    /// (Pratt 1959). Zeros then push the ranks of the non-zero differences up.
    Pratt,
};

/// The alternative hypothesis of a test of paired differences `a[i] − b[i]`.
enum class Alternative {
    TwoSided,  ///< the differences are not centred on 0
    Greater,   ///< `a` tends to be larger (one-sided)
    Less,      ///< `a` tends to be smaller (one-sided)
};

/// Knobs of `wilcoxon_signed_rank`.
struct WilcoxonParams {
    ZeroMethod zero_method = ZeroMethod::Wilcoxon;  ///< treatment of zero differences
    /// Use the exact null distribution while the number of non-zero differences is at most
    /// this; above it, the tie-corrected normal approximation. In [0, 60].
    std::size_t exact_max_n = 25;
    bool continuity = true;  ///< continuity correction of 0.5 in the normal approximation
    /// The alternative hypothesis about the differences `a[i] − b[i]`.
    Alternative alternative = Alternative::TwoSided;
};

/// Result of `wilcoxon_signed_rank`. Differences are `a[i] - b[i]`.
struct WilcoxonResult {
    std::size_t n_pairs = 0;    ///< number of input pairs
    std::size_t n_nonzero = 0;  ///< pairs with a non-zero difference (those that carry signs)
    double w_plus = 0.0;        ///< sum of the ranks of positive differences
    double w_minus = 0.0;       ///< sum of the ranks of negative differences
    double z = 0.0;             ///< standardised W+ (normal approximation); 0 when exact
    double p_value = 1.0;       ///< p-value of `params.alternative`, in [0, 1]
    bool exact = false;         ///< true when `p_value` comes from the exact distribution
    /// Matched-pairs rank-biserial correlation (W+ − W−) / (W+ + W−), in [-1, 1]; positive
    /// when `a` tends to be larger. 0 when all differences are zero.
    double rank_biserial = 0.0;
};

/// Wilcoxon signed-rank test of `a` against `b`, paired by position (Wilcoxon 1945).
///
/// Absolute differences get average ranks for ties. For at most `params.exact_max_n`
/// non-zero differences the p-value is exact: the permutation distribution of W+ under random
/// signs, given the observed (possibly tied) ranks, is enumerated by dynamic programming. For
/// more, W+ is standardised with mean Σr/2 and variance Σr²/4 over the signed ranks, which
/// equals the textbook tie-corrected variance n(n+1)(2n+1)/24 − Σ(t³−t)/48 when there are no
/// Pratt zeros, and the p-value is 2·(1 − Φ(|z|)) (two-sided), 1 − Φ(z) (`Greater`) or Φ(z)
/// (`Less`). One-sided exact p-values are the upper (`Greater`) or lower tail of W+.
///
/// `a` and `b` must have equal, non-zero length. Example:
/// `auto r = wilcoxon_signed_rank(ndcg_best, ndcg_other); if (r.p_value < 0.05) ...`
WilcoxonResult wilcoxon_signed_rank(std::span<const double> a, std::span<const double> b,
                                    const WilcoxonParams& params = {});

/// Knobs of the bootstrap functions.
struct BootstrapParams {
    std::size_t n_resamples = 10000;  ///< B, number of bootstrap resamples, >= 1
    std::uint64_t seed = 0;           ///< seed of the resampling generator
    double level = 0.95;              ///< confidence level of intervals, in (0, 1)
};

/// Result of `paired_bootstrap_test`.
struct BootstrapTestResult {
    double mean_difference = 0.0;  ///< observed mean of `a[i] - b[i]`
    double p_value = 1.0;          ///< two-sided p-value, in (0, 1]
    std::size_t n_resamples = 0;   ///< B actually used
};

/// Paired bootstrap test of H0: E[a − b] = 0 (Efron & Tibshirani 1993, §16.4).
///
/// The differences are shifted to mean zero so that they obey H0, resampled with
/// replacement B times, and the p-value is (1 + #{|mean*| >= |observed mean|}) / (B + 1).
/// Equal non-zero lengths required. Example:
/// `auto t = paired_bootstrap_test(best, other, {.n_resamples = 5000, .seed = 7});`
BootstrapTestResult paired_bootstrap_test(std::span<const double> a, std::span<const double> b,
                                          const BootstrapParams& params = {});

/// A point estimate with a two-sided confidence interval.
struct ConfidenceInterval {
    double estimate = 0.0;  ///< the statistic on the original sample
    double lower = 0.0;     ///< lower bound
    double upper = 0.0;     ///< upper bound
    double level = 0.95;    ///< confidence level, in (0, 1)
};

/// Percentile bootstrap confidence interval of the mean of `x` (Efron 1979).
///
/// The bounds are the (1−level)/2 and (1+level)/2 quantiles of B resampled means, with linear
/// interpolation between order statistics (Hyndman & Fan type 7). Non-empty `x` required.
/// Example: `auto ci = bootstrap_mean_ci(per_user_precision, {.n_resamples = 2000});`
ConfidenceInterval bootstrap_mean_ci(std::span<const double> x, const BootstrapParams& params = {});

/// Holm–Bonferroni step-down adjustment of a family of p-values (Holm 1979).
///
/// Returns the adjusted p-values in input order: with p sorted ascending,
/// adj(i) = max over j <= i of min(1, (m − j + 1)·p(j)). Each input must be in [0, 1]. Example:
/// `auto adj = holm_adjust(std::vector<double>{0.01, 0.04, 0.03});  // {0.03, 0.06, 0.06}`
std::vector<double> holm_adjust(std::span<const double> p_values);

/// Effect sizes of a paired comparison; differences are `a[i] - b[i]`.
struct PairedEffectSize {
    std::size_t n = 0;               ///< number of pairs
    double mean_a = 0.0;             ///< mean of `a`
    double mean_b = 0.0;             ///< mean of `b`
    double mean_difference = 0.0;    ///< mean of the differences, in the metric's units
    double median_difference = 0.0;  ///< median of the differences
    /// Mean difference over the standard deviation of the differences (Cohen's d_z); 0 when
    /// the differences have no spread.
    double standardized_mean_difference = 0.0;
    /// Matched-pairs rank-biserial correlation (Kerby 2014), zero differences dropped, in
    /// [-1, 1].
    double rank_biserial = 0.0;
};

/// Effect sizes of `a` against `b`, paired by position. Equal non-zero lengths required.
/// Example: `auto e = paired_effect_size(best, other); table.add(e.mean_difference);`
PairedEffectSize paired_effect_size(std::span<const double> a, std::span<const double> b);

/// Standard normal cumulative distribution function Φ(z).
double normal_cdf(double z);

/// Quantile of sorted data at probability `q` in [0, 1], linear interpolation between order
/// statistics (Hyndman & Fan type 7, numpy's default). `sorted` must be non-empty.
double quantile_sorted(std::span<const double> sorted, double q);

}  // namespace knntune::stats
