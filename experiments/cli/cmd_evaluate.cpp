/// `knntune evaluate CONFIG --measure NAME [--param NAME=VALUE]... [--period valid|test]` (or
/// `--baseline NAME [--seed N]` in place of the measure): scores one configuration and prints
/// its metrics as JSON, so other tools can use knntune as an objective.

#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <chrono>
#include <iostream>
#include <optional>

#include "engine/baselines.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/cli/json_output.hpp"
#include "experiments/cli/options.hpp"
#include "experiments/cluster/comm.hpp"
#include "experiments/cluster/split.hpp"
#include "experiments/knn_study.hpp"
#include "experiments/run/context.hpp"
#include "experiments/run/evaluation.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

int run_evaluate(const Command& self, const Args& args) {
    CommandLine line(self);
    std::string config;
    std::string period = "valid";
    ConfigOptions config_options;
    KnnOptions knn;
    BaselineOptions base;
    line.options().add_options()("period", po::value(&period), "valid (default) or test");
    knn.add(line.options(), "item", MeasureUse::OrBaseline);
    base.add(line.options(), "the config's tuner.seed");
    config_options.add(line.options());
    if (!line.parse(args, {{"CONFIG", &config}},
                    measures_and_params_help() + "\n" + baselines_help())) {
        return 0;
    }
    exp::check_evaluation_period(period, "--period");
    exp::ExperimentConfig cfg = exp::load_experiment_config(config, config_options.sets);
    if (!config_options.out.empty()) cfg.output.dir = config_options.out;
    const ModelChoice choice = choose_model(knn, base, cfg.tuner.seed);
    std::optional<exp::KnnConfig> knn_config;
    if (!choice.baseline) {
        knn_config = exp::config_from_values(cfg.search, knn.measure, knn.param_map());
    }
    const auto orientation =
        choice.baseline ? engine::similarity::Orientation::Item : knn.orientation_id();
    const auto limit = knn.thread_limit();
    const auto metrics = cfg.objective.all();
    namespace cluster = exp::cluster;
    if (choice.baseline && cluster::rank() > 0) return 0;  // rank 0 scores a baseline alone
    // NOTE: under mpirun rank 0 loads (or prepares and saves) the data first; the other ranks
    // then read the saved file, or prepare it themselves in memory when nothing is saved.
    if (cluster::rank() > 0) {
        (void)cluster::receive(0, cluster::Tag::Release);
        cfg.output.save_prepared = false;
    }
    exp::Progress progress(exp::ProgressMode::Quiet);
    const exp::RunFolder folder(cfg.output.dir);
    const exp::RunContext ctx(std::move(cfg), folder, progress);
    const engine::PreparedData& d = ctx.data();
    if (cluster::rank() == 0 && !choice.baseline) {
        for (int r = 1; r < cluster::size(); ++r) cluster::send(r, cluster::Tag::Release, {});
    }
    const auto [train, target] = exp::evaluation_period(d, period);
    exp::EvaluationRecord e;
    e.period = period;
    e.fingerprint = d.fingerprint();
    if (choice.baseline) {
        e.model = engine::baseline_name(*choice.baseline);
        e.configuration = engine::describe_baseline(*choice.baseline, choice.seed);
        e.result = exp::evaluate_baseline(train, target, *choice.baseline, choice.seed, metrics);
    } else {
        const auto m = engine::similarity::measure_from_name(knn_config->measure);
        const auto t0 = std::chrono::steady_clock::now();
        const engine::CsrMatrix s = cluster::split_similarity(
            train, orientation, m, engine::similarity::parse_params(m, knn_config->params));
        if (cluster::rank() > 0) return 0;
        e.model = exp::model_name(orientation);
        e.configuration = knn_config->describe();
        e.result =
            exp::KnnEvaluator(train, target, orientation, metrics)
                .evaluate_similarity(
                    s,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    print_json(exp::evaluation_json(e));
    return 0;
}

const Command kEvaluate{"evaluate", "score one configuration and print its metrics as JSON",
                        R"(Usage: knntune evaluate CONFIG --measure NAME [--param NAME=VALUE]...
                        [--orientation item|user] [--period valid|test]
                        [--set key=value]... [--out RUN_DIR]
       knntune evaluate CONFIG --baseline top_pop|random [--seed N]
                        [--period valid|test] [--set key=value]... [--out RUN_DIR]

Scores one KNN configuration and prints a JSON object with its metrics. --param
gives the similarity parameters (k, shrink, alpha, beta, l, t1, t2, c, ...): every
parameter the config tunes must be given, the config's fixed ones are added. Period
'valid' fits on train_val and scores valid, exactly as a tuning trial does; 'test'
fits on train and scores test. The prepared data is cached in the run folder.

--baseline scores a non-personalised baseline on the same users, metrics and list
length instead (the 'model' of the JSON is then the baseline's name); random draws
with the config's tuner.seed unless --seed is given, as the test stage does.

Under 'mpirun -np N' the similarity's rows are split across the ranks; rank 0 prints
the JSON, with the same metrics as one process (docs/distributed.md).)",
                        run_evaluate};

}  // namespace knntune::cli
