#include <oneapi/tbb/task_arena.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <new>
#include <random>
#include <stdexcept>
#include <thread>

#include "tests/tuner/fixtures.hpp"
#include "tuner/error.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/study.hpp"

using namespace knntune::tuner;
using knntune::tuner::testing::knn_space;
using knntune::tuner::testing::scratch_dir;

namespace {

Evaluation bowl(const Trial& t) {
    const double l = std::log10(t.value("k"));
    Evaluation e;
    e.value = (l - 2) * (l - 2) + std::pow(t.value("shrink") / 1000 - 0.3, 2) +
              (t.has("alpha") ? std::pow(t.value("alpha") - 1, 2) : 0.2);
    e.metrics["log10_k"] = l;
    return e;
}

std::unique_ptr<Study> make_study(const std::string& path, std::uint64_t seed, bool resume,
                                  Direction dir = Direction::Minimize) {
    const SearchSpace space = knn_space();
    StudyOptions opt;
    opt.seed = seed;
    opt.direction = dir;
    opt.open.resume = resume;
    std::unique_ptr<Storage> storage;
    if (path.empty()) {
        storage = std::make_unique<InMemoryStorage>();
    } else {
        storage = std::make_unique<Hdf5Storage>(path, Hdf5Options{false});
    }
    return std::make_unique<Study>(space, make_sampler("tpe", {}, seed, space), std::move(storage),
                                   opt);
}

}  // namespace

TEST_CASE("study: ask/tell, failures, best trial and best per categorical", "[tuner][study]") {
    auto study = make_study("", 1, false);
    OptimizeParams p;
    p.n_trials = 30;
    int calls = 0;
    const auto r = study->optimize(
        [&](const Trial& t) -> Evaluation {
            ++calls;
            if (t.number() == 3)
                throw std::runtime_error("bad k " + std::to_string(t.int_value("k")));
            if (t.number() == 4) return Evaluation{std::nan(""), {}};
            if (t.number() == 5) throw TrialPruned();
            return bowl(t);
        },
        p);
    CHECK(r.reason == StopReason::NTrials);
    CHECK(calls == 30);
    const auto trials = study->trials();
    REQUIRE(trials.size() == 30);
    CHECK(trials[3].state == TrialState::Fail);
    CHECK_THAT(trials[3].error, Catch::StartsWith("bad k "));
    CHECK(std::isnan(trials[3].value));
    CHECK(trials[4].state == TrialState::Fail);
    CHECK(trials[4].error == "objective returned NaN");
    CHECK(trials[5].state == TrialState::Pruned);
    CHECK(trials[6].metrics.count("log10_k") == 1);

    const FrozenTrial best = study->best_trial();
    for (const FrozenTrial& t : trials) {
        if (t.state == TrialState::Complete) CHECK(best.value <= t.value);
    }
    const auto per = study->best_trials_by("algorithm");
    CHECK(per.size() >= 3);
    for (const auto& [label, t] : per) {
        for (const FrozenTrial& u : trials) {
            if (u.state == TrialState::Complete &&
                study->space().param(0).distribution.format(u.params[0]) == label) {
                CHECK(t.value <= u.value);
            }
        }
    }
    CHECK(per.at(study->space().param(0).distribution.format(best.params[0])).number ==
          best.number);
    CHECK_THROWS_WITH(study->best_trials_by("k"), Catch::Contains("not categorical"));
    CHECK_THROWS_WITH(study->tell(2, TrialState::Complete, {}),
                      Catch::Contains("already Complete"));
    CHECK_THROWS_WITH(study->tell(99, TrialState::Complete, {}), Catch::Contains("no trial 99"));
    const FrozenTrial extra = study->ask();
    CHECK_THROWS_WITH(
        study->tell(extra.number, TrialState::Complete, Evaluation{1.0, {{"k", 2.0}}}),
        Catch::Contains("metric name 'k' of trial 30 is already a parameter"));
    CHECK_THROWS_WITH(
        study->tell(extra.number, TrialState::Complete, Evaluation{1.0, {{"a/b", 2.0}}}),
        Catch::Contains("contains '/'"));
    CHECK_THROWS_WITH(make_study("", 1, false)->best_trial(), Catch::Contains("no complete trial"));
}

