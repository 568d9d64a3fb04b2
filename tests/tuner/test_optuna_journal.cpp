// The Optuna journal export: the operations of a study written in-process, read back as JSON
// and compared with the trial log, field by field; distributions and datetimes against
// hand-written texts.

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <sstream>
#include <string>
#include <vector>

#include "tests/tuner/fixtures.hpp"
#include "tuner/error.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/optuna_journal.hpp"
#include "tuner/study.hpp"

using namespace knntune::tuner;
using knntune::tuner::testing::scratch_dir;
namespace json = boost::json;

namespace {

const char* kSpace = R"({"params": [
  {"name": "algorithm", "type": "categorical", "choices": ["cosine", "tversky"]},
  {"name": "k", "type": "int", "low": 2, "high": 30, "log": true},
  {"name": "shrink", "type": "float", "low": 0, "high": 10, "step": 0.5},
  {"name": "n", "type": "int", "low": 0, "high": 10, "step": 2},
  {"name": "alpha", "type": "float", "low": 0.01, "high": 2, "log": true,
   "parent": "algorithm", "when": ["tversky"]}]})";

/// A study of 7 trials: Complete ones with an extra metric, one Fail, one Pruned, one left
/// Running; maximised.
TrialLog make_log(const std::filesystem::path& dir) {
    const std::string path = (dir / "trials.h5").string();
    {
        const SearchSpace space = SearchSpace::from_json_text(kSpace);
        StudyOptions opt;
        opt.name = "item_knn";
        opt.seed = 5;
        opt.direction = knntune::Direction::Maximize;
        Study study(space, make_sampler("random", {}, 5, space),
                    std::make_unique<Hdf5Storage>(path, Hdf5Options{false}), opt);
        OptimizeParams p;
        p.n_trials = 6;
        study.optimize(
            [](const Trial& t) -> Evaluation {
                if (t.number() == 2) throw std::runtime_error("boom, \"quoted\"");
                if (t.number() == 4) throw TrialPruned();
                // A value with all 53 bits of mantissa in use.
                return Evaluation{std::sqrt(t.value("shrink") + 2.0) / 3.0,
                                  {{"recall@5", 1.0 / (3.0 + t.number())}}};
            },
            p);
        study.ask();  // left Running
    }
    return read_trial_log(path);
}

std::vector<json::object> parse_lines(const std::string& text) {
    std::vector<json::object> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line).as_object());
    return out;
}

/// Sets TZ for the scope (the datetimes are local time), restoring it after.
class ScopedTz {
  public:
    explicit ScopedTz(const char* tz) {
        if (const char* old = std::getenv("TZ")) {
            old_ = old;
            had_ = true;
        }
        ::setenv("TZ", tz, 1);
        ::tzset();
    }
    ~ScopedTz() {
        if (had_) {
            ::setenv("TZ", old_.c_str(), 1);
        } else {
            ::unsetenv("TZ");
        }
        ::tzset();
    }
    ScopedTz(const ScopedTz&) = delete;
    ScopedTz& operator=(const ScopedTz&) = delete;

  private:
    std::string old_;
    bool had_ = false;
};

}  // namespace

TEST_CASE("optuna_distribution_json writes Optuna's distribution_to_json text", "[tuner][optuna]") {
    CHECK(optuna_distribution_json(Distribution::make_int(5, 500, true)) ==
          R"({"name":"IntDistribution","attributes":{"log":true,"step":1,"low":5,"high":500}})");
    CHECK(optuna_distribution_json(Distribution::make_int(0, 10, false, 2)) ==
          R"({"name":"IntDistribution","attributes":{"log":false,"step":2,"low":0,"high":10}})");
    CHECK(optuna_distribution_json(Distribution::make_float(0, 2)) ==
          R"({"name":"FloatDistribution","attributes":{"step":null,"low":0E0,"high":2E0,)"
          R"("log":false}})");
    CHECK(optuna_distribution_json(Distribution::make_float(0, 10, false, 0.5)) ==
          R"({"name":"FloatDistribution","attributes":{"step":5E-1,"low":0E0,"high":1E1,)"
          R"("log":false}})");
    CHECK(optuna_distribution_json(Distribution::make_categorical({"cosine", "tversky"})) ==
          R"({"name":"CategoricalDistribution","attributes":{"choices":["cosine","tversky"]}})");
}

TEST_CASE("optuna_datetime is local ISO time to the microsecond", "[tuner][optuna]") {
    {
        const ScopedTz tz("UTC0");
        // 2026-12-02 05:01:00.123456 UTC, worked out by hand from the epoch.
        CHECK(optuna_datetime(1796187660.123456) == "2026-12-02T05:01:00.123456");
        CHECK(optuna_datetime(1796187660.9999996) == "2026-12-02T05:01:01.000000");
        CHECK(optuna_datetime(0.0) == "1970-01-01T00:00:00.000000");
    }
    const ScopedTz tz("XYZ-2");  // two hours east of UTC
    CHECK(optuna_datetime(1796187660.5) == "2026-12-02T07:01:00.500000");
}

