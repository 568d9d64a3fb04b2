// PED-ANOVA importance (tuner/importance.hpp) on functions whose important parameters are known
// by construction, on a divergence worked out by hand, on its invariances and on its errors.

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "benchmarks/tuner_functions.hpp"
#include "tests/tuner/fixtures.hpp"
#include "tuner/error.hpp"
#include "tuner/importance.hpp"
#include "tuner/random_sampler.hpp"

using namespace knntune::tuner;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using knntune::Direction;

namespace {

using Objective = std::function<double(const ParamValues&, std::size_t)>;

// `n` Complete trials of the random sampler's draws (seed, stream = trial number), valued by
// `f(values, number)`.
std::vector<FrozenTrial> random_trials(const SearchSpace& space, std::size_t n, std::uint64_t seed,
                                       const Objective& f) {
    std::vector<FrozenTrial> out;
    for (std::size_t i = 0; i < n; ++i) {
        knntune::Rng rng(seed, i);
        FrozenTrial t;
        t.number = static_cast<std::int64_t>(i);
        t.state = TrialState::Complete;
        t.params.assign(space.size(), kInactive);
        fill_from_prior(space, t.params, rng);
        t.value = f(t.params, i);
        out.push_back(std::move(t));
    }
    return out;
}

// Noise in [0, 1) that depends on the trial number only, never on a parameter.
double noise(std::size_t number) { return knntune::Rng(99, number).uniform(); }

const ParamImportance& find(const std::vector<ParamImportance>& r, const std::string& key) {
    for (const ParamImportance& p : r) {
        if (p.key == key) return p;
    }
    FAIL("no importance for " << key);
    return r.front();
}

double share_sum(const std::vector<ParamImportance>& r) {
    double s = 0.0;
    for (const ParamImportance& p : r) s += p.evaluated ? p.share : 0.0;
    return s;
}

SearchSpace box(int dims) {
    std::vector<ParamSpec> specs;
    for (int d = 0; d < dims; ++d) {
        specs.push_back({"x" + std::to_string(d), Distribution::make_float(-1, 1), "", {}, ""});
    }
    return SearchSpace(std::move(specs));
}

// The benchmark space of ../shared/reference/tpe/BENCHMARK.md valued by F1.
std::vector<FrozenTrial> f1_trials(std::size_t n) {
    return random_trials(testing::knn_space(), n, 7, [](const ParamValues& v, std::size_t) {
        return knntune::bench::benchmark_function(1, v);
    });
}

void require_same(const std::vector<ParamImportance>& a, const std::vector<ParamImportance>& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO(a[i].key);
        CHECK(a[i].key == b[i].key);
        CHECK(a[i].evaluated == b[i].evaluated);
        CHECK(a[i].n_local == b[i].n_local);
        if (a[i].evaluated) CHECK(a[i].raw == b[i].raw);
    }
}

}  // namespace

TEST_CASE("PED-ANOVA ranks x0 of 10·x0² + 0.01·x1 first; an unused parameter gets a small share",
          "[tuner][importance]") {
    const SearchSpace space = box(3);  // x2 is never used by the objective
    const auto trials = random_trials(space, 400, 1, [](const ParamValues& v, std::size_t) {
        return 10.0 * v[0] * v[0] + 0.01 * v[1];
    });
    const auto r = ped_anova(space, trials, Direction::Minimize);
    REQUIRE(r.size() == 3);
    CHECK(r[0].key == "x0");
    CHECK(r[0].share > 0.85);
    CHECK(find(r, "x1").share < 0.08);
    CHECK(find(r, "x2").share < 0.08);
    CHECK_THAT(share_sum(r), WithinAbs(1.0, 1e-12));
    CHECK(r[0].n_trials == 400);
    CHECK(r[0].n_local == 40);
    CHECK(r[0].n_global == 400);
    // A smaller reference region: the top half. x0 is still what separates the best tenth.
    PedAnovaParams half;
    half.global_quantile = 0.5;
    const auto h = ped_anova(space, trials, Direction::Minimize, half);
    CHECK(h[0].key == "x0");
    CHECK(h[0].n_global == 200);
}

