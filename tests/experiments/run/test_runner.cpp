/// End-to-end runs of a tiny experiment through the CLI: every stage, the run folder, resume,
/// and `evaluate` reproducing a logged trial exactly.

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>

#include "common/text.hpp"
#include "engine/model_io.hpp"
#include "experiments/config/experiment_config.hpp"
#include "experiments/knn_study.hpp"
#include "experiments/run/results.hpp"
#include "support/temp_dir.hpp"
#include "support/tiny_experiment.hpp"
#include "tuner/hdf5_storage.hpp"

using knntune::test::run_cli;
using knntune::test::TempDir;
namespace fs = std::filesystem;

using knntune::test::tiny_config;
using knntune::test::tiny_log;
using knntune::test::TinyConfig;

TEST_CASE("runner: a tiny experiment runs end to end", "[experiments][runner]") {
    TempDir dir;
    dir.write("log.csv", tiny_log());
    dir.write("cfg.yaml", tiny_config());
    const auto r = run_cli("run cfg.yaml --quiet", dir.path());
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK(r.err.empty());
    const fs::path run = dir.path() / "run";
    for (const char* f : {"config.resolved.yaml", "prepared.h5", "trials-item_knn.h5",
                          "trials-user_knn.h5", "test-item_knn.json", "test-user_knn.json",
                          "model-item_knn.h5", "report.md", "report.html"}) {
        INFO(f);
        CHECK(fs::exists(run / f));
    }
    const auto log = knntune::tuner::read_trial_log((run / "trials-item_knn.h5").string());
    REQUIRE(log.trials.size() == 6);
    CHECK(log.info.data_fingerprint.size() == 16);

    // The enqueued configuration is rp3beta's first trial (the race gives every measure its
    // own trials); `evaluate` gives exactly its logged metric.
    const auto first_of = [&](const std::string& measure) {
        for (const auto& t : log.trials) {
            if (knntune::tuner::Trial(log.space, t).choice("algorithm") == measure) return t;
        }
        FAIL("no " << measure << " trial");
        return log.trials.front();
    };
    const auto first = first_of("rp3beta");
    REQUIRE(first.state == knntune::tuner::TrialState::Complete);
    const auto e = run_cli(
        "evaluate cfg.yaml --measure rp3beta --param k=10 --param shrink=1 "
        "--param alpha=0.5 --param beta=0.3",
        dir.path());
    INFO(e.err);
    REQUIRE(e.status == 0);
    const auto json = boost::json::parse(e.out).as_object();
    CHECK(json.at("value").to_number<double>() == first.value);
    CHECK(json.at("metrics").at("recall@5").to_number<double>() == first.metrics.at("recall@5"));

    // A trial served by the co-occurrence cache equals a from-scratch evaluation exactly.
    const auto cfg =
        knntune::exp::load_experiment_config((run / "config.resolved.yaml").string(), {});
    bool checked_cached = false;
    for (const auto& t : log.trials) {
        if (t.state != knntune::tuner::TrialState::Complete || t.metrics.at("cache_hit") != 1.0)
            continue;
        const auto c =
            knntune::exp::config_from_trial(cfg.search, knntune::tuner::Trial(log.space, t));
        std::string sets = "--measure " + c.measure;
        for (const auto& [name, value] : c.params) {
            if (const double* d = std::get_if<double>(&value)) {
                char buf[64];
                std::snprintf(buf, sizeof buf, " --param %s=%.17g", name.c_str(), *d);
                sets += buf;
            } else {
                sets += " --param " + name + "=" + std::get<std::string>(value);
            }
        }
        const auto ev = run_cli("evaluate cfg.yaml " + sets, dir.path());
        INFO(sets << "\n" << ev.err);
        REQUIRE(ev.status == 0);
        CHECK(boost::json::parse(ev.out).as_object().at("value").to_number<double>() == t.value);
        checked_cached = true;
        break;
    }
    CHECK(checked_cached);

    // Test results: one entry per measure that completed a trial, best on valid first.
    const auto res = knntune::exp::load_model_result(run / "test-item_knn.json");
    REQUIRE_FALSE(res.measures.empty());
    for (std::size_t i = 1; i < res.measures.size(); ++i) {
        CHECK(res.measures[i - 1].valid_value >= res.measures[i].valid_value);
    }
    for (const auto& m : res.measures) {
        CHECK(m.per_user.at("ndcg@5").size() == res.users.size());
        double mean = 0;
        for (double v : m.per_user.at("ndcg@5")) mean += v;
        CHECK(mean / static_cast<double>(res.users.size()) ==
              Approx(m.test_metrics.front().second).epsilon(1e-12));
    }

    // `knntune trials RUN_DIR` shows every study of the run.
    const auto tr = run_cli("trials run --format csv", dir.path());
    REQUIRE(tr.status == 0);
    CHECK_THAT(tr.out, Catch::StartsWith("study,number,state,value,algorithm,"));
    CHECK(std::count(tr.out.begin(), tr.out.end(), '\n') == 1 + 6 + 6);
    CHECK_THAT(tr.out, Catch::Contains("\nuser_knn,5,"));

    // Model tools on the run folder.
    const auto sim = run_cli("similar run i3 --top 3", dir.path());
    INFO(sim.err);
    CHECK(sim.status == 0);
    CHECK(std::count(sim.out.begin(), sim.out.end(), '\n') ==
          2 + 1 + 3);                                 // title, blank, header, 3 rows
    CHECK_THAT(sim.out, !Catch::Contains("  i3  "));  // the item itself is excluded
    const auto rec = run_cli("recommend-items run --items i1 I2 --top 4", dir.path());
    CHECK(rec.status == 0);
    CHECK_THAT(rec.out, Catch::Contains("recommendations for a user with 2 item(s)"));

    // The model file stores its parameters typed (k an integer, not 1E1), and `similar
    // --format json` gives the item's stored similarity row.
    const auto model = knntune::engine::load_model((run / "model-item_knn.h5").string());
    const auto params = boost::json::parse(model.params_json).as_object();
    CHECK(params.at("k").is_int64());
    CHECK(params.at("shrink").is_double());
    const auto sj = run_cli("similar run i3 --top 1000 --format json", dir.path());
    REQUIRE(sj.status == 0);
    const auto item = static_cast<knntune::engine::Index>(
        std::find(model.item_keys.begin(), model.item_keys.end(), "i3") - model.item_keys.begin());
    std::map<std::string, double> row;
    const auto& s = model.similarity;
    for (auto p = s.indptr[item]; p < s.indptr[item + 1]; ++p) {
        if (s.indices[p] != item && s.values[p] > 0)
            row[model.item_keys[s.indices[p]]] = s.values[p];
    }
    const boost::json::value similar = boost::json::parse(sj.out);
    const auto& results = similar.at("results").as_array();
    CHECK(results.size() == row.size());
    for (const auto& r : results) {
        // NOTE: Boost.JSON 1.81 may parse a number one ULP off; the text is exact.
        const double stored = row.at(std::string(r.at("item").as_string()));
        CHECK_THAT(r.at("score").as_double(), Catch::WithinULP(stored, 1));
        CHECK_THAT(sj.out, Catch::Contains("\"score\":" +
                                           boost::json::serialize(boost::json::value(stored))));
    }
    const auto missing = run_cli("similar run nosuchitem", dir.path());
    CHECK(missing.status == 2);
    CHECK_THAT(missing.err, Catch::Contains("no item named 'nosuchitem'; did you mean"));
    const auto emb = run_cli("export-embeddings run --output emb.csv --dims 3", dir.path());
    CHECK(emb.status == 0);
    CHECK(fs::exists(dir.path() / "emb.csv"));

    // Resume with a larger budget: the 6 trials are kept and 3 more are run.
    const auto again = run_cli("tune cfg.yaml --quiet --resume --set tuner.n_trials=9", dir.path());
    INFO(again.err);
    REQUIRE(again.status == 0);
    const auto log2 = knntune::tuner::read_trial_log((run / "trials-item_knn.h5").string());
    REQUIRE(log2.trials.size() == 9);
    for (std::size_t i = 0; i < 6; ++i) CHECK(log2.trials[i].value == log.trials[i].value);

    // Without --resume an existing log is refused, and nothing is lost.
    const auto refused = run_cli("tune cfg.yaml --quiet --set tuner.n_trials=9", dir.path());
    CHECK(refused.status == 2);
    CHECK_THAT(refused.err,
               Catch::Contains("a trial log already exists; continue it with --resume"));
    CHECK(knntune::tuner::read_trial_log((run / "trials-item_knn.h5").string()).trials.size() == 9);
}

