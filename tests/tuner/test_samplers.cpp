// Contract tests run on every registered sampler: values legal, conditions respected, fixed
// values kept, same seed gives the same sequence; the settings-table errors; plus
// sampler-specific behaviour.

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "common/text.hpp"
#include "tests/tuner/fixtures.hpp"
#include "tuner/error.hpp"
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

boost::json::object json_object(const char* text) { return boost::json::parse(text).as_object(); }

// A conditional space (two levels) on which every sampler runs with its default settings: the
// grid needs value lists only for floats and for ints with more than 100 values.
SearchSpace small_space() {
    return SearchSpace::from_json_text(R"({"params": [
        {"name": "algorithm", "type": "categorical", "choices": ["a", "b", "c"]},
        {"name": "k", "type": "int", "low": 1, "high": 4},
        {"name": "x", "type": "int", "low": 0, "high": 10, "step": 5,
         "parent": "algorithm", "when": ["b"]},
        {"name": "mode", "type": "categorical", "choices": ["u", "v"],
         "parent": "algorithm", "when": ["c"]},
        {"name": "depth", "type": "int", "low": 1, "high": 3, "parent": "mode", "when": ["v"]}]})");
}

// Any space: a smooth function of the active values.
double generic_objective(const SearchSpace& space, const ParamValues& v) {
    double f = 0.0;
    for (std::size_t i = 0; i < space.size(); ++i) {
        if (std::isnan(v[i])) continue;
        const Distribution& d = space.param(i).distribution;
        const double u = (v[i] - d.low) / std::max(d.high - d.low, 1.0);
        f += d.is_categorical() ? 0.1 * v[i] : (u - 0.3) * (u - 0.3);
    }
    return f;
}

constexpr int kContractTrials = 40;
constexpr int kLateEnqueue = 25;  // after TPE's start-up trials

// 40 trials by ask/tell (an exhausted grid cycles), with two partial configurations enqueued:
// before trial 0 the last choice of the root categorical (parameter 0), before trial 25 the low
// end of the root int (parameter 1).
// NOTE: the late one fixes no branch: a grid whose points of that branch are all used would
// refuse it.
std::vector<FrozenTrial> contract_run(const SearchSpace& space, const std::string& sampler,
                                      const boost::json::object& settings, std::uint64_t seed,
                                      boost::json::object* recorded = nullptr) {
    StudyOptions opt;
    opt.seed = seed;
    Study study(space, make_sampler(sampler, settings, seed, space),
                std::make_unique<InMemoryStorage>(), opt);
    const Param& root = space.param(0);
    study.enqueue({{root.key, static_cast<double>(root.distribution.n_choices() - 1)}}, false);
    for (int i = 0; i < kContractTrials; ++i) {
        if (i == kLateEnqueue) {
            study.enqueue({{space.param(1).key, space.param(1).distribution.low}}, false);
        }
        const FrozenTrial t = study.ask();
        study.tell(t.number, TrialState::Complete,
                   Evaluation{generic_objective(space, t.params), {}});
    }
    if (recorded) *recorded = study.sampler().settings();
    return study.trials();
}

bool same_params(const FrozenTrial& a, const FrozenTrial& b) {
    for (std::size_t p = 0; p < a.params.size(); ++p) {
        if (!(a.params[p] == b.params[p] || (std::isnan(a.params[p]) && std::isnan(b.params[p]))))
            return false;
    }
    return a.params.size() == b.params.size();
}

void sampler_contract(const SearchSpace& space, const std::string& sampler,
                      const boost::json::object& settings) {
    boost::json::object recorded;
    const auto a = contract_run(space, sampler, settings, 7, &recorded);
    REQUIRE(a.size() == kContractTrials);
    std::set<double> branches;
    for (const FrozenTrial& t : a) {
        // Every active parameter legal, every inactive one NaN.
        CHECK_NOTHROW(space.check(t.params, "trial " + std::to_string(t.number)));
        branches.insert(t.params[0]);
    }
    CHECK(branches.size() >= 3);  // explores several branches
    // Enqueued values kept.
    CHECK(a[0].params[0] == static_cast<double>(space.param(0).distribution.n_choices() - 1));
    CHECK(a[kLateEnqueue].params[1] == space.param(1).distribution.low);
    // Same seed, same trials.
    const auto b = contract_run(space, sampler, settings, 7);
    for (std::size_t i = 0; i < a.size(); ++i) {
        INFO("trial " << i);
        CHECK(same_params(a[i], b[i]));
    }
    // A sampler that records a seed draws from it.
    if (recorded.contains("seed")) {
        CHECK(recorded.at("seed") == 7);
        const auto d = contract_run(space, sampler, settings, 8);
        int differ = 0;
        for (std::size_t i = 0; i < a.size(); ++i) differ += same_params(a[i], d[i]) ? 0 : 1;
        CHECK(differ > 20);
    }
    // The recorded settings (as in the trial log) are valid input and record the same again.
    const auto again = make_sampler(sampler, recorded, 7, space);
    CHECK(again->name() == sampler);
    CHECK(again->settings() == recorded);
}

