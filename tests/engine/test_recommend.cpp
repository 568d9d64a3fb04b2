// Recommendation step on a hand-computed fixture, in both orientations.

#include <Eigen/Dense>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "engine/recommend.hpp"
#include "engine/similarity/kernel.hpp"
#include "engine/similarity/measures/dot_product.hpp"
#include "tests/engine/random_matrix.hpp"

using namespace knntune::engine;
using knntune::engine::similarity::Orientation;

namespace {

CsrMatrix from_dense(const std::vector<std::vector<float>>& d) {
    std::vector<Triplet> t;
    for (size_t r = 0; r < d.size(); ++r) {
        for (size_t c = 0; c < d[r].size(); ++c) {
            if (d[r][c] != 0) t.push_back({static_cast<Index>(r), static_cast<Index>(c), d[r][c]});
        }
    }
    return csr_from_triplets(static_cast<Index>(d.size()), static_cast<Index>(d[0].size()), t);
}

std::vector<std::pair<Index, float>> row(const CsrMatrix& m, Index r) {
    std::vector<std::pair<Index, float>> out;
    for (Offset q = m.indptr[r]; q < m.indptr[r + 1]; ++q)
        out.emplace_back(m.indices[q], m.values[q]);
    return out;
}

}  // namespace

TEST_CASE("item-KNN scores are R·Sᵀ with seen items excluded", "[engine][recommend]") {
    // 2 users × 4 items.
    const CsrMatrix r = from_dense({{1, 0, 2, 0}, {0, 1, 0, 0}});
    // S[j, i]: item j's neighbours (not symmetric on purpose).
    const CsrMatrix s =
        from_dense({{1, 0.5F, 0, 0}, {0.5F, 1, 0.25F, 0}, {0, 0, 1, 0}, {0.5F, 0, 0.25F, 1}});
    RecommendParams p;
    p.top_n = 3;
    const CsrMatrix rec = recommend(r, s, Orientation::Item, p);
    // user 0: j=1: R[0,0]S[1,0] + R[0,2]S[1,2] = 0.5 + 0.5 = 1; j=3: 0.5 + 0.5 = 1; tie → id.
    CHECK(row(rec, 0) == std::vector<std::pair<Index, float>>{{1, 1.0F}, {3, 1.0F}});
    // user 1 (item 1): j=0: S[0,1] = 0.5; j=2, j=3: 0.
    CHECK(row(rec, 1) == std::vector<std::pair<Index, float>>{{0, 0.5F}});

    p.top_n = 1;
    const CsrMatrix top1 = recommend(r, s, Orientation::Item, p);
    CHECK(row(top1, 0) == std::vector<std::pair<Index, float>>{{1, 1.0F}});

    p.exclude_seen = false;
    p.top_n = 4;
    const CsrMatrix all = recommend(r, s, Orientation::Item, p);
    // Seen item 2: R[0,2]·S[2,2] = 2; seen item 0: S[0,0] = 1; then the tie at 1 by id.
    CHECK(row(all, 0) ==
          std::vector<std::pair<Index, float>>{{2, 2.0F}, {0, 1.0F}, {1, 1.0F}, {3, 1.0F}});
}

TEST_CASE("user-KNN scores are S·R", "[engine][recommend]") {
    const CsrMatrix r = from_dense({{1, 0, 0}, {1, 1, 0}, {0, 0, 3}});
    const CsrMatrix s = from_dense({{1, 0.5F, 0.25F}, {0.5F, 1, 0}, {0, 0.1F, 1}});
    RecommendParams p;
    p.top_n = 5;
    const CsrMatrix rec = recommend(r, s, Orientation::User, p);
    // user 0: j=1: S[0,1]·R[1,1] = 0.5; j=2: S[0,2]·R[2,2] = 0.75.
    CHECK(row(rec, 0) == std::vector<std::pair<Index, float>>{{2, 0.75F}, {1, 0.5F}});
    // user 1: everything reachable is seen.
    CHECK(row(rec, 1).empty());
    // user 2: j=0: 0.1 + 0 = 0.1 (S[2,1]·R[1,0]); j=1: 0.1.
    CHECK(row(rec, 2) == std::vector<std::pair<Index, float>>{{0, 0.1F}, {1, 0.1F}});

    p.user_mask = {1, 0, 0};
    const CsrMatrix masked = recommend(r, s, Orientation::User, p);
    CHECK(masked.row_nnz(0) == 2);
    CHECK(masked.nnz() == 2);
}