TEST_CASE("runner: stage commands on a folder that is not a run", "[experiments][runner]") {
    TempDir dir;
    const auto r = run_cli("test nowhere", dir.path());
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains("nowhere: not a run folder"));
}

TEST_CASE("runner: config errors in the experiment sections", "[experiments][runner]") {
    TempDir dir;
    dir.write("log.csv", tiny_log());
    auto fails = [&](const std::string& set, const std::string& expected) {
        dir.write("cfg.yaml", tiny_config(TinyConfig{.n_trials = 3}));
        const auto r = run_cli("run cfg.yaml --quiet --set " + set, dir.path());
        INFO(r.err);
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Catch::Contains(expected));
        CHECK_FALSE(fs::exists(dir.path() / "run"));
    };
    fails("search.measures=[cosine,cosnie]",
          "key 'search.measures': unknown similarity measure 'cosnie'");
    fails("search.k.low=0", "key 'search.k.log': a log range needs low > 0");
    fails("'search.k={low: 0, high: 9, log: false}'",
          "key 'search.k': parameter 'k' of cosine = 0 is out of range [1, 1e+09]");
    fails("'search.k={low: 5, high: 1e30}'",
          "key 'search.k': parameter 'k' of cosine = 1e+30 is out of range [1, 1e+09]");
    fails("'search.enqueue=[{algorithm: cosine, k: 1O0, shrink: 1}]'",
          "key 'search.enqueue[0].k': expected a number, got '1O0'");
    fails("'search.enqueue=[{algorithm: cosine, k: 5000, shrink: 1}]'",
          "key 'search.enqueue[0].k': 5000 is outside its search range int [2, 30]");
    fails("'search.enqueue=[{algorithm: cosine, alpha: 0.5}]'",
          "key 'search.enqueue[0].alpha': not a tuned parameter of cosine");
    fails("'search.enqueue=[{k: 5}]'", "key 'search.enqueue[0]': needs an 'algorithm'");
    fails("'search.shrink={low: 0, high: 10, step: 3}'", "key 'search.shrink'");
    fails("'tuner.settings={n_startup: 3}'",
          "--set tuner.settings: key 'tuner.settings.n_startup': unknown tpe setting "
          "'n_startup'");

    fails("search.params.rp3beta.alpha.low=-1", "search.params.rp3beta.alpha");
    fails("search.params.cosine.alpha.low=0.1", "search.params.cosine");
    fails("tuner.n_trials=lots", "key 'tuner.n_trials': expected an integer, got 'lots'");
    fails("tuner.sampler=annealing", "'annealing' is not one of: tpe, random, grid");
    fails("objective.metric=precision", "key 'objective.metric'");
    fails("models=[item_knn,svd]", "'svd' is not one of: item_knn, user_knn");
    fails("tuner.timeout=soon", "key 'tuner.timeout': expected a duration");
    // A failure in the data leaves no run folder behind, so the corrected rerun is not refused.
    fails("data.columns.item=nope", "item column 'nope' not found in header");
}

