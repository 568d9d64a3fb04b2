// Contract tests run on every sampler: values in bounds, conditions respected, same seed gives
// the same sequence; plus sampler-specific behaviour.

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <set>

#include "tests/tuner/fixtures.hpp"
#include "tuner/error.hpp"
#include "tuner/grid_sampler.hpp"
#include "tuner/study.hpp"
#include "tuner/tpe_sampler.hpp"

using namespace knntune::tuner;
using knntune::tuner::testing::knn_space;

namespace {

// A cheap objective over the KNN space with its optimum in the rp3beta branch.
double knn_objective(const Trial& t) {
    const double l = std::log10(t.value("k"));
    double f = 0.1 * (l - std::log10(50.0)) * (l - std::log10(50.0)) +
               0.3 * std::pow(t.value("shrink") / 1000.0 - 0.2, 2);
    if (t.choice("algorithm") == "rp3beta") {
        f += 0.3 * std::pow(t.value("alpha") - 0.7, 2) + 0.3 * std::pow(t.value("beta") - 0.35, 2);
    } else {
        f += 0.1;
    }
    return f;
}

std::vector<FrozenTrial> run(const std::string& sampler, const boost::json::object& settings,
                             std::uint64_t seed, int n) {
    const SearchSpace space = knn_space();
    StudyOptions opt;
    opt.seed = seed;
    Study study(space, make_sampler(sampler, settings, seed, space),
                std::make_unique<InMemoryStorage>(), opt);
    OptimizeParams p;
    p.n_trials = n;
    study.optimize([](const Trial& t) { return Evaluation{knn_objective(t), {}}; }, p);
    return study.trials();
}

struct Case {
    const char* sampler;
    const char* settings;
};

const Case kCases[] = {
    {"random", "{}"},
    {"tpe", "{}"},
    {"tpe", R"({"mode": "univariate"})"},
    {"tpe", R"({"n_startup_trials": 3, "floor_delta": 0.03, "gamma_ratio": 0.15})"},
    {"grid", R"({"values": {"k": [10, 100], "shrink": [0, 500], "asymmetric.alpha": [0.5],
                 "tversky.alpha": [1], "tversky.beta": [0, 2], "p3alpha.alpha": [1],
                 "rp3beta.alpha": [0.5], "rp3beta.beta": [0.5], "splus.lambda": [0.5],
                 "splus.c": [0.5]}})"},
};

}  // namespace

TEST_CASE("sampler contract: in bounds, conditions respected, reproducible", "[tuner][sampler]") {
    const SearchSpace space = knn_space();
    for (const Case& c : kCases) {
        const boost::json::object settings = boost::json::parse(c.settings).as_object();
        DYNAMIC_SECTION(c.sampler << " " << c.settings) {
            const auto a = run(c.sampler, settings, 7, 40);
            REQUIRE(a.size() == 40);
            std::set<std::string> algorithms;
            for (const FrozenTrial& t : a) {
                REQUIRE(t.state == TrialState::Complete);
                // Every active parameter legal, every inactive one NaN.
                CHECK_NOTHROW(space.check(t.params, "trial " + std::to_string(t.number)));
                algorithms.insert(space.param(0).distribution.format(t.params[0]));
            }
            CHECK(algorithms.size() >= 3);  // explores several branches
            const auto b = run(c.sampler, settings, 7, 40);
            for (std::size_t i = 0; i < a.size(); ++i) {
                INFO("trial " << i);
                for (std::size_t p = 0; p < space.size(); ++p) {
                    CHECK((a[i].params[p] == b[i].params[p] ||
                           (std::isnan(a[i].params[p]) && std::isnan(b[i].params[p]))));
                }
            }
            if (std::string(c.sampler) != "grid") {
                const auto d = run(c.sampler, settings, 8, 40);
                int differ = 0;
                for (std::size_t i = 0; i < a.size(); ++i)
                    differ += a[i].params[2] != d[i].params[2];
                CHECK(differ > 30);
            }
        }
    }
}

TEST_CASE("random sampler draws k log-uniformly on [ln 4.5, ln 1000.5]", "[tuner][sampler]") {
    const auto trials = run("random", {}, 3, 2000);
    int small = 0, int_ok = 0;
    for (const FrozenTrial& t : trials) {
        const double k = t.params[1];
        int_ok += k == std::round(k) && k >= 5 && k <= 1000;
        small += k <= 70;  // P(k ≤ 70) = (ln 70.5 − ln 4.5)/(ln 1000.5 − ln 4.5) ≈ 0.509
    }
    CHECK(int_ok == 2000);
    CHECK(small > 940);
    CHECK(small < 1100);
}