TEST_CASE("recommend drops non-positive scores and validates shapes", "[engine][recommend]") {
    const CsrMatrix r = from_dense({{1, 0, 0}});
    const CsrMatrix s = from_dense({{1, 0, 0}, {-0.5F, 1, 0}, {0.25F, 0, 1}});
    const CsrMatrix rec = recommend(r, s, Orientation::Item, {});
    CHECK(row(rec, 0) == std::vector<std::pair<Index, float>>{{2, 0.25F}});
    REQUIRE_THROWS_WITH(recommend(r, s, Orientation::User, {}),
                        "recommend: similarity is 3 × 3 but the users of a 1 × 3 matrix need "
                        "1 × 1");
    RecommendParams bad;
    bad.top_n = 0;
    REQUIRE_THROWS_WITH(recommend(r, s, Orientation::Item, bad),
                        "top_n = 0 is out of range [1, inf)");
}

namespace {

/// A users × items log and an item–item top-k similarity in which a few popular items sit in
/// nearly every item's neighbour list, so that Sᵀ has rows long enough to be stored densely.
/// Values: `Random` floats; `Dyadic` multiples of 1/8, so sums are exact and ties are
/// common; `Unit`, all 1, so scores are counts and most columns tie with others.
enum class Values { Random, Dyadic, Unit };

struct PopularFixture {
    CsrMatrix log;
    CsrMatrix sim;
};

PopularFixture popular_fixture(Index users, Index items, Values values, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    // Items 0..39 are popular; the rest are rare.
    const CsrMatrix log = knntune::test::random_sparse(
        users, items, rng, [](Index, Index i) { return i < 40 ? 0.3 : 0.02; }, [] { return 1.0F; });
    std::vector<Triplet> sim;
    for (Index j = 0; j < items; ++j) {
        for (Index i = 0; i < items; ++i) {
            const double p = i < 40 ? 0.9 : 0.03;
            if (i == j || unit(rng) >= p) continue;
            const double x = unit(rng);
            const float v = values == Values::Random ? static_cast<float>(0.001 + x)
                            : values == Values::Dyadic
                                ? static_cast<float>(1 + static_cast<int>(x * 16)) / 8
                                : 1.0F;
            sim.push_back({j, i, v});
        }
    }
    return {log, csr_from_triplets(items, items, sim)};
}

Eigen::MatrixXd to_dense(const CsrMatrix& m) {
    Eigen::MatrixXd d = Eigen::MatrixXd::Zero(m.rows, m.cols);
    for (Index r = 0; r < m.rows; ++r) {
        for (Offset q = m.indptr[r]; q < m.indptr[r + 1]; ++q) d(r, m.indices[q]) += m.values[q];
    }
    return d;
}

/// Every row of the two matrices, pairs of (column, value) bit for bit.
bool same_rows(const CsrMatrix& a, const CsrMatrix& b) {
    if (a.rows != b.rows) return false;
    for (Index r = 0; r < a.rows; ++r) {
        if (row(a, r) != row(b, r)) return false;
    }
    return true;
}

/// Every user's list of `rec` against the dense double-precision product R·Sᵀ, ranked by
/// score then item: the same scores to float precision, and with `exact` sums the very same
/// items in the same order.
void check_against_dense(const PopularFixture& f, const CsrMatrix& rec, Index top_n,
                         bool exclude_seen, bool exact) {
    const Index items = f.sim.rows;
    const Eigen::MatrixXd r_d = to_dense(f.log);
    const Eigen::MatrixXd scores = r_d * to_dense(f.sim).transpose();
    for (Index u = 0; u < f.log.rows; ++u) {
        std::vector<std::pair<double, Index>> cand;
        for (Index j = 0; j < items; ++j) {
            const double s = scores(u, j);
            if (s > 0 && !(exclude_seen && r_d(u, j) != 0)) cand.emplace_back(-s, j);
        }
        std::sort(cand.begin(), cand.end());
        const auto got = row(rec, u);
        REQUIRE(got.size() == std::min<size_t>(cand.size(), static_cast<size_t>(top_n)));
        for (size_t t = 0; t < got.size(); ++t) {
            CHECK(got[t].second == Approx(-cand[t].first).epsilon(1e-5));
            if (exact) CHECK(got[t].first == cand[t].second);
        }
    }
}

}  // namespace

