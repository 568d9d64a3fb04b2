/// `knntune run`, `tune`, `test` and `report`: the stages of a run, from one table.

#include <boost/program_options.hpp>
#include <chrono>
#include <span>
#include <string_view>

#include "experiments/cli/commands.hpp"
#include "experiments/cli/options.hpp"
#include "experiments/run/stages.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

namespace {

/// A command that runs stages of a run.
struct StageCommand {
    std::string_view name;
    std::string_view usage;  ///< usage line and description for --help
    bool from_config;        ///< CONFIG (with --set, --out, --resume) or RUN_DIR
    std::string_view first;  ///< the first and last stage it runs
    std::string_view last;
};

constexpr StageCommand kStageCommands[] = {
    {"run",
     "Usage: knntune run CONFIG [--out RUN_DIR] [--set key=value]... [--resume]\n\n"
     "The whole experiment: prepare the data, tune every model of the config on\n"
     "train_val → valid, retrain each measure's best configuration on train, score test,\n"
     "and write report.md and report.html into the run folder.",
     true, "prepare", "report"},
    {"tune",
     "Usage: knntune tune CONFIG [--out RUN_DIR] [--set key=value]... [--resume]\n\n"
     "Prepares the data (or reuses RUN_DIR/prepared.h5) and tunes every model of the\n"
     "config, appending each trial to RUN_DIR/trials-MODEL.h5. After a crash or a stop,\n"
     "--resume continues: completed trials count toward the budget and trials that were\n"
     "running are re-run with the same parameters.",
     true, "prepare", "tune"},
    {"test",
     "Usage: knntune test RUN_DIR\n\n"
     "Retrains the validation winner of each measure on train, scores test, and writes\n"
     "RUN_DIR/test-MODEL.json and RUN_DIR/model-item_knn.h5.",
     false, "test", "test"},
    {"report",
     "Usage: knntune report RUN_DIR\n\n"
     "Writes RUN_DIR/report.md and RUN_DIR/report.html from the trial logs and the test\n"
     "results (run 'knntune test RUN_DIR' first).",
     false, "report", "report"},
};

const StageCommand& stage_command(std::string_view name) {
    for (const StageCommand& c : kStageCommands) {
        if (c.name == name) return c;
    }
    throw exp::UsageError("no stage command '" + std::string(name) + "'");
}

/// The stages from `first` to `last`, in run order.
std::span<const exp::Stage> stage_range(std::string_view first, std::string_view last) {
    const auto all = exp::stages();
    std::size_t a = all.size();
    std::size_t b = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (all[i].name == first) a = i;
        if (all[i].name == last) b = i;
    }
    return all.subspan(a, b - a + 1);
}

int run_stage_command(std::string_view name, const Args& args) {
    const StageCommand& c = stage_command(name);
    po::options_description opts(std::string(c.usage) + "\n\nOptions");
    opts.add_options()("help,h", "show this help");
    ConfigOptions config;
    exp::RunOptions run;
    if (c.from_config) {
        config.add(opts);
        opts.add_options()("resume", po::bool_switch(&run.resume),
                           "continue existing trial logs")(
            "force", po::bool_switch(&run.force),
            "with --resume: accept a changed search space or seed");
    }
    ProgressOptions progress_options;
    progress_options.add(opts);
    std::string target;
    po::options_description hidden;
    hidden.add_options()("target", po::value(&target));
    po::variables_map vm;
    if (!parse_command(args, opts, hidden, {{"target", 1}}, vm)) return 0;
    if (target.empty()) {
        throw exp::UsageError(std::string("missing ") + (c.from_config ? "CONFIG" : "RUN_DIR") +
                              " argument (see 'knntune " + std::string(name) + " --help')");
    }
    const auto t0 = std::chrono::steady_clock::now();
    exp::Progress progress(progress_options.progress_mode());
    exp::ExperimentConfig cfg;
    std::string dir = target;
    if (c.from_config) {
        cfg = exp::load_experiment_config(target, config.sets);
        dir = config.out.empty() ? cfg.output.dir : config.out;
        cfg.output.dir = dir;
    } else {
        cfg = exp::load_run_config(exp::RunFolder(dir));
    }
    const exp::RunContext ctx(std::move(cfg), exp::RunFolder(dir), progress, run);
    for (const exp::Stage& stage : stage_range(c.first, c.last)) stage.run(ctx);
    if (c.name == "run") {
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        progress.note("done in " + std::to_string(static_cast<int>(secs)) + " s: " +
                      ctx.folder().report().html.string());
    }
    return 0;
}

}  // namespace

int cmd_run(const Args& args) { return run_stage_command("run", args); }
int cmd_tune(const Args& args) { return run_stage_command("tune", args); }
int cmd_test(const Args& args) { return run_stage_command("test", args); }
int cmd_report(const Args& args) { return run_stage_command("report", args); }

}  // namespace knntune::cli