TEST_CASE("PED-ANOVA splits the importance of two equally important parameters",
          "[tuner][importance]") {
    const SearchSpace space = box(3);
    const auto trials = random_trials(space, 400, 2, [](const ParamValues& v, std::size_t) {
        return std::abs(v[0]) + std::abs(v[1]);
    });
    const auto r = ped_anova(space, trials, Direction::Minimize);
    CHECK(find(r, "x0").share > 0.3);
    CHECK(find(r, "x1").share > 0.3);
    CHECK(find(r, "x2").share < 0.1);
    CHECK(r[2].key == "x2");
}

TEST_CASE("PED-ANOVA finds a categorical that matters among numeric ones that do not",
          "[tuner][importance]") {
    const SearchSpace space(std::vector<ParamSpec>{
        {"c", Distribution::make_categorical({"a", "b", "c", "d"}), "", {}, ""},
        {"x", Distribution::make_float(0, 1), "", {}, ""},
        {"k", Distribution::make_int(1, 10), "", {}, ""},
        {"lr", Distribution::make_float(1e-4, 1, true), "", {}, ""},
    });
    const auto trials = random_trials(space, 400, 3, [](const ParamValues& v, std::size_t i) {
        return v[0] + 0.3 * noise(i);  // choice "a" (index 0) is best; x, k, lr are unused
    });
    const auto r = ped_anova(space, trials, Direction::Minimize);
    CHECK(r[0].key == "c");
    CHECK(r[0].share > 0.85);
    for (const char* key : {"x", "k", "lr"}) CHECK(find(r, key).share < 0.06);
}

TEST_CASE("PED-ANOVA evaluates a conditional parameter on the trials of its branch",
          "[tuner][importance]") {
    const SearchSpace space(std::vector<ParamSpec>{
        {"algorithm", Distribution::make_categorical({"a", "b"}), "", {}, ""},
        {"x", Distribution::make_float(0, 1), "", {}, ""},
        {"alpha", Distribution::make_float(0, 1), "algorithm", {"a"}, ""},
        {"beta", Distribution::make_float(0, 1), "algorithm", {"b"}, ""},
    });
    // Branch a: alpha near 0.3 wins. Branch b: only x matters; beta is unused.
    const auto trials = random_trials(space, 600, 4, [](const ParamValues& v, std::size_t) {
        return v[0] == 0 ? 4.0 * (v[2] - 0.3) * (v[2] - 0.3) + 0.01 * v[1] : 1.0 + 0.2 * v[1];
    });
    std::size_t n_a = 0;
    for (const FrozenTrial& t : trials) n_a += t.params[0] == 0;
    REQUIRE(n_a > 250);
    REQUIRE(n_a < 350);

    const auto all = ped_anova(space, trials, Direction::Minimize);
    const ParamImportance& alpha = find(all, "a.alpha");
    CHECK(alpha.n_trials == n_a);
    CHECK(alpha.n_local == (n_a + 9) / 10);
    CHECK(find(all, "b.beta").n_trials == trials.size() - n_a);
    CHECK(alpha.share > find(all, "x").share);
    CHECK(find(all, "b.beta").share < 0.05);

    PedAnovaParams only_b;
    only_b.where_key = "algorithm";
    only_b.where_choice = "b";
    const auto b = ped_anova(space, trials, Direction::Minimize, only_b);
    REQUIRE(b.size() == 3);  // the subset's own key is left out
    CHECK(b[0].key == "x");
    CHECK(b[0].share > 0.85);
    CHECK(b[0].n_trials == trials.size() - n_a);
    CHECK(find(b, "b.beta").share < 0.1);
    CHECK_FALSE(find(b, "a.alpha").evaluated);
    CHECK(find(b, "a.alpha").n_trials == 0);

    PedAnovaParams only_a = only_b;
    only_a.where_choice = "a";
    const auto a = ped_anova(space, trials, Direction::Minimize, only_a);
    CHECK(a[0].key == "a.alpha");
    CHECK(a[0].share > 0.85);
}

