/// test-MODEL.json (experiments/run/results.hpp): the round trip of measures and baselines,
/// files written before baselines existed, and the baselines the test stage stores, checked
/// against the plain re-implementations of tests/engine/baseline_oracle.hpp and against
/// `knntune evaluate --baseline`.

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/data/prepared_io.hpp"
#include "engine/metrics.hpp"
#include "experiments/error.hpp"
#include "experiments/report/report_test_support.hpp"
#include "experiments/run/results.hpp"
#include "support/temp_dir.hpp"
#include "support/tiny_experiment.hpp"
#include "tests/engine/baseline_oracle.hpp"

using knntune::exp::BaselineResult;
using knntune::exp::load_model_result;
using knntune::exp::ModelResult;
using knntune::test::run_cli_ok;
using knntune::test::TempDir;
namespace fs = std::filesystem;
namespace eng = knntune::engine;

namespace {

ModelResult sample_result() {
    ModelResult r;
    r.model = "item_knn";
    r.objective = "ndcg@5";
    r.maximize = true;
    r.users = {1, 4, 6};
    knntune::exp::MeasureResult m;
    m.measure = "cosine";
    m.trial = 3;
    m.log = "trials-item_knn.h5";
    m.valid_value = 0.25;
    m.config = {"cosine", {{"k", 12.0}, {"shrink", 0.5}}};
    m.test_metrics = {{"ndcg@5", 0.2}, {"coverage@5", 0.7}};
    m.per_user = {{"ndcg@5", {0.1, 0.2, 0.3}}};
    m.fit_seconds = 0.5;
    m.eval_seconds = 0.25;
    m.n_trials = 4;
    r.measures.push_back(m);
    r.baselines.push_back({.baseline = "top_pop",
                           .seed = 0,
                           .valid_value = 0.125,
                           .test_metrics = {{"ndcg@5", 0.0625}, {"coverage@5", 0.1}},
                           .per_user = {{"ndcg@5", {0.0, 0.1875, 0.0}}},
                           .eval_seconds = 0.01});
    r.baselines.push_back({.baseline = "random",
                           .seed = 18446744073709551615ULL,
                           .valid_value = 0.03,
                           .test_metrics = {{"ndcg@5", 0.02}, {"coverage@5", 0.9}},
                           .per_user = {{"ndcg@5", {0.06, 0.0, 0.0}}},
                           .eval_seconds = 0.02});
    return r;
}

/// The scores of two baseline results (not their timings).
void check_same(const BaselineResult& a, const BaselineResult& b) {
    CHECK(a.baseline == b.baseline);
    CHECK(a.seed == b.seed);
    CHECK(a.valid_value == b.valid_value);
    CHECK(a.test_metrics == b.test_metrics);
    CHECK(a.per_user == b.per_user);
}

/// Equal up to the JSON round trip of each double.
void check_close(const std::vector<double>& a, const std::vector<double>& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) CHECK_THAT(a[i], Catch::WithinRel(b[i], 1e-12));
}

/// Mean and per-user values of `metric` for plain lists `recs` against `target`.
eng::MetricResult score(const eng::CsrMatrix& recs, const eng::CsrMatrix& target,
                        const eng::CsrMatrix& train, const std::string& metric) {
    const std::vector<eng::MetricSpec> specs = {eng::parse_metric(metric)};
    return eng::evaluate_metrics(recs, target, eng::column_counts(train), specs).metrics.front();
}

/// The oracle's lists for the users with a target interaction, `top_n` long.
eng::CsrMatrix oracle_lists(const eng::CsrMatrix& train, const eng::CsrMatrix& target,
                            const std::string& baseline, std::uint64_t seed, eng::Index top_n) {
    std::vector<std::uint8_t> mask(static_cast<size_t>(target.rows));
    for (eng::Index u = 0; u < target.rows; ++u) mask[u] = target.row_nnz(u) > 0 ? 1 : 0;
    if (baseline == "top_pop") {
        return knntune::test::lists_to_csr(train.cols,
                                           knntune::test::plain_top_pop(train, top_n, true, mask));
    }
    std::vector<std::vector<std::pair<eng::Index, float>>> lists(static_cast<size_t>(train.rows));
    for (eng::Index u = 0; u < train.rows; ++u) {
        if (mask[u] == 0) continue;
        for (eng::Index i : knntune::test::plain_random(train, u, seed, top_n)) {
            lists[u].emplace_back(i, 1.0F);
        }
    }
    return knntune::test::lists_to_csr(train.cols, lists);
}

}  // namespace

