/// `knntune evaluate CONFIG --set algorithm=NAME --set k=... [--period valid|test]`: scores one
/// configuration and prints its metrics as JSON, so other tools can use knntune as an objective.

#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <iostream>

#include "engine/error.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/experiment_config.hpp"
#include "experiments/knn_study.hpp"
#include "experiments/runner.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

int cmd_evaluate(const Args& args) {
    po::options_description opts(
        "Usage: knntune evaluate CONFIG --set algorithm=MEASURE [--set NAME=VALUE]...\n"
        "                        [--model item_knn|user_knn] [--period valid|test] [--out RUN_DIR]\n\n"
        "Scores one KNN configuration and prints a JSON object with its metrics. --set takes\n"
        "similarity parameters (algorithm, k, shrink, alpha, beta, l, t1, t2, c, ...; every\n"
        "parameter the config tunes must be given) and, when the name has a dot, config\n"
        "overrides (--set objective.metric=ndcg@10). Period 'valid' fits on train_val and\n"
        "scores valid, exactly as a tuning trial does; 'test' fits on train and scores test.\n"
        "The prepared data is cached in the run folder.\n\nOptions");
    std::string config;
    std::vector<std::string> sets;
    std::string model = "item_knn";
    std::string period = "valid";
    std::string out;
    opts.add_options()
        ("help,h", "show this help")
        ("set", po::value(&sets)->composing(), "NAME=VALUE: a similarity parameter or a dotted config key")
        ("model", po::value(&model), "item_knn (default) or user_knn")
        ("period", po::value(&period), "valid (default) or test")
        ("out", po::value(&out), "run folder used for the prepared-data cache");
    po::options_description hidden;
    hidden.add_options()("config", po::value(&config));
    po::variables_map vm;
    if (!parse_command(args, opts, hidden, {{"config", 1}}, vm)) return 0;
    if (config.empty()) throw po::error("missing CONFIG argument");
    if (model != "item_knn" && model != "user_knn") throw po::error("--model takes item_knn or user_knn");
    if (period != "valid" && period != "test") throw po::error("--period takes valid or test");

    std::vector<std::string> overrides;
    std::map<std::string, std::string> values;
    for (const auto& s : sets) {
        const auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0) throw po::error("--set '" + s + "': expected NAME=VALUE");
        const std::string name = s.substr(0, eq);
        if (name.find('.') != std::string::npos) {
            overrides.push_back(s);
        } else {
            values[name] = s.substr(eq + 1);
        }
    }
    exp::ExperimentConfig cfg = exp::read_experiment_config(exp::ConfigDoc::load(config, overrides));
    if (!out.empty()) cfg.data.output_dir = out;
    const exp::KnnConfig knn = exp::config_from_values(cfg.search, values);
    const auto orientation = model == "item_knn" ? engine::similarity::Orientation::Item
                                                 : engine::similarity::Orientation::User;
    exp::Progress progress(exp::ProgressMode::Quiet);
    const std::string dir = cfg.data.output_dir;
    const auto metrics = cfg.objective.all();
    exp::Runner runner(std::move(cfg), dir, progress);
    const engine::PreparedData& d = runner.data();
    using engine::Period;
    const bool valid = period == "valid";
    const exp::KnnResult r =
        exp::evaluate_knn(d.matrix(valid ? Period::TrainVal : Period::Train),
                          d.matrix(valid ? Period::Valid : Period::Test), orientation, knn, metrics);

    boost::json::object o;
    o["model"] = model;
    o["period"] = period;
    o["configuration"] = knn.describe();
    boost::json::object m;
    for (const auto& mr : r.evaluation.metrics) m[mr.spec.name] = mr.mean;
    o["metrics"] = m;
    o["objective"] = metrics.front().name;
    o["value"] = r.evaluation.metrics.front().mean;
    o["users"] = static_cast<std::int64_t>(r.evaluation.users.size());
    o["fit_seconds"] = r.fit_seconds;
    o["eval_seconds"] = r.eval_seconds;
    o["data_fingerprint"] = d.fingerprint();
    std::cout << boost::json::serialize(o) << "\n";
    return 0;
}

}  // namespace knntune::cli
