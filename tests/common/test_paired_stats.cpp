#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "common/paired_stats.hpp"

using namespace knntune::stats;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

// Independent oracle for the Wilcoxon cases below: a plain python3 script (no SciPy) that
// ranks |d| with average ties, sums W+ and W−, and for the exact p-value enumerates all 2^n
// sign patterns of the non-zero ranks (p = min(1, 2·min(P(W+ <= w), P(W+ >= w)))); for the
// normal case it uses the textbook variance n(n+1)(2n+1)/24 − Σ(t³−t)/48, mean n(n+1)/4, a
// 0.5 continuity correction and p = erfc(|z|/√2).

namespace {

std::vector<double> zeros(std::size_t n) { return std::vector<double>(n, 0.0); }

/// Checks an exact Wilcoxon result against the oracle's counts, rank sums and p-value.
void check_exact(const WilcoxonResult& r, std::size_t n_nonzero, double w_plus, double w_minus,
                 double p_value) {
    CHECK(r.exact);
    CHECK(r.n_nonzero == n_nonzero);
    CHECK(r.w_plus == w_plus);
    CHECK(r.w_minus == w_minus);
    CHECK_THAT(r.p_value, WithinAbs(p_value, 1e-12));
}

}  // namespace

TEST_CASE("wilcoxon exact p-value without ties, zero dropped", "[common][stats]") {
    // d = {1, -2, 3, 4, 0, 5}; the zero is dropped, ranks 1..5, W+ = 1+3+4+5 = 13, W− = 2.
    // By hand: P(W− <= 2) for n = 5 counts the subsets {}, {1}, {2} of 32 → p = 2·3/32.
    const std::vector<double> a = {1, -2, 3, 4, 0, 5};
    const auto r = wilcoxon_signed_rank(a, zeros(a.size()));
    CHECK(r.n_pairs == 6);
    check_exact(r, 5, 13.0, 2.0, 0.1875);
    CHECK_THAT(r.rank_biserial, WithinAbs(11.0 / 15.0, 1e-12));
    // Swapping the arguments mirrors the statistic and keeps the two-sided p-value.
    const auto s = wilcoxon_signed_rank(zeros(a.size()), a);
    CHECK(s.w_plus == 2.0);
    CHECK_THAT(s.p_value, WithinAbs(0.1875, 1e-12));
    CHECK_THAT(s.rank_biserial, WithinAbs(-11.0 / 15.0, 1e-12));
}

TEST_CASE("wilcoxon exact p-value with tied ranks", "[common][stats]") {
    // d = {1, 1, -1, 2, 3, 3, -3, 4}: |d| ranks 2,2,2,4,6,6,6,8 → W+ = 28, W− = 8.
    // python3 enumeration of 256 sign patterns: p = 0.21875.
    const std::vector<double> b = {10, 10, 10, 10, 10, 10, 10, 10};
    const std::vector<double> a = {11, 11, 9, 12, 13, 13, 7, 14};
    check_exact(wilcoxon_signed_rank(a, b), 8, 28.0, 8.0, 0.21875);
}

TEST_CASE("wilcoxon Pratt keeps zeros in the ranking", "[common][stats]") {
    // d = {0, 0, 1, -2, 3, 4, 5}: the zeros take ranks 1.5, 1.5, the rest 3..7.
    // W+ = 3+5+6+7 = 21, W− = 4; python3 enumeration over the 5 signed ranks: p = 0.1875.
    const std::vector<double> a = {0, 0, 1, -2, 3, 4, 5};
    const auto r = wilcoxon_signed_rank(a, zeros(a.size()), {.zero_method = ZeroMethod::Pratt});
    CHECK(r.n_nonzero == 5);
    CHECK(r.w_plus == 21.0);
    CHECK(r.w_minus == 4.0);
    CHECK_THAT(r.p_value, WithinAbs(0.1875, 1e-12));
    // Dropping the zeros instead (Wilcoxon) gives ranks 1..5: W+ = 1+3+4+5 = 13.
    CHECK(wilcoxon_signed_rank(a, zeros(a.size())).w_plus == 13.0);
}

TEST_CASE("wilcoxon exact with ties for n = 20 matches enumeration", "[common][stats]") {
    // d_i = (5i mod 13) − 5 for i = 0..19; two zeros dropped, n = 18 with many ties.
    // python3 enumeration of 2^18 sign patterns: W+ = 108.5, W− = 62.5, p = 0.32976531982421875.
    std::vector<double> a;
    for (int i = 0; i < 20; ++i) a.push_back((5 * i) % 13 - 5);
    check_exact(wilcoxon_signed_rank(a, zeros(a.size())), 18, 108.5, 62.5, 0.32976531982421875);
}

