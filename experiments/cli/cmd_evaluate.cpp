/// `knntune evaluate CONFIG --measure NAME [--param NAME=VALUE]... [--period valid|test]`:
/// scores one configuration and prints its metrics as JSON, so other tools can use knntune as
/// an objective.

#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <iostream>

#include "experiments/cli/commands.hpp"
#include "experiments/cli/options.hpp"
#include "experiments/knn_study.hpp"
#include "experiments/run/context.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

namespace {

boost::json::object result_json(const exp::KnnResult& r, const exp::KnnConfig& knn,
                                const std::string& model, const std::string& period,
                                const std::string& fingerprint) {
    boost::json::object o;
    o["model"] = model;
    o["period"] = period;
    o["configuration"] = knn.describe();
    boost::json::object m;
    for (const auto& mr : r.evaluation.metrics) m[mr.spec.name] = mr.mean;
    o["metrics"] = m;
    o["objective"] = r.evaluation.metrics.front().spec.name;
    o["value"] = r.evaluation.metrics.front().mean;
    o["users"] = static_cast<std::int64_t>(r.evaluation.users.size());
    o["fit_seconds"] = r.fit_seconds;
    o["eval_seconds"] = r.eval_seconds;
    o["data_fingerprint"] = fingerprint;
    return o;
}

}  // namespace

int run_evaluate(const Command& self, const Args& args) {
    CommandLine line(self);
    std::string config;
    std::string period = "valid";
    ConfigOptions config_options;
    KnnOptions knn;
    line.options().add_options()("period", po::value(&period), "valid (default) or test");
    knn.add(line.options(), "item");
    config_options.add(line.options());
    if (!line.parse(args, {{"CONFIG", &config}}, measures_and_params_help())) return 0;
    if (period != "valid" && period != "test") {
        throw exp::UsageError("--period takes valid or test, got '" + period + "'");
    }
    exp::ExperimentConfig cfg = exp::load_experiment_config(config, config_options.sets);
    if (!config_options.out.empty()) cfg.output.dir = config_options.out;
    const exp::KnnConfig knn_config =
        exp::config_from_values(cfg.search, knn.measure, knn.param_map());
    const auto orientation = knn.orientation_id();
    const auto limit = knn.thread_limit();
    const auto metrics = cfg.objective.all();
    exp::Progress progress(exp::ProgressMode::Quiet);
    const exp::RunFolder folder(cfg.output.dir);
    const exp::RunContext ctx(std::move(cfg), folder, progress);
    const engine::PreparedData& d = ctx.data();
    using engine::Period;
    const bool valid = period == "valid";
    const exp::KnnResult r = exp::evaluate_knn(d.matrix(valid ? Period::TrainVal : Period::Train),
                                               d.matrix(valid ? Period::Valid : Period::Test),
                                               orientation, knn_config, metrics);
    std::cout << boost::json::serialize(result_json(r, knn_config, exp::model_name(orientation),
                                                    period, d.fingerprint()))
              << "\n";
    return 0;
}

const Command kEvaluate{"evaluate", "score one configuration and print its metrics as JSON",
                        R"(Usage: knntune evaluate CONFIG --measure NAME [--param NAME=VALUE]...
                        [--orientation item|user] [--period valid|test]
                        [--set key=value]... [--out RUN_DIR]

Scores one KNN configuration and prints a JSON object with its metrics. --param
gives the similarity parameters (k, shrink, alpha, beta, l, t1, t2, c, ...): every
parameter the config tunes must be given, the config's fixed ones are added. Period
'valid' fits on train_val and scores valid, exactly as a tuning trial does; 'test'
fits on train and scores test. The prepared data is cached in the run folder.)",
                        run_evaluate};

}  // namespace knntune::cli