TEST_CASE("study: enqueued configurations run first, partially fixed", "[tuner][study]") {
    auto study = make_study("", 2, false);
    CHECK(study->enqueue({{"algorithm", 7}, {"k", 10}, {"rp3beta.alpha", 0.5}}));
    CHECK(study->enqueue_json(
        boost::json::parse(R"({"algorithm": "cosine", "k": 1000})").as_object()));
    CHECK_FALSE(study->enqueue({{"algorithm", 7}, {"k", 10}, {"rp3beta.alpha", 0.5}}));
    CHECK_THROWS_WITH(study->enqueue({{"rp3beta.alpha", 0.5}}),
                      Catch::Contains("needs its parent 'algorithm' to be given too"));
    CHECK_THROWS_WITH(study->enqueue({{"algorithm", 1}, {"rp3beta.alpha", 0.5}}),
                      Catch::Contains("inactive under the given 'algorithm'"));
    CHECK_THROWS_WITH(study->enqueue({{"k", 2}}),
                      Catch::Contains("value 2.000000 of 'k' is not in int [5, 1000] log"));
    CHECK_THROWS_WITH(
        study->enqueue_json(boost::json::parse(R"({"algorithm": "bm25"})").as_object()),
        Catch::Contains("'bm25' of 'algorithm' is not one of categorical"));
    const FrozenTrial a = study->ask();
    CHECK(a.params[0] == 7);
    CHECK(a.params[1] == 10);
    CHECK(a.params[7] == 0.5);
    CHECK(!std::isnan(a.params[8]));  // rp3beta.beta sampled
    const FrozenTrial b = study->ask();
    CHECK(b.params[0] == 1);
    CHECK(b.params[1] == 1000);
    CHECK(std::isnan(b.params[7]));
    study->tell(a.number, TrialState::Complete, Evaluation{1.0, {}});
    study->tell(b.number, TrialState::Complete, Evaluation{2.0, {}});
    // Already run: skipped.
    CHECK_FALSE(study->enqueue_json(
        boost::json::parse(R"({"algorithm": "cosine", "k": 1000})").as_object()));
}

TEST_CASE("study: patience and timeout stop the loop", "[tuner][study]") {
    auto study = make_study("", 3, false);
    OptimizeParams p;
    p.n_trials = 1000;
    p.patience = 5;
    // A constant objective never improves after the first trial.
    auto r = study->optimize([](const Trial&) { return Evaluation{1.0, {}}; }, p);
    CHECK(r.reason == StopReason::Patience);
    CHECK(study->n_finished() == 6);

    auto timed = make_study("", 3, false);
    OptimizeParams q;
    q.n_trials = 100000;
    q.timeout_seconds = 0.3;
    r = timed->optimize(
        [](const Trial& t) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            return bowl(t);
        },
        q);
    CHECK(r.reason == StopReason::Timeout);
    CHECK(r.n_run >= 5);
    CHECK(r.n_run <= 40);
}

TEST_CASE("study: maximize picks the largest value", "[tuner][study]") {
    auto study = make_study("", 4, false, Direction::Maximize);
    OptimizeParams p;
    p.n_trials = 15;
    study->optimize(bowl, p);
    double mx = -1e300;
    for (const auto& t : study->trials()) mx = std::max(mx, t.value);
    CHECK(study->best_trial().value == mx);
}

TEST_CASE("study: resume replays the log, re-queues running trials, keeps the budget",
          "[tuner][study]") {
    const auto dir = scratch_dir("resume");
    const std::string path = (dir / "trials.h5").string();
    std::vector<FrozenTrial> first;
    {
        auto study = make_study(path, 9, false);
        OptimizeParams p;
        p.n_trials = 12;
        study->optimize(bowl, p);
        // Two trials asked but never told: what a crash leaves behind.
        study->ask(2);
        first = study->trials();
    }
    REQUIRE(first.size() == 14);
    CHECK(read_trial_log(path).trials[13].state == TrialState::Running);
    CHECK_THROWS_WITH(make_study(path, 9, false), Catch::Contains("already exists"));
    CHECK_THROWS_WITH(make_study(path, 10, true), Catch::Contains("seed"));
    auto study = make_study(path, 9, true);
    std::vector<std::int64_t> seen;
    OptimizeParams p;
    p.n_trials = 20;
    study->optimize(
        [&](const Trial& t) {
            seen.push_back(t.number());
            return bowl(t);
        },
        p);
    // The two interrupted trials run first with their parameters; then 6 new ones up to 20.
    REQUIRE(seen.size() == 8);
    CHECK(seen[0] == 12);
    CHECK(seen[1] == 13);
    const auto trials = study->trials();
    REQUIRE(trials.size() == 20);
    for (std::size_t i = 0; i < 14; ++i) {
        for (std::size_t k = 0; k < trials[i].params.size(); ++k) {
            CHECK(((trials[i].params[k] == first[i].params[k]) ||
                   (std::isnan(trials[i].params[k]) && std::isnan(first[i].params[k]))));
        }
        if (i < 12) CHECK(trials[i].value == first[i].value);
    }
    for (const auto& t : trials) CHECK(t.state == TrialState::Complete);
    CHECK(study->n_finished() == 20);
    std::filesystem::remove_all(dir);
}

