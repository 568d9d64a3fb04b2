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

/// Where `text` stops being well-formed UTF-8 (Unicode 15, table 3-7: no overlong forms, no
/// surrogates, nothing above U+10FFFF), or npos when all of it is.
[[nodiscard]] std::size_t invalid_utf8_at(std::string_view text);

/// `text` with each maximal ill-formed subsequence replaced by U+FFFD, as Unicode's
/// "U+FFFD substitution of maximal subparts" (and Python's `errors="replace"`) does.
[[nodiscard]] std::string replace_invalid_utf8(std::string_view text);

/// Bytes that came from input, made fit to appear inside a one-line message: control
/// characters (C0, DEL, C1, U+2028, U+2029) are escaped as `\n`, `\r`, `\t`, `\xNN` or
/// `\uNNNN`, each byte that is not part of well-formed UTF-8 as `\xNN`; the rest is kept.
/// With `max_bytes` > 0, input beyond that many bytes is cut at a character boundary and
/// "... (N bytes)" appended, N being the length of the whole `text`.
[[nodiscard]] std::string printable(std::string_view text, std::size_t max_bytes = 0);

/// How many bytes of a value from input a message echoes (`printable(value, kEchoBytes)`).
inline constexpr std::size_t kEchoBytes = 80;

/// `v` as printed by `std::ostream` with the default precision (6 significant digits);
/// "inf" / "-inf" for infinities.
[[nodiscard]] std::string short_number(double v);

}  // namespace knntune
