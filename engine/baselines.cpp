#include "engine/baselines.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <unordered_map>

#include "common/random.hpp"
#include "common/text.hpp"
#include "engine/error.hpp"

namespace knntune::engine {

namespace {

constexpr BaselineInfo kBaselines[] = {
    {Baseline::TopPop, "top_pop", "most interacted items first, ties by item index"},
    {Baseline::Random, "random", "uniform draw without replacement, seeded per user"},
};

/// The user's items that are excluded from its list: its row, or none.
std::span<const Index> excluded_items(const CsrMatrix& user_item, const RecommendParams& p,
                                      Index u) {
    return p.exclude_seen ? user_item.row_indices(u) : std::span<const Index>{};
}

/// Lists of every user: `length(u)` entries for each user the mask keeps, written by
/// `fill(u, indices, values)` in parallel into the row's own slots.
template <class Length, class Fill>
CsrMatrix build_lists(const CsrMatrix& user_item, const RecommendParams& p, Length length,
                      Fill fill) {
    CsrMatrix out(user_item.rows, user_item.cols);
    for (Index u = 0; u < user_item.rows; ++u) {
        const bool kept = p.user_mask.empty() || p.user_mask[static_cast<size_t>(u)] != 0;
        const Offset n = kept ? std::min<Offset>(p.top_n, std::max<Offset>(length(u), 0)) : 0;
        out.indptr[u + 1] = out.indptr[u] + n;
    }
    out.indices.resize(static_cast<size_t>(out.nnz()));
    out.values.resize(static_cast<size_t>(out.nnz()));
    tbb::parallel_for(tbb::blocked_range<Index>(0, user_item.rows, 64),
                      [&](const tbb::blocked_range<Index>& range) {
                          for (Index u = range.begin(); u != range.end(); ++u) {
                              const auto begin = static_cast<size_t>(out.indptr[u]);
                              const auto n = static_cast<size_t>(out.row_nnz(u));
                              if (n == 0) continue;
                              fill(u, std::span<Index>(out.indices.data() + begin, n),
                                   std::span<Score>(out.values.data() + begin, n));
                          }
                      });
    return out;
}

/// The p-th candidate (0-based, ascending) among the items not in `excluded` (sorted,
/// distinct). excluded[t] - t candidates come before excluded[t], a non-decreasing count, so
/// the number of excluded items below the answer is found by bisection.
Index candidate(std::span<const Index> excluded, Index p) {
    size_t lo = 0;
    size_t hi = excluded.size();
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (excluded[mid] - static_cast<Index>(mid) <= p) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return p + static_cast<Index>(lo);
}

}  // namespace

std::span<const BaselineInfo> baseline_table() { return kBaselines; }

Baseline baseline_from_name(std::string_view name) {
    for (const BaselineInfo& b : kBaselines) {
        if (b.name == name) return b.id;
    }
    throw ParamError("unknown baseline '" + std::string(name) +
                     "'; valid baselines: " + join(baseline_names()));
}

std::vector<std::string_view> baseline_names() {
    std::vector<std::string_view> names;
    for (const BaselineInfo& b : kBaselines) names.push_back(b.name);
    return names;
}

std::string_view baseline_name(Baseline b) {
    for (const BaselineInfo& info : kBaselines) {
        if (info.id == b) return info.name;
    }
    KNNTUNE_ASSERT(false);
    return {};
}

bool is_baseline(std::string_view name) {
    return std::any_of(std::begin(kBaselines), std::end(kBaselines),
                       [&](const BaselineInfo& b) { return b.name == name; });
}

std::vector<Index> popularity_order(const CsrMatrix& user_item) {
    const std::vector<Offset> count = column_counts(user_item);
    std::vector<Index> order;
    for (Index i = 0; i < user_item.cols; ++i) {
        if (count[static_cast<size_t>(i)] > 0) order.push_back(i);
    }
    // NOTE: a stable sort of the ascending indices by count keeps ties in index order.
    std::stable_sort(order.begin(), order.end(), [&](Index a, Index b) {
        return count[static_cast<size_t>(a)] > count[static_cast<size_t>(b)];
    });
    return order;
}

CsrMatrix recommend_top_pop(const CsrMatrix& user_item, const RecommendParams& params) {
    check_recommend_params(user_item, params, "top_pop");
    const std::vector<Offset> count = column_counts(user_item);
    const std::vector<Index> order = popularity_order(user_item);
    const auto n_order = static_cast<Offset>(order.size());
    // Every item a user has is in `order` (its count is at least 1).
    auto length = [&](Index u) {
        return n_order - static_cast<Offset>(excluded_items(user_item, params, u).size());
    };
    auto fill = [&](Index u, std::span<Index> items, std::span<Score> scores) {
        const std::span<const Index> seen = excluded_items(user_item, params, u);
        size_t n = 0;
        for (Index item : order) {
            if (n == items.size()) break;
            if (std::binary_search(seen.begin(), seen.end(), item)) continue;
            items[n] = item;
            scores[n] = static_cast<Score>(count[static_cast<size_t>(item)]);
            ++n;
        }
        KNNTUNE_ASSERT(n == items.size());
    };
    return build_lists(user_item, params, length, fill);
}

CsrMatrix recommend_random(const CsrMatrix& user_item, std::uint64_t seed,
                           const RecommendParams& params) {
    check_recommend_params(user_item, params, "random");
    auto length = [&](Index u) {
        return static_cast<Offset>(user_item.cols) -
               static_cast<Offset>(excluded_items(user_item, params, u).size());
    };
    auto fill = [&](Index u, std::span<Index> items, std::span<Score> scores) {
        const std::span<const Index> seen = excluded_items(user_item, params, u);
        const Index m = user_item.cols - static_cast<Index>(seen.size());
        // NOTE: the shuffle runs on a virtual array c (c[p] = candidate(seen, p)); `moved`
        // holds the positions a swap has overwritten, so a list costs O(top_n log |seen|)
        // rather than O(items).
        thread_local std::unordered_map<Index, Index> moved;
        moved.clear();
        auto at = [&](Index p) {
            const auto it = moved.find(p);
            return it == moved.end() ? candidate(seen, p) : it->second;
        };
        Rng rng(seed, static_cast<std::uint64_t>(u));
        for (size_t i = 0; i < items.size(); ++i) {
            const auto pos = static_cast<Index>(i);
            const Index j =
                pos + static_cast<Index>(rng.below(static_cast<std::uint64_t>(m - pos)));
            const Index drawn = at(j);
            moved[j] = at(pos);  // position i is never read again
            items[i] = drawn;
            scores[i] = 1.0F / static_cast<Score>(i + 1);
        }
        // The list is kept in draw order, which is its rank order.
    };
    return build_lists(user_item, params, length, fill);
}

CsrMatrix recommend_baseline(const CsrMatrix& user_item, Baseline baseline, std::uint64_t seed,
                             const RecommendParams& params) {
    switch (baseline) {
        case Baseline::TopPop:
            return recommend_top_pop(user_item, params);
        case Baseline::Random:
            return recommend_random(user_item, seed, params);
    }
    KNNTUNE_ASSERT(false);
    return {};
}

std::string describe_baseline(Baseline baseline, std::uint64_t seed) {
    std::string out(baseline_name(baseline));
    if (baseline == Baseline::Random) out += " seed=" + std::to_string(seed);
    return out;
}

}  // namespace knntune::engine