// Non-default settings on the KNN space (floats, a log int, nine branches).
struct Case {
    const char* sampler;
    const char* settings;
};

const Case kKnnCases[] = {
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

TEST_CASE("sampler contract: every registered sampler with its default settings",
          "[tuner][sampler]") {
    const SearchSpace space = small_space();
    REQUIRE(sampler_entries().size() == sampler_names().size());
    for (const SamplerEntry* e : sampler_entries()) {
        DYNAMIC_SECTION(e->name) {
            CHECK_FALSE(e->summary.empty());
            sampler_contract(space, std::string(e->name), {});
        }
    }
}

TEST_CASE("sampler contract: settings cases on the KNN space", "[tuner][sampler]") {
    const SearchSpace space = knn_space();
    for (const Case& c : kKnnCases) {
        DYNAMIC_SECTION(c.sampler << " " << c.settings) {
            sampler_contract(space, c.sampler, json_object(c.settings));
        }
    }
}

TEST_CASE("sampler settings: unknown names, wrong types and bounds are errors",
          "[tuner][sampler]") {
    const SearchSpace space = knn_space();
    const auto make = [&](const char* sampler, const char* settings) {
        return make_sampler(sampler, json_object(settings), 0, space);
    };
    // The known names are the registry's, whatever it holds.
    const std::string known = knntune::join(sampler_names());
    REQUIRE_THROWS_WITH(make_sampler("cmaes", {}, 0, space),
                        "unknown sampler 'cmaes' (known: " + known + ")");
    REQUIRE_THROWS_WITH(make_sampler("rnadom", {}, 0, space),
                        "unknown sampler 'rnadom' (did you mean 'random'? known: " + known + ")");
    REQUIRE_THROWS_WITH(
        make("tpe", R"({"n_candidates": 5})"),
        "unknown tpe setting 'n_candidates' (did you mean 'n_ei_candidates'? known: mode, "
        "n_startup_trials, n_ei_candidates, gamma_ratio, gamma_cap, gamma_sqrt, prior_weight, "
        "floor_delta, floor_exponent, below_weights, above_weights, constant_liar, seed)");
    REQUIRE_THROWS_WITH(make("tpe", R"({"bandwidth": 5})"),
                        Catch::StartsWith("unknown tpe setting 'bandwidth' (known: mode, "));
    REQUIRE_THROWS_WITH(make("random", R"({"n_startup_trials": 5})"),
                        "unknown random setting 'n_startup_trials' (known: seed)");
    REQUIRE_THROWS_WITH(make("tpe", R"({"gamma_ratio": 2})"),
                        "tpe setting 'gamma_ratio' = 2 is out of range (0, 1]");
    REQUIRE_THROWS_WITH(make("tpe", R"({"prior_weight": 0})"),
                        "tpe setting 'prior_weight' = 0 is out of range (0, inf)");
    REQUIRE_THROWS_WITH(make("tpe", R"({"n_ei_candidates": 0})"),
                        "tpe setting 'n_ei_candidates' = 0 is out of range [1, 1e+09]");
    REQUIRE_THROWS_WITH(make("tpe", R"({"n_startup_trials": 2.5})"),
                        "tpe setting 'n_startup_trials': expected an integer, got 2.5");
    REQUIRE_THROWS_WITH(make("tpe", R"({"n_ei_candidates": "64"})"),
                        "tpe setting 'n_ei_candidates': expected an integer, got a string "
                        "(\"64\")");
    REQUIRE_THROWS_WITH(make("tpe", R"({"constant_liar": 1})"),
                        "tpe setting 'constant_liar': expected true or false, got a number (1)");
    REQUIRE_THROWS_WITH(make("tpe", R"({"floor_delta": true})"),
                        "tpe setting 'floor_delta': expected a number, got true");
    REQUIRE_THROWS_WITH(make("tpe", R"({"mode": "multivariate"})"),
                        "tpe setting 'mode': expected one of joint, univariate");
    REQUIRE_THROWS_WITH(make("tpe", R"({"below_weights": 1})"),
                        "tpe setting 'below_weights': expected one of ramp, uniform (a string), "
                        "got a number (1)");
    REQUIRE_THROWS_WITH(make("grid", R"({"values": [1, 2]})"),
                        "grid setting 'values' must be an object {key: [value, ...]}");
    REQUIRE_THROWS_WITH(make("grid", R"({"valuse": {}})"),
                        Catch::StartsWith("unknown grid setting 'valuse' (did you mean 'values'?"));
}

TEST_CASE("sampler settings: TPE reads and writes its table", "[tuner][sampler]") {
    // The recorded form of the defaults is unchanged (it is what trial logs hold).
    CHECK(boost::json::serialize(TpeSettings::from_json({}, 0).to_json()) ==
          R"({"mode":"joint","n_startup_trials":10,"n_ei_candidates":64,"gamma_ratio":1E-1,)"
          R"("gamma_cap":25,"gamma_sqrt":false,"prior_weight":2E0,"floor_delta":5E-2,)"
          R"("floor_exponent":2E0,"below_weights":"uniform","above_weights":"ramp",)"
          R"("constant_liar":true,"seed":0})");
    // A seed setting is ignored: the study's wins.
    const TpeSettings s = TpeSettings::from_json(json_object(R"({"seed": 5, "gamma_cap": 7})"), 9);
    CHECK(s.seed == 9);
    CHECK(s.gamma_cap == 7);
    // Univariate mode starts from Optuna 3.1's defaults, then the other settings apply, in
    // whatever order they are given.
    const TpeSettings u =
        TpeSettings::from_json(json_object(R"({"n_ei_candidates": 10, "mode": "univariate"})"), 3);
    const TpeSettings o = TpeSettings::optuna31(3);
    CHECK(u.mode == TpeMode::Univariate);
    CHECK(u.n_ei_candidates == 10);
    CHECK(u.prior_weight == o.prior_weight);
    CHECK(u.floor_delta == o.floor_delta);
    CHECK(u.below_weights == o.below_weights);
    CHECK(u.constant_liar == o.constant_liar);
    // Every setting round-trips through its JSON form.
    const boost::json::object custom = json_object(
        R"({"mode": "joint", "n_startup_trials": 0, "n_ei_candidates": 3, "gamma_ratio": 1.0,
            "gamma_cap": 2, "gamma_sqrt": true, "prior_weight": 0.5, "floor_delta": 0.0,
            "floor_exponent": 1.5, "below_weights": "ramp", "above_weights": "uniform",
            "constant_liar": false})");
    const boost::json::object written = TpeSettings::from_json(custom, 4).to_json();
    CHECK(TpeSettings::from_json(written, 4).to_json() == written);
    for (const auto& kv : custom) CHECK(written.at(kv.key()) == kv.value());
}

