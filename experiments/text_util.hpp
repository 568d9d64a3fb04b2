#pragma once
/// Small text helpers shared by the config checker and the model tools.

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

namespace knntune::exp {

/// Levenshtein distance (insertions, deletions, substitutions of single bytes).
[[nodiscard]] inline std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> prev(b.size() + 1);
    std::vector<std::size_t> cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1] ? 1U : 0U)});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

}  // namespace knntune::exp
