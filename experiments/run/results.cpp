#include "experiments/run/results.hpp"

#include <boost/json.hpp>

#include "common/atomic_file.hpp"
#include "engine/baselines.hpp"
#include "engine/error.hpp"
#include "experiments/error.hpp"

namespace knntune::exp {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

using Metrics = std::vector<std::pair<std::string, double>>;
using PerUser = std::map<std::string, std::vector<double>>;

/// "test", "metric_order" and "per_user" of a measure or baseline entry.
void put_scores(json::object& o, const Metrics& metrics, const PerUser& per_user) {
    json::object test;
    json::array order;
    for (const auto& [name, v] : metrics) {
        test[name] = v;
        order.emplace_back(name);
    }
    o["test"] = test;
    o["metric_order"] = order;
    json::object users;
    for (const auto& [name, vec] : per_user) {
        json::array a;
        for (double x : vec) a.emplace_back(x);
        users[name] = a;
    }
    o["per_user"] = users;
}

/// Inverse of `put_scores`.
void get_scores(const json::object& o, Metrics& metrics, PerUser& per_user) {
    const json::object& test = o.at("test").as_object();
    for (const auto& name : o.at("metric_order").as_array()) {
        const std::string n(name.as_string());
        metrics.emplace_back(n, test.at(n).to_number<double>());
    }
    for (const auto& [name, arr] : o.at("per_user").as_object()) {
        std::vector<double> vec;
        for (const auto& x : arr.as_array()) vec.push_back(x.to_number<double>());
        per_user[std::string(name)] = std::move(vec);
    }
}

json::object measure_json(const MeasureResult& m) {
    json::object o;
    o["measure"] = m.measure;
    o["trial"] = m.trial;
    o["log"] = m.log;
    o["n_trials"] = m.n_trials;
    o["valid"] = m.valid_value;
    o["config"] = m.config.describe();
    o["params"] = typed_params_json(m.measure, m.config.params);
    put_scores(o, m.test_metrics, m.per_user);
    o["fit_seconds"] = m.fit_seconds;
    o["eval_seconds"] = m.eval_seconds;
    return o;
}

MeasureResult measure_from_json(const json::object& o) {
    MeasureResult m;
    m.measure = std::string(o.at("measure").as_string());
    m.trial = o.at("trial").to_number<std::int64_t>();
    m.log = std::string(o.at("log").as_string());
    m.n_trials = o.at("n_trials").to_number<std::int64_t>();
    m.valid_value = o.at("valid").to_number<double>();
    m.config.measure = m.measure;
    m.config.params = params_from_json(o.at("params").as_object());
    get_scores(o, m.test_metrics, m.per_user);
    m.fit_seconds = o.at("fit_seconds").to_number<double>();
    m.eval_seconds = o.at("eval_seconds").to_number<double>();
    return m;
}

json::object baseline_json(const BaselineResult& b) {
    json::object o;
    o["baseline"] = b.baseline;
    if (engine::baseline_from_name(b.baseline) == engine::Baseline::Random) o["seed"] = b.seed;
    o["valid"] = b.valid_value;
    o["config"] = b.describe();
    put_scores(o, b.test_metrics, b.per_user);
    o["eval_seconds"] = b.eval_seconds;
    return o;
}

BaselineResult baseline_from_json(const json::object& o) {
    BaselineResult b;
    b.baseline = std::string(o.at("baseline").as_string());
    (void)engine::baseline_from_name(b.baseline);  // a name this version knows
    if (const json::value* seed = o.if_contains("seed")) b.seed = seed->to_number<std::uint64_t>();
    b.valid_value = o.at("valid").to_number<double>();
    get_scores(o, b.test_metrics, b.per_user);
    b.eval_seconds = o.at("eval_seconds").to_number<double>();
    return b;
}

}  // namespace

std::string BaselineResult::describe() const {
    return engine::describe_baseline(engine::baseline_from_name(baseline), seed);
}

void save_model_result(const ModelResult& r, const fs::path& path) {
    json::object root;
    root["model"] = r.model;
    root["objective"] = r.objective;
    root["direction"] = r.maximize ? "maximize" : "minimize";
    json::array users;
    for (auto u : r.users) users.emplace_back(u);
    root["users"] = users;
    json::array measures;
    for (const MeasureResult& m : r.measures) measures.emplace_back(measure_json(m));
    root["measures"] = measures;
    json::array baselines;
    for (const BaselineResult& b : r.baselines) baselines.emplace_back(baseline_json(b));
    root["baselines"] = baselines;
    write_file_atomic(path.string(), json::serialize(root) + "\n");
}

ModelResult load_model_result(const fs::path& path) {
    if (!fs::exists(path)) {
        throw ConfigError(path.string() + ": no test results (run 'knntune test RUN_DIR' first)");
    }
    json::value v;
    try {
        v = json::parse(read_file(path));
    } catch (const std::exception& e) {
        throw ConfigError(path.string() + ": not a valid test result file: " + e.what());
    }
    const json::object& root = v.as_object();
    ModelResult r;
    r.model = std::string(root.at("model").as_string());
    r.objective = std::string(root.at("objective").as_string());
    r.maximize = root.at("direction").as_string() == "maximize";
    for (const auto& u : root.at("users").as_array())
        r.users.push_back(static_cast<engine::UserIndex>(u.to_number<std::int64_t>()));
    for (const auto& mv : root.at("measures").as_array()) {
        r.measures.push_back(measure_from_json(mv.as_object()));
    }
    // NOTE: optional, so that run folders tested before baselines existed still load.
    if (const json::value* baselines = root.if_contains("baselines")) {
        for (const auto& bv : baselines->as_array()) {
            try {
                r.baselines.push_back(baseline_from_json(bv.as_object()));
            } catch (const engine::ParamError& e) {
                throw ConfigError(path.string() + ": " + e.what());
            }
        }
    }
    return r;
}

}  // namespace knntune::exp