TEST_CASE("optuna_journal writes one study and every trial of a log", "[tuner][optuna]") {
    const auto dir = scratch_dir("optuna-journal");
    const TrialLog log = make_log(dir);
    REQUIRE(log.trials.size() == 7);
    const std::string text = optuna_journal(std::span<const TrialLog>(&log, 1));
    const auto ops = parse_lines(text);
    std::filesystem::remove_all(dir);

    // CREATE_STUDY, then the study's attributes, then one CREATE_TRIAL per trial.
    REQUIRE(ops.size() == 1 + 7 + 7);
    CHECK(ops[0].at("op_code") == 0);
    CHECK(ops[0].at("study_name") == "item_knn");
    CHECK(ops[0].at("directions") == json::array{2});
    std::vector<std::string> attrs;
    for (std::size_t i = 1; i < 8; ++i) {
        CHECK(ops[i].at("op_code") == 2);
        CHECK(ops[i].at("study_id") == 0);
        const json::object& a = ops[i].at("user_attr").as_object();
        REQUIRE(a.size() == 1);
        attrs.emplace_back(a.begin()->key());
    }
    CHECK(attrs == std::vector<std::string>{"sampler", "sampler_settings", "seed", "search_space",
                                            "data_fingerprint", "software_version", "config"});
    CHECK(ops[1].at("user_attr").at("sampler") == "random");
    CHECK(ops[3].at("user_attr").at("seed") == 5);
    CHECK(SearchSpace::from_json(ops[4].at("user_attr").at("search_space")) == log.space);

    const int expected_state[7] = {1, 1, 3, 1, 2, 1, 0};
    for (std::size_t n = 0; n < 7; ++n) {
        INFO("trial " << n);
        const FrozenTrial& t = log.trials[n];
        const json::object& op = ops[8 + n];
        CHECK(op.at("op_code") == 4);
        CHECK(op.at("study_id") == 0);
        CHECK(op.at("state") == expected_state[n]);
        CHECK(op.at("values").is_null());
        if (t.state == TrialState::Complete) {
            // NOTE: Boost.JSON 1.81 may parse a number one unit in the last place off
            // (docs/cli.md), so the parsed number is compared within 1 ULP and the text
            // exactly: the shortest text that reads back as the double (Python's json reads
            // it bit for bit; tests/python/test_export_optuna.py checks that).
            CHECK_THAT(op.at("value").as_double(), Catch::WithinULP(t.value, 1));
            CHECK_THAT(text, Catch::Contains("\"value\":" + json::serialize(json::value(t.value))));
            CHECK_THAT(op.at("user_attrs").at("recall@5").as_double(),
                       Catch::WithinULP(t.metrics.at("recall@5"), 1));
        } else {
            CHECK(op.at("value").is_null());
        }
        CHECK(op.contains("datetime_complete") == t.is_finished());
        CHECK(op.at("datetime_start").as_string() == optuna_datetime(t.start_time));
        if (t.is_finished()) {
            CHECK(op.at("datetime_complete").as_string() == optuna_datetime(t.end_time));
        }
        if (n == 2) CHECK(op.at("user_attrs").at("error") == "boom, \"quoted\"");
        // Exactly the active parameters, each with the distribution of its key.
        const json::object& params = op.at("params").as_object();
        const json::object& dists = op.at("distributions").as_object();
        std::size_t active = 0;
        for (std::size_t p = 0; p < log.space.size(); ++p) {
            const Param& param = log.space.param(p);
            if (std::isnan(t.params[p])) {
                CHECK_FALSE(params.contains(param.key));
                continue;
            }
            ++active;
            CHECK_THAT(params.at(param.key).to_number<double>(), Catch::WithinULP(t.params[p], 1));
            CHECK(dists.at(param.key).as_string() == optuna_distribution_json(param.distribution));
        }
        CHECK(params.size() == active);
        CHECK(dists.size() == active);
        const bool tversky = t.params[0] == 1.0;
        CHECK(params.contains("tversky.alpha") == tversky);
    }
}

TEST_CASE("optuna_journal refuses two logs of one study name and gapped numbers",
          "[tuner][optuna]") {
    TrialLog a;
    a.info.name = "item_knn";
    std::vector<TrialLog> two = {a, a};
    REQUIRE_THROWS_WITH(optuna_journal(two),
                        "two trial logs hold a study named 'item_knn'; an Optuna journal needs "
                        "unique study names");
    FrozenTrial t;
    t.number = 1;
    a.trials.push_back(t);
    REQUIRE_THROWS_WITH(optuna_journal(std::span<const TrialLog>(&a, 1)),
                        Catch::StartsWith("study 'item_knn': trial 1 is the trial at position 0"));
}
