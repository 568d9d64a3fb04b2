/// `knntune run`, `tune`, `test` and `report`: the stages of a run, from one table.

#include <boost/program_options.hpp>
#include <chrono>
#include <memory>
#include <span>
#include <string_view>

#include "experiments/cli/commands.hpp"
#include "experiments/cli/options.hpp"
#include "experiments/cluster/ranks.hpp"
#include "experiments/run/stages.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

namespace {

/// What a stage command runs.
struct StagePlan {
    std::string_view command;
    bool from_config;        ///< CONFIG (with --set, --out, --resume) or RUN_DIR
    std::string_view first;  ///< the first and last stage it runs
    std::string_view last;
};

constexpr StagePlan kPlans[] = {
    {"run", true, "prepare", "report"},
    {"tune", true, "prepare", "tune"},
    {"test", false, "test", "test"},
    {"report", false, "report", "report"},
};

const StagePlan& plan_of(std::string_view command) {
    for (const StagePlan& p : kPlans) {
        if (p.command == command) return p;
    }
    throw exp::UsageError("no stage command '" + std::string(command) + "'");
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

/// The help's epilog of every stage command.
constexpr const char* kDistributedHelp =
    R"(Distributed (docs/distributed.md): under 'mpirun -np N knntune ...' rank 0 runs the
stages and owns the trial log, and ranks 1..N-1 evaluate the trials, tuner.parallel_trials
at a time (make it a multiple of N-1); the test stage splits each similarity by rows
across all ranks. The same seed and parallel_trials give the same trials for any N.)";

int run_stages(const Command& self, const Args& args) {
    const StagePlan& c = plan_of(self.name);
    CommandLine line(self);
    ConfigOptions config;
    exp::RunOptions run;
    if (c.from_config) {
        config.add(line.options());
        line.options().add_options()("resume", po::bool_switch(&run.resume),
                                     "continue existing trial logs")(
            "force", po::bool_switch(&run.force),
            "with --resume: accept a changed search space or seed");
    }
    ProgressOptions progress_options;
    progress_options.add(line.options());
    std::string mpi_data = "shared";
    line.options().add_options()(
        "mpi-data", po::value(&mpi_data),
        "under mpirun: how the other ranks get the prepared data, 'shared' (read RUN_DIR's "
        "prepared.h5 on a shared file system; default) or 'broadcast' (sent by rank 0)");
    std::string target;
    if (!line.parse(args, {{c.from_config ? "CONFIG" : "RUN_DIR", &target}}, kDistributedHelp))
        return 0;
    if (mpi_data != "shared" && mpi_data != "broadcast") {
        throw exp::UsageError("--mpi-data takes shared or broadcast, got '" + mpi_data + "'");
    }
    namespace cluster = exp::cluster;
    if (cluster::rank() > 0) {
        cluster::serve_worker();
        return 0;
    }
    // NOTE: made before anything can fail, so that its destructor stops the workers whatever
    // happens on this rank.
    std::unique_ptr<cluster::Coordinator> coordinator;
    if (cluster::distributed()) {
        coordinator = std::make_unique<cluster::Coordinator>(
            mpi_data == "broadcast" ? cluster::DataMode::Broadcast : cluster::DataMode::Shared);
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
    exp::RunContext ctx(std::move(cfg), exp::RunFolder(dir), progress, run);
    if (coordinator) {
        coordinator->attach(ctx);
        ctx.set_cluster(coordinator.get());
    }
    for (const exp::Stage& stage : stage_range(c.first, c.last)) stage.run(ctx);
    if (self.name == "run") {
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        progress.note("done in " + std::to_string(static_cast<int>(secs)) +
                      " s: " + ctx.folder().report().html.string());
    }
    return 0;
}

}  // namespace

const Command kRun{"run", "the whole experiment: prepare, tune, test, report",
                   R"(Usage: knntune run CONFIG [--out RUN_DIR] [--set key=value]... [--resume]

The whole experiment: prepare the data, tune every model of the config on
train_val → valid, retrain each measure's best configuration on train, score test,
and write report.md and report.html into the run folder.)",
                   run_stages};

const Command kTune{"tune", "tune every model of a config; --resume continues a log",
                    R"(Usage: knntune tune CONFIG [--out RUN_DIR] [--set key=value]... [--resume]

Prepares the data (or reuses RUN_DIR/prepared.h5) and tunes every model of the
config, appending each trial to RUN_DIR/trials-MODEL.h5. After a crash or a stop,
--resume continues: completed trials count toward the budget and trials that were
running are re-run with the same parameters.)",
                    run_stages};

const Command kTest{"test", "retrain each measure's best on train and score test",
                    R"(Usage: knntune test RUN_DIR

Retrains the validation winner of each measure on train, scores test, and writes
RUN_DIR/test-MODEL.json and RUN_DIR/model-item_knn.h5.)",
                    run_stages};

const Command kReport{"report", "write report.md and report.html of a run folder",
                      R"(Usage: knntune report RUN_DIR

Writes RUN_DIR/report.md and RUN_DIR/report.html from the trial logs and the test
results (run 'knntune test RUN_DIR' first).)",
                      run_stages};

}  // namespace knntune::cli
