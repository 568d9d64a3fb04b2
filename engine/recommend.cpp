#include "engine/recommend.hpp"

#include <algorithm>
#include <cmath>
#include <string>

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
    opt.nonnegative = finite_nonnegative(user_item) && finite_nonnegative(similarity);
    if (opt.nonnegative) {
        opt.dense_row_share = similarity::kBoundedDenseRowShare;
        opt.dense_row_budget = similarity::kBoundedDenseRowBudget;
    }
    const similarity::DotProduct dot;
    if (orientation == Orientation::Item) {
        const CsrMatrix s_t = transpose(similarity);
        return similarity::sparse_topk(user_item, s_t, dot, opt);
    }
    return similarity::sparse_topk(similarity, user_item, dot, opt);
}

}  // namespace knntune::engine