TEST_CASE("sampler registry: help text and docs come from the settings tables",
          "[tuner][sampler]") {
    const std::string help = sampler_settings_help("tpe");
    CHECK_THAT(help, Catch::Contains("  n_ei_candidates=64       [1, 1e+09]\n"
                                     "                           candidates drawn from l(x)"));
    CHECK_THAT(help, Catch::Contains("  mode=joint               joint|univariate\n"));
    CHECK_THAT(help, Catch::Contains("  gamma_ratio=0.1          (0, 1]\n"));
    CHECK_THAT(help, Catch::Contains("  constant_liar=true       true|false\n"));
    CHECK_THAT(help, Catch::EndsWith("  seed                     ignored\n"
                                     "                           the study's seed is used (and "
                                     "recorded by the samplers that draw random numbers)\n"));
    CHECK_THAT(sampler_settings_help("grid"),
               Catch::Contains("  values={}                {key: [value, ...]}\n"));
    CHECK_THROWS_WITH(sampler_settings_help("tpee"), Catch::Contains("did you mean 'tpe'?"));
    const std::string listing = samplers_help();
    for (const std::string& name : sampler_names()) {
        CHECK_THAT(listing, Catch::Contains("  " + name + " "));
    }
    // docs/samplers.md holds the generated reference verbatim.
    std::ifstream in(std::string(KNNTUNE_SOURCE_DIR) + "/docs/samplers.md");
    REQUIRE(in.good());
    std::stringstream doc;
    doc << in.rdbuf();
    INFO("regenerate the reference part of docs/samplers.md from samplers_markdown():\n"
         << samplers_markdown());
    CHECK_THAT(doc.str(), Catch::Contains(samplers_markdown()));
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
    const auto values = json_object(R"({"values": {"b.x": [0, 0.5]}})");
    // a: 3 values of k; b: 3 × 2.
    CHECK(make_sampler("grid", values, 0, space)->settings().at("n_points") == 9);
    StudyOptions opt;
    Study study(space, make_sampler("grid", values, 0, space), std::make_unique<InMemoryStorage>(),
                opt);
    OptimizeParams p;
    p.n_trials = 100;
    const OptimizeResult r = study.optimize(
        [](const Trial& t) {
            return Evaluation{t.value("k"), {}};
        },
        p);
    CHECK(r.reason == StopReason::Exhausted);
    CHECK(r.n_run == 9);
    CHECK(std::isnan(study.trials()[0].params[2]));
    CHECK_THROWS_WITH(make_sampler("grid", {}, 0, space),
                      Catch::Contains("no value list for 'b.x'"));
    CHECK_THROWS_WITH(make_sampler("grid", json_object(R"({"values": {"b.x": [2]}})"), 0, space),
                      Catch::Contains("value 2.000000 of 'b.x' is not in float [0, 1]"));
    // n_points, as recorded in the log, must match the grid the value lists give.
    CHECK_NOTHROW(
        make_sampler("grid", json_object(R"({"values": {"b.x": [0]}, "n_points": 6})"), 0, space));
    CHECK_THROWS_WITH(
        make_sampler("grid", json_object(R"({"values": {"b.x": [0, 0.5]}, "n_points": 6})"), 0,
                     space),
        "grid setting 'n_points' = 6, but the value lists give 9 grid points");
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