TEST_CASE("PED-ANOVA on benchmark F1: the algorithm first overall, its branch within rp3beta",
          "[tuner][importance]") {
    const auto trials = f1_trials(1000);
    const SearchSpace space = testing::knn_space();
    const auto r = ped_anova(space, trials, Direction::Minimize);
    CHECK(r[0].key == "algorithm");
    CHECK_THAT(share_sum(r), WithinAbs(1.0, 1e-12));
    PedAnovaParams rp3;
    rp3.where_key = "algorithm";
    rp3.where_choice = "rp3beta";
    const auto b = ped_anova(space, trials, Direction::Minimize, rp3);
    // F1 under rp3beta: 0.3·(alpha − 0.7)² + 0.3·(beta − 0.35)² over [0, 2] outweighs
    // 0.1·(log10 k − log10 50)² and 0.3·(shrink/1000 − 0.2)².
    CHECK(b[0].key == "rp3beta.beta");
    CHECK(find(b, "rp3beta.alpha").share > find(b, "shrink").share);
}

TEST_CASE("PED-ANOVA is invariant to monotone transforms, direction, order and unused trials",
          "[tuner][importance]") {
    const SearchSpace space = testing::knn_space();
    const auto trials = f1_trials(300);
    const auto base = ped_anova(space, trials, Direction::Minimize);

    auto transformed = trials;  // a strictly increasing transform keeps the ranking
    for (FrozenTrial& t : transformed) t.value = std::exp(3.0 * t.value) + 7.0;
    require_same(base, ped_anova(space, transformed, Direction::Minimize));

    auto negated = trials;  // maximising −f is minimising f
    for (FrozenTrial& t : negated) t.value = -t.value;
    require_same(base, ped_anova(space, negated, Direction::Maximize));
    // ... and maximising f is a different question.
    CHECK(ped_anova(space, trials, Direction::Maximize)[0].raw != base[0].raw);

    auto shuffled = trials;
    std::reverse(shuffled.begin(), shuffled.end());
    std::swap(shuffled[3], shuffled[100]);
    require_same(base, ped_anova(space, shuffled, Direction::Minimize));

    auto padded = trials;  // Pruned, Failed, Running and NaN-valued trials do not count
    for (std::size_t i = 0; i < 40; ++i) {
        FrozenTrial t = trials[i];
        t.number = static_cast<std::int64_t>(trials.size() + i);
        t.value = i % 4 == 3 ? std::nan("") : -1.0;  // better than any Complete value
        t.state = std::array{TrialState::Pruned, TrialState::Fail, TrialState::Running,
                             TrialState::Complete}[i % 4];
        padded.push_back(t);
    }
    require_same(base, ped_anova(space, padded, Direction::Minimize));
}