TEST_CASE("runner: the Online Retail quickstart runs completely", "[.slow][experiments][runner]") {
    // Hidden: a few minutes. Run with `build/ci/tests/knntune_tests "[.slow]"` (docs/testing.md).
    TempDir dir;
    (void)knntune::test::run_cli_ok(
        "run " + knntune::test::quickstart_args() + " --quiet --out run", dir.path());
    for (const char* model : {"item_knn", "user_knn"}) {
        const auto res = knntune::exp::load_model_result(dir.path() / "run" /
                                                         (std::string("test-") + model + ".json"));
        // The quickstart's budget is large enough for every measure to complete trials.
        CHECK(res.measures.size() == 9);
    }
    CHECK(fs::exists(dir.path() / "run" / "report.html"));
}

TEST_CASE("runner: trials out of memory stop the study with an error; --resume continues",
          "[experiments][runner][failures]") {
#if defined(__SANITIZE_ADDRESS__)
    // NOTE: AddressSanitizer reserves terabytes of address space, so no address-space limit
    // can be set under it; the tuner tests cover the stop there.
    WARN("skipped under AddressSanitizer: it cannot run with ulimit -v");
    return;
#endif
    TempDir dir;
    dir.write("log.csv", tiny_log());
    dir.write("cfg.yaml", tiny_config());
    // A valid but huge k: each trial computed from scratch (no co-occurrence cache) reserves
    // room for 2·10^9 neighbours (16 GB), which the 2 GB address-space limit refuses with
    // std::bad_alloc; the rest of the run needs far less.
    const std::string sets =
        " --set tuner.n_trials=12 --set tuner.cache_max_pairs=0 --set "
        "search.k=1000000000 --set 'search.enqueue=[]'";
    const auto r = run_cli("tune cfg.yaml --quiet --set tuner.max_failures=3" + sets, dir.path(),
                           "ulimit -v 2000000 &&");
    INFO(r.err);
    CHECK(r.status == 2);
    const fs::path run = dir.path() / "run";
    // The race's first round has 5 trials (rp3beta, with three tuned parameters, gets three).
    CHECK(r.err ==
          "knntune tune: error: item_knn: stopped, 5 trials failed with the same error "
          "(trials 0 to 4, none finished otherwise since), the last with: "
          "std::bad_alloc; the log run/trials-item_knn.h5 keeps them. Remove the cause "
          "(for memory: a smaller search.k, fewer tuner.parallel_trials) and continue "
          "with --resume, or raise tuner.max_failures (3; 0: never stop)\n");
    const auto failed = knntune::tuner::read_trial_log((run / "trials-item_knn.h5").string());
    REQUIRE(failed.trials.size() == 5);
    for (const auto& t : failed.trials) {
        CHECK(t.state == knntune::tuner::TrialState::Fail);
        CHECK(t.error == "std::bad_alloc");
    }
    CHECK_FALSE(fs::exists(run / "trials-user_knn.h5"));
    // With a k that fits, the resumed run keeps the failed trials and fills the budget.
    const auto again = run_cli(
        "tune cfg.yaml --quiet --resume --set tuner.n_trials=12 --set "
        "tuner.cache_max_pairs=0 --set search.k=10 --set 'search.enqueue=[]'",
        dir.path(), "ulimit -v 2000000 &&");
    INFO(again.err);
    REQUIRE(again.status == 0);
    const auto resumed = knntune::tuner::read_trial_log((run / "trials-item_knn.h5").string());
    REQUIRE(resumed.trials.size() == 12);
    for (std::size_t i = 0; i < resumed.trials.size(); ++i) {
        CHECK(resumed.trials[i].state ==
              (i < 5 ? knntune::tuner::TrialState::Fail : knntune::tuner::TrialState::Complete));
    }
    CHECK(fs::exists(run / "trials-user_knn.h5"));
}

