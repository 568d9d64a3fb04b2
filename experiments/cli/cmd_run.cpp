/// `knntune run`, `knntune tune`, `knntune test`: the experiment stages.

#include <boost/program_options.hpp>
#include <chrono>
#include <iostream>

#include "experiments/cli/commands.hpp"
#include "experiments/experiment_config.hpp"
#include "experiments/report/report.hpp"
#include "experiments/runner.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

namespace {

struct StageOptions {
    std::string target;  ///< CONFIG or RUN_DIR
    std::string out;
    std::vector<std::string> sets;
    bool resume = false;
    bool force = false;
    exp::ProgressMode progress = exp::ProgressMode::Auto;
};

/// Parses the options shared by the stage commands; returns false after printing help.
bool parse_stage(const Args& args, const std::string& usage, const std::string& positional,
                 bool with_config_opts, StageOptions& so) {
    po::options_description opts(usage + "\n\nOptions");
    std::string progress = "auto";
    opts.add_options()("help,h", "show this help");
    if (with_config_opts) {
        opts.add_options()
            ("out", po::value(&so.out), "run folder (default: the config's output.dir)")
            ("set", po::value(&so.sets)->composing(), "override a config key, e.g. --set tuner.n_trials=20")
            ("resume", po::bool_switch(&so.resume), "continue existing trial logs")
            ("force", po::bool_switch(&so.force), "with --resume: accept a changed search space or seed");
    }
    opts.add_options()
        ("progress", po::value(&progress), "auto | bar | lines: a bar on a terminal, else one line per trial")
        ("quiet,q", "print nothing but errors");
    po::options_description hidden;
    hidden.add_options()("target", po::value(&so.target));
    po::variables_map vm;
    if (!parse_command(args, opts, hidden, {{"target", 1}}, vm)) return false;
    if (so.target.empty()) throw po::error("missing " + positional + " argument");
    if (progress == "bar") {
        so.progress = exp::ProgressMode::Bar;
    } else if (progress == "lines") {
        so.progress = exp::ProgressMode::Lines;
    } else if (progress != "auto") {
        throw po::error("--progress takes auto, bar or lines");
    }
    if (vm.count("quiet") != 0U) so.progress = exp::ProgressMode::Quiet;
    return true;
}

exp::ExperimentConfig load(const StageOptions& so) {
    exp::ExperimentConfig cfg = exp::read_experiment_config(exp::ConfigDoc::load(so.target, so.sets));
    if (!so.out.empty()) cfg.data.output_dir = so.out;
    return cfg;
}

}  // namespace

int cmd_run(const Args& args) {
    StageOptions so;
    if (!parse_stage(args,
                     "Usage: knntune run CONFIG [--out RUN_DIR] [--set key=value]... [--resume]\n\n"
                     "The whole experiment: prepare the data, tune every model of the config on\n"
                     "train_val → valid, retrain each measure's best configuration on train, score\n"
                     "test, and write report.md and report.html into the run folder.",
                     "CONFIG", true, so)) {
        return 0;
    }
    const auto t0 = std::chrono::steady_clock::now();
    exp::Progress progress(so.progress);
    exp::ExperimentConfig cfg = load(so);
    const std::string dir = cfg.data.output_dir;
    exp::Runner r2(std::move(cfg), dir, progress);
    r2.init_folder(so.resume);
    r2.tune(so.resume, so.force);
    r2.test();
    exp::write_report(r2.paths(), progress);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    progress.note("done in " + std::to_string(static_cast<int>(secs)) + " s: " +
                  r2.paths().report().html.string());
    return 0;
}

int cmd_tune(const Args& args) {
    StageOptions so;
    if (!parse_stage(args,
                     "Usage: knntune tune CONFIG [--out RUN_DIR] [--set key=value]... [--resume]\n\n"
                     "Prepares the data (or reuses RUN_DIR/prepared.h5) and tunes every model of the\n"
                     "config, appending each trial to RUN_DIR/trials-MODEL.h5. After a crash or a\n"
                     "stop, --resume continues: completed trials count toward the budget and trials\n"
                     "that were running are re-run with the same parameters.",
                     "CONFIG", true, so)) {
        return 0;
    }
    exp::Progress progress(so.progress);
    exp::ExperimentConfig cfg = load(so);
    const std::string dir = cfg.data.output_dir;
    exp::Runner runner(std::move(cfg), dir, progress);
    runner.init_folder(so.resume);
    runner.tune(so.resume, so.force);
    return 0;
}

int cmd_test(const Args& args) {
    StageOptions so;
    if (!parse_stage(args,
                     "Usage: knntune test RUN_DIR\n\n"
                     "Retrains the validation winner of each measure on train, scores test, and\n"
                     "writes RUN_DIR/test-MODEL.json and RUN_DIR/model-item_knn.h5.",
                     "RUN_DIR", false, so)) {
        return 0;
    }
    exp::Progress progress(so.progress);
    exp::Runner runner(exp::Runner::load_run_config(so.target), so.target, progress);
    runner.test();
    return 0;
}

int cmd_report(const Args& args) {
    StageOptions so;
    if (!parse_stage(args,
                     "Usage: knntune report RUN_DIR\n\n"
                     "Writes RUN_DIR/report.md and RUN_DIR/report.html from the trial logs and the\n"
                     "test results (run 'knntune test RUN_DIR' first).",
                     "RUN_DIR", false, so)) {
        return 0;
    }
    exp::Progress progress(so.progress);
    exp::write_report(exp::RunFolder(so.target), progress);
    return 0;
}

}  // namespace knntune::cli
