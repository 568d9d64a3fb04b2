#pragma once
/// Small text helpers used across the libraries.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace knntune {

/// The parts joined by `separator`: join({"a", "b"}) == "a, b".
template <class Range>
[[nodiscard]] std::string join(const Range& parts, std::string_view separator = ", ") {
    std::string out;
    bool first = true;
    for (const auto& p : parts) {
        if (!first) out += separator;
        out += std::string_view(p);
        first = false;
    }
    return out;
}

/// Levenshtein distance (insertions, deletions, substitutions of single bytes).
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// The name in `names` closest to `name` by edit distance, when that distance is below
/// `max_distance`; ties go to the earlier name.
[[nodiscard]] std::optional<std::string_view> nearest_name(std::span<const std::string_view> names,
                                                           std::string_view name,
                                                           std::size_t max_distance = 3);

/// `text` cut at every `separator`: split("a.b", '.') == {"a", "b"}; split("", '.') == {""}.
[[nodiscard]] std::vector<std::string> split(std::string_view text, char separator);

/// `v` with `digits` significant digits, as printf's %g: significant(0.123456, 4) == "0.1235".
[[nodiscard]] std::string significant(double v, int digits);

/// `v` as printed by `std::ostream` with the default precision (6 significant digits);
/// "inf" / "-inf" for infinities.
[[nodiscard]] std::string short_number(double v);

}  // namespace knntune