TEST_CASE("the bounded selection is chosen by catalogue size, orientation and values",
          "[engine][recommend]") {
    // Operands of n items with one interaction and one similarity entry each, so that the
    // value checks have something to look at.
    const auto operands = [](Index n, Orientation o, float value) {
        const Index users = 3;
        const std::vector<Triplet> one_log = {{0, n - 1, 1.0F}};
        const Index side = o == Orientation::Item ? n : users;
        const std::vector<Triplet> one_sim = {{0, side - 1, value}};
        CsrMatrix r = csr_from_triplets(users, n, one_log);
        CsrMatrix s = csr_from_triplets(side, side, one_sim);
        return std::pair{std::move(r), std::move(s)};
    };
    const auto bounded = [&](Index n, Orientation o, Index min_items, float value = 0.5F) {
        const auto [r, s] = operands(n, o, value);
        RecommendParams p;
        p.bounded_min_items = min_items;
        return uses_bounded_selection(r, s, o, p);
    };
    // The defaults: item-KNN from 16,384 items, user-KNN from 32,768 (docs/benchmarks.md).
    CHECK_FALSE(bounded(16383, Orientation::Item, -1));
    CHECK(bounded(16384, Orientation::Item, -1));
    CHECK_FALSE(bounded(20000, Orientation::User, -1));  // measured 3x cheaper in full
    CHECK_FALSE(bounded(32767, Orientation::User, -1));
    CHECK(bounded(32768, Orientation::User, -1));
    // An explicit bound replaces the default; 0 is always.
    CHECK(bounded(5, Orientation::Item, 0));
    CHECK(bounded(5, Orientation::User, 5));
    CHECK_FALSE(bounded(5, Orientation::Item, 6));
    // Negative or non-finite values rule it out: the block bounds need non-negative sums.
    CHECK_FALSE(bounded(5, Orientation::Item, 0, -0.5F));
    CHECK_FALSE(bounded(5, Orientation::User, 0, std::numeric_limits<float>::infinity()));
}

TEST_CASE("bounded recommendation equals the full scan and a dense product",
          "[engine][recommend]") {
    using similarity::DotProduct;
    using similarity::KernelOptions;
    const Values values = GENERATE(Values::Random, Values::Dyadic, Values::Unit);
    const Index top_n = GENERATE(1, 10, 60);
    const bool exclude_seen = GENERATE(false, true);
    CAPTURE(static_cast<int>(values), top_n, exclude_seen);
    const Index items = 700;
    const PopularFixture f =
        popular_fixture(150, items, values, 11U + static_cast<unsigned>(values));
    const bool exact = values != Values::Random;
    const CsrMatrix s_t = transpose(f.sim);

    // The fixture exercises the bounded path: Sᵀ has rows stored densely.
    const auto packed = similarity::detail::pack_rows<std::uint16_t>(
        s_t, similarity::kBoundedDenseRowBudget, similarity::kBoundedDenseRowShare, true);
    REQUIRE(std::count_if(packed.dense_slot.begin(), packed.dense_slot.end(),
                          [](std::int32_t s) { return s >= 0; }) >= 30);

    RecommendParams p;
    p.top_n = top_n;
    p.exclude_seen = exclude_seen;
    p.bounded_min_items = 0;  // 700 items: below the default, which would score every item
    const CsrMatrix rec = recommend(f.log, f.sim, Orientation::Item, p);

    // Same kernel without the bound: identical lists, bit for bit.
    KernelOptions opt;
    opt.k = top_n;
    opt.threshold = 0;
    opt.exclude = exclude_seen ? &f.log : nullptr;
    opt.nonnegative = false;
    opt.dense_row_share = similarity::kBoundedDenseRowShare;
    opt.dense_row_budget = similarity::kBoundedDenseRowBudget;
    const CsrMatrix full = similarity::sparse_topk(f.log, s_t, DotProduct{}, opt);
    CHECK(same_rows(rec, full));
    // With the default, a catalogue this small is scored in full: the same lists.
    p.bounded_min_items = RecommendParams{}.bounded_min_items;
    REQUIRE_FALSE(uses_bounded_selection(f.log, f.sim, Orientation::Item, p));
    CHECK(same_rows(recommend(f.log, f.sim, Orientation::Item, p), full));

    check_against_dense(f, rec, top_n, exclude_seen, exact);
}

