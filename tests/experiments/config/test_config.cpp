#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "experiments/config/experiment_config.hpp"
#include "experiments/config/keys.hpp"
#include "experiments/knn_study.hpp"
#include "support/no_hang.hpp"
#include "support/temp_dir.hpp"

using namespace knntune::exp;
using knntune::test::TempDir;

namespace {

DataConfig data_of(const ConfigDoc& doc) { return read_experiment_config(doc).data; }

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

}  // namespace

TEST_CASE("config: values, defaults and --set overrides", "[experiments][config]") {
    TempDir dir;
    const auto log = dir.write("log.csv", "user,item,time\n");
    const ConfigDoc doc =
        ConfigDoc::parse(base_config(log), "cfg.yaml",
                         {"split.min_item_interactions=3", "split.periods.test.start=2020-03-01",
                          "split.periods.test.end=2020-04-01", "data.columns.user=1"});
    const ExperimentConfig full = read_experiment_config(doc);
    const DataConfig& cfg = full.data;
    CHECK(cfg.log.path == log);
    CHECK(cfg.log.user.position == 1);
    CHECK(cfg.log.item.name == "item");
    CHECK(cfg.prepare.filter.min_user_interactions == 2);
    CHECK(cfg.prepare.filter.min_item_interactions == 3);
    CHECK(cfg.prepare.split.valid_window.months == 1);
    REQUIRE(cfg.prepare.split.explicit_windows[3].has_value());
    CHECK(cfg.prepare.split.explicit_windows[3]->start == 1583020800);  // date -u -d 2020-03-01 +%s
    CHECK(full.output.dir == "results/cfg");
    // The resolved text carries the overrides.
    CHECK_THAT(full.resolved_text, Catch::Contains("min_item_interactions: 3"));
}

