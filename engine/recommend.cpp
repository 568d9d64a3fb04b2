#include "engine/recommend.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "engine/error.hpp"
#include "engine/similarity/kernel.hpp"
#include "engine/similarity/measures/dot_product.hpp"

namespace knntune::engine {

namespace {

std::string shape(const CsrMatrix& m) {
    return std::to_string(m.rows) + " × " + std::to_string(m.cols);
}

/// Every value finite and either 0 or at least 2⁻⁶⁰, so that no product of two values
/// underflows (the bounded selection's rounding argument holds for normal floats).
bool finite_nonnegative(const CsrMatrix& m) {
    return std::all_of(m.values.begin(), m.values.end(),
                       [](Score v) { return std::isfinite(v) && (v == 0 || v >= 0x1p-60F); });
}

/// Candidate items in the order the bounded selection computes them best: grouped by the
/// scale of their largest similarity, largest first, in item order within a group. A group is
/// a quarter of an octave (4·log2(max), rounded), so a block of 64 consecutive candidates holds
/// items of about the same scale and its bound is close to each item's own. Measures that
/// scale each row of S (p3alpha and rp3beta divide by a power of the item's degree) would
/// otherwise put an item of large scores into most blocks and compute most of them. When all
/// items share a group (cosine keeps the self-pair, so every maximum is about 1) the order is
/// the item order and `id` stays empty: the items are used as they are.
struct TargetOrder {
    std::vector<Index> id;   ///< position → item
    std::vector<Index> pos;  ///< item → position
};

TargetOrder order_targets(const CsrMatrix& s) {
    std::vector<int> group(static_cast<size_t>(s.rows), std::numeric_limits<int>::min());
    for (Index j = 0; j < s.rows; ++j) {
        Score top = 0;
        for (Offset q = s.indptr[j]; q < s.indptr[j + 1]; ++q) top = std::max(top, s.values[q]);
        // NOTE: rounded, so that maxima within 2^±1/8 of 1 (cosine's self-pairs, 1 ± a few
        // ulps) share a group. Empty rows have no group and go last.
        if (top > 0) group[j] = static_cast<int>(std::lround(4.0 * std::log2(double{top})));
    }
    TargetOrder order;
    const int none = std::numeric_limits<int>::min();
    const auto first = std::find_if(group.begin(), group.end(), [&](int g) { return g != none; });
    if (std::all_of(first, group.end(), [&](int g) { return g == none || g == *first; })) {
        return order;  // one group: the item order
    }
    order.id.resize(static_cast<size_t>(s.rows));
    std::iota(order.id.begin(), order.id.end(), Index{0});
    std::stable_sort(order.id.begin(), order.id.end(),
                     [&](Index x, Index y) { return group[x] > group[y]; });
    order.pos.resize(order.id.size());
    for (Index t = 0; t < s.rows; ++t) order.pos[order.id[t]] = t;
    return order;
}

/// Row t of the result is row id[t] of `m`.
CsrMatrix permute_rows(const CsrMatrix& m, const std::vector<Index>& id) {
    CsrMatrix out(m.rows, m.cols);
    out.indices.reserve(m.indices.size());
    out.values.reserve(m.values.size());
    for (Index t = 0; t < m.rows; ++t) {
        const Index j = id[t];
        out.indices.insert(out.indices.end(), m.indices.begin() + m.indptr[j],
                           m.indices.begin() + m.indptr[j + 1]);
        out.values.insert(out.values.end(), m.values.begin() + m.indptr[j],
                          m.values.begin() + m.indptr[j + 1]);
        out.indptr[t + 1] = static_cast<Offset>(out.indices.size());
    }
    return out;
}

}  // namespace

void check_recommend_params(const CsrMatrix& user_item, const RecommendParams& params,
                            const std::string& who) {
    if (params.top_n < 1) {
        throw ParamError("top_n = " + std::to_string(params.top_n) + " is out of range [1, inf)");
    }
    if (!params.user_mask.empty() &&
        params.user_mask.size() != static_cast<size_t>(user_item.rows)) {
        throw ParamError(who + ": user_mask has " + std::to_string(params.user_mask.size()) +
                         " entries for " + std::to_string(user_item.rows) + " users");
    }
}

Index default_bounded_min_items(similarity::Orientation orientation) {
    return orientation == similarity::Orientation::Item ? 16384 : 32768;
}

// NOTE: with few candidate items there are few blocks to skip, and scoring every item is
// cheaper (`bounded_min_items`). Item-KNN: on synthetic-10m-shaped catalogues the bounded path
// pays from about 15,000 items and on hm-scale-shaped ones from about 30,000; below 16,384
// every item is scored, which costs 0.49-0.93x the CPU of the bounded path at 5,000-14,000
// items. User-KNN: scoring every item was cheaper at every size measured (0.34x at 20,000
// items). The two paths add a user's terms in different orders, so sums tied to the last bit
// may rank differently (docs/benchmarks.md, "Where the bounded recommendation pays").
bool uses_bounded_selection(const CsrMatrix& user_item, const CsrMatrix& similarity,
                            similarity::Orientation orientation, const RecommendParams& params) {
    const Index min_items = params.bounded_min_items >= 0 ? params.bounded_min_items
                                                          : default_bounded_min_items(orientation);
    return user_item.cols >= min_items && finite_nonnegative(user_item) &&
           finite_nonnegative(similarity);
}

CsrMatrix recommend(const CsrMatrix& user_item, const CsrMatrix& similarity,
                    similarity::Orientation orientation, const RecommendParams& params) {
    using similarity::Orientation;
    check_recommend_params(user_item, params, "recommend");
    const Index expected = orientation == Orientation::Item ? user_item.cols : user_item.rows;
    if (similarity.rows != expected || similarity.cols != expected) {
        throw ParamError("recommend: similarity is " + shape(similarity) + " but the " +
                         (orientation == Orientation::Item ? "items" : "users") + " of a " +
                         shape(user_item) + " matrix need " + std::to_string(expected) + " × " +
                         std::to_string(expected));
    }
    similarity::KernelOptions opt;
    opt.k = params.top_n;
    opt.threshold = 0;  // with the kernel's "no exact zeros" rule: keep scores > 0
    opt.exclude = params.exclude_seen ? &user_item : nullptr;
    opt.row_mask = params.user_mask.empty() ? nullptr : &params.user_mask;
    // Implicit feedback and the similarity measures give non-negative scores; the kernel then
    // computes only the column blocks that can reach a user's top-N, and returns the lists
    // that computing every column would (KernelOptions::nonnegative).
    opt.nonnegative = uses_bounded_selection(user_item, similarity, orientation, params);
    if (opt.nonnegative) {
        opt.dense_row_share = similarity::kBoundedDenseRowShare;
        opt.dense_row_budget = similarity::kBoundedDenseRowBudget;
    }
    const similarity::DotProduct dot;
    if (orientation == Orientation::Item) {
        // The bounded path computes the candidates grouped by scale (order_targets).
        const TargetOrder order = opt.nonnegative ? order_targets(similarity) : TargetOrder{};
        if (order.id.empty()) {
            return similarity::sparse_topk(user_item, transpose(similarity), dot, opt);
        }
        opt.column_id = &order.id;
        opt.column_pos = &order.pos;
        return similarity::sparse_topk(user_item, transpose(permute_rows(similarity, order.id)),
                                       dot, opt);
    }
    return similarity::sparse_topk(similarity, user_item, dot, opt);
}

}  // namespace knntune::engine
