#include "common/rank_stats.hpp"

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>

namespace knntune::stats {

double kendall_tau_b(std::span<const double> x, std::span<const double> y) {
    if (x.size() != y.size() || x.size() < 2) {
        throw StatsError("kendall_tau_b: x and y must have equal lengths of at least 2, got " +
                         std::to_string(x.size()) + " and " + std::to_string(y.size()));
    }
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i])) {
            throw StatsError("kendall_tau_b: non-finite value at position " + std::to_string(i));
        }
    }
    double concordant_minus_discordant = 0.0;
    double pairs = 0.0;
    double tied_x = 0.0;
    double tied_y = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        for (std::size_t j = i + 1; j < x.size(); ++j) {
            const double dx = x[i] - x[j];
            const double dy = y[i] - y[j];
            pairs += 1.0;
            if (dx == 0.0) tied_x += 1.0;
            if (dy == 0.0) tied_y += 1.0;
            if (dx != 0.0 && dy != 0.0)
                concordant_minus_discordant += (dx > 0) == (dy > 0) ? 1 : -1;
        }
    }
    const double denominator = std::sqrt((pairs - tied_x) * (pairs - tied_y));
    if (denominator == 0.0) return std::numeric_limits<double>::quiet_NaN();
    return concordant_minus_discordant / denominator;
}

}  // namespace knntune::stats