TEST_CASE("wilcoxon normal approximation with ties and continuity", "[common][stats]") {
    // d_i = ((7i mod 11) − 4)/4 for i = 0..39: 3 zeros dropped, n = 37, heavy ties.
    // python3 with the textbook tie-corrected variance: W+ = 480, W− = 223,
    // z = 1.9385596837785353, p = 0.05255497671780511.
    std::vector<double> a;
    for (int i = 0; i < 40; ++i) a.push_back(((7 * i) % 11 - 4) / 4.0);
    const auto r = wilcoxon_signed_rank(a, zeros(a.size()));
    CHECK_FALSE(r.exact);
    CHECK(r.n_nonzero == 37);
    CHECK(r.w_plus == 480.0);
    CHECK(r.w_minus == 223.0);
    CHECK_THAT(r.z, WithinRel(1.9385596837785353, 1e-12));
    CHECK_THAT(r.p_value, WithinRel(0.05255497671780511, 1e-10));
    // Without continuity correction: z = (480 − 351.5)/sqrt(n(n+1)(2n+1)/24 − Σ(t³−t)/48).
    const auto nc = wilcoxon_signed_rank(a, zeros(a.size()), {.continuity = false});
    CHECK(nc.z > r.z);
}

TEST_CASE("wilcoxon one-sided p-values", "[common][stats]") {
    using knntune::stats::Alternative;
    // Exact: d = {1, -2, 3, 4, 0, 5}, W+ = 13 of n = 5. P(W+ >= 13) = P(W− <= 2) = 3/32;
    // P(W+ <= 13) = 1 − P(W− <= 1) = 30/32 (subsets {} and {1}).
    const std::vector<double> a = {1, -2, 3, 4, 0, 5};
    const auto g = wilcoxon_signed_rank(a, zeros(a.size()), {.alternative = Alternative::Greater});
    CHECK_THAT(g.p_value, WithinAbs(3.0 / 32.0, 1e-12));
    const auto l = wilcoxon_signed_rank(a, zeros(a.size()), {.alternative = Alternative::Less});
    CHECK_THAT(l.p_value, WithinAbs(30.0 / 32.0, 1e-12));
    // Normal: the 37-pair case below. Greater keeps z (the correction also subtracts 0.5),
    // p = 1 − Φ(z); Less adds 0.5: z = 129/σ = 1.953704681308055, p = Φ(z).
    std::vector<double> n;
    for (int i = 0; i < 40; ++i) n.push_back(((7 * i) % 11 - 4) / 4.0);
    const auto ng = wilcoxon_signed_rank(n, zeros(n.size()), {.alternative = Alternative::Greater});
    CHECK_THAT(ng.p_value, WithinRel(0.026277488358902534, 1e-10));
    const auto nl = wilcoxon_signed_rank(n, zeros(n.size()), {.alternative = Alternative::Less});
    CHECK_THAT(nl.z, WithinRel(1.953704681308055, 1e-12));
    CHECK_THAT(nl.p_value, WithinRel(0.9746319238172192, 1e-10));
}

TEST_CASE("wilcoxon edge cases and errors", "[common][stats]") {
    const std::vector<double> same = {0.1, 0.2, 0.3};
    const auto r = wilcoxon_signed_rank(same, same);
    CHECK(r.n_nonzero == 0);
    CHECK(r.p_value == 1.0);
    CHECK(r.rank_biserial == 0.0);

    const std::vector<double> short_b = {0.1, 0.2};
    REQUIRE_THROWS_WITH(wilcoxon_signed_rank(same, short_b),
                        "wilcoxon_signed_rank: paired vectors differ in length (a has 3 values, "
                        "b has 2)");
    const std::vector<double> bad = {0.1, NAN, 0.3};
    REQUIRE_THROWS_AS(wilcoxon_signed_rank(same, bad), StatsError);
    REQUIRE_THROWS_WITH(wilcoxon_signed_rank(same, bad), Contains("b[1] is not finite"));
    REQUIRE_THROWS_WITH(wilcoxon_signed_rank({}, {}), Contains("empty"));
}

TEST_CASE("holm adjustment matches hand computation", "[common][stats]") {
    // Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → running max 0.06.
    const std::vector<double> p = {0.01, 0.04, 0.03, 0.005};
    const auto adj = holm_adjust(p);
    REQUIRE(adj.size() == 4);
    CHECK_THAT(adj[0], WithinAbs(0.03, 1e-15));
    CHECK_THAT(adj[1], WithinAbs(0.06, 1e-15));
    CHECK_THAT(adj[2], WithinAbs(0.06, 1e-15));
    CHECK_THAT(adj[3], WithinAbs(0.02, 1e-15));
    // Capped at 1, empty input allowed, out-of-range input refused.
    CHECK(holm_adjust(std::vector<double>{0.6, 0.7}) == std::vector<double>{1.0, 1.0});
    CHECK(holm_adjust({}).empty());
    REQUIRE_THROWS_WITH(holm_adjust(std::vector<double>{0.1, 1.5}),
                        Contains("p_values[1] is not in [0, 1]"));
}

