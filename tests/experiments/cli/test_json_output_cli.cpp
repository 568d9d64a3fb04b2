// `--format json` of similar, recommend-items, prepare and trials: each document is parsed
// with Boost.JSON and checked against the model file, the text output or the trial log.

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "benchmarks/tuner_functions.hpp"
#include "engine/model_io.hpp"
#include "support/temp_dir.hpp"
#include "support/tiny_experiment.hpp"
#include "tests/tuner/fixtures.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/study.hpp"

using namespace knntune;
namespace json = boost::json;
using test::run_cli;
using test::run_cli_ok;
using test::TempDir;

namespace {

/// 5 items; S rows ranked; item D4 has no name. The parameters are in the older form
/// (a boolean as text, an integer as a real).
engine::SimilarityModel toy_model() {
    engine::SimilarityModel m;
    m.model = "item_knn";
    m.measure = "cosine";
    m.params_json = R"({"k": 3.0, "shrink": 0.0, "binary": "true"})";
    const std::vector<engine::Triplet> s = {{0, 0, 1.0F}, {0, 1, 0.5F}, {0, 2, 0.25F}, {1, 1, 1.0F},
                                            {1, 0, 0.5F}, {1, 3, 0.2F}, {2, 2, 1.0F},  {2, 0, 0.3F},
                                            {2, 4, 0.3F}, {3, 3, 1.0F}, {3, 1, 0.2F},  {4, 4, 1.0F},
                                            {4, 2, 0.3F}, {4, 0, 0.1F}};
    m.similarity = engine::csr_from_triplets(5, 5, s);
    m.item_keys = {"A1", "B2", "C3", "D4", "E5"};
    m.item_names = {"Red Mug", "Red Plate", "Blue Mug", "", "Blue Plate"};
    m.user_keys = {"u"};
    m.train = engine::csr_from_triplets(1, 5, std::vector<engine::Triplet>{{0, 0, 1.0F}});
    return m;
}

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

/// A JSON number or null as a double (NaN for null).
double number_or_nan(const json::value& v) {
    return v.is_null() ? std::nan("") : v.to_number<double>();
}

/// A JSON string as text ("" for null).
std::string str(const json::value& v) { return v.is_null() ? "" : std::string(v.as_string()); }

/// Equal, or both NaN, or 1 ULP apart. NOTE: Boost.JSON 1.81's parser may read a number one
/// ULP off (it has no precise mode); the text itself is exact, see `written_exactly`.
bool same_number(double a, double b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return a == b || std::nextafter(a, b) == b;
}

/// True when `doc` holds `"key":X` with X the shortest text that reads back as `x`.
bool written_exactly(const std::string& doc, const std::string& key, double x) {
    return doc.find("\"" + key + "\":" + json::serialize(json::value(x))) != std::string::npos;
}

}  // namespace

TEST_CASE("json output: similar gives the stored similarity row, with names and typed params",
          "[experiments][cli][json]") {
    TempDir dir;
    const engine::SimilarityModel m = toy_model();
    engine::save_model(m, (dir.path() / "model.h5").string());
    const auto r = run_cli_ok("similar model.h5 'red plate' --format json", dir.path());
    CHECK(lines(r.out).size() == 1);  // one document, one line
    const json::object o = json::parse(r.out).as_object();
    CHECK(o.at("model") == "item_knn");
    CHECK(o.at("measure") == "cosine");
    CHECK(o.at("query").at("item") == "B2");
    CHECK(o.at("query").at("full") == false);
    // The older file's "true" and 3.0 come out typed.
    CHECK(o.at("params").at("binary") == true);
    CHECK(o.at("params").at("k").is_int64());
    CHECK(o.at("params").at("k") == 3);
    // Row B2 of S holds A1 0.5 and D4 0.2 (and itself, excluded); D4 has no name.
    const json::array& res = o.at("results").as_array();
    REQUIRE(res.size() == 2);
    CHECK(res[0].at("rank") == 1);
    CHECK(res[0].at("item") == "A1");
    CHECK(res[0].at("name") == "Red Mug");
    CHECK(res[0].at("score").as_double() == static_cast<double>(0.5F));
    CHECK(res[1].at("item") == "D4");
    CHECK(res[1].at("name").is_null());
    CHECK(res[1].at("score").as_double() == static_cast<double>(0.2F));
    // The text output lists the same items in the same order.
    const auto text = lines(run_cli_ok("similar model.h5 'red plate'", dir.path()).out);
    REQUIRE(text.size() == 5);  // title, blank, header, two rows
    CHECK(words(text[3])[1] == "A1");
    CHECK(words(text[4])[1] == "D4");
}

