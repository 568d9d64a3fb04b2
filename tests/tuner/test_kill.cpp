// kill -9 test: a child process runs a study on an HDF5 trial log and is killed at a random
// moment; the log must open, and resuming must finish exactly the requested number of
// complete trials without losing or duplicating any trial completed before the kill.
//
// The child is this test executable itself, re-run with the hidden tag [.kill_child] and the
// log path in KNNTUNE_KILL_LOG.

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "tests/tuner/fixtures.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/study.hpp"

extern char** environ;

using namespace knntune::tuner;
using knntune::tuner::testing::knn_space;
using knntune::tuner::testing::scratch_dir;

namespace {

constexpr std::int64_t kTrials = 16;
constexpr std::uint64_t kSeed = 77;

Evaluation cheap(const Trial& t) {
    // Deterministic value; a short sleep gives the parent something to interrupt.
    std::this_thread::sleep_for(std::chrono::microseconds(1000 + 100 * (t.number() % 7)));
    Evaluation e;
    e.value = std::log10(t.value("k")) + t.value("shrink") / 1000.0;
    e.metrics["twice"] = 2.0 * e.value;
    return e;
}

void run_study(const std::string& path, std::size_t parallel) {
    const SearchSpace space = knn_space();
    StudyOptions opt;
    opt.seed = kSeed;
    opt.open.resume = true;
    Study study(space, make_sampler("tpe", {}, kSeed, space), std::make_unique<Hdf5Storage>(path),
                opt);
    OptimizeParams p;
    p.n_trials = kTrials;
    p.parallel_trials = parallel;
    study.optimize(cheap, p);
}

pid_t spawn_child(const std::string& log) {
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
    env_strings.push_back("KNNTUNE_KILL_LOG=" + log);
    std::vector<char*> envp;
    for (std::string& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    std::string tag = "[.kill_child]", o = "-o", devnull = "/dev/null";
    char* argv[] = {self.data(), tag.data(), o.data(), devnull.data(), nullptr};
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv, envp.data()) == 0);
    return pid;
}

}  // namespace

TEST_CASE("kill -9 child (helper run by the kill -9 test, not a test)", "[.kill_child]") {
    const char* log = std::getenv("KNNTUNE_KILL_LOG");
    if (!log) return;
    run_study(log, 2);
}

TEST_CASE("trial log survives kill -9 at random moments and resumes exactly",
          "[tuner][storage][kill]") {
    const auto dir = scratch_dir("kill");
    std::mt19937 rng(20240611);
    // Calibrate: one uninterrupted child run, so that kill times cover the whole study on fast
    // and slow disks alike.
    const auto t0 = std::chrono::steady_clock::now();
    {
        const pid_t pid = spawn_child((dir / "calibration.h5").string());
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        REQUIRE(WIFEXITED(status));
        REQUIRE(WEXITSTATUS(status) == 0);
    }
    const auto full_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    REQUIRE(read_trial_log((dir / "calibration.h5").string()).trials.size() ==
            static_cast<std::size_t>(kTrials));
    int killed_mid_study = 0;
    for (int rep = 0; rep < 20; ++rep) {
        INFO("repetition " << rep);
        const std::string path = (dir / ("trials-" + std::to_string(rep) + ".h5")).string();
        const pid_t pid = spawn_child(path);
        // Varied timing, stratified over the run: repetition i kills at a random moment of the
        // i-th twentieth of [0, 1.05 × full run], from before the log exists to past its end.
        const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
        const auto delay =
            static_cast<long>(1.05 * static_cast<double>(full_ms) * (rep + u) / 20.0);
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
        ::kill(pid, SIGKILL);
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        const bool was_killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;

        std::map<std::int64_t, FrozenTrial> before;
        if (std::filesystem::exists(path)) {
            const TrialLog log = read_trial_log(path);  // must open: never torn
            for (const FrozenTrial& t : log.trials) {
                if (t.state == TrialState::Complete) before[t.number] = t;
            }
            if (was_killed && !before.empty() &&
                static_cast<std::int64_t>(before.size()) < kTrials) {
                ++killed_mid_study;
            }
        }
        run_study(path, 2);
        const TrialLog after = read_trial_log(path);
        REQUIRE(after.trials.size() == static_cast<std::size_t>(kTrials));
        for (std::size_t i = 0; i < after.trials.size(); ++i) {
            CHECK(after.trials[i].number == static_cast<std::int64_t>(i));
            CHECK(after.trials[i].state == TrialState::Complete);
            CHECK(after.trials[i].metrics.at("twice") == 2.0 * after.trials[i].value);
        }
        for (const auto& [n, t] : before) {
            const FrozenTrial& a = after.trials[static_cast<std::size_t>(n)];
            CHECK(a.value == t.value);
            CHECK(a.start_time == t.start_time);  // not re-run
            CHECK(a.end_time == t.end_time);
            for (std::size_t k = 0; k < t.params.size(); ++k) {
                CHECK(((a.params[k] == t.params[k]) ||
                       (std::isnan(a.params[k]) && std::isnan(t.params[k]))));
            }
        }
    }
    // The timing range must actually interrupt studies, or the test proves nothing.
    CHECK(killed_mid_study >= 5);
    if (std::getenv("KNNTUNE_KILL_DEBUG"))
        std::printf("killed mid-study: %d of 20\n", killed_mid_study);
    std::filesystem::remove_all(dir);
}