TEST_CASE("config: errors name the file, line and key", "[experiments][config]") {
    TempDir dir;
    const auto log = dir.write("log.csv", "user,item,time\n");
    const std::string base = base_config(log);
    // Unknown key, with a suggestion.
    CHECK_THROWS_WITH(ConfigDoc::parse(base + "  min_users: 3\n", "cfg.yaml"),
                      "cfg.yaml:11: unknown key 'split.min_users' (valid keys here: method, end, "
                      "window, train_val_window, valid_window, test_window, periods, "
                      "valid_fraction, test_fraction, seed, min_user_interactions, "
                      "min_item_interactions, k_core, remove_cold_start)");
    CHECK_THROWS_WITH(ConfigDoc::parse(base + "  windw: 2 months\n", "cfg.yaml"),
                      "cfg.yaml:11: unknown key 'split.windw' (did you mean 'window'?)");
    CHECK_THROWS_WITH(ConfigDoc::parse(base + "modles: {}\n", "cfg.yaml"),
                      Catch::StartsWith("cfg.yaml:11: unknown key 'modles'"));
    CHECK_THROWS_WITH(ConfigDoc::parse(base, "cfg.yaml", {"split.bogus=1"}),
                      Catch::StartsWith("cfg.yaml: --set split.bogus: unknown key 'split.bogus'"));
    // Wrong types.
    CHECK_THROWS_WITH(
        data_of(ConfigDoc::parse(base, "cfg.yaml", {"split.min_user_interactions=many"})),
        "cfg.yaml: --set split.min_user_interactions: key "
        "'split.min_user_interactions': expected an integer, got 'many'");
    CHECK_THROWS_WITH(data_of(ConfigDoc::parse(base + "  k_core: maybe\n", "cfg.yaml")),
                      "cfg.yaml:11: key 'split.k_core': expected true or false, got 'maybe'");
    CHECK_THROWS_WITH(ConfigDoc::parse(base + "  window: 3 fortnights\n", "c.yaml"),
                      "c.yaml:11: duplicate key 'split.window'");
    CHECK_THROWS_WITH(
        data_of(ConfigDoc::parse(base + "  test_window: 3 fortnights\n", "c.yaml")),
        Catch::StartsWith("c.yaml:11: key 'split.test_window': cannot parse '3 fortnights'"));
    CHECK_THROWS_WITH(
        data_of(ConfigDoc::parse(base + "  min_item_interactions: 0\n", "c.yaml")),
        "c.yaml:11: key 'split.min_item_interactions': 0 is out of range [1, 1099511627776]");
    CHECK_THROWS_WITH(
        data_of(ConfigDoc::parse(base + "  method: magic\n", "c.yaml")),
        "c.yaml:11: key 'split.method': 'magic' is not one of: chronological, random_holdout");
    // A value key without a value is refused, not silently defaulted; a second YAML document
    // is refused, not ignored.
    CHECK_THROWS_WITH(ConfigDoc::parse(base + "tuner:\n  n_trials: ~\n", "c.yaml"),
                      "c.yaml:12: key 'tuner.n_trials' has no value; give one, or remove the key "
                      "to use the default");
    CHECK_THROWS_WITH(ConfigDoc::parse(base + "---\nmodels: [item_knn]\n", "c.yaml"),
                      Catch::StartsWith("c.yaml:11: a second YAML document"));
    // A quoted scalar after a top-level list makes the YAML parser report an empty document at
    // the same place again and again: refused at its line, not loaded until memory runs out.
    CHECK_THROWS_WITH(ConfigDoc::parse("- models\n\"item_knn\",\n", "c.yaml"),
                      Catch::StartsWith("c.yaml:2: a second YAML document ('---') or text after "
                                        "the end of the first"));
    // A key that is empty, null, a mapping or a list (YAML's `? ` complex keys) is refused where
    // it stands, in the file or in a --set value, not reported as an internal error.
    CHECK_THROWS_WITH(ConfigDoc::parse("data:\n  ? path: log.csv\n  format: csv\n", "c.yaml"),
                      "c.yaml:2: a key must be a name, not empty, null, a mapping or a list");
    CHECK_THROWS_WITH(ConfigDoc::parse(base + "search:\n  params: {[a, b]: 1}\n", "c.yaml"),
                      "c.yaml:12: a key must be a name, not empty, null, a mapping or a list");
    CHECK_THROWS_WITH(
        ConfigDoc::parse(base, "c.yaml", {"tuner.settings={~: 1}"}),
        "--set tuner.settings: a key must be a name, not empty, null, a mapping or a list");
    CHECK_THROWS_WITH(
        ConfigDoc::parse(base, "c.yaml", {"tuner.settings={? [x]: 1}"}),
        "--set tuner.settings: a key must be a name, not empty, null, a mapping or a list");
    // Schema version and YAML syntax.
    CHECK_THROWS_WITH(ConfigDoc::parse("schema_version: 2\n", "c.yaml"),
                      Catch::StartsWith("c.yaml:1: this config is written for schema version 2"));
    CHECK_THROWS_WITH(ConfigDoc::parse("data: [1,\n", "c.yaml"),
                      Catch::StartsWith("c.yaml:2: YAML syntax error"));
    CHECK_THROWS_WITH(ConfigDoc::parse(base, "c.yaml", {"nonsense"}),
                      Catch::StartsWith("--set 'nonsense': expected key=value"));
    CHECK_THROWS_WITH(data_of(ConfigDoc::parse(base, "c.yaml", {"data.path=nope.csv"})),
                      "c.yaml: --set data.path: key 'data.path': file 'nope.csv' does not exist");
    // A path the system refuses to look up (here a name over the 255-byte limit) is a config
    // error naming the key, not a filesystem exception.
    const std::string long_name(300, 'x');
    CHECK_THROWS_WITH(
        data_of(ConfigDoc::parse(base, "c.yaml", {"data.path=" + long_name + ".csv"})),
        Catch::StartsWith("c.yaml: --set data.path: key 'data.path': cannot look up file '" +
                          long_name));
}