TEST_CASE("json output: recommend-items sums the given items' columns of S",
          "[experiments][cli][json]") {
    TempDir dir;
    engine::save_model(toy_model(), (dir.path() / "model.h5").string());
    const auto r = run_cli_ok("recommend-items model.h5 --items 'Red Mug' C3 --top 5 --format json",
                              dir.path());
    const json::object o = json::parse(r.out).as_object();
    const json::array& given = o.at("items").as_array();
    REQUIRE(given.size() == 2);
    CHECK(given[0].at("item") == "A1");
    CHECK(given[1].at("item") == "C3");
    CHECK(given[1].at("name") == "Blue Mug");
    // score(j) = S[j, A1] + S[j, C3]: B2 0.5, E5 0.3 + 0.1; D4 has neither.
    const json::array& res = o.at("results").as_array();
    REQUIRE(res.size() == 2);
    CHECK(res[0].at("item") == "B2");
    CHECK(res[0].at("score").as_double() == static_cast<double>(0.5F));
    CHECK(res[1].at("item") == "E5");
    CHECK(res[1].at("rank") == 2);
    CHECK(res[1].at("score").as_double() ==
          static_cast<double>(static_cast<float>(double{0.3F} + double{0.1F})));
}

TEST_CASE("json output: an unknown --format is a usage error naming the allowed values",
          "[experiments][cli][json]") {
    TempDir dir;
    engine::save_model(toy_model(), (dir.path() / "model.h5").string());
    const auto check = [&](const std::string& args, const std::string& expected) {
        const auto r = run_cli(args, dir.path());
        INFO(args);
        CHECK(r.status == 2);
        CHECK(r.out.empty());
        CHECK(lines(r.err).size() == 1);
        CHECK_THAT(r.err, Catch::Contains(expected));
    };
    check("similar model.h5 A1 --format xml", "--format takes text or json, got 'xml'");
    check("recommend-items model.h5 --items A1 --format JSON",
          "--format takes text or json, got 'JSON'");
    check("trials model.h5 --format yaml", "--format takes table, csv or json, got 'yaml'");
    dir.write("log.csv", test::tiny_log());
    dir.write("cfg.yaml", test::tiny_config());
    check("prepare cfg.yaml --format csv", "--format takes text or json, got 'csv'");
    CHECK_FALSE(std::filesystem::exists(dir.path() / "run"));
}

TEST_CASE("json output: prepare gives the period statistics of the text table",
          "[experiments][cli][json]") {
    TempDir dir;
    dir.write("log.csv", test::tiny_log());
    dir.write("cfg.yaml", test::tiny_config());
    const auto text = lines(run_cli_ok("prepare cfg.yaml --no-save --quiet", dir.path()).out);
    const auto r = run_cli_ok("prepare cfg.yaml --no-save --format json", dir.path());
    CHECK(lines(r.out).size() == 1);
    const json::object o = json::parse(r.out).as_object();
    CHECK_THAT(std::string(o.at("log").at("path").as_string()), Catch::EndsWith("log.csv"));
    CHECK(o.at("log").at("rows") == 1080);  // 90 days × 12 events
    CHECK(o.at("saved").is_null());
    CHECK(o.at("fingerprint").as_string().size() == 16);
    const json::array& periods = o.at("periods").as_array();
    REQUIRE(periods.size() == 4);
    REQUIRE(text.size() == 5);  // header and one line per period
    for (std::size_t p = 0; p < 4; ++p) {
        const auto w = words(text[p + 1]);
        INFO(text[p + 1]);
        CHECK(str(periods[p].at("period")) == w.front());
        CHECK(std::to_string(periods[p].at("rows").as_int64()) == w[w.size() - 4]);
        CHECK(std::to_string(periods[p].at("users").as_int64()) == w[w.size() - 3]);
        CHECK(std::to_string(periods[p].at("items").as_int64()) == w[w.size() - 2]);
        const double density = periods[p].at("density").as_double();
        CHECK_THAT(100.0 * density, Catch::WithinAbs(std::stod(w.back()), 5e-5));
        CHECK(periods[p].at("end_unix").as_int64() > periods[p].at("start_unix").as_int64());
        CHECK_THAT(text[p + 1], Catch::Contains(std::string(periods[p].at("start").as_string())));
    }
    // Saving: the document names the file written, and nothing else goes to stdout.
    const auto saved = run_cli_ok("prepare cfg.yaml --format json", dir.path());
    const json::object s = json::parse(saved.out).as_object();
    CHECK_THAT(std::string(s.at("saved").as_string()), Catch::EndsWith("prepared.h5"));
    CHECK(std::filesystem::exists(dir.path() / "run" / "prepared.h5"));
}

