#pragma once
// Plain re-implementations of the baselines of engine/baselines.hpp, written from their
// documented definitions without the engine's code, for the engine and run-folder tests.

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "common/random.hpp"
#include "engine/csr.hpp"

namespace knntune::test {

/// top_pop lists: count the users of each item by scanning every stored entry, order the
/// items by (count desc, item asc) with a full comparison sort, then walk that order per user
/// (mask entry 0: no list). Each list is (item, count) pairs, best first.
inline std::vector<std::vector<std::pair<engine::Index, float>>> plain_top_pop(
    const engine::CsrMatrix& r, engine::Index top_n, bool exclude_seen = true,
    const std::vector<std::uint8_t>& mask = {}) {
    std::map<engine::Index, long> count;
    for (engine::Index u = 0; u < r.rows; ++u) {
        for (engine::Index i : r.row_indices(u)) ++count[i];
    }
    std::vector<std::pair<long, engine::Index>> order;
    for (const auto& [item, c] : count) order.emplace_back(c, item);
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::vector<std::vector<std::pair<engine::Index, float>>> lists(static_cast<size_t>(r.rows));
    for (engine::Index u = 0; u < r.rows; ++u) {
        if (!mask.empty() && mask[static_cast<size_t>(u)] == 0) continue;
        const std::set<engine::Index> seen(r.row_indices(u).begin(), r.row_indices(u).end());
        auto& list = lists[static_cast<size_t>(u)];
        for (const auto& [c, item] : order) {
            if (static_cast<engine::Index>(list.size()) == top_n) break;
            if (exclude_seen && seen.count(item) != 0) continue;
            list.emplace_back(item, static_cast<float>(c));
        }
    }
    return lists;
}

/// Per-user lists as a users × items CSR in list order (the shape `recommend` returns).
inline engine::CsrMatrix lists_to_csr(
    engine::Index cols, const std::vector<std::vector<std::pair<engine::Index, float>>>& lists) {
    engine::CsrMatrix m(static_cast<engine::Index>(lists.size()), cols);
    for (size_t u = 0; u < lists.size(); ++u) {
        for (const auto& [item, score] : lists[u]) {
            m.indices.push_back(item);
            m.values.push_back(score);
        }
        m.indptr[u + 1] = static_cast<engine::Offset>(m.indices.size());
    }
    return m;
}

/// The documented random draw of user `u` on an explicit candidate array: the candidates in
/// ascending order, then for i < n: j = i + below(m - i), swap c[i] and c[j].
inline std::vector<engine::Index> plain_random(const engine::CsrMatrix& r, engine::Index u,
                                               std::uint64_t seed, engine::Index top_n,
                                               bool exclude_seen = true) {
    const std::set<engine::Index> seen(r.row_indices(u).begin(), r.row_indices(u).end());
    std::vector<engine::Index> c;
    for (engine::Index i = 0; i < r.cols; ++i) {
        if (!exclude_seen || seen.count(i) == 0) c.push_back(i);
    }
    const auto m = static_cast<std::uint64_t>(c.size());
    const std::uint64_t n = std::min<std::uint64_t>(static_cast<std::uint64_t>(top_n), m);
    Rng rng(seed, static_cast<std::uint64_t>(u));
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t j = i + rng.below(m - i);
        std::swap(c[i], c[j]);
    }
    c.resize(n);
    return c;
}

}  // namespace knntune::test