TEST_CASE("bootstrap CI is deterministic and agrees with normal theory", "[common][stats]") {
    // x_i = (i mod 10)/10 for 500 values: mean 0.45, population sd 0.2872281 (values 0..0.9
    // uniform). Normal theory 95% interval of the mean: 0.45 ± 1.959964·0.2872281/√500
    // = [0.42482, 0.47518]; the percentile bootstrap should agree within Monte Carlo error.
    std::vector<double> x;
    for (int i = 0; i < 500; ++i) x.push_back((i % 10) / 10.0);
    const BootstrapParams params{.n_resamples = 4000, .seed = 42};
    const auto ci = bootstrap_mean_ci(x, params);
    CHECK_THAT(ci.estimate, WithinAbs(0.45, 1e-12));
    CHECK(ci.lower < 0.45);
    CHECK(ci.upper > 0.45);
    CHECK_THAT(ci.lower, WithinAbs(0.42482, 0.003));
    CHECK_THAT(ci.upper, WithinAbs(0.47518, 0.003));
    // Same seed, same bits; another seed moves the bounds slightly.
    const auto again = bootstrap_mean_ci(x, params);
    CHECK(again.lower == ci.lower);
    CHECK(again.upper == ci.upper);
    const auto other = bootstrap_mean_ci(x, {.n_resamples = 4000, .seed = 43});
    CHECK((other.lower != ci.lower || other.upper != ci.upper));
    // A constant sample has a degenerate interval.
    const std::vector<double> c(30, 0.25);
    const auto cc = bootstrap_mean_ci(c, {.n_resamples = 100});
    CHECK(cc.lower == 0.25);
    CHECK(cc.upper == 0.25);
    REQUIRE_THROWS_WITH(bootstrap_mean_ci(x, {.n_resamples = 0}), Contains("n_resamples"));
    REQUIRE_THROWS_WITH(bootstrap_mean_ci(x, {.level = 1.0}), Contains("level must be in (0, 1)"));
}

TEST_CASE("paired bootstrap test", "[common][stats]") {
    std::vector<double> a;
    std::vector<double> b;
    for (int i = 0; i < 200; ++i) {
        b.push_back((i % 7) / 7.0);
        a.push_back(b.back() + 0.05 + ((i % 3) - 1) * 0.01);  // a clearly above b
    }
    const BootstrapParams params{.n_resamples = 999, .seed = 1};
    const auto strong = paired_bootstrap_test(a, b, params);
    CHECK_THAT(strong.mean_difference, WithinAbs(0.05 - 0.01 / 200.0, 1e-12));
    // No centred resample can reach the observed mean: p = 1/(B+1).
    CHECK_THAT(strong.p_value, WithinAbs(1.0 / 1000.0, 1e-15));
    CHECK(paired_bootstrap_test(a, b, params).p_value == strong.p_value);

    // Symmetric differences ±0.1 around zero: observed mean 0, every resample is at least
    // as extreme, p = 1.
    std::vector<double> c;
    for (int i = 0; i < 100; ++i) c.push_back(i % 2 == 0 ? 0.1 : -0.1);
    CHECK(paired_bootstrap_test(c, zeros(c.size()), params).p_value == 1.0);

    // A moderate effect: the bootstrap p-value and the Wilcoxon normal p-value agree loosely.
    std::vector<double> m;
    for (int i = 0; i < 60; ++i) m.push_back(((7 * i) % 11 - 4.6) / 4.0);
    const double pb = paired_bootstrap_test(m, zeros(m.size()), params).p_value;
    const double pw = wilcoxon_signed_rank(m, zeros(m.size())).p_value;
    CHECK(pb > 0.001);
    CHECK(pb < 0.5);
    CHECK(std::abs(std::log10(pb) - std::log10(pw)) < 1.0);
}

TEST_CASE("paired effect size", "[common][stats]") {
    // d = {1, -2, 3, 4, 0, 5}: mean 11/6, median (1+3)/2 = 2, sample sd by python3
    // statistics.stdev = 2.6394443859772205, d_z = 0.6945906278887423.
    // Rank-biserial 11/15 as above.
    const std::vector<double> a = {1, -2, 3, 4, 0, 5};
    const auto e = paired_effect_size(a, zeros(a.size()));
    CHECK(e.n == 6);
    CHECK_THAT(e.mean_difference, WithinAbs(11.0 / 6.0, 1e-12));
    CHECK_THAT(e.median_difference, WithinAbs(2.0, 1e-12));
    CHECK_THAT(e.standardized_mean_difference, WithinRel(0.6945906278887423, 1e-10));
    CHECK_THAT(e.rank_biserial, WithinAbs(11.0 / 15.0, 1e-12));
    CHECK_THAT(e.mean_a, WithinAbs(11.0 / 6.0, 1e-12));
    CHECK(e.mean_b == 0.0);
}

TEST_CASE("quantile and normal cdf", "[common][stats]") {
    const std::vector<double> s = {1, 2, 3, 4};
    CHECK(quantile_sorted(s, 0.0) == 1.0);
    CHECK(quantile_sorted(s, 1.0) == 4.0);
    CHECK_THAT(quantile_sorted(s, 0.5), WithinAbs(2.5, 1e-15));
    CHECK_THAT(quantile_sorted(s, 0.25), WithinAbs(1.75, 1e-15));  // numpy.quantile: 1.75
    CHECK_THAT(normal_cdf(1.959963984540054), WithinAbs(0.975, 1e-12));
    CHECK_THAT(normal_cdf(0.0), WithinAbs(0.5, 1e-15));
}