TEST_CASE("PED-ANOVA's divergence of a categorical matches a hand computation",
          "[tuner][importance]") {
    const SearchSpace space(std::vector<ParamSpec>{
        {"c", Distribution::make_categorical({"u", "v"}), "", {}, ""},
    });
    // Ten trials; the best two (values 0, 1) chose u; of all ten, three chose u.
    const std::vector<double> choice = {0, 0, 1, 1, 0, 1, 1, 1, 1, 1};
    std::vector<FrozenTrial> trials;
    for (std::size_t i = 0; i < choice.size(); ++i) {
        FrozenTrial t;
        t.number = static_cast<std::int64_t>(9 - i);  // numbers do not follow the values
        t.state = TrialState::Complete;
        t.value = static_cast<double>(i);
        t.params = {choice[i]};
        trials.push_back(t);
    }
    PedAnovaParams p;
    p.local_quantile = 0.2;
    // Each estimator: N observation rows of weight 1 and a uniform prior row of weight 1. A row
    // holds 1 + 1/(N+1) on its choice and 1/(N+1) on the other, over 1 + 2/(N+1).
    // Local (N = 2, both u): rows (0.8, 0.2); P_l(u) = (2·0.8 + 0.5)/3 = 0.7.
    // Global (N = 10, three u): rows (12/13, 1/13); P_g(u) = (3·12/13 + 7/13 + 1/2)/11 = 9/26.
    // D = Σ (P_l − P_g)²/P_g = (0.7 − 9/26)² (26/9 + 26/17).
    const double diff = 0.7 - 9.0 / 26.0;
    const double expected = diff * diff * (26.0 / 9.0 + 26.0 / 17.0);
    const auto r = ped_anova(space, trials, Direction::Minimize, p);
    REQUIRE(r.size() == 1);
    CHECK(r[0].n_local == 2);
    CHECK_THAT(r[0].raw, WithinRel(expected, 1e-12));
    CHECK(r[0].share == 1.0);

    // Equal values rank by trial number: of ten equal trials (given in reverse), numbers 0 and 1
    // (both u) form the local set; two of all ten chose u, so P_g(u) = (2·12/13 + 8/13 + 1/2)/11
    // = 7/26.
    std::vector<FrozenTrial> tied;
    for (int i = 9; i >= 0; --i) {
        FrozenTrial t;
        t.number = i;
        t.state = TrialState::Complete;
        t.value = 1.0;
        t.params = {i < 2 ? 0.0 : 1.0};
        tied.push_back(t);
    }
    const double tdiff = 0.7 - 7.0 / 26.0;
    CHECK_THAT(ped_anova(space, tied, Direction::Maximize, p)[0].raw,
               WithinRel(tdiff * tdiff * (26.0 / 7.0 + 26.0 / 19.0), 1e-12));
}

namespace {

// The numeric estimator written out again: N truncated normals of width
// max(0.2·N^(−1/5), 1/min(100, N + 2))·(b − a) plus the prior kernel (centre (a+b)/2, width
// b − a), all of weight 1, on [a, b]. With a cell width q > 0 each kernel gives the mass of the
// cell [u − q/2, u + q/2] ∩ [a, b], else its density at u.
double mixture(const std::vector<double>& mu, double a, double b, double q, double u) {
    const auto cdf = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
    const double n = static_cast<double>(mu.size());
    const double width = std::max(0.2 * std::pow(n, -0.2), 1.0 / std::min(100.0, n + 2.0));
    double sum = 0.0;
    for (std::size_t i = 0; i <= mu.size(); ++i) {
        const double m = i < mu.size() ? mu[i] : 0.5 * (a + b);
        const double sg = i < mu.size() ? width * (b - a) : b - a;
        const double mass = cdf((b - m) / sg) - cdf((a - m) / sg);
        if (q > 0.0) {
            const double lo = std::max(u - 0.5 * q, a), hi = std::min(u + 0.5 * q, b);
            sum += (cdf((hi - m) / sg) - cdf((lo - m) / sg)) / mass;
        } else {
            const double z = (u - m) / sg;
            sum += std::exp(-0.5 * z * z) / (sg * std::sqrt(2.0 * M_PI)) / mass;
        }
    }
    return sum / (n + 1.0);
}

// Σ (P_l − P_g)² / P_g over `points`, both mixtures normalised over them.
double oracle_divergence(const std::vector<double>& local, const std::vector<double>& global,
                         double a, double b, double q, const std::vector<double>& points) {
    std::vector<double> l, g;
    for (double u : points) {
        l.push_back(mixture(local, a, b, q, u));
        g.push_back(mixture(global, a, b, q, u));
    }
    const double zl = std::accumulate(l.begin(), l.end(), 0.0);
    const double zg = std::accumulate(g.begin(), g.end(), 0.0);
    double d = 0.0;
    for (std::size_t j = 0; j < points.size(); ++j) {
        const double diff = l[j] / zl - g[j] / zg;
        d += diff * diff / (g[j] / zg);
    }
    return d;
}

}  // namespace

