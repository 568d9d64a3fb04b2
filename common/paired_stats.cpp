#include "common/paired_stats.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <string>

#include "common/random.hpp"

namespace knntune::stats {
namespace {

void check_finite(std::span<const double> x, const char* func, const char* arg) {
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (!std::isfinite(x[i])) {
            throw StatsError(std::string(func) + ": " + arg + "[" + std::to_string(i) +
                             "] is not finite (" + std::to_string(x[i]) + ")");
        }
    }
}

void check_pair(std::span<const double> a, std::span<const double> b, const char* func) {
    if (a.size() != b.size()) {
        throw StatsError(std::string(func) + ": paired vectors differ in length (a has " +
                         std::to_string(a.size()) + " values, b has " + std::to_string(b.size()) +
                         ")");
    }
    if (a.empty()) throw StatsError(std::string(func) + ": paired vectors are empty");
    check_finite(a, func, "a");
    check_finite(b, func, "b");
}

void check_bootstrap(const BootstrapParams& p, const char* func) {
    if (p.n_resamples == 0) {
        throw StatsError(std::string(func) + ": n_resamples must be >= 1");
    }
    if (!(p.level > 0.0 && p.level < 1.0)) {
        throw StatsError(std::string(func) + ": level must be in (0, 1), got " +
                         std::to_string(p.level));
    }
}

std::vector<double> differences(std::span<const double> a, std::span<const double> b) {
    std::vector<double> d(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) d[i] = a[i] - b[i];
    return d;
}

/// Average ranks (1-based) of `v`, ties sharing the mean of their positions.
std::vector<double> average_ranks(std::span<const double> v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t i, std::size_t j) { return v[i] < v[j]; });
    std::vector<double> ranks(v.size());
    std::size_t start = 0;
    while (start < order.size()) {
        std::size_t end = start + 1;
        while (end < order.size() && v[order[end]] == v[order[start]]) ++end;
        // Positions start+1 .. end share their mean rank.
        const double rank = 0.5 * static_cast<double>(start + 1 + end);
        for (std::size_t k = start; k < end; ++k) ranks[order[k]] = rank;
        start = end;
    }
    return ranks;
}

/// Exact p-value of W+ = `w_plus` given the signed ranks `ranks`, for `alternative`. Ranks
/// are multiples of 1/2, so the DP runs over doubled ranks, which are integers.
double exact_p_value(std::span<const double> ranks, double w_plus, Alternative alternative) {
    std::vector<int> doubled(ranks.size());
    int total = 0;
    for (std::size_t i = 0; i < ranks.size(); ++i) {
        doubled[i] = static_cast<int>(std::lround(2.0 * ranks[i]));
        total += doubled[i];
    }
    // count[s] = number of sign patterns whose positive ranks sum to s/2; stored as
    // probabilities (each pattern has weight 2^-n) to avoid overflow.
    std::vector<double> prob(static_cast<std::size_t>(total) + 1, 0.0);
    prob[0] = 1.0;
    int reach = 0;
    for (const int r : doubled) {
        for (int s = reach; s >= 0; --s) {
            const double p = prob[static_cast<std::size_t>(s)];
            prob[static_cast<std::size_t>(s)] = 0.5 * p;
            prob[static_cast<std::size_t>(s + r)] += 0.5 * p;
        }
        reach += r;
    }
    const int observed = static_cast<int>(std::lround(2.0 * w_plus));
    double lower = 0.0;
    double upper = 0.0;
    for (int s = 0; s <= total; ++s) {
        if (s <= observed) lower += prob[static_cast<std::size_t>(s)];
        if (s >= observed) upper += prob[static_cast<std::size_t>(s)];
    }
    switch (alternative) {
        case Alternative::Greater:
            return std::min(1.0, upper);
        case Alternative::Less:
            return std::min(1.0, lower);
        case Alternative::TwoSided:
            break;
    }
    return std::min(1.0, 2.0 * std::min(lower, upper));
}

