// The non-personalised baselines (engine/baselines.hpp) against independent computations:
// top_pop against a plain count-and-sort loop and a hand-computed score, random against the
// documented draw written out again on an explicit array.

#include <tbb/global_control.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "engine/baselines.hpp"
#include "engine/metrics.hpp"
#include "tests/engine/baseline_oracle.hpp"
#include "tests/engine/random_matrix.hpp"

using namespace knntune::engine;
using knntune::test::plain_random;
using knntune::test::plain_top_pop;

namespace {

/// (item, score) pairs of row `r`, in stored order.
std::vector<std::pair<Index, float>> row(const CsrMatrix& m, Index r) {
    std::vector<std::pair<Index, float>> out;
    for (Offset q = m.indptr[r]; q < m.indptr[r + 1]; ++q)
        out.emplace_back(m.indices[q], m.values[q]);
    return out;
}

/// A users × items log with a popularity skew and many tied counts.
CsrMatrix skewed_log(Index users, Index items, unsigned seed) {
    std::mt19937 rng(seed);
    return knntune::test::random_sparse(
        users, items, rng,
        [](Index, Index i) { return i % 7 == 0   ? 0.5
                                    : i % 3 == 0 ? 0.2
                                                 : 0.05; },
        [] { return 1.0F; });
}

std::vector<Index> items_of(const CsrMatrix& m, Index u) {
    const auto r = m.row_indices(u);
    return {r.begin(), r.end()};
}

}  // namespace

TEST_CASE("top_pop equals a plain count-and-sort loop", "[engine][baselines]") {
    const CsrMatrix log = skewed_log(80, 50, 11);
    std::vector<std::uint8_t> mask(80, 1);
    for (size_t u = 0; u < mask.size(); u += 3) mask[u] = 0;
    for (const Index top_n : {1, 5, 20, 60}) {
        for (const bool exclude : {true, false}) {
            for (const bool masked : {false, true}) {
                INFO("top_n " << top_n << " exclude_seen " << exclude << " masked " << masked);
                RecommendParams p;
                p.top_n = top_n;
                p.exclude_seen = exclude;
                if (masked) p.user_mask = mask;
                const CsrMatrix rec = recommend_top_pop(log, p);
                REQUIRE(rec.rows == log.rows);
                REQUIRE(rec.cols == log.cols);
                const auto expected = plain_top_pop(log, top_n, exclude, p.user_mask);
                for (Index u = 0; u < log.rows; ++u) {
                    INFO("user " << u);
                    CHECK(row(rec, u) == expected[static_cast<size_t>(u)]);
                }
            }
        }
    }
}

TEST_CASE("top_pop breaks ties by the lower item index and never recommends unused items",
          "[engine][baselines]") {
    // 4 users × 5 items; counts: item 0: 2, item 1: 1, item 2: 2, item 3: 0, item 4: 1.
    const std::vector<Triplet> t = {{0, 0, 1}, {1, 0, 1}, {0, 2, 1},
                                    {2, 2, 1}, {3, 1, 1}, {3, 4, 1}};
    const CsrMatrix log = csr_from_triplets(4, 5, t);
    RecommendParams p;
    p.top_n = 5;
    const CsrMatrix rec = recommend_top_pop(log, p);
    using Row = std::vector<std::pair<Index, float>>;
    CHECK(row(rec, 0) == Row{{1, 1.0F}, {4, 1.0F}});             // has 0 and 2
    CHECK(row(rec, 1) == Row{{2, 2.0F}, {1, 1.0F}, {4, 1.0F}});  // has 0
    CHECK(row(rec, 2) == Row{{0, 2.0F}, {1, 1.0F}, {4, 1.0F}});  // has 2
    CHECK(row(rec, 3) == Row{{0, 2.0F}, {2, 2.0F}});             // has 1 and 4
    CHECK(popularity_order(log) == std::vector<Index>{0, 2, 1, 4});
}

TEST_CASE("top_pop lists score by evaluate_metrics as computed by hand", "[engine][baselines]") {
    // Train: 3 users × 4 items; counts item 0: 3, item 1: 2, item 2: 1, item 3: 0.
    const std::vector<Triplet> train_t = {{0, 0, 1}, {1, 0, 1}, {2, 0, 1},
                                          {0, 1, 1}, {1, 1, 1}, {2, 2, 1}};
    const CsrMatrix train = csr_from_triplets(3, 4, train_t);
    // Test: user 0 buys 2 and 3, user 1 buys 3, user 2 buys 1.
    const std::vector<Triplet> test_t = {{0, 2, 1}, {0, 3, 1}, {1, 3, 1}, {2, 1, 1}};
    const CsrMatrix test = csr_from_triplets(3, 4, test_t);
    RecommendParams p;
    p.top_n = 2;
    const CsrMatrix rec = recommend_top_pop(train, p);
    // Lists: user 0 → [2] (0 and 1 seen, 3 unused); user 1 → [2]; user 2 → [1].
    // precision@2: 1/2, 0, 1/2 → 1/3. ndcg@2: user 0 hit at rank 1, IDCG = 1 + 1/log2(3):
    // 1/(1 + 1/log2 3); user 1: 0; user 2: 1 (one relevant item, hit at rank 1).
    const std::vector<MetricSpec> specs = {parse_metric("precision@2"), parse_metric("ndcg@2"),
                                           parse_metric("recall@2")};
    const Evaluation ev = evaluate_metrics(rec, test, column_counts(train), specs);
    REQUIRE(ev.users == std::vector<UserIndex>{0, 1, 2});
    CHECK_THAT(ev.metrics[0].mean, Catch::WithinAbs(1.0 / 3.0, 1e-12));
    const double ndcg0 = 1.0 / (1.0 + 1.0 / std::log2(3.0));
    CHECK_THAT(ev.metrics[1].mean, Catch::WithinAbs((ndcg0 + 0.0 + 1.0) / 3.0, 1e-12));
    CHECK(ev.metrics[1].per_user == std::vector<double>{ndcg0, 0.0, 1.0});
    CHECK_THAT(ev.metrics[2].mean, Catch::WithinAbs((0.5 + 0.0 + 1.0) / 3.0, 1e-12));
}

