#pragma once
/// Whether lower or higher values of an objective are better. Metrics declare it (engine),
/// studies follow it (tuner).

#include <string_view>

namespace knntune {

enum class Direction { Minimize, Maximize };

/// "minimize" / "maximize".
[[nodiscard]] constexpr std::string_view direction_name(Direction d) {
    return d == Direction::Minimize ? "minimize" : "maximize";
}

/// True when `a` is strictly better than `b` in direction `d` (NaN is never better).
[[nodiscard]] constexpr bool is_better(double a, double b, Direction d) {
    return d == Direction::Maximize ? a > b : a < b;
}

}  // namespace knntune
