/// `knntune recommend --baseline` on the tiny experiment's prepared data, checked against the
/// plain re-implementations of tests/engine/baseline_oracle.hpp, and the errors of the
/// --measure / --baseline choice of recommend and evaluate.

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "engine/data/prepared_io.hpp"
#include "experiments/report/report_test_support.hpp"
#include "support/temp_dir.hpp"
#include "support/tiny_experiment.hpp"
#include "tests/engine/baseline_oracle.hpp"

using knntune::test::run_cli;
using knntune::test::run_cli_ok;
using knntune::test::slurp;
using knntune::test::TempDir;
namespace fs = std::filesystem;
namespace eng = knntune::engine;

namespace {

/// user id → its (item id, score) list in rank order.
using Lists = std::map<std::string, std::vector<std::pair<std::string, float>>>;

/// The lists of a `user,item,score,rank` file; checks that ranks count from 1 in file order.
Lists read_lists(const fs::path& csv) {
    std::istringstream in(slurp(csv));
    std::string line;
    std::getline(in, line);
    CHECK(line == "user,item,score,rank");
    Lists out;
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
        REQUIRE(f.size() == 4);
        auto& list = out[f[0]];
        list.emplace_back(f[1], std::stof(f[2]));
        CHECK(std::stoul(f[3]) == list.size());
    }
    return out;
}

/// Lists by index (users × items, as the oracles give them) → by id, users without a list left
/// out as the CSV leaves them out.
Lists by_id(const eng::PreparedData& d,
            const std::vector<std::vector<std::pair<eng::Index, float>>>& lists) {
    Lists out;
    for (size_t u = 0; u < lists.size(); ++u) {
        for (const auto& [item, score] : lists[u]) {
            out[d.user_keys[u]].emplace_back(d.item_keys[static_cast<size_t>(item)], score);
        }
    }
    return out;
}

/// The random oracle's lists of every user of `m`, score 1/rank.
std::vector<std::vector<std::pair<eng::Index, float>>> random_lists(const eng::CsrMatrix& m,
                                                                    std::uint64_t seed,
                                                                    eng::Index top_n) {
    std::vector<std::vector<std::pair<eng::Index, float>>> out(static_cast<size_t>(m.rows));
    for (eng::Index u = 0; u < m.rows; ++u) {
        const auto items = knntune::test::plain_random(m, u, seed, top_n);
        for (size_t i = 0; i < items.size(); ++i) {
            out[static_cast<size_t>(u)].emplace_back(items[i], 1.0F / static_cast<float>(i + 1));
        }
    }
    return out;
}

/// A folder with the tiny experiment prepared in run/prepared.h5.
void prepare_tiny(const TempDir& dir) {
    dir.write("log.csv", knntune::test::tiny_log());
    dir.write("cfg.yaml", knntune::test::tiny_config({.n_trials = 2, .parallel_trials = 1}));
    (void)run_cli_ok("prepare cfg.yaml --quiet", dir.path());
}

}  // namespace

TEST_CASE("knntune recommend --baseline top_pop writes the plain count-and-sort lists",
          "[experiments][cli][baselines]") {
    TempDir dir;
    prepare_tiny(dir);
    const eng::PreparedData d = eng::load_prepared((dir.path() / "run/prepared.h5").string());
    const std::string input = "recommend --input run/prepared.h5 --period train --top 4 ";
    (void)run_cli_ok(input + "--baseline top_pop --output top.csv", dir.path());
    const Lists actual = read_lists(dir.path() / "top.csv");
    const eng::CsrMatrix& train = d.matrix(eng::Period::Train);
    CHECK(actual == by_id(d, knntune::test::plain_top_pop(train, 4)));
    CHECK(actual.size() == d.user_keys.size());  // every user gets a list, even without train
}

TEST_CASE("knntune recommend --baseline random follows the seed, not the thread count",
          "[experiments][cli][baselines]") {
    TempDir dir;
    prepare_tiny(dir);
    const eng::PreparedData d = eng::load_prepared((dir.path() / "run/prepared.h5").string());
    const eng::CsrMatrix& train = d.matrix(eng::Period::Train);
    const std::string input = "recommend --input run/prepared.h5 --period train --top 6 ";
    (void)run_cli_ok(input + "--baseline random --seed 5 --threads 1 --output a.csv", dir.path());
    (void)run_cli_ok(input + "--baseline random --seed 5 --threads 2 --output b.csv", dir.path());
    (void)run_cli_ok(input + "--baseline random --output zero.csv", dir.path());
    CHECK(slurp(dir.path() / "a.csv") == slurp(dir.path() / "b.csv"));
    CHECK(read_lists(dir.path() / "a.csv") == by_id(d, random_lists(train, 5, 6)));
    // The default seed of `recommend` is 0.
    CHECK(read_lists(dir.path() / "zero.csv") == by_id(d, random_lists(train, 0, 6)));
    CHECK(slurp(dir.path() / "zero.csv") != slurp(dir.path() / "a.csv"));
}

TEST_CASE("recommend and evaluate explain a wrong --measure / --baseline choice",
          "[experiments][cli][baselines]") {
    TempDir dir;
    prepare_tiny(dir);
    const std::string rec = "recommend --input run/prepared.h5 --output out.csv ";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {rec + "--baseline popular",
         "unknown baseline 'popular'; valid baselines: top_pop, random"},
        {rec + "--baseline cosine",
         "'cosine' is a similarity measure, not a baseline: give --measure cosine (baselines: "
         "top_pop, random)"},
        {rec + "--measure top_pop --orientation item",
         "'top_pop' is a baseline, not a similarity measure: give --baseline top_pop"},
        {rec + "--measure cosine --baseline top_pop", "give --measure or --baseline, not both"},
        {rec, "give --measure NAME (a similarity measure) or --baseline NAME (top_pop, random)"},
        {rec + "--measure cosine", "the option '--orientation' is required with --measure"},
        {rec + "--baseline top_pop --orientation item",
         "--orientation does not apply to --baseline top_pop"},
        {rec + "--baseline random --param k=5",
         "--param does not apply to --baseline random: baselines have no parameters"},
        {rec + "--baseline top_pop --seed 3", "--seed applies to --baseline random only"},
        {rec + "--measure cosine --orientation item --seed 3",
         "--seed applies to --baseline random only"},
        {rec + "--baseline random --seed -1", "--seed takes an integer in [0, 2^64), got '-1'"},
        {"evaluate cfg.yaml --baseline top_pop --param k=5",
         "--param does not apply to --baseline top_pop"},
        {"evaluate cfg.yaml --baseline nope", "valid baselines: top_pop, random"},
        {"similarity --input run/prepared.h5 --output s.csv --measure random --orientation item",
         "'random' is a baseline, not a similarity measure"},
    };
    for (const auto& [args, message] : cases) {
        INFO(args);
        const auto r = run_cli(args, dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Catch::Contains(message));
    }
    CHECK_FALSE(fs::exists(dir.path() / "out.csv"));

    // --help lists the baselines.
    const auto help = run_cli_ok("recommend --help", dir.path());
    CHECK_THAT(help.out, Catch::Contains("--baseline"));
    CHECK_THAT(help.out, Catch::Contains("  top_pop "));
    CHECK_THAT(help.out, Catch::Contains("  random "));
    const auto ev_help = run_cli_ok("evaluate --help", dir.path());
    CHECK_THAT(ev_help.out, Catch::Contains("seed of --baseline random (default the"));
    CHECK_THAT(ev_help.out, Catch::Contains("tuner.seed)"));
}