TEST_CASE("runner: a race with pruning stops trials early, the same at 1 and 2 parallel trials",
          "[experiments][runner][prune]") {
    namespace kt = knntune::tuner;
    TempDir dir;
    const std::string args = "tune " + knntune::test::quickstart_args() +
                             " --quiet --set models=[item_knn] --set tuner.n_trials=45"
                             " --set tuner.race.prune_first=0.125";
    (void)knntune::test::run_cli_ok(args + " --out one", dir.path());
    (void)knntune::test::run_cli_ok(args + " --set tuner.parallel_trials=2 --out two", dir.path());
    const auto one = kt::read_trial_log((dir.path() / "one" / "trials-item_knn.h5").string());
    const auto two = kt::read_trial_log((dir.path() / "two" / "trials-item_knn.h5").string());
    REQUIRE(one.trials.size() == 45);
    REQUIRE(two.trials.size() == 45);
    int pruned = 0;
    std::map<std::string, int> seen;  // trials per measure so far
    const kt::FrozenTrial* staged = nullptr;
    for (std::size_t i = 0; i < one.trials.size(); ++i) {
        const kt::FrozenTrial& t = one.trials[i];
        INFO("trial " << i);
        CHECK(t.state == two.trials[i].state);
        CHECK(t.value == two.trials[i].value);
        for (std::size_t k = 0; k < t.params.size(); ++k) {
            const double a = t.params[k];
            const double b = two.trials[i].params[k];
            CHECK((a == b || (std::isnan(a) && std::isnan(b))));
        }
        const std::string measure = kt::Trial(one.space, t).choice("algorithm");
        if (t.state == kt::TrialState::Pruned) {
            ++pruned;
            CHECK(t.metrics.at("pruned_units") >= 50);
            CHECK(t.metrics.at("pruned_units") < 990);  // the valid users
            CHECK(seen[measure] > 0);  // only against a complete trial of its measure
        }
        if (t.state == kt::TrialState::Complete && measure == "cosine" && seen[measure] > 0) {
            staged = &t;
        }
        ++seen[measure];
    }
    CHECK(pruned > 0);
    // A complete trial scored in stages logs what `evaluate` computes in one piece.
    REQUIRE(staged != nullptr);
    const kt::Trial view(one.space, *staged);
    const auto e = knntune::test::run_cli_ok(
        "evaluate " + knntune::test::quickstart_args() +
            " --measure cosine --param k=" + std::to_string(view.int_value("k")) +
            " --param shrink=" + knntune::significant(view.value("shrink"), 17),
        dir.path());
    const auto json = boost::json::parse(e.out).as_object();
    CHECK(json.at("value").to_number<double>() == staged->value);
    CHECK(json.at("metrics").at("ndcg@10").to_number<double>() == staged->metrics.at("ndcg@10"));
}