TEST_CASE("config: a null is refused wherever a value is read", "[experiments][config]") {
    TempDir dir;
    const std::string base = base_config(dir.write("log.csv", "user,item,time\n"));
    const std::string no_value = "' has no value; give one, or remove the key to use the default";
    // Inside a value read as a whole: a range, a list, an enqueued configuration.
    CHECK_THROWS_WITH(ConfigDoc::parse(base + "search:\n  k: {low: ~, high: 5}\n", "c.yaml"),
                      "c.yaml:12: key 'search.k.low" + no_value);
    CHECK_THROWS_WITH(ConfigDoc::parse(base + "search:\n  k:\n    low: 2\n    high:\n", "c.yaml"),
                      "c.yaml:14: key 'search.k.high" + no_value);
    CHECK_THROWS_WITH(ConfigDoc::parse(base + "search:\n  measures: [cosine, ~]\n", "c.yaml"),
                      "c.yaml:12: key 'search.measures[1]" + no_value);
    CHECK_THROWS_WITH(ConfigDoc::parse(base + "models:\n  - item_knn\n  -\n", "c.yaml"),
                      "c.yaml:11: key 'models[1]" + no_value);
    CHECK_THROWS_WITH(
        ConfigDoc::parse(base + "search:\n  enqueue:\n    - {algorithm: cosine, k: ~}\n", "c.yaml"),
        "c.yaml:13: key 'search.enqueue[0].k" + no_value);
    // On the command line: `~` and `null` are nulls too; an empty value is the empty string.
    CHECK_THROWS_WITH(ConfigDoc::parse(base, "c.yaml", {"tuner.n_trials=~"}),
                      "c.yaml: --set tuner.n_trials: key 'tuner.n_trials" + no_value);
    CHECK_THROWS_WITH(ConfigDoc::parse(base, "c.yaml", {"search.k={low: 1, high: null}"}),
                      "c.yaml: --set search.k: key 'search.k.high" + no_value);
    CHECK(read_experiment_config(ConfigDoc::parse(base, "c.yaml", {"output.dir="})).output.dir ==
          "results/c");
    // A mapping of declared keys may be empty.
    CHECK_NOTHROW(ConfigDoc::parse(base + "report:\n", "c.yaml"));
}

