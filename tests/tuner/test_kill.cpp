// kill -9 test: a child process runs a study on an HDF5 trial log and is killed at a random
// moment; the log must open, and resuming must finish exactly the requested number of
// complete trials without losing or duplicating any trial completed before the kill. At least
// 5 kills must land mid-study (some but not all trials complete), or the test proves nothing.
//
// The child is this test executable itself, re-run with the hidden tag [.kill_child] and the
// log path in KNNTUNE_KILL_LOG.

#include <oneapi/tbb/task_arena.h>
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

#include "common/random.hpp"
#include "tests/tuner/fixtures.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/race.hpp"
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

// The trial log's options: compaction every 8 journal records (two per trial) rather than 64,
// so that kills also land inside and between the steps of a compaction.
Hdf5Options kill_options(bool durable) { return {.fsync = durable, .compact_min_records = 8}; }

// `durable`: fsync each compaction and the journal, as a real run does. The parent's resume runs
// without: the kill -9 is not aimed at it, and the page cache survives a killed process anyway.
void run_study(const std::string& path, std::size_t parallel, bool durable) {
    const SearchSpace space = knn_space();
    StudyOptions opt;
    opt.seed = kSeed;
    opt.open.resume = true;
    Study study(space, make_sampler("tpe", {}, kSeed, space),
                std::make_unique<Hdf5Storage>(path, kill_options(durable)), opt);
    OptimizeParams p;
    p.n_trials = kTrials;
    p.parallel_trials = parallel;
    study.optimize(cheap, p);
}

constexpr std::int64_t kRaceTrials = 45;

// The race's objective: per-unit values whose level depends on the measure and on k, so that
// tests stop some measures; deterministic, with the same short sleep as `cheap`.
RaceEvaluation cheap_race(const Trial& t) {
    std::this_thread::sleep_for(std::chrono::microseconds(1000 + 100 * (t.number() % 7)));
    const double arm = t.value("algorithm");
    const double level = 0.02 * arm - 0.01 * std::abs(std::log10(t.value("k")) - 2.0);
    RaceEvaluation r;
    double sum = 0.0;
    for (std::uint64_t u = 0; u < 60; ++u) {
        knntune::Rng rng(static_cast<std::uint64_t>(arm) + 1, u);
        r.per_unit.push_back(level + 0.05 * (rng.uniform() - 0.5));
        sum += r.per_unit.back();
    }
    r.evaluation.value = sum / 60.0;
    r.evaluation.metrics["twice"] = 2.0 * r.evaluation.value;
    return r;
}

// A race with 2 trials per batch on `storage`; returns the trial table.
std::vector<FrozenTrial> run_race_study(std::unique_ptr<Storage> storage) {
    const SearchSpace space = knn_space();
    StudyOptions opt;
    opt.seed = kSeed;
    opt.direction = Direction::Maximize;
    opt.open.resume = true;
    Study study(space, make_arm_sampler(make_sampler("tpe", {}, kSeed, space), "algorithm"),
                std::move(storage), opt);
    tbb::task_arena arena(2);
    RaceParams p;
    p.n_trials = kRaceTrials;
    p.min_trials = 2;
    p.check_every = 1;
    p.parallel_trials = 2;
    p.arena = &arena;
    (void)race(study, cheap_race, p);
    return study.trials();
}

bool race_mode() { return std::getenv("KNNTUNE_KILL_RACE") != nullptr; }

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

// How an uninterrupted child run went, in milliseconds from its spawn: its whole length, and
// when its first and its last trial finished (from the log's end times, system clock).
struct Timing {
    double full_ms = 0;
    double first_ms = 0;
    double last_ms = 0;
};