TEST_CASE("bounded recommendation with long sparse rows equals computing every block",
          "[engine][recommend]") {
    using similarity::DotProduct;
    using similarity::KernelOptions;
    const Values values = GENERATE(Values::Random, Values::Dyadic, Values::Unit);
    const Index top_n = GENERATE(1, 10, 60);
    const bool exclude_seen = GENERATE(false, true);
    // No dense rows, or a budget for a few: the other long rows are blocked.
    const size_t dense_budget = GENERATE(size_t{0}, size_t{5} * 700 * sizeof(float));
    CAPTURE(static_cast<int>(values), top_n, exclude_seen, dense_budget);
    const Index items = 700;
    const PopularFixture f =
        popular_fixture(150, items, values, 23U + static_cast<unsigned>(values));
    const CsrMatrix s_t = transpose(f.sim);

    KernelOptions opt;
    opt.k = top_n;
    opt.threshold = 0;
    opt.exclude = exclude_seen ? &f.log : nullptr;
    opt.nonnegative = true;
    opt.dense_row_share = similarity::kBoundedDenseRowShare;
    opt.dense_row_budget = dense_budget;
    auto packed = similarity::detail::pack_rows<std::uint16_t>(s_t, opt.dense_row_budget,
                                                               opt.dense_row_share, true);
    similarity::detail::pack_blocked_rows(s_t, opt.blocked_row_budget, packed);
    REQUIRE(std::count_if(packed.blocked_slot.begin(), packed.blocked_slot.end(),
                          [](std::int32_t s) { return s >= 0; }) >= 30);

    const CsrMatrix bounded = similarity::sparse_topk(f.log, s_t, DotProduct{}, opt);
    opt.bound_stop = false;
    const CsrMatrix every_block = similarity::sparse_topk(f.log, s_t, DotProduct{}, opt);
    CHECK(same_rows(bounded, every_block));
    const bool exact = values != Values::Random;
    if (exact) {
        // Exact sums do not depend on the order of the additions: the plain kernel agrees.
        opt.nonnegative = false;
        CHECK(same_rows(bounded, similarity::sparse_topk(f.log, s_t, DotProduct{}, opt)));
    }
    check_against_dense(f, bounded, top_n, exclude_seen, exact);

    // A budget too small for one block index leaves every long row to the plain scatter.
    opt.nonnegative = true;
    opt.bound_stop = true;
    opt.blocked_row_budget = 1;
    const CsrMatrix unblocked = similarity::sparse_topk(f.log, s_t, DotProduct{}, opt);
    if (exact) CHECK(same_rows(bounded, unblocked));
    check_against_dense(f, unblocked, top_n, exclude_seen, exact);
}

TEST_CASE("recommendation with candidates ordered by scale keeps the lists and the tie-break",
          "[engine][recommend]") {
    // Rows of S scaled by 1, 1/2, ..., 1/16 (exact in float, as p3alpha's per-item factor
    // makes them unequal): item-KNN recommendation computes the candidates ordered by their
    // largest similarity, and must return what the kernel gives in item order, ties included.
    using similarity::DotProduct;
    using similarity::KernelOptions;
    const bool popular = GENERATE(false, true);  // with dense/blocked rows, or scan paths only
    const Index top_n = GENERATE(1, 10, 60);
    const bool exclude_seen = GENERATE(false, true);
    CAPTURE(popular, top_n, exclude_seen);
    const Index items = 700;
    PopularFixture f = popular_fixture(150, items, Values::Dyadic, 31U);
    if (!popular) {
        // Drop the popular neighbours: Sᵀ has short rows only.
        std::vector<Triplet> t;
        for (Index j = 0; j < items; ++j) {
            for (Offset q = f.sim.indptr[j]; q < f.sim.indptr[j + 1]; ++q) {
                if (f.sim.indices[q] >= 40) t.push_back({j, f.sim.indices[q], f.sim.values[q]});
            }
        }
        f.sim = csr_from_triplets(items, items, t);
    }
    for (Index j = 0; j < items; ++j) {
        const float scale = 1.0F / static_cast<float>(1 << (j * 7 % 5));
        for (Offset q = f.sim.indptr[j]; q < f.sim.indptr[j + 1]; ++q) f.sim.values[q] *= scale;
    }
    RecommendParams p;
    p.top_n = top_n;
    p.exclude_seen = exclude_seen;
    p.bounded_min_items = 0;  // 700 items: below the default, which would score every item
    const CsrMatrix rec = recommend(f.log, f.sim, Orientation::Item, p);

    KernelOptions opt;
    opt.k = top_n;
    opt.threshold = 0;
    opt.exclude = exclude_seen ? &f.log : nullptr;
    const CsrMatrix plain = similarity::sparse_topk(f.log, transpose(f.sim), DotProduct{}, opt);
    CHECK(same_rows(rec, plain));
    check_against_dense(f, rec, top_n, exclude_seen, true);
}