TEST_CASE("test results keep their measures and baselines through a save and load",
          "[experiments][results]") {
    TempDir dir;
    const fs::path path = dir.path() / "test-item_knn.json";
    const ModelResult r = sample_result();
    knntune::exp::save_model_result(r, path);
    const ModelResult back = load_model_result(path);
    CHECK(back.model == r.model);
    CHECK(back.users == r.users);
    REQUIRE(back.measures.size() == 1);
    CHECK(back.measures[0].config.describe() == "cosine k=12 shrink=0.5");
    CHECK(back.measures[0].per_user == r.measures[0].per_user);
    REQUIRE(back.baselines.size() == 2);
    check_same(back.baselines[0], r.baselines[0]);
    check_same(back.baselines[1], r.baselines[1]);
    CHECK(back.baselines[1].eval_seconds == r.baselines[1].eval_seconds);
    CHECK(back.baselines[1].describe() == "random seed=18446744073709551615");

    // The documented fields: a seed for random only, and the configuration text.
    const auto root = boost::json::parse(knntune::test::slurp(path)).as_object();
    const auto& baselines = root.at("baselines").as_array();
    CHECK_FALSE(baselines[0].as_object().contains("seed"));
    CHECK(baselines[0].at("config").as_string() == "top_pop");
    CHECK(baselines[1].at("seed").to_number<std::uint64_t>() == 18446744073709551615ULL);
    CHECK(baselines[1].at("metric_order").as_array().size() == 2);
    // Parameters typed as their keys declare them: k is an integer, shrink a number.
    const auto& params = root.at("measures").as_array()[0].at("params").as_object();
    CHECK(params.at("k").is_int64());
    CHECK(params.at("k") == 12);
    CHECK(params.at("shrink") == 0.5);

    // A file written before baselines existed loads with none.
    auto old = root;
    old.erase("baselines");
    dir.write("old.json", boost::json::serialize(old));
    CHECK(load_model_result(dir.path() / "old.json").baselines.empty());
    CHECK(load_model_result(dir.path() / "old.json").measures.size() == 1);

    // An unknown baseline is an error naming the file.
    auto bad = root;
    bad["baselines"].as_array()[0].as_object()["baseline"] = "most_popular";
    const std::string bad_path = dir.write("bad.json", boost::json::serialize(bad));
    REQUIRE_THROWS_MATCHES(
        load_model_result(bad_path), knntune::exp::ConfigError,
        Catch::Message(bad_path +
                       ": unknown baseline 'most_popular'; valid baselines: top_pop, random"));
}

TEST_CASE("the test stage scores both baselines as evaluate and the plain oracles do",
          "[experiments][results][baselines]") {
    TempDir dir;
    dir.write("log.csv", knntune::test::tiny_log());
    dir.write("cfg.yaml", knntune::test::tiny_config({.n_trials = 2, .parallel_trials = 1}));
    (void)run_cli_ok("tune cfg.yaml --quiet", dir.path());
    (void)run_cli_ok("test run --quiet", dir.path());
    const fs::path run = dir.path() / "run";
    const ModelResult item = load_model_result(run / "test-item_knn.json");
    const ModelResult user = load_model_result(run / "test-user_knn.json");
    const eng::PreparedData d = eng::load_prepared((run / "prepared.h5").string());
    using eng::Period;
    REQUIRE(item.baselines.size() == 2);
    CHECK(item.baselines[0].baseline == "top_pop");
    CHECK(item.baselines[1].baseline == "random");
    CHECK(item.baselines[1].seed == 3);  // tuner.seed of the tiny config
    for (std::size_t i = 0; i < item.baselines.size(); ++i) {
        const BaselineResult& b = item.baselines[i];
        INFO(b.baseline);
        // Both models share the users, so they share the baselines.
        check_same(b, user.baselines[i]);
        REQUIRE(b.test_metrics.front().first == "ndcg@5");
        // top_n 5: the largest cut-off of ndcg@5, precision@5, recall@5.
        const auto test = score(
            oracle_lists(d.matrix(Period::Train), d.matrix(Period::Test), b.baseline, b.seed, 5),
            d.matrix(Period::Test), d.matrix(Period::Train), "ndcg@5");
        check_close(b.per_user.at("ndcg@5"), test.per_user);
        CHECK_THAT(b.test_metrics.front().second, Catch::WithinRel(test.mean, 1e-12));
        const auto valid = score(oracle_lists(d.matrix(Period::TrainVal), d.matrix(Period::Valid),
                                              b.baseline, b.seed, 5),
                                 d.matrix(Period::Valid), d.matrix(Period::TrainVal), "ndcg@5");
        CHECK_THAT(b.valid_value, Catch::WithinRel(valid.mean, 1e-12));

        // `knntune evaluate --baseline` gives the stored numbers (random: the default seed is
        // the config's tuner.seed).
        const auto ev =
            run_cli_ok("evaluate cfg.yaml --period test --baseline " + b.baseline, dir.path());
        const auto json = boost::json::parse(ev.out).as_object();
        CHECK(json.at("model").as_string() == b.baseline);
        CHECK(json.at("configuration").as_string() == b.describe());
        CHECK(json.at("value").to_number<double>() == b.test_metrics.front().second);
        CHECK(json.at("users").to_number<std::int64_t>() ==
              static_cast<std::int64_t>(item.users.size()));
        const auto ev_valid = run_cli_ok("evaluate cfg.yaml --baseline " + b.baseline, dir.path());
        CHECK(boost::json::parse(ev_valid.out).at("value").to_number<double>() == b.valid_value);
    }
    const auto seeded =
        run_cli_ok("evaluate cfg.yaml --period test --baseline random --seed 4", dir.path());
    CHECK(boost::json::parse(seeded.out).at("configuration").as_string() == "random seed=4");
}