TEST_CASE("config: nested aliases are refused before they expand", "[experiments][config]") {
    TempDir dir;
    const std::string base = base_config(dir.write("log.csv", "user,item,time\n"));
    // Ten lines of anchors, each list repeating the one before ten times: 10^10 nodes.
    std::string laughs = "tuner:\n  settings:\n    a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    std::string flow = "{a: &a [x, x, x, x, x, x, x, x, x, x]";
    for (char c = 'b'; c <= 'j'; ++c) {
        const std::string p(1, static_cast<char>(c - 1));
        std::string list;
        for (int i = 0; i < 10; ++i) list += (i == 0 ? "*" : ", *") + p;
        laughs += std::string("    ") + c + ": &" + c + " [" + list + "]\n";
        flow += std::string(", ") + c + ": &" + c + " [" + list + "]";
    }
    const auto t0 = std::chrono::steady_clock::now();
    const std::string too_big =
        " expands to more than 100000 YAML nodes (anchors and aliases nested too deep?)";
    CHECK_THROWS_WITH(ConfigDoc::parse(base + laughs, "c.yaml"), "c.yaml:13: the config" + too_big);
    CHECK_THROWS_WITH(ConfigDoc::parse(base, "c.yaml", {"tuner.settings=" + flow + "}"}),
                      "--set tuner.settings: the value" + too_big);
    CHECK(std::chrono::steady_clock::now() - t0 < knntune::test::kNoHangBound);
    // A few aliases are fine: the anchored range is read at each use.
    const ExperimentConfig cfg = read_experiment_config(
        ConfigDoc::parse(base + "search:\n  k: &k {low: 2, high: 40}\n  shrink: *k\n", "c.yaml"));
    CHECK(cfg.search.shared.at("k").high == 40);
    CHECK(cfg.search.shared.at("shrink").high == 40);
}

TEST_CASE("config: configs/README.md holds the generated key table", "[experiments][config]") {
    std::ifstream in(std::string(KNNTUNE_SOURCE_DIR) + "/configs/README.md");
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string readme = ss.str();
    const std::string begin = "<!-- keys:begin (knntune config-keys --format markdown) -->\n";
    const std::string end = "<!-- keys:end -->";
    const auto a = readme.find(begin);
    const auto b = readme.find(end);
    REQUIRE(a != std::string::npos);
    REQUIRE(b != std::string::npos);
    // Regenerate with: knntune config-keys --format markdown
    CHECK(readme.substr(a + begin.size(), b - a - begin.size()) == config_keys_markdown());
}

TEST_CASE("config: the shipped configs load", "[experiments][config]") {
    const std::string src = KNNTUNE_SOURCE_DIR;
    const std::string bundled = src + "/data/online-retail/online_retail.csv.gz";
    for (const auto& entry : std::filesystem::directory_iterator(src + "/configs")) {
        if (entry.path().extension() != ".yaml") continue;
        INFO(entry.path());
        // Data paths are pointed at the bundled file: this checks the schema, not the data.
        std::vector<std::string> sets = {"data.path=" + bundled};
        const auto raw = YAML::LoadFile(entry.path().string());
        if (raw["data"]["item_metadata"]) sets.push_back("data.item_metadata.path=" + bundled);
        const ExperimentConfig cfg =
            read_experiment_config(ConfigDoc::load(entry.path().string(), sets));
        CHECK_FALSE(cfg.search.measures.empty());
        CHECK_FALSE(cfg.models.empty());
    }
    const ConfigDoc doc =
        ConfigDoc::load(src + "/configs/online-retail.yaml", {"data.path=" + bundled});
    const DataConfig cfg = data_of(doc);
    CHECK(cfg.log.filters.size() == 3);
    CHECK(cfg.log.item.name == "StockCode");
}

TEST_CASE("config: the resolved config writes out the defaults", "[experiments][config]") {
    TempDir dir;
    const auto log = dir.write("log.csv", "user,item,time\n");
    const ExperimentConfig cfg =
        read_experiment_config(ConfigDoc::parse(base_config(log), "c.yaml"));
    // Keys the config does not give appear with their defaults (from the config structs).
    CHECK_THAT(cfg.resolved_text, Catch::Contains("n_trials: 100"));
    CHECK_THAT(cfg.resolved_text, Catch::Contains("sampler: tpe"));
    CHECK_THAT(cfg.resolved_text, Catch::Contains("metric: precision@10"));
    CHECK_THAT(cfg.resolved_text, Catch::Contains("k: {low: 5, high: 1000, log: true}"));
    // The resolved config reads back to the same resolved config.
    const ExperimentConfig again =
        read_experiment_config(ConfigDoc::parse(cfg.resolved_text, "resolved.yaml"));
    CHECK(again.resolved_text == cfg.resolved_text);
    CHECK(again.tuner.n_trials == 100);
    CHECK(again.search.measures == cfg.search.measures);
}

TEST_CASE("config: sampler settings are checked at load, mappings included",
          "[experiments][config]") {
    TempDir dir;
    const auto log = dir.write("log.csv", "user,item,time\n");
    const std::string base = base_config(log) +
                             "search:\n  measures: [cosine]\n  k: {low: 10, high: 100}\n"
                             "  shrink: 0\ntuner:\n  sampler: grid\n";
    const ExperimentConfig cfg = read_experiment_config(
        ConfigDoc::parse(base + "  settings:\n    values: {k: [10, 100]}\n", "c.yaml"));
    CHECK(cfg.tuner.settings.at("values").as_object().at("k").as_array().size() == 2);
    CHECK_THROWS_WITH(read_experiment_config(ConfigDoc::parse(
                          base + "  settings:\n    values: {alpha: [1]}\n", "c.yaml")),
                      Catch::StartsWith("c.yaml:18: key 'tuner.settings.values': unknown "
                                        "parameter 'alpha'"));
}

TEST_CASE("config: search.params fixes a choice or boolean measure parameter by its text",
          "[experiments][config][p3_literature]") {
    TempDir dir;
    const auto log = dir.write("log.csv", "user,item,time\n");
    const std::string base = base_config(log) +
                             "search:\n  measures: [rp3beta, cosine]\n  params:\n"
                             "    rp3beta:\n";
    const ExperimentConfig cfg = read_experiment_config(ConfigDoc::parse(
        base + "      normalize_rows: true\n      variant: literature\n", "c.yaml"));
    // Fixed, so not tuned; every rp3beta trial gets both values, cosine trials neither.
    const auto space = cfg.search.space({"rp3beta", "cosine"});
    for (const auto& spec : space.params()) {
        CHECK(spec.name != "variant");
        CHECK(spec.name != "normalize_rows");
    }
    const knntune::exp::KnnConfig c = config_from_values(
        cfg.search, "rp3beta", {{"k", 10.0}, {"shrink", 0.0}, {"alpha", 0.5}, {"beta", 0.3}});
    CHECK(c.params.at("variant") == knntune::Value(std::string("literature")));
    CHECK(c.params.at("normalize_rows") == knntune::Value(std::string("true")));
    CHECK(config_from_values(cfg.search, "cosine", {{"k", 10.0}, {"shrink", 0.0}})
              .params.count("variant") == 0);
    CHECK_THAT(cfg.resolved_text, Catch::Contains("variant: literature"));
    // The rule between the two is checked with both values, whatever their order.
    CHECK_THROWS_WITH(
        read_experiment_config(ConfigDoc::parse(base + "      normalize_rows: true\n", "c.yaml")),
        "c.yaml:15: key 'search.params.rp3beta.normalize_rows': parameter 'normalize_rows' of "
        "rp3beta needs variant = literature");
    CHECK_THROWS_WITH(
        read_experiment_config(ConfigDoc::parse(base + "      variant: literal\n", "c.yaml")),
        "c.yaml:15: key 'search.params.rp3beta.variant': parameter 'variant' of rp3beta: "
        "expected one of standard, literature");
}

TEST_CASE("config: pruning belongs to the race and its share is checked",
          "[experiments][config][prune]") {
    TempDir dir;
    const auto log = dir.write("log.csv", "user,item,time\n");
    const std::string base = base_config(log) + "tuner:\n";
    const ExperimentConfig cfg = read_experiment_config(ConfigDoc::parse(
        base + "  race:\n    prune_first: 0.125\n    prune_alpha: 0.01\n", "c.yaml"));
    CHECK(cfg.tuner.race.prune_first == 0.125);
    CHECK(cfg.tuner.race.prune_alpha == 0.01);
    CHECK(read_experiment_config(ConfigDoc::parse(base + "  seed: 1\n", "c.yaml"))
              .tuner.race.prune_first == 0.0);  // off by default
    CHECK_THROWS_WITH(read_experiment_config(ConfigDoc::parse(
                          base + "  strategy: joint\n  race:\n    prune_first: 0.125\n", "c.yaml")),
                      Catch::Contains("c.yaml:") && Catch::Contains("tuner.race.prune_first") &&
                          Catch::Contains("strategy: race"));
    CHECK_THROWS_WITH(
        read_experiment_config(ConfigDoc::parse(base + "  race:\n    prune_first: 1\n", "c.yaml")),
        Catch::Contains("tuner.race.prune_first"));
    CHECK_THROWS_WITH(
        read_experiment_config(ConfigDoc::parse(base + "  race:\n    prune_alpha: 0\n", "c.yaml")),
        Catch::Contains("tuner.race.prune_alpha"));
}