TEST_CASE("grid sampler walks the tree and reports exhaustion", "[tuner][sampler]") {
    const SearchSpace space = SearchSpace::from_json_text(R"({"params": [
        {"name": "m", "type": "categorical", "choices": ["a", "b"]},
        {"name": "k", "type": "int", "low": 1, "high": 3},
        {"name": "x", "type": "float", "low": 0, "high": 1, "parent": "m", "when": ["b"]}]})");
    const GridSampler g(space, {{"b.x", {0.0, 0.5}}});
    // a: 3 values of k; b: 3 × 2.
    REQUIRE(g.points().size() == 9);
    CHECK(std::isnan(g.points()[0][2]));
    StudyOptions opt;
    Study study(space,
                std::make_unique<GridSampler>(
                    space, std::map<std::string, std::vector<double>>{{"b.x", {0.0, 0.5}}}),
                std::make_unique<InMemoryStorage>(), opt);
    OptimizeParams p;
    p.n_trials = 100;
    const OptimizeResult r = study.optimize(
        [](const Trial& t) {
            return Evaluation{t.value("k"), {}};
        },
        p);
    CHECK(r.reason == StopReason::Exhausted);
    CHECK(r.n_run == 9);
    CHECK_THROWS_WITH(GridSampler(space, {}), Catch::Contains("no value list for 'b.x'"));
    CHECK_THROWS_WITH(GridSampler(space, {{"b.x", {2.0}}}),
                      Catch::Contains("value 2.000000 of 'b.x' is not in float [0, 1]"));
}

TEST_CASE("make_sampler rejects unknown names and settings", "[tuner][sampler]") {
    const SearchSpace space = knn_space();
    CHECK_THROWS_WITH(make_sampler("cmaes", {}, 0, space),
                      "unknown sampler 'cmaes' (known: tpe, random, grid)");
    CHECK_THROWS_WITH(
        make_sampler("tpe", boost::json::parse(R"({"n_candidates": 5})").as_object(), 0, space),
        Catch::Contains("unknown tpe setting 'n_candidates'"));
    CHECK_THROWS_WITH(
        make_sampler("tpe", boost::json::parse(R"({"gamma_ratio": 2})").as_object(), 0, space),
        Catch::Contains("'gamma_ratio' must be in (0, 1]"));
}

TEST_CASE("TPE beats random search on a cheap conditional objective", "[tuner][sampler]") {
    // Median best value over 5 seeds after 60 trials; TPE must be clearly better.
    for (const char* settings : {"{}", R"({"mode": "univariate"})"}) {
        DYNAMIC_SECTION(settings) {
            std::vector<double> tpe, rnd;
            for (std::uint64_t seed = 0; seed < 5; ++seed) {
                double bt = 1e9, br = 1e9;
                for (const auto& t : run("tpe", boost::json::parse(settings).as_object(), seed, 60))
                    bt = std::min(bt, t.value);
                for (const auto& t : run("random", {}, seed, 60)) br = std::min(br, t.value);
                tpe.push_back(bt);
                rnd.push_back(br);
            }
            std::sort(tpe.begin(), tpe.end());
            std::sort(rnd.begin(), rnd.end());
            CHECK(tpe[2] < rnd[2]);
        }
    }
}

TEST_CASE("TPE with constant liar spreads a batch of running trials", "[tuner][sampler]") {
    // Asking a batch after the start-up phase: with the liar, the later trials of the batch see
    // the earlier ones as bad and move away; without it they all come from the same model.
    const SearchSpace space = SearchSpace::from_json_text(
        R"({"params": [{"name": "x", "type": "float", "low": 0, "high": 1}]})");
    auto spread = [&](bool liar) {
        boost::json::object s;
        s["constant_liar"] = liar;
        s["n_startup_trials"] = 10;
        StudyOptions opt;
        opt.seed = 11;
        Study study(space, make_sampler("tpe", s, 11, space), std::make_unique<InMemoryStorage>(),
                    opt);
        for (int i = 0; i < 30; ++i) {
            const FrozenTrial t = study.ask();
            study.tell(t.number, TrialState::Complete, Evaluation{std::abs(t.params[0] - 0.3), {}});
        }
        const auto batch = study.ask(8);
        double lo = 1, hi = 0;
        for (const auto& t : batch) {
            lo = std::min(lo, t.params[0]);
            hi = std::max(hi, t.params[0]);
        }
        return hi - lo;
    };
    CHECK(spread(true) > spread(false));
}
