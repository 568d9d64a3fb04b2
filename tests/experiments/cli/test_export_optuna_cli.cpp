// `knntune export-optuna` from the command line: the journal of a log, and the refusals (an
// existing journal without --force, an unknown study, a missing or damaged log).

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <sstream>
#include <string>

#include "common/atomic_file.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/tuner/fixtures.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/optuna_journal.hpp"
#include "tuner/study.hpp"

using namespace knntune::tuner;
using knntune::test::run_cli;
using knntune::test::TempDir;

namespace {

/// Writes a log of `n` random trials of the benchmark space for study `name` into `path`.
void write_log(const std::string& path, const std::string& name, int n) {
    const SearchSpace space = knntune::tuner::testing::knn_space();
    StudyOptions opt;
    opt.name = name;
    opt.seed = 9;
    Study study(space, make_sampler("random", {}, 9, space),
                std::make_unique<Hdf5Storage>(path, Hdf5Options{false}), opt);
    OptimizeParams p;
    p.n_trials = n;
    study.optimize([](const Trial& t) { return Evaluation{t.value("shrink"), {}}; }, p);
}

std::string slurp(const std::filesystem::path& p) { return knntune::read_file(p); }

// Loads the journal FILE (argv[1]) with Optuna and prints one line per trial: number, state,
// value (float.hex, "none" without one), whether it has datetime_complete, the error text.
const char* kOptunaReader = R"(import sys
try:
    import optuna
except ImportError:
    sys.exit(77)
optuna.logging.set_verbosity(optuna.logging.WARNING)
storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(sys.argv[1]))
study = optuna.load_study(study_name=None, storage=storage)
for t in study.trials:
    value = "none" if t.value is None else float(t.value).hex()
    print(t.number, t.state.name, value, t.datetime_complete is not None,
          t.user_attrs.get("error", "-"))
)";

}  // namespace

TEST_CASE("knntune export-optuna writes the journal of every log of a run folder",
          "[experiments][cli][optuna]") {
    const TempDir dir;
    const auto run = dir.path() / "run";
    std::filesystem::create_directories(run);
    write_log((run / "trials-item_knn.h5").string(), "item_knn", 4);
    write_log((run / "trials-user_knn.h5").string(), "user_knn", 3);

    auto r = run_cli("export-optuna run --journal studies.log", dir.path());
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("study 'item_knn': 4 trials\nstudy 'user_knn': 3 trials\n"));
    // The file is the journal of the two logs, in the run folder's order.
    const std::vector<TrialLog> logs = {read_trial_log((run / "trials-item_knn.h5").string()),
                                        read_trial_log((run / "trials-user_knn.h5").string())};
    CHECK(slurp(dir.path() / "studies.log") == optuna_journal(logs));

    // An existing journal is refused, untouched, and replaced with --force.
    knntune::write_file_atomic(dir.path() / "studies.log", "old\n");
    r = run_cli("export-optuna run --journal studies.log --study user_knn", dir.path());
    CHECK(r.status == 2);
    CHECK(r.err ==
          "knntune export-optuna: error: journal 'studies.log' exists; Optuna appends to a "
          "journal, so writing into it would merge studies: remove it, or pass --force to "
          "replace it\n");
    CHECK(slurp(dir.path() / "studies.log") == "old\n");
    r = run_cli("export-optuna run --journal studies.log --study user_knn --force", dir.path());
    REQUIRE(r.status == 0);
    CHECK(slurp(dir.path() / "studies.log") == optuna_journal(std::span(logs).subspan(1)));

    r = run_cli("export-optuna run --journal other.log --study nope", dir.path());
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains("--study: 'nope' is not a study of 'run' (its studies: "
                                      "item_knn, user_knn)"));
    CHECK_FALSE(std::filesystem::exists(dir.path() / "other.log"));

    r = run_cli("export-optuna run", dir.path());
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains("--journal FILE is required"));

    r = run_cli("export-optuna --help", dir.path());
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("--force"));
    CHECK_THAT(r.out, Catch::Contains("Optuna appends to a journal"));
}

TEST_CASE("knntune export-optuna refuses a missing or damaged log in one line",
          "[experiments][cli][optuna]") {
    const TempDir dir;
    auto r = run_cli("export-optuna nope.h5 --journal j.log", dir.path());
    CHECK(r.status == 2);
    CHECK(r.err == "knntune export-optuna: error: 'nope.h5' does not exist\n");

    const std::string log = (dir.path() / "trials.h5").string();
    write_log(log, "item_knn", 2);
    std::string bytes = slurp(log);
    bytes[bytes.size() / 2] ^= 0x5a;
    std::ofstream(log, std::ios::binary) << bytes;
    r = run_cli("export-optuna trials.h5 --journal j.log", dir.path());
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::StartsWith("knntune export-optuna: error: trial log "));
    CHECK_THAT(r.err, Catch::Contains("checksum mismatch"));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(dir.path() / "j.log"));
}

TEST_CASE("Optuna reads the states, values and errors of an exported log",
          "[experiments][cli][optuna]") {
    const TempDir dir;
    const std::string log = (dir.path() / "trials.h5").string();
    {
        const SearchSpace space = knntune::tuner::testing::knn_space();
        Study study(space, make_sampler("random", {}, 4, space),
                    std::make_unique<Hdf5Storage>(log, Hdf5Options{false}), StudyOptions{});
        OptimizeParams p;
        p.n_trials = 4;
        study.optimize(
            [](const Trial& t) -> Evaluation {
                if (t.number() == 1) throw std::runtime_error("out of luck");
                if (t.number() == 2) throw TrialPruned();
                return Evaluation{t.value("shrink") / 7.0, {}};
            },
            p);
        study.ask();  // left Running
    }
    REQUIRE(run_cli("export-optuna trials.h5 --journal j.log", dir.path()).status == 0);
    const std::string script = dir.write("read.py", kOptunaReader);
    const std::string out = (dir.path() / "out.txt").string();
    const int raw = std::system(("/usr/bin/python3 -W ignore '" + script + "' '" +
                                 (dir.path() / "j.log").string() + "' >'" + out + "' 2>&1")
                                    .c_str());
    const int status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    if (status == 77) {
        WARN("python3-optuna cannot be imported: Optuna's reading of the journal not checked");
        return;
    }
    INFO(slurp(out));
    REQUIRE(status == 0);
    const TrialLog read = read_trial_log(log);
    std::istringstream lines(slurp(out));
    for (const FrozenTrial& t : read.trials) {
        std::int64_t number = -1;
        std::string state, value, complete, error;
        lines >> number >> state >> value >> complete;
        std::getline(lines >> std::ws, error);
        CHECK(number == t.number);
        const char* names[] = {"RUNNING", "COMPLETE", "PRUNED", "FAIL"};
        CHECK(state == names[static_cast<int>(t.state)]);
        if (t.state == TrialState::Complete) {
            CHECK(std::strtod(value.c_str(), nullptr) == t.value);  // bit for bit
        } else {
            CHECK(value == "none");
        }
        CHECK(complete == (t.is_finished() ? "True" : "False"));
        CHECK(error == (t.error.empty() ? "-" : t.error));
    }
    CHECK(read.trials.size() == 5);
}