TEST_CASE("random lists are unseen items of the documented size", "[engine][baselines]") {
    const CsrMatrix log = skewed_log(60, 40, 5);
    for (const Index top_n : {1, 10, 39, 100}) {
        RecommendParams p;
        p.top_n = top_n;
        const CsrMatrix rec = recommend_random(log, 17, p);
        for (Index u = 0; u < log.rows; ++u) {
            INFO("top_n " << top_n << " user " << u);
            const std::vector<Index> items = items_of(rec, u);
            const std::set<Index> distinct(items.begin(), items.end());
            const auto unseen = static_cast<size_t>(log.cols - log.row_nnz(u));
            CHECK(items.size() == std::min(static_cast<size_t>(top_n), unseen));
            CHECK(distinct.size() == items.size());
            for (Index i : items) {
                CHECK(i >= 0);
                CHECK(i < log.cols);
                CHECK_FALSE(
                    std::binary_search(log.row_indices(u).begin(), log.row_indices(u).end(), i));
            }
            // Scores 1/rank, so the row is ranked like every recommendation list.
            const auto scores = rec.row_values(u);
            for (size_t i = 0; i < scores.size(); ++i) CHECK(scores[i] == 1.0F / (i + 1));
        }
    }
}

TEST_CASE("random equals the documented draw written out again", "[engine][baselines]") {
    const CsrMatrix log = skewed_log(70, 45, 9);
    std::vector<std::uint8_t> mask(70, 1);
    mask[3] = 0;
    mask[40] = 0;
    for (const std::uint64_t seed : {0ULL, 3ULL, 0xFFFFFFFFFFFFFFFFULL}) {
        for (const Index top_n : {1, 7, 45}) {
            for (const bool exclude : {true, false}) {
                RecommendParams p;
                p.top_n = top_n;
                p.exclude_seen = exclude;
                p.user_mask = mask;
                const CsrMatrix rec = recommend_random(log, seed, p);
                for (Index u = 0; u < log.rows; ++u) {
                    INFO("seed " << seed << " top_n " << top_n << " exclude " << exclude << " user "
                                 << u);
                    const std::vector<Index> expected =
                        mask[static_cast<size_t>(u)] == 0
                            ? std::vector<Index>{}
                            : plain_random(log, u, seed, top_n, exclude);
                    CHECK(items_of(rec, u) == expected);
                }
            }
        }
    }
}

TEST_CASE("random lists depend on the seed, not on the thread count", "[engine][baselines]") {
    const CsrMatrix log = skewed_log(500, 60, 21);
    RecommendParams p;
    p.top_n = 10;
    CsrMatrix one;
    {
        const tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
        one = recommend_random(log, 42, p);
    }
    CsrMatrix many;
    {
        const tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 4);
        many = recommend_random(log, 42, p);
    }
    CHECK(one == many);
    CHECK(recommend_random(log, 42, p) == one);
    const CsrMatrix other = recommend_random(log, 43, p);
    Index differ = 0;
    for (Index u = 0; u < log.rows; ++u) differ += items_of(other, u) != items_of(one, u) ? 1 : 0;
    // Two independent draws of 10 of about 50 items coincide with a negligible probability.
    CHECK(differ > 490);
    // A shorter list is the start of a longer one (a partial shuffle stops early).
    p.top_n = 4;
    const CsrMatrix short_lists = recommend_random(log, 42, p);
    for (Index u = 0; u < log.rows; ++u) {
        const std::vector<Index> full = items_of(one, u);
        CHECK(items_of(short_lists, u) == std::vector<Index>(full.begin(), full.begin() + 4));
    }
}

TEST_CASE("baselines check their parameters and names", "[engine][baselines]") {
    const CsrMatrix log = skewed_log(5, 6, 1);
    RecommendParams bad;
    bad.top_n = 0;
    REQUIRE_THROWS_WITH(recommend_top_pop(log, bad), "top_n = 0 is out of range [1, inf)");
    REQUIRE_THROWS_WITH(recommend_random(log, 1, bad), "top_n = 0 is out of range [1, inf)");
    RecommendParams mask;
    mask.user_mask = {1, 0};
    REQUIRE_THROWS_WITH(recommend_random(log, 1, mask),
                        "random: user_mask has 2 entries for 5 users");
    REQUIRE_THROWS_WITH(recommend_top_pop(log, mask),
                        "top_pop: user_mask has 2 entries for 5 users");
    REQUIRE_THROWS_WITH(baseline_from_name("popular"),
                        "unknown baseline 'popular'; valid baselines: top_pop, random");
    CHECK(baseline_from_name("top_pop") == Baseline::TopPop);
    CHECK(baseline_from_name("random") == Baseline::Random);
    CHECK(describe_baseline(Baseline::Random, 42) == "random seed=42");
    CHECK(describe_baseline(Baseline::TopPop, 42) == "top_pop");
    // The dispatcher reaches both.
    RecommendParams p;
    p.top_n = 3;
    CHECK(recommend_baseline(log, Baseline::TopPop, 9, p) == recommend_top_pop(log, p));
    CHECK(recommend_baseline(log, Baseline::Random, 9, p) == recommend_random(log, 9, p));
}