TEST_CASE("PED-ANOVA's numeric divergences match the estimator written out again",
          "[tuner][importance]") {
    const SearchSpace space(std::vector<ParamSpec>{
        {"k", Distribution::make_int(1, 5), "", {}, ""},
        {"x", Distribution::make_float(0, 1), "", {}, ""},
        {"lr", Distribution::make_float(1, 100, true), "", {}, ""},
    });
    // Ten trials ranked by value; local quantile 0.3: the best three.
    const std::vector<std::vector<double>> v = {
        {1, 0.10, 2},  {1, 0.15, 3},  {2, 0.30, 1.5}, {5, 0.90, 80}, {4, 0.50, 10},
        {3, 0.70, 40}, {2, 0.20, 30}, {5, 0.95, 60},  {4, 0.60, 5},  {3, 0.40, 20},
    };
    std::vector<FrozenTrial> trials;
    for (std::size_t i = 0; i < v.size(); ++i) {
        FrozenTrial t;
        t.number = static_cast<std::int64_t>(i);
        t.state = TrialState::Complete;
        t.value = static_cast<double>(i);
        t.params = v[i];
        trials.push_back(t);
    }
    PedAnovaParams p;
    p.local_quantile = 0.3;
    p.n_grid = 7;
    const auto r = ped_anova(space, trials, Direction::Minimize, p);
    const auto column = [&](std::size_t d, std::size_t n, bool log) {
        std::vector<double> out;
        for (std::size_t i = 0; i < n; ++i) out.push_back(log ? std::log(v[i][d]) : v[i][d]);
        return out;
    };
    const auto midpoints = [](double a, double b, int n) {
        std::vector<double> out;
        for (int j = 0; j < n; ++j) out.push_back(a + (j + 0.5) * (b - a) / n);
        return out;
    };
    // k: five values (at most n_grid), each the mass of its cell of [0.5, 5.5].
    CHECK_THAT(find(r, "k").raw,
               WithinRel(oracle_divergence(column(0, 3, false), column(0, 10, false), 0.5, 5.5, 1.0,
                                           {1, 2, 3, 4, 5}),
                         1e-9));
    // x: densities at the midpoints of seven cells of [0, 1].
    CHECK_THAT(find(r, "x").raw,
               WithinRel(oracle_divergence(column(1, 3, false), column(1, 10, false), 0.0, 1.0, 0.0,
                                           midpoints(0.0, 1.0, 7)),
                         1e-9));
    // lr: the same on the log scale, [ln 1, ln 100].
    const double b = std::log(100.0);
    CHECK_THAT(find(r, "lr").raw,
               WithinRel(oracle_divergence(column(2, 3, true), column(2, 10, true), 0.0, b, 0.0,
                                           midpoints(0.0, b, 7)),
                         1e-9));
}

TEST_CASE("Pearson divergence of two discrete distributions", "[tuner][importance]") {
    // l = (1/2, 1/2), g = (1/4, 3/4): (1/4)²/(1/4) + (1/4)²/(3/4) = 1/3.
    const std::vector<double> l = {std::log(2.0), std::log(2.0)};
    const std::vector<double> g = {0.0, std::log(3.0)};
    CHECK_THAT(pearson_divergence(l, g), WithinRel(1.0 / 3.0, 1e-14));
    CHECK(pearson_divergence(g, g) == 0.0);
    const double none = -std::numeric_limits<double>::infinity();
    CHECK(std::isinf(pearson_divergence(l, std::vector<double>{0.0, none})));
    CHECK(pearson_divergence(std::vector<double>{0.0, none}, std::vector<double>{0.0, none}) ==
          0.0);
}