double epoch_ms() {
    return std::chrono::duration<double, std::milli>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// `n_trials`: how many trials the child's study runs (kTrials, or kRaceTrials in race mode).
Timing time_child(const std::string& path, std::int64_t n_trials = kTrials) {
    const double spawned = epoch_ms();
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = spawn_child(path);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    Timing t;
    t.full_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const TrialLog log = read_trial_log(path);
    REQUIRE(log.trials.size() == static_cast<std::size_t>(n_trials));
    t.first_ms = t.last_ms = 1e3 * log.trials.front().end_time - spawned;
    for (const FrozenTrial& trial : log.trials) {
        t.first_ms = std::min(t.first_ms, 1e3 * trial.end_time - spawned);
        t.last_ms = std::max(t.last_ms, 1e3 * trial.end_time - spawned);
    }
    return t;
}

// Spawns a child study on `path` and kills it with -9 after `delay_ms`; true when the kill
// ended it (false: it had finished first).
bool kill_child_after(const std::string& path, double delay_ms) {
    const pid_t pid = spawn_child(path);
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(delay_ms));
    ::kill(pid, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

// Kills a child study after `delay_ms`, checks that its log opens and that resuming finishes
// exactly kTrials trials, none lost and none complete before the kill run again, and that the
// table equals `whole`, the uninterrupted run's (parameters and values: the resumed study
// samples as if never cut, also with two trials per batch). True when the kill landed
// mid-study: the child was killed with some but not all trials complete.
bool kill_and_resume(const std::string& path, double delay_ms, const TrialLog& whole) {
    const bool was_killed = kill_child_after(path, delay_ms);

    std::map<std::int64_t, FrozenTrial> before;
    if (std::filesystem::exists(path)) {
        const TrialLog log = read_trial_log(path);  // must open: never torn
        for (const FrozenTrial& t : log.trials) {
            if (t.state == TrialState::Complete) before[t.number] = t;
        }
    }
    run_study(path, 2, false);
    const TrialLog after = read_trial_log(path);
    REQUIRE(after.trials.size() == static_cast<std::size_t>(kTrials));
    for (std::size_t i = 0; i < after.trials.size(); ++i) {
        INFO("trial " << i);
        const FrozenTrial& a = after.trials[i];
        CHECK(a.number == static_cast<std::int64_t>(i));
        CHECK(a.state == TrialState::Complete);
        CHECK(a.metrics.at("twice") == 2.0 * a.value);
        CHECK(a.value == whole.trials[i].value);
        for (std::size_t k = 0; k < a.params.size(); ++k) {
            const double w = whole.trials[i].params[k];
            CHECK(((a.params[k] == w) || (std::isnan(a.params[k]) && std::isnan(w))));
        }
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
    return was_killed && !before.empty() && static_cast<std::int64_t>(before.size()) < kTrials;
}

constexpr int kStratified = 20;   // kills spread over the whole run
constexpr int kMinMidStudy = 10;  // kills that must land mid-study
constexpr int kMaxExtra = 30;     // further kills allowed to reach kMinMidStudy

}  // namespace

TEST_CASE("kill -9 child (helper run by the kill -9 test, not a test)", "[.kill_child]") {
    const char* log = std::getenv("KNNTUNE_KILL_LOG");
    if (!log) return;
    if (race_mode()) {
        (void)run_race_study(std::make_unique<Hdf5Storage>(log, kill_options(true)));
    } else {
        run_study(log, 2, true);
    }
}

TEST_CASE("a race killed with -9 at 10 moments resumes to the uninterrupted trial table",
          "[tuner][race][kill]") {
    ::setenv("KNNTUNE_KILL_RACE", "1", 1);  // inherited by the children
    const auto dir = scratch_dir("race-kill");
    const std::vector<FrozenTrial> whole = run_race_study(std::make_unique<InMemoryStorage>());
    REQUIRE(whole.size() == static_cast<std::size_t>(kRaceTrials));
    // Kill times are placed between the first and the last finished trial of a run timed just
    // before (stratified over ten positions), not at fractions of its whole length: under load
    // (sanitizers, ctest -j2) the child's start-up takes most of a run and fractions of it
    // land before the first trial. Every ten kills the child is timed again.
    int mid_study = 0;
    Timing timing;
    for (int rep = 0; rep < 40 && mid_study < 10; ++rep) {
        INFO("kill " << rep);
        if (rep % 10 == 0) {
            timing =
                time_child((dir / ("timing-" + std::to_string(rep) + ".h5")).string(), kRaceTrials);
        }
        const std::string path = (dir / ("race-" + std::to_string(rep) + ".h5")).string();
        const double delay =
            timing.first_ms + (0.05 + 0.09 * (rep % 10)) * (timing.last_ms - timing.first_ms);
        (void)kill_child_after(path, delay);
        if (!std::filesystem::exists(path)) continue;
        const TrialLog cut = read_trial_log(path);
        std::size_t complete = 0;
        for (const FrozenTrial& t : cut.trials) complete += t.state == TrialState::Complete;
        mid_study += complete > 0 && complete < whole.size() ? 1 : 0;
        const std::vector<FrozenTrial> resumed =
            run_race_study(std::make_unique<Hdf5Storage>(path, kill_options(false)));
        REQUIRE(resumed.size() == whole.size());
        for (std::size_t i = 0; i < whole.size(); ++i) {
            CHECK(resumed[i].value == whole[i].value);
            for (std::size_t k = 0; k < whole[i].params.size(); ++k) {
                CHECK(((resumed[i].params[k] == whole[i].params[k]) ||
                       (std::isnan(resumed[i].params[k]) && std::isnan(whole[i].params[k]))));
            }
        }
    }
    ::unsetenv("KNNTUNE_KILL_RACE");
    CHECK(mid_study >= 10);
    std::filesystem::remove_all(dir);
}

TEST_CASE("trial log survives kill -9 at random moments and resumes to the uninterrupted table",
          "[tuner][storage][kill]") {
    const auto dir = scratch_dir("kill");
    const auto log_path = [&](const std::string& name, int rep) {
        return (dir / (name + "-" + std::to_string(rep) + ".h5")).string();
    };
    std::mt19937 rng(20240611);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    // Calibrate: one uninterrupted child run, so that kill times cover the whole study on fast
    // and slow disks alike.
    const Timing calibration = time_child(log_path("calibration", 0));
    const TrialLog whole = read_trial_log(log_path("calibration", 0));
    int killed_mid_study = 0;
    int rep = 0;
    for (; rep < kStratified; ++rep) {
        INFO("repetition " << rep);
        // Varied timing, stratified over the run: repetition i kills at a random moment of the
        // i-th twentieth of [0, 1.05 × full run], from before the log exists to past its end.
        const double delay = 1.05 * calibration.full_ms * (rep + uniform(rng)) / kStratified;
        killed_mid_study += kill_and_resume(log_path("trials", rep), delay, whole) ? 1 : 0;
    }
    // NOTE: under load (ctest -j2, other builds) the child's start-up stretches and fewer kills
    // land mid-study. Keep killing, each time at a random moment between the first and the last
    // finished trial of a run timed just before, until enough did, up to kMaxExtra more kills.
    for (int extra = 0; killed_mid_study < kMinMidStudy && extra < kMaxExtra; ++extra, ++rep) {
        INFO("repetition " << rep << " (extra " << extra << ")");
        const Timing now = time_child(log_path("timing", rep));
        const double delay = now.first_ms + uniform(rng) * (now.last_ms - now.first_ms);
        killed_mid_study += kill_and_resume(log_path("trials", rep), delay, whole) ? 1 : 0;
    }
    if (std::getenv("KNNTUNE_KILL_DEBUG")) {
        std::printf(
            "killed mid-study: %d of %d (first trial at %.0f ms, last at %.0f ms, run "
            "%.0f ms)\n",
            killed_mid_study, rep, calibration.first_ms, calibration.last_ms, calibration.full_ms);
    }
    // The timing must actually interrupt studies, or the test proves nothing.
    CHECK(killed_mid_study >= kMinMidStudy);
    std::filesystem::remove_all(dir);
}
