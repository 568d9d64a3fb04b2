// The search space, the enqueued configurations and the sampler settings are checked whole when
// a config is read, each error naming the file and line (or the --set option) and the key;
// nothing is left to fail once a run has started.

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "experiments/config/experiment_config.hpp"
#include "support/temp_dir.hpp"
#include "support/tiny_experiment.hpp"

using namespace knntune::exp;
using knntune::test::run_cli;
using knntune::test::TempDir;

namespace {

/// Ten lines; what a test appends starts at line 11.
std::string base_config(const std::string& log_path) {
    return "schema_version: 1\n"
           "data:\n"
           "  path: " +
           log_path +
           "\n"
           "  columns:\n"
           "    user: user\n"
           "    item: item\n"
           "    timestamp: time\n"
           "split:\n"
           "  window: 1 month\n"
           "  min_user_interactions: 2\n";
}

/// The message of reading `text` (with `sets`), or "" when it reads.
std::string error_of(const std::string& text, const std::vector<std::string>& sets = {}) {
    try {
        (void)read_experiment_config(ConfigDoc::parse(text, "c.yaml", sets));
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

/// {YAML appended to `search` (its first line is line 13), the message after "c.yaml:"}.
const std::vector<std::pair<std::string, std::string>> kSearchCases = {
    {"  shrink: {low: 0, high: 10, step: 3}\n",
     "13: key 'search.shrink': step 3 does not divide the range [0, 10] in search.shrink"},
    {"  k: {low: 5, high: 1e30}\n",
     "13: key 'search.k': parameter 'k' of cosine = 1e+30 is out of range [1, 1e+09]"},
    {"  k: 1e30\n",
     "13: key 'search.k': parameter 'k' of cosine = 1e+30 is out of range [1, 1e+09]"},
    {"  k: 7.5\n", "13: key 'search.k': expected an integer"},
    {"  k: {low: 2.5, high: 10}\n",
     "13: key 'search.k.low': integer parameter: low and high must be whole numbers"},
    {"  k: {low: 50, high: 10}\n", "13: key 'search.k.high': must be >= low"},
    {"  k: {low: 1, high: 10, step: 2.5}\n",
     "13: key 'search.k': int step must be an integer ≥ 1, got 2.5 in search.k"},
    {"  k: {low: 1, high: 10, step: 0}\n", "13: key 'search.k.step': 0 is out of range (0, inf)"},
    {"  k: {low: 1, high: 9, log: true, step: 2}\n",
     "13: key 'search.k': log scale needs step 1 for an int in search.k"},
    {"  shrink: {low: 0, high: 10, log: true}\n",
     "13: key 'search.shrink.log': a log range needs low > 0"},
    {"  shrink: {low: -1, high: 10}\n",
     "13: key 'search.shrink': parameter 'shrink' of cosine = -1 is out of range [0, inf)"},
    {"  shrink: {low: 0, high: 1e400}\n",
     "13: key 'search.shrink.high': expected a number, got '1e400'"},
    {"  threshold: {low: 0, high: .nan}\n",
     "13: key 'search.threshold.high': nan is out of range (-inf, inf)"},
    {"  params:\n    rp3beta:\n      alpha: {low: 0, high: 1, step: 0.3}\n",
     "15: key 'search.params.rp3beta.alpha': step 0.3 does not divide the range [0, 1] in "
     "search.params.rp3beta.alpha"},
    {"  enqueue:\n    - {algorithm: cosine, k: 5000}\n",
     "14: key 'search.enqueue[0].k': 5000 is outside its search range int [5, 1000] log"},
    {"  enqueue:\n    - {algorithm: cosine, k: 1e30}\n",
     "14: key 'search.enqueue[0].k': 1e+30 is outside its search range int [5, 1000] log"},
    {"  enqueue:\n    - {algorithm: cosine, k: 10.5}\n",
     "14: key 'search.enqueue[0].k': expected an integer"},
    {"  enqueue:\n    - {algorithm: jaccard, k: 10}\n",
     "14: key 'search.enqueue[0].algorithm': 'jaccard' is not in search.measures"},
    {"  enqueue:\n    - {algorithm: cosine, alpha: 0.5}\n",
     "14: key 'search.enqueue[0].alpha': not a tuned parameter of cosine"},
    {"  enqueue:\n    - {algorithm: cosine, rp3beta.alpha: 0.5}\n",
     "14: key 'search.enqueue[0].rp3beta.alpha': not a tuned parameter of cosine"},
    {"  enqueue:\n    - {algorithm: rp3beta, alpha: 7}\n",
     "14: key 'search.enqueue[0].alpha': 7 is outside its search range float [0, 2]"},
    {"  enqueue:\n    - {algorithm: rp3beta, alpha: [1]}\n",
     "14: key 'search.enqueue[0].alpha': expected a number, got 'a list'"},
    {"  enqueue:\n    - 5\n",
     "14: key 'search.enqueue[0]': expected a mapping {algorithm: ..., k: ..., ...}"},
    {"  enqueue: {algorithm: cosine}\n",
     "13: key 'search.enqueue': expected a list of configurations"},
    {"  shrink: 3\n  enqueue:\n    - {algorithm: cosine, shrink: 4}\n",
     "15: key 'search.enqueue[0].shrink': fixed at 3 by the search space; leave it out or give "
     "that value"},
    {"tuner:\n  settings:\n    n_startup_trials: many\n",
     "15: key 'tuner.settings.n_startup_trials': tpe setting 'n_startup_trials': expected an "
     "integer, got a string (\"many\")"},
    {"tuner:\n  settings:\n    n_startup_trials: 1e30\n",
     "15: key 'tuner.settings.n_startup_trials': tpe setting 'n_startup_trials' = 1e+30 is out "
     "of range [0, 1e+09]"},
    {"tuner:\n  settings:\n    n_startup_trials: [3]\n",
     "15: key 'tuner.settings.n_startup_trials': tpe setting 'n_startup_trials': expected an "
     "integer, got an array"},
    {"tuner:\n  settings:\n    n_ei_candidates: 20\n    bogus: 1\n",
     "16: key 'tuner.settings.bogus': unknown tpe setting 'bogus' (known: mode, "
     "n_startup_trials, n_ei_candidates, gamma_ratio, gamma_cap, gamma_sqrt, prior_weight, "
     "floor_delta, floor_exponent, below_weights, above_weights, constant_liar, seed)"},
    {"tuner:\n  sampler: grid\n  settings:\n    values: {alpha: [1]}\n",
     "16: key 'tuner.settings.values': unknown parameter 'alpha' (parameters: 'algorithm', "
     "'k', 'shrink', 'rp3beta.alpha', 'rp3beta.beta')"},
    {"tuner:\n  sampler: random\n  settings:\n    n_startup_trials: 3\n",
     "16: key 'tuner.settings.n_startup_trials': unknown random setting 'n_startup_trials' "
     "(known: seed)"},
    {"tuner:\n  n_trials: 1e30\n", "14: key 'tuner.n_trials': expected an integer, got '1e30'"},
    {"tuner:\n  n_trials: 2.5\n", "14: key 'tuner.n_trials': expected an integer, got '2.5'"},
    {"tuner:\n  n_trials: 99999999999999999999\n",
     "14: key 'tuner.n_trials': expected an integer, got '99999999999999999999'"},
    {"tuner:\n  seed: 1e30\n", "14: key 'tuner.seed': expected an integer, got '1e30'"},
    {"tuner:\n  seed: -1\n", "14: key 'tuner.seed': -1 is out of range [0, 4611686018427387904]"},
    {"tuner:\n  max_failures: -1\n",
     "14: key 'tuner.max_failures': -1 is out of range [0, 10000000]"},
    {"tuner:\n  max_failures: 2.5\n",
     "14: key 'tuner.max_failures': expected an integer, got '2.5'"},
    {"tuner:\n  cache_max_pairs: 1e300\n",
     "14: key 'tuner.cache_max_pairs': expected an integer, got '1e300'"},
    {"tuner:\n  timeout: 99999999999 hours\n",
     "14: key 'tuner.timeout': expected a duration like '2 hours' or '30 minutes', got "
     "'99999999999 hours'"},
    {"objective:\n  metric: coverage@10\n",
     "14: key 'objective.metric': 'coverage@10' has no value per user, which tuner.strategy "
     "race needs (it compares measures user by user); use strategy joint or per_measure"},
    {"tuner:\n  n_trials: ~\n",
     "14: key 'tuner.n_trials' has no value; give one, or remove the key to use the default"},
    // Keys that are not names (found by the config fuzzer: an empty key ended the program
    // with an uncaught parser exception).
    {"  params:\n    rp3beta: {alpha: {low: 0.1, high: 2}, : 0.5}\n",
     "14: a key must be a name, not empty, null, a mapping or a list"},
    {"~: 3\n", "13: a key must be a name, not empty, null, a mapping or a list"},
    {"tuner:\n  n_trials: 5\n---\nmodels: [item_knn]\n",
     "15: a second YAML document ('---') or text after the end of the first; a config is one "
     "document"},
};

}  // namespace

TEST_CASE("config: every search range, enqueued value and setting is checked at load",
          "[experiments][config][validation]") {
    TempDir dir;
    const std::string base = base_config(dir.write("log.csv", "user,item,time\n"));
    const std::string search = base + "search:\n  measures: [cosine, rp3beta]\n";
    for (const auto& [yaml, expected] : kSearchCases) {
        INFO(yaml);
        CHECK(error_of(search + yaml) == "c.yaml:" + expected);
    }
}

TEST_CASE("config: --set errors name the option, and the file line it changes",
          "[experiments][config][validation]") {
    TempDir dir;
    const std::string base = base_config(dir.write("log.csv", "user,item,time\n"));
    const std::string search = base + "search:\n  measures: [cosine, rp3beta]\n";
    CHECK(error_of(search, {"search.shrink={low: 0, high: 10, step: 3}"}) ==
          "c.yaml: --set search.shrink: key 'search.shrink': step 3 does not divide the range "
          "[0, 10] in search.shrink");
    CHECK(error_of(search, {"search.k.high=1e30"}) ==
          "c.yaml: --set search.k.high: key 'search.k': parameter 'k' of cosine = 1e+30 is out "
          "of range [1, 1e+09]");
    CHECK(error_of(search + "  k: {low: 2, high: 50}\n", {"search.k.high=1e30"}) ==
          "c.yaml:13 (with --set search.k.high): key 'search.k': parameter 'k' of cosine = 1e+30 "
          "is out of range [1, 1e+09]");
    CHECK(error_of(search, {"tuner.settings.n_startup_trials=many"}) ==
          "c.yaml: --set tuner.settings.n_startup_trials: key 'tuner.settings.n_startup_trials': "
          "tpe setting 'n_startup_trials': expected an integer, got a string (\"many\")");
    CHECK(
        error_of(search, {"search.enqueue=[{algorithm: cosine}, {algorithm: cosine, k: 1e30}]"}) ==
        "c.yaml: --set search.enqueue: key 'search.enqueue[1].k': 1e+30 is outside its search "
        "range int [5, 1000] log");
    CHECK(error_of(search, {"tuner.max_failures=~"}) ==
          "c.yaml: --set tuner.max_failures: key 'tuner.max_failures' has no value; give one, or "
          "remove the key to use the default");
    CHECK(error_of(search, {"objective.metric=coverage@5", "tuner.strategy=joint"}).empty());
}

TEST_CASE("run CONFIG --out DIR: a bad config is one line, status 2, and DIR stays as it was",
          "[experiments][config][validation]") {
    TempDir dir;
    dir.write("log.csv", knntune::test::tiny_log());
    const std::string good = knntune::test::tiny_config();
    // {--set options, the expected message after "cfg.yaml: --set "}.
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"'search.shrink={low: 0, high: 10, step: 3}'",
         "search.shrink: key 'search.shrink': step 3 does not divide the range [0, 10] in "
         "search.shrink"},
        {"search.k=1e30",
         "search.k: key 'search.k': parameter 'k' of cosine = 1e+30 is out of range [1, 1e+09]"},
        {"tuner.n_trials=~",
         "tuner.n_trials: key 'tuner.n_trials' has no value; give one, or remove the key to use "
         "the default"},
        {"tuner.settings.n_startup_trials=many",
         "tuner.settings.n_startup_trials: key 'tuner.settings.n_startup_trials': tpe setting "
         "'n_startup_trials': expected an integer, got a string (\"many\")"},
        {"'search.enqueue=[{algorithm: cosine, k: 5000}]'",
         "search.enqueue: key 'search.enqueue[0].k': 5000 is outside its search range int [2, "
         "30] log"},
        {"objective.metric=coverage@5",
         "objective.metric: key 'objective.metric': 'coverage@5' has no value per user, which "
         "tuner.strategy race needs (it compares measures user by user); use strategy joint or "
         "per_measure"},
    };
    dir.write("cfg.yaml", good);
    std::filesystem::create_directories(dir.path() / "kept");
    for (const auto& [set, expected] : cases) {
        INFO(set);
        for (const char* out : {"fresh", "kept"}) {
            const auto r = run_cli(
                std::string("run cfg.yaml --quiet --out ") + out + " --set " + set, dir.path());
            CHECK(r.status == 2);
            CHECK(r.err == "knntune run: error: cfg.yaml: --set " + expected + "\n");
        }
        CHECK_FALSE(std::filesystem::exists(dir.path() / "fresh"));
        CHECK(std::filesystem::is_empty(dir.path() / "kept"));
    }
    // In the file itself, at their lines: a key without a value and a second document.
    const auto line_of = [](const std::string& text, std::size_t pos) {
        return std::to_string(1 + std::count(text.begin(), text.begin() + pos, '\n'));
    };
    std::string null_trials = good;
    const auto at = null_trials.find("n_trials: 6");
    REQUIRE(at != std::string::npos);
    null_trials.replace(at, 11, "n_trials: ~");
    const std::vector<std::pair<std::string, std::string>> files = {
        {null_trials, line_of(good, at) +
                          ": key 'tuner.n_trials' has no value; give one, or remove the key to use "
                          "the default"},
        {good + "---\nmodels: [item_knn]\n",
         line_of(good + "---\n", good.size()) +
             ": a second YAML document ('---') or text after the end of the first; a config is "
             "one document"},
    };
    for (const auto& [text, expected] : files) {
        dir.write("cfg.yaml", text);
        const auto r = run_cli("run cfg.yaml --quiet --out fresh", dir.path());
        CHECK(r.status == 2);
        CHECK(r.err == "knntune run: error: cfg.yaml:" + expected + "\n");
        CHECK_FALSE(std::filesystem::exists(dir.path() / "fresh"));
    }
}
