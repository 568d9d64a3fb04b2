#pragma once
/// Rank correlation of two score vectors over the same items (e.g. the measures' validation
/// and test scores): Kendall's tau-b, which accounts for ties in either vector.

#include <span>

#include "common/paired_stats.hpp"

namespace knntune::stats {

/// Kendall's tau-b of `x` and `y`, paired by position (Kendall 1945):
/// (C − D) / sqrt((n0 − n1)(n0 − n2)), where C and D count concordant and discordant pairs,
/// n0 = n(n−1)/2, and n1, n2 count the pairs tied in `x` and in `y`. In [-1, 1]; NaN when
/// either vector is constant (every pair tied), so there is no ranking to compare. Equal
/// lengths of at least 2 and finite values required, else `StatsError`. O(n²): meant for a
/// handful of measures. Example: `kendall_tau_b({1, 2, 3}, {1, 3, 2})` → 1/3.
double kendall_tau_b(std::span<const double> x, std::span<const double> y);

}  // namespace knntune::stats
