// The TPE's fast paths against their plain computations: neighbour-gap widths without a
// sort, and the vectorised Σ exp of the log-sum-exp.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "tuner/exp_sum.hpp"
#include "tuner/parzen.hpp"

using namespace knntune::tuner;

TEST_CASE("floored neighbour gaps equal the sorted ones after the floor clamp", "[tuner][parzen]") {
    std::mt19937_64 rng(7);
    int compared = 0;
    for (int rep = 0; rep < 3000; ++rep) {
        const double a = rep % 3 == 0 ? 0.0 : -3.5 + 0.01 * (rep % 17);
        const double b = a + (rep % 5 == 0 ? 1.0 : 7.25);
        const std::size_t m = 2 + rng() % 300;
        // Continuous values, values on a coarse grid (many ties, as a log-int or a stepped
        // float gives), clusters, and values on the edges.
        std::vector<double> c(m);
        const int kind = rep % 4;
        for (std::size_t i = 0; i < m; ++i) {
            const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
            if (kind == 0) c[i] = a + u * (b - a);
            if (kind == 1) c[i] = a + std::round(u * 12.0) / 12.0 * (b - a);
            if (kind == 2) c[i] = a + (u < 0.5 ? 0.1 + 0.01 * u : 0.9 - 0.02 * u) * (b - a);
            if (kind == 3) c[i] = u < 0.2 ? a : (u > 0.8 ? b : a + u * (b - a));
        }
        const double floors[] = {0.05 * (b - a), (b - a) / std::min(100.0, m + 2.0), (b - a) / 3.0,
                                 1e-9 * (b - a)};
        for (const bool endpoints : {false, true}) {
            const std::vector<double> exact = detail::neighbour_gaps(c, a, b, endpoints);
            for (const double floor : floors) {
                const std::vector<double> fast =
                    detail::neighbour_gaps_floored(c, a, b, endpoints, floor);
                REQUIRE(fast.size() == m);
                for (std::size_t i = 0; i < m; ++i) {
                    INFO("rep " << rep << " kind " << kind << " i " << i << " floor " << floor);
                    // Bit-identical once both are clamped as NumericKernels clamps them.
                    REQUIRE(std::clamp(fast[i], floor, b - a) ==
                            std::clamp(exact[i], floor, b - a));
                    ++compared;
                }
            }
        }
    }
    CHECK(compared > 1'000'000);
}

TEST_CASE("sorted neighbour gaps order ties by index", "[tuner][parzen]") {
    // Values 1, 2, 2, 6 on [0, 10]: the first 2 (index 1) has left gap 1 and right gap 0, the
    // second (index 2) left gap 0 and right gap 4.
    const std::vector<double> c = {2.0, 1.0, 2.0, 6.0};
    const std::vector<double> g = detail::neighbour_gaps(c, 0.0, 10.0, false);
    CHECK(g == std::vector<double>{1.0, 1.0, 4.0, 4.0});
    const std::vector<double> e = detail::neighbour_gaps(c, 0.0, 10.0, true);
    CHECK(e == std::vector<double>{1.0, 1.0, 4.0, 4.0});  // edges 1 − 0 and 10 − 6 change nothing
    const std::vector<double> f = detail::neighbour_gaps_floored(c, 0.0, 10.0, false, 0.5);
    CHECK(std::clamp(f[0], 0.5, 10.0) == 1.0);
    CHECK(std::clamp(f[2], 0.5, 10.0) == 4.0);
}

TEST_CASE("exp_sum_shifted matches std::exp within 1e-14 and skips terms 40 below",
          "[tuner][parzen]") {
    std::mt19937_64 rng(3);
    for (std::size_t n : {1u, 3u, 7u, 8u, 9u, 31u, 1000u}) {
        std::vector<double> x(n);
        for (double& v : x) v = std::uniform_real_distribution<double>(-60.0, 5.0)(rng);
        if (n > 2) x[1] = -std::numeric_limits<double>::infinity();
        const double m = *std::max_element(x.begin(), x.end());
        double ref = 0.0;
        for (double v : x) {
            if (v - m > -40.0) ref += std::exp(v - m);
        }
        const double got = exp_sum_shifted(x.data(), x.size(), m);
        INFO("n = " << n);
        CHECK(std::abs(got - ref) <= 1e-14 * ref);
    }
    // Single terms over the whole range, including the ends of the reduction.
    for (double y = -39.999; y <= 0.0; y += 0.0137) {
        const double x[1] = {y};
        const double got = exp_sum_shifted(x, 1, 0.0);
        CHECK(std::abs(got - std::exp(y)) <= 1e-14 * std::exp(y));
    }
    const double at_zero[1] = {2.5};
    CHECK(exp_sum_shifted(at_zero, 1, 2.5) == 1.0);
    const double skipped[2] = {0.0, -40.0};
    CHECK(exp_sum_shifted(skipped, 2, 0.0) == 1.0);
}