TEST_CASE("PED-ANOVA's numeric grid converges as it is refined", "[tuner][importance]") {
    const SearchSpace space(std::vector<ParamSpec>{
        {"x", Distribution::make_float(1e-3, 10, true), "", {}, ""},
        {"k", Distribution::make_int(0, 5000), "", {}, ""},
    });
    const auto trials = random_trials(space, 300, 5, [](const ParamValues& v, std::size_t) {
        return std::abs(std::log(v[0])) + std::abs(v[1] - 1000.0) / 2000.0;
    });
    PedAnovaParams coarse, fine;
    fine.n_grid = 20000;
    const auto a = ped_anova(space, trials, Direction::Minimize, coarse);
    const auto b = ped_anova(space, trials, Direction::Minimize, fine);
    for (const char* key : {"x", "k"}) {
        INFO(key);
        CHECK(find(a, key).raw > 0.1);
        CHECK_THAT(find(a, key).raw, WithinRel(find(b, key).raw, 0.02));
    }
}

TEST_CASE("PED-ANOVA flags parameters with too few trials and rejects bad settings",
          "[tuner][importance]") {
    const SearchSpace space = testing::knn_space();
    const auto trials = f1_trials(60);
    // About 60/9 trials per branch: one or two in each branch's local set, below min_local = 3.
    PedAnovaParams p;
    p.min_local = 3;
    const auto r = ped_anova(space, trials, Direction::Minimize, p);
    const ParamImportance& alpha = find(r, "tversky.alpha");
    CHECK_FALSE(alpha.evaluated);
    CHECK(std::isnan(alpha.raw));
    CHECK(std::isnan(alpha.share));
    CHECK(alpha.n_local < 3);
    CHECK(alpha.n_trials > 0);
    CHECK(find(r, "k").evaluated);
    CHECK(find(r, "k").n_local == 6);
    CHECK_FALSE(r.back().evaluated);  // evaluated ones come first
    CHECK_THAT(share_sum(r), WithinAbs(1.0, 1e-12));
    // One trial: nothing can be evaluated, and that is not an error.
    for (const ParamImportance& x :
         ped_anova(space, std::span(trials).first(1), Direction::Minimize))
        CHECK_FALSE(x.evaluated);

    const auto with = [&](auto edit) {
        PedAnovaParams q;
        edit(q);
        return [&space, &trials, q] { ped_anova(space, trials, Direction::Minimize, q); };
    };
    CHECK_THROWS_WITH(with([](auto& q) { q.local_quantile = 0.0; })(),
                      "importance: local quantile must be in (0, 1), got 0");
    CHECK_THROWS_WITH(with([](auto& q) { q.global_quantile = 0.05; })(),
                      "importance: global quantile must be in (local quantile, 1] = (0.1, 1], "
                      "got 0.05");
    CHECK_THROWS_AS(with([](auto& q) { q.n_grid = 1; })(), SettingsError);
    CHECK_THROWS_AS(with([](auto& q) { q.prior_weight = 0.0; })(), SettingsError);
    CHECK_THROWS_WITH(with([](auto& q) { q.where_key = "algorithm"; })(),
                      "importance: a subset needs both a categorical key and one of its choices");
    CHECK_THROWS_WITH(with([](auto& q) {
                          q.where_key = "algo";
                          q.where_choice = "cosine";
                      })(),
                      Catch::Contains("algo") && Catch::Contains("algorithm"));
    CHECK_THROWS_WITH(with([](auto& q) {
                          q.where_key = "k";
                          q.where_choice = "5";
                      })(),
                      "importance subset: 'k' is int [5, 1000] log, not a categorical");
    CHECK_THROWS_WITH(with([](auto& q) {
                          q.where_key = "algorithm";
                          q.where_choice = "cosin";
                      })(),
                      Catch::StartsWith("importance subset: 'cosin' is not a choice of "
                                        "'algorithm' (categorical {"));
}