double mean_of(std::span<const double> x) {
    // NOTE: long double accumulation keeps bootstrap means of 10^5 users stable to ~1e-16.
    long double s = 0.0L;
    for (const double v : x) s += v;
    return static_cast<double>(s / static_cast<long double>(x.size()));
}

}  // namespace

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

double quantile_sorted(std::span<const double> sorted, double q) {
    if (sorted.empty()) throw StatsError("quantile_sorted: empty input");
    if (!(q >= 0.0 && q <= 1.0)) {
        throw StatsError("quantile_sorted: probability must be in [0, 1], got " +
                         std::to_string(q));
    }
    const double h = q * static_cast<double>(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

WilcoxonResult wilcoxon_signed_rank(std::span<const double> a, std::span<const double> b,
                                    const WilcoxonParams& params) {
    constexpr const char* kFunc = "wilcoxon_signed_rank";
    check_pair(a, b, kFunc);
    if (params.exact_max_n > 60) {
        throw StatsError(std::string(kFunc) + ": exact_max_n must be <= 60, got " +
                         std::to_string(params.exact_max_n));
    }
    const std::vector<double> d = differences(a, b);

    // Ranked set: all differences (Pratt) or the non-zero ones (Wilcoxon).
    std::vector<double> ranked_abs;
    std::vector<double> ranked_sign;
    for (const double v : d) {
        if (v == 0.0 && params.zero_method == ZeroMethod::Wilcoxon) continue;
        ranked_abs.push_back(std::abs(v));
        ranked_sign.push_back(v > 0.0 ? 1.0 : (v < 0.0 ? -1.0 : 0.0));
    }
    const std::vector<double> ranks = average_ranks(ranked_abs);

    WilcoxonResult res;
    res.n_pairs = d.size();
    std::vector<double> signed_ranks;  // ranks of the non-zero differences
    for (std::size_t i = 0; i < ranks.size(); ++i) {
        if (ranked_sign[i] > 0.0) res.w_plus += ranks[i];
        if (ranked_sign[i] < 0.0) res.w_minus += ranks[i];
        if (ranked_sign[i] != 0.0) signed_ranks.push_back(ranks[i]);
    }
    res.n_nonzero = signed_ranks.size();
    if (res.n_nonzero == 0) {
        // Every difference is zero: no evidence either way.
        res.p_value = 1.0;
        res.exact = true;
        return res;
    }
    res.rank_biserial = (res.w_plus - res.w_minus) / (res.w_plus + res.w_minus);

    if (res.n_nonzero <= params.exact_max_n) {
        res.exact = true;
        res.p_value = exact_p_value(signed_ranks, res.w_plus, params.alternative);
        return res;
    }
    double sum_r = 0.0;
    double sum_r2 = 0.0;
    for (const double r : signed_ranks) {
        sum_r += r;
        sum_r2 += r * r;
    }
    const double mean = 0.5 * sum_r;
    const double sd = 0.5 * std::sqrt(sum_r2);
    double dev = res.w_plus - mean;
    if (params.continuity) {
        // The half-rank correction moves W+ toward the null on the side being tested.
        switch (params.alternative) {
            case Alternative::Greater:
                dev -= 0.5;
                break;
            case Alternative::Less:
                dev += 0.5;
                break;
            case Alternative::TwoSided:
                dev = std::abs(dev) <= 0.5 ? 0.0 : dev - std::copysign(0.5, dev);
                break;
        }
    }
    res.z = dev / sd;
    switch (params.alternative) {
        case Alternative::Greater:
            res.p_value = normal_cdf(-res.z);
            break;
        case Alternative::Less:
            res.p_value = normal_cdf(res.z);
            break;
        case Alternative::TwoSided:
            res.p_value = std::min(1.0, 2.0 * normal_cdf(-std::abs(res.z)));
            break;
    }
    return res;
}

BootstrapTestResult paired_bootstrap_test(std::span<const double> a, std::span<const double> b,
                                          const BootstrapParams& params) {
    constexpr const char* kFunc = "paired_bootstrap_test";
    check_pair(a, b, kFunc);
    check_bootstrap(params, kFunc);
    std::vector<double> d = differences(a, b);
    const double observed = mean_of(d);
    for (double& v : d) v -= observed;  // impose H0: mean difference zero

    knntune::Rng rng(params.seed);
    const std::uint64_t n = d.size();
    // NOTE: a small tolerance makes resamples that reproduce |observed| up to rounding count
    // as "at least as extreme", so the test is not anti-conservative from float noise.
    const double threshold = std::abs(observed) * (1.0 - 1e-12);
    std::size_t extreme = 0;
    for (std::size_t r = 0; r < params.n_resamples; ++r) {
        long double s = 0.0L;
        for (std::uint64_t i = 0; i < n; ++i) s += d[rng.below(n)];
        const double m = static_cast<double>(s / static_cast<long double>(n));
        if (std::abs(m) >= threshold) ++extreme;
    }
    BootstrapTestResult res;
    res.mean_difference = observed;
    res.n_resamples = params.n_resamples;
    res.p_value = static_cast<double>(extreme + 1) / static_cast<double>(params.n_resamples + 1);
    return res;
}

ConfidenceInterval bootstrap_mean_ci(std::span<const double> x, const BootstrapParams& params) {
    constexpr const char* kFunc = "bootstrap_mean_ci";
    if (x.empty()) throw StatsError(std::string(kFunc) + ": input is empty");
    check_finite(x, kFunc, "x");
    check_bootstrap(params, kFunc);

    knntune::Rng rng(params.seed);
    const std::uint64_t n = x.size();
    std::vector<double> means(params.n_resamples);
    for (double& m : means) {
        long double s = 0.0L;
        for (std::uint64_t i = 0; i < n; ++i) s += x[rng.below(n)];
        m = static_cast<double>(s / static_cast<long double>(n));
    }
    std::sort(means.begin(), means.end());
    ConfidenceInterval ci;
    ci.estimate = mean_of(x);
    ci.level = params.level;
    ci.lower = quantile_sorted(means, 0.5 * (1.0 - params.level));
    ci.upper = quantile_sorted(means, 0.5 * (1.0 + params.level));
    return ci;
}

std::vector<double> holm_adjust(std::span<const double> p_values) {
    for (std::size_t i = 0; i < p_values.size(); ++i) {
        if (!(p_values[i] >= 0.0 && p_values[i] <= 1.0)) {
            throw StatsError("holm_adjust: p_values[" + std::to_string(i) + "] is not in [0, 1] (" +
                             std::to_string(p_values[i]) + ")");
        }
    }
    const std::size_t m = p_values.size();
    std::vector<std::size_t> order(m);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t i, std::size_t j) { return p_values[i] < p_values[j]; });
    std::vector<double> adjusted(m);
    double running = 0.0;
    for (std::size_t k = 0; k < m; ++k) {
        const double factor = static_cast<double>(m - k);
        running = std::max(running, std::min(1.0, factor * p_values[order[k]]));
        adjusted[order[k]] = running;
    }
    return adjusted;
}

PairedEffectSize paired_effect_size(std::span<const double> a, std::span<const double> b) {
    constexpr const char* kFunc = "paired_effect_size";
    check_pair(a, b, kFunc);
    std::vector<double> d = differences(a, b);
    PairedEffectSize e;
    e.n = d.size();
    e.mean_a = mean_of(a);
    e.mean_b = mean_of(b);
    e.mean_difference = mean_of(d);
    if (d.size() > 1) {
        double ss = 0.0;
        for (const double v : d) ss += (v - e.mean_difference) * (v - e.mean_difference);
        const double sd = std::sqrt(ss / static_cast<double>(d.size() - 1));
        e.standardized_mean_difference = sd > 0.0 ? e.mean_difference / sd : 0.0;
    }
    e.rank_biserial = wilcoxon_signed_rank(a, b, {.exact_max_n = 0}).rank_biserial;
    std::sort(d.begin(), d.end());
    e.median_difference = quantile_sorted(d, 0.5);
    return e;
}

}  // namespace knntune::stats
