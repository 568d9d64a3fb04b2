/// The run folder's guard against mixing two configs: a run that failed before it had results
/// never blocks the corrected rerun, and a folder with results keeps them.

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "common/atomic_file.hpp"
#include "experiments/error.hpp"
#include "experiments/run/run_folder.hpp"
#include "support/temp_dir.hpp"
#include "support/tiny_experiment.hpp"
#include "tests/tuner/fixtures.hpp"
#include "tuner/hdf5_storage.hpp"

using knntune::exp::RunFolder;
using knntune::test::run_cli;
using knntune::test::TempDir;
using knntune::test::tiny_config;
using knntune::test::tiny_log;
using knntune::test::TinyConfig;
namespace fs = std::filesystem;

namespace {

/// A trial log with no trial, as a run stopped before its first trial leaves it.
void write_empty_log(const fs::path& path) {
    const knntune::tuner::SearchSpace space = knntune::tuner::testing::knn_space();
    knntune::tuner::StudyInfo info;
    info.search_space = space.to_json_text();
    knntune::tuner::write_trial_log(path.string(), info, space, {});
}

/// A process id that no longer runs: a child that has exited and been reaped.
pid_t dead_pid() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}

/// Runs `knntune ARGS` in `dir` and requires a one-line user error containing `expected`.
void expect_error(const TempDir& dir, const std::string& args, const std::string& expected) {
    const auto r = run_cli(args, dir.path());
    INFO("knntune " << args << "\n" << r.err);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains(expected));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

}  // namespace

TEST_CASE("run folder: results are trial logs with trials, test results, models, the report",
          "[experiments][runner]") {
    TempDir dir;
    const RunFolder folder(dir.path() / "run");
    CHECK(folder.results().empty());  // no folder at all
    fs::create_directories(folder.dir());
    knntune::write_file_atomic(folder.config(), "a: 1\n");
    knntune::write_file_atomic(folder.prepared(), "not looked at");
    write_empty_log(folder.trials("item_knn"));
    CHECK_FALSE(knntune::exp::holds_trials(folder.trials("item_knn")));
    CHECK(folder.results().empty());
    CHECK_NOTHROW(folder.check_config_change("a: 2\n", "remedy"));

    // An unreadable log is never taken for an empty one.
    knntune::write_file_atomic(folder.trials("user_knn"), "damaged");
    knntune::write_file_atomic(folder.test("item_knn"), "{}");
    knntune::write_file_atomic(folder.report().markdown, "# report");
    CHECK(folder.results() == std::vector<fs::path>{folder.report().markdown,
                                                    folder.test("item_knn"),
                                                    folder.trials("user_knn")});
    CHECK_NOTHROW(folder.check_config_change("a: 1\n", "remedy"));  // the same config
    CHECK_THROWS_AS(folder.check_config_change("a: 2\n", "remedy"), knntune::exp::ConfigError);
    CHECK_THROWS_WITH(folder.check_config_change("a: 2\n", "remedy"),
                      folder.dir().string() +
                          ": holds a run of a different config (config.resolved.yaml differs) "
                          "with results (report.md, test-item_knn.json, trials-user_knn.h5); "
                          "remedy");
}

TEST_CASE("run folder: a failed run never blocks the corrected rerun", "[experiments][runner]") {
    TempDir dir;
    dir.write("log.csv", tiny_log());
    dir.write("cfg.yaml", tiny_config(TinyConfig{.n_trials = 2}));
    const fs::path run = dir.path() / "o1";

    SECTION("a failure in the data leaves the folder as it was") {
        dir.write("bad.csv", tiny_log() + "u1,i2\n");
        expect_error(dir, "run cfg.yaml --quiet --out o1 --set data.columns.item=nope",
                     "item column 'nope' not found in header");
        expect_error(dir, "run cfg.yaml --quiet --out o1 --set data.path=bad.csv",
                     "bad.csv:1082: malformed row: expected 3 fields, found 2");
        expect_error(dir, "run cfg.yaml --quiet --out o1 --set split.min_item_interactions=1000",
                     "period 'train_val' is empty after filtering");
        CHECK_FALSE(fs::exists(run));
    }
    SECTION("a failure before the first trial leaves no results") {
        // The trial log cannot be locked (a folder has its lock file's name): the data is
        // prepared and the config saved, then tuning fails before any trial.
        fs::create_directories(run / "trials-item_knn.h5.lock");
        expect_error(dir, "run cfg.yaml --quiet --out o1", "cannot create lock file");
        CHECK(fs::exists(run / "config.resolved.yaml"));
        CHECK(RunFolder(run).results().empty());
        fs::remove(run / "trials-item_knn.h5.lock");
    }
    SECTION("a run stopped before its first trial leaves a log without trials") {
        (void)knntune::test::run_cli_ok("prepare cfg.yaml --out o1", dir.path());
        write_empty_log(run / "trials-item_knn.h5");
    }
    // The corrected config (another budget) runs in the same folder.
    (void)knntune::test::run_cli_ok("run cfg.yaml --quiet --out o1 --set tuner.n_trials=3",
                                    dir.path());
    CHECK(knntune::tuner::read_trial_log((run / "trials-item_knn.h5").string()).trials.size() == 3);
    CHECK(fs::exists(run / "report.html"));
}

TEST_CASE("run folder: a folder with results is kept from a different config",
          "[experiments][runner]") {
    TempDir dir;
    dir.write("log.csv", tiny_log());
    dir.write("cfg.yaml", tiny_config(TinyConfig{.n_trials = 2}));
    (void)knntune::test::run_cli_ok("run cfg.yaml --quiet", dir.path());
    const fs::path run = dir.path() / "run";
    const std::string config = knntune::read_file(run / "config.resolved.yaml");
    const std::string log = knntune::read_file(run / "trials-item_knn.h5");
    const std::string prepared = knntune::read_file(run / "prepared.h5");
    const std::string refused =
        "run: holds a run of a different config (config.resolved.yaml differs) with results "
        "(model-item_knn.h5, report.html, report.md, ...)";

    expect_error(dir, "run cfg.yaml --quiet --set tuner.n_trials=3", refused);
    expect_error(dir, "tune cfg.yaml --quiet --set tuner.seed=4", refused);
    expect_error(dir, "prepare cfg.yaml --set 'split.window=2 weeks'",
                 refused + "; use another --out folder, --no-save, or delete the folder");
    CHECK(knntune::read_file(run / "config.resolved.yaml") == config);
    CHECK(knntune::read_file(run / "trials-item_knn.h5") == log);
    CHECK(knntune::read_file(run / "prepared.h5") == prepared);
    // The same config is no change: prepare may write its data again. Its write removes the
    // temporaries that writers killed earlier left in the folder (a dead process's id).
    const std::string dead = std::to_string(dead_pid());
    const std::string stale_model = dir.write("run/model-item_knn.h5.tmp." + dead, "x");
    const std::string stale_log = dir.write("run/trials-user_knn.h5.tmp." + dead, "x");
    (void)knntune::test::run_cli_ok("prepare cfg.yaml", dir.path());
    CHECK_FALSE(fs::exists(stale_model));
    CHECK_FALSE(fs::exists(stale_log));
}