TEST_CASE("json output: trials gives every trial of the log, and the importance rows",
          "[experiments][cli][json]") {
    using namespace knntune::tuner;
    const auto dir = knntune::tuner::testing::scratch_dir("json");
    const std::string path = (dir / "trials.h5").string();
    {
        const SearchSpace space = knntune::tuner::testing::knn_space();
        StudyOptions opt;
        opt.seed = 5;
        Study study(space, make_sampler("random", {}, 5, space),
                    std::make_unique<Hdf5Storage>(path, Hdf5Options{false}), opt);
        OptimizeParams p;
        p.n_trials = 12;
        study.optimize(
            [](const Trial& t) -> Evaluation {
                if (t.number() == 2) throw std::runtime_error("boom");
                return Evaluation{t.value("shrink") + t.value("k"), {{"ndcg@10", 0.25}}};
            },
            p);
        study.ask();  // one trial left Running
    }
    const TrialLog log = read_trial_log(path);
    const auto r = run_cli_ok("trials " + path + " --format json", dir);
    const json::value doc = json::parse(r.out);
    const json::array& studies = doc.at("studies").as_array();
    REQUIRE(studies.size() == 1);
    const json::object& st = studies[0].as_object();
    CHECK(str(st.at("study")) == log.info.name);
    CHECK(st.at("seed").to_number<std::uint64_t>() == 5);
    CHECK(st.at("race").is_null());
    const json::array& trials = st.at("trials").as_array();
    REQUIRE(trials.size() == log.trials.size());
    REQUIRE(trials.size() == 13);
    for (std::size_t i = 0; i < trials.size(); ++i) {
        const FrozenTrial& t = log.trials[i];
        const json::object& j = trials[i].as_object();
        INFO("trial " << i);
        CHECK(j.at("number") == t.number);
        CHECK(str(j.at("state")) == state_name(t.state));
        CHECK(same_number(number_or_nan(j.at("value")), t.value));
        CHECK(same_number(number_or_nan(j.at("end_time")), t.end_time));
        if (!std::isnan(t.value)) CHECK(written_exactly(r.out, "value", t.value));
        for (std::size_t p = 0; p < log.space.size(); ++p) {
            const Param& param = log.space.param(p);
            const json::value& v = j.at("params").at(param.key);
            if (std::isnan(t.params[p])) {
                CHECK(v.is_null());
            } else if (param.distribution.is_categorical()) {
                CHECK(str(v) == param.distribution.format(t.params[p]));
            } else {
                CHECK(same_number(v.to_number<double>(), t.params[p]));
            }
        }
        const json::value& ndcg = j.at("metrics").at("ndcg@10");
        CHECK(same_number(number_or_nan(ndcg), t.metrics.count("ndcg@10") != 0
                                                   ? t.metrics.at("ndcg@10")
                                                   : std::nan("")));
        CHECK(str(j.at("error")) == t.error);
    }
    CHECK(trials[2].at("state") == "Fail");
    CHECK(trials[2].at("error") == "boom");
    CHECK(trials[12].at("state") == "Running");
    CHECK(trials[12].at("end_time").is_null());
    CHECK(trials[0].at("params").at("k").is_int64());  // an integer distribution

    // The importance view: the rows of the CSV, with the same numbers.
    const auto csv = lines(run_cli_ok("trials " + path + " --importance --format csv", dir).out);
    const auto ij = run_cli_ok("trials " + path + " --importance --format json", dir);
    const json::value imp_doc = json::parse(ij.out);
    const json::object& imp = imp_doc.at("studies").at(0).as_object();
    const json::array& rows = imp.at("importance").as_array();
    REQUIRE(rows.size() + 1 == csv.size());
    double all_share = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        std::vector<std::string> cells;
        std::stringstream line(csv[i + 1]);
        for (std::string c; std::getline(line, c, ',');) cells.push_back(c);
        cells.resize(7);
        INFO(csv[i + 1]);
        CHECK(str(rows[i].at("subset")) == cells[0]);
        CHECK(str(rows[i].at("parameter")) == cells[1]);
        if (rows[i].at("evaluated").as_bool()) {
            CHECK(same_number(rows[i].at("share").as_double(), std::stod(cells[2])));
            if (cells[0] == "all") all_share += rows[i].at("share").as_double();
        } else {
            CHECK(rows[i].at("share").is_null());
        }
        CHECK(std::to_string(rows[i].at("trials").as_int64()) == cells[4]);
    }
    CHECK_THAT(all_share, Catch::WithinAbs(1.0, 1e-9));
}
