/// Kendall's tau-b (common/rank_stats.hpp) against values worked out by hand.

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "common/rank_stats.hpp"

using knntune::stats::kendall_tau_b;
using V = std::vector<double>;
using Catch::Matchers::WithinAbs;

TEST_CASE("Kendall's tau-b matches hand-computed values", "[stats][rank]") {
    // No ties: identical order 1, reversed -1.
    CHECK_THAT(kendall_tau_b(V{1, 2, 3, 4}, V{10, 20, 30, 40}), WithinAbs(1.0, 1e-12));
    CHECK_THAT(kendall_tau_b(V{1, 2, 3, 4}, V{4, 3, 2, 1}), WithinAbs(-1.0, 1e-12));
    // Pairs (12) C, (13) C, (23) D: (2 - 1) / 3.
    CHECK_THAT(kendall_tau_b(V{1, 2, 3}, V{1, 3, 2}), WithinAbs(1.0 / 3.0, 1e-12));
    // x = 1 2 3 4, y = 1 3 2 4: five concordant, one discordant: 4/6.
    CHECK_THAT(kendall_tau_b(V{1, 2, 3, 4}, V{1, 3, 2, 4}), WithinAbs(4.0 / 6.0, 1e-12));
    // Ties: x = 1 1 2 3, y = 1 2 2 3. Pairs: (12) x tied; (13) C; (14) C; (23) y tied;
    // (24) C; (34) C. C − D = 4, n0 = 6, n1 = 1, n2 = 1: 4 / sqrt(5·5) = 0.8 (scipy's
    // kendalltau gives 0.8 too).
    CHECK_THAT(kendall_tau_b(V{1, 1, 2, 3}, V{1, 2, 2, 3}), WithinAbs(0.8, 1e-12));
    // x = 1 2 3, y = 5 5 1: (12) y tied, (13) D, (23) D: −2 / sqrt(3·2).
    CHECK_THAT(kendall_tau_b(V{1, 2, 3}, V{5, 5, 1}), WithinAbs(-2.0 / std::sqrt(6.0), 1e-12));
    // A constant vector has no ranking.
    CHECK(std::isnan(kendall_tau_b(V{1, 2, 3}, V{2, 2, 2})));
}

TEST_CASE("Kendall's tau-b rejects unequal, short and non-finite input", "[stats][rank]") {
    REQUIRE_THROWS_WITH(
        kendall_tau_b(V{1, 2}, V{1}),
        "kendall_tau_b: x and y must have equal lengths of at least 2, got 2 and 1");
    REQUIRE_THROWS_WITH(kendall_tau_b(V{1}, V{1}), Catch::Contains("at least 2, got 1 and 1"));
    REQUIRE_THROWS_WITH(kendall_tau_b(V{1, NAN}, V{1, 2}),
                        "kendall_tau_b: non-finite value at position 1");
}
