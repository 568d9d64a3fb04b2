#include "experiments/run/results.hpp"

#include <boost/json.hpp>

#include "common/atomic_file.hpp"
#include "experiments/error.hpp"

namespace knntune::exp {

namespace fs = std::filesystem;
namespace json = boost::json;

void save_model_result(const ModelResult& r, const fs::path& path) {
    json::object root;
    root["model"] = r.model;
    root["objective"] = r.objective;
    root["direction"] = r.maximize ? "maximize" : "minimize";
    json::array users;
    for (auto u : r.users) users.emplace_back(u);
    root["users"] = users;
    json::array measures;
    for (const MeasureResult& m : r.measures) {
        json::object o;
        o["measure"] = m.measure;
        o["trial"] = m.trial;
        o["log"] = m.log;
        o["n_trials"] = m.n_trials;
        o["valid"] = m.valid_value;
        o["config"] = m.config.describe();
        o["params"] = params_to_json(m.config.params);
        json::object test;
        json::array order;
        for (const auto& [name, v] : m.test_metrics) {
            test[name] = v;
            order.emplace_back(name);
        }
        o["test"] = test;
        o["metric_order"] = order;
        json::object per_user;
        for (const auto& [name, vec] : m.per_user) {
            json::array a;
            for (double x : vec) a.emplace_back(x);
            per_user[name] = a;
        }
        o["per_user"] = per_user;
        o["fit_seconds"] = m.fit_seconds;
        o["eval_seconds"] = m.eval_seconds;
        measures.emplace_back(o);
    }
    root["measures"] = measures;
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
        const json::object& o = mv.as_object();
        MeasureResult m;
        m.measure = std::string(o.at("measure").as_string());
        m.trial = o.at("trial").to_number<std::int64_t>();
        m.log = std::string(o.at("log").as_string());
        m.n_trials = o.at("n_trials").to_number<std::int64_t>();
        m.valid_value = o.at("valid").to_number<double>();
        m.config.measure = m.measure;
        m.config.params = params_from_json(o.at("params").as_object());
        const json::object& test = o.at("test").as_object();
        for (const auto& name : o.at("metric_order").as_array()) {
            const std::string n(name.as_string());
            m.test_metrics.emplace_back(n, test.at(n).to_number<double>());
        }
        for (const auto& [name, arr] : o.at("per_user").as_object()) {
            std::vector<double> vec;
            for (const auto& x : arr.as_array()) vec.push_back(x.to_number<double>());
            m.per_user[std::string(name)] = std::move(vec);
        }
        m.fit_seconds = o.at("fit_seconds").to_number<double>();
        m.eval_seconds = o.at("eval_seconds").to_number<double>();
        r.measures.push_back(std::move(m));
    }
    return r;
}

}  // namespace knntune::exp
