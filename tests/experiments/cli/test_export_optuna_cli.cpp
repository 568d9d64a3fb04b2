// `knntune export-optuna` from the command line: the journal of a log, and the refusals (an
// existing journal without --force, an unknown study, a missing or damaged log).

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <span>
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