TEST_CASE("study: same seed and batch size give the same log at 1 and 2 threads",
          "[tuner][study]") {
    const auto dir = scratch_dir("repro");
    auto run = [&](int threads, const std::string& name) {
        const std::string path = (dir / name).string();
        auto study = make_study(path, 21, false);
        tbb::task_arena arena(threads);
        OptimizeParams p;
        p.n_trials = 36;
        p.parallel_trials = 4;
        p.arena = &arena;
        std::atomic<int> counter{0};
        study->optimize(
            [&](const Trial& t) {
                // Random durations, independent of the seed, scramble completion order.
                std::mt19937 rng(static_cast<unsigned>(
                                     std::chrono::steady_clock::now().time_since_epoch().count()) +
                                 counter++);
                std::this_thread::sleep_for(std::chrono::microseconds(rng() % 4000));
                return bowl(t);
            },
            p);
        return read_trial_log(path);
    };
    const TrialLog a = run(1, "a.h5");
    const TrialLog b = run(2, "b.h5");
    REQUIRE(a.trials.size() == 36);
    REQUIRE(b.trials.size() == 36);
    for (std::size_t i = 0; i < a.trials.size(); ++i) {
        INFO("trial " << i);
        CHECK(a.trials[i].state == b.trials[i].state);
        CHECK(a.trials[i].value == b.trials[i].value);
        CHECK(a.trials[i].metrics == b.trials[i].metrics);
        for (std::size_t k = 0; k < a.trials[i].params.size(); ++k) {
            CHECK(((a.trials[i].params[k] == b.trials[i].params[k]) ||
                   (std::isnan(a.trials[i].params[k]) && std::isnan(b.trials[i].params[k]))));
        }
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("best trials of a trial log read back from disk", "[tuner][study]") {
    const auto dir = scratch_dir("best");
    const std::string path = (dir / "trials.h5").string();
    std::map<std::string, FrozenTrial> study_per;
    std::int64_t study_best = -1;
    {
        auto study = make_study(path, 5, false, Direction::Maximize);
        OptimizeParams p;
        p.n_trials = 25;
        study->optimize(
            [](const Trial& t) {
                if (t.number() == 2) throw TrialPruned();
                return bowl(t);
            },
            p);
        study_per = study->best_trials_by("algorithm");
        study_best = study->best_trial().number;
    }
    const TrialLog log = read_trial_log(path);
    const FrozenTrial* best = best_trial(log.trials, log.info.direction);
    REQUIRE(best != nullptr);
    CHECK(best->number == study_best);
    const auto per = best_trials_by(log.space, log.trials, log.info.direction, "algorithm");
    REQUIRE(per.size() == study_per.size());
    CHECK(per.size() >= 3);
    for (const auto& [label, t] : per) {
        CHECK(t.number == study_per.at(label).number);
        // Oracle: the largest value among the Complete trials of that label.
        for (const FrozenTrial& u : log.trials) {
            if (u.state == TrialState::Complete &&
                log.space.param(0).distribution.format(u.params[0]) == label) {
                CHECK(t.value >= u.value);
            }
        }
    }
    CHECK_THROWS_WITH(best_trials_by(log.space, log.trials, log.info.direction, "shrink"),
                      Catch::Contains("not categorical"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("best trials: ties go to the lowest number, only Complete trials count",
          "[tuner][study]") {
    const SearchSpace space = knn_space();
    const auto trial = [&](std::int64_t number, TrialState state, double value, double algo) {
        FrozenTrial t;
        t.number = number;
        t.state = state;
        t.value = value;
        t.params.assign(space.size(), kInactive);
        t.params[0] = algo;
        return t;
    };
    // In reverse number order, so that the rule, not the order, decides.
    const std::vector<FrozenTrial> trials = {
        trial(5, TrialState::Complete, 1.0, 1),      trial(4, TrialState::Running, 0.0, 1),
        trial(3, TrialState::Complete, 1.0, 1),      trial(2, TrialState::Pruned, 0.5, 2),
        trial(1, TrialState::Fail, std::nan(""), 1), trial(0, TrialState::Complete, 2.0, 3)};
    CHECK(best_trial(trials, Direction::Minimize)->number == 3);
    CHECK(best_trial(trials, Direction::Maximize)->number == 0);
    const auto per = best_trials_by(space, trials, Direction::Minimize, "algorithm");
    REQUIRE(per.size() == 2);
    CHECK(per.at("cosine").number == 3);
    CHECK(per.at("dice").number == 0);
    CHECK(best_trial(std::span(trials).subspan(1, 1), Direction::Minimize) == nullptr);
}

TEST_CASE("study: failures of one kind stop it with their count and last error",
          "[tuner][study][failures]") {
    CHECK(failure_kind("cannot allocate 1200 MiB for row 7") == "cannot allocate # MiB for row #");
    CHECK(failure_kind("std::bad_alloc") == "std::bad_alloc");
    OptimizeParams p;
    p.n_trials = 30;
    p.max_failures = 4;
    // Out of memory from trial 3 on: the study stops after the fourth failure, which stays in
    // the log with the others.
    auto study = make_study("", 1, false);
    auto oom_from_3 = [](const Trial& t) -> Evaluation {
        if (t.number() >= 3) throw std::bad_alloc();
        return bowl(t);
    };
    try {
        study->optimize(oom_from_3, p);
        FAIL("optimize returned");
    } catch (const FailuresError& e) {
        CHECK(std::string(e.what()) ==
              "4 trials failed with the same error (trials 3 to 6, none finished otherwise "
              "since), the last with: std::bad_alloc");
        CHECK(e.count() == 4);
        CHECK(e.last_error() == "std::bad_alloc");
    }
    REQUIRE(study->trials().size() == 7);
    for (std::int64_t i = 3; i < 7; ++i) CHECK(study->trial(i).state == TrialState::Fail);
    // 0 never stops: every trial fails and the budget is spent (the library's default).
    p.max_failures = 0;
    CHECK(study->optimize(oom_from_3, p).reason == StopReason::NTrials);
    CHECK(study->n_finished() == 30);

    // Two kinds taking turns: each counts on its own, numbers in the text do not matter.
    p.n_trials = 20;
    p.max_failures = 3;
    auto turns = make_study("", 2, false);
    CHECK_THROWS_WITH(turns->optimize(
                          [](const Trial& t) -> Evaluation {
                              const std::string n = std::to_string(t.number());
                              throw std::runtime_error(t.number() % 2 ? "b " + n : "a " + n);
                          },
                          p),
                      "3 trials failed with the same error (trials 0 to 4, none finished "
                      "otherwise since), the last with: a 4");
    // A trial that completes between two failures starts the count again.
    auto alternate = make_study("", 3, false);
    const auto r = alternate->optimize(
        [](const Trial& t) -> Evaluation {
            if (t.number() % 2 == 0) throw std::bad_alloc();
            return bowl(t);
        },
        p);
    CHECK(r.reason == StopReason::NTrials);
    CHECK(alternate->n_finished() == 20);
}

TEST_CASE("study: a study stopped by failures resumes from its log", "[tuner][study][failures]") {
    const auto dir = scratch_dir("failures");
    const std::string path = (dir / "trials.h5").string();
    OptimizeParams p;
    p.n_trials = 12;
    p.max_failures = 3;
    p.parallel_trials = 2;
    auto oom = [](const Trial&) -> Evaluation { throw std::bad_alloc(); };
    // Batches of two: the stop comes after the batch that reaches the limit.
    CHECK_THROWS_AS(make_study(path, 4, false)->optimize(oom, p), FailuresError);
    REQUIRE(read_trial_log(path).trials.size() == 4);
    // Still failing after a resume: the count goes on from the log, so one batch stops it.
    CHECK_THROWS_WITH(make_study(path, 4, true)->optimize(oom, p),
                      Catch::StartsWith("6 trials failed with the same error (trials 0 to 5"));
    // The cause removed: the resumed study keeps the failures and completes the budget.
    auto study = make_study(path, 4, true);
    CHECK(study->optimize(bowl, p).reason == StopReason::NTrials);
    const auto trials = read_trial_log(path).trials;
    REQUIRE(trials.size() == 12);
    for (std::size_t i = 0; i < trials.size(); ++i) {
        CHECK(trials[i].state == (i < 6 ? TrialState::Fail : TrialState::Complete));
        if (i < 6) CHECK(trials[i].error == "std::bad_alloc");
    }
    std::filesystem::remove_all(dir);
}
