// The race strategy on synthetic objectives whose per-arm optima are known: clearly worse arms
// are stopped, near-equal ones keep racing, nobody stops before min_trials; the same seed gives
// the same trials at any batch size and thread count and after a crash and resume.

#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <new>
#include <span>
#include <thread>

#include "common/paired_stats.hpp"
#include "common/random.hpp"
#include "tests/tuner/fixtures.hpp"
#include "tuner/error.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/race.hpp"

using namespace knntune::tuner;
using knntune::tuner::testing::scratch_dir;

namespace {

constexpr std::size_t kUnits = 400;

SearchSpace race_space() {
    return SearchSpace::from_json_text(R"({"params": [
        {"name": "algorithm", "type": "categorical", "choices": ["a", "b", "c", "d"]},
        {"name": "k", "type": "int", "low": 1, "high": 1000, "log": true},
        {"name": "alpha", "type": "float", "low": 0, "high": 1,
         "parent": "algorithm", "when": ["b"]}]})");
}

/// A deterministic standard-normal-ish value for (a, b): the sum of 4 uniforms, centred.
double noise(std::uint64_t a, std::uint64_t b) {
    knntune::Rng rng(a, b);
    double s = 0.0;
    for (int i = 0; i < 4; ++i) s += rng.uniform();
    return (s - 2.0) * std::sqrt(3.0);
}

/// Per arm: the best reachable mean (at k = 100, alpha = 0.5 for b).
const std::map<std::string, double> kOptimum = {
    {"a", 0.50}, {"b", 0.499}, {"c", 0.44}, {"d", 0.30}};

/// Unit u's value: a unit effect shared by all configurations, the arm's curve in k (and alpha),
/// and a per-(unit, arm) term that does not depend on the parameters.
RaceEvaluation synthetic(const Trial& t) {
    const std::string arm = t.choice("algorithm");
    const double lk = std::log10(t.value("k")) - 2.0;
    double mean = kOptimum.at(arm) - 0.02 * lk * lk;
    if (arm == "b") mean -= 0.05 * (t.value("alpha") - 0.5) * (t.value("alpha") - 0.5);
    const auto arm_id = static_cast<std::uint64_t>(arm[0]);
    RaceEvaluation r;
    double sum = 0.0;
    for (std::size_t u = 0; u < kUnits; ++u) {
        const double v = 0.3 * noise(1, u) + mean + 0.05 * noise(arm_id, u);
        r.per_unit.push_back(v);
        sum += v;
    }
    r.evaluation.value = sum / static_cast<double>(kUnits);
    return r;
}

struct RaceRun {
    std::vector<FrozenTrial> trials;
    RaceRecord record;
};

/// Runs `go` on a race study of `race_space` with the race settings of these tests.
RaceRun run_race_with(std::int64_t n_trials, std::size_t parallel, int threads,
                      std::unique_ptr<Storage> storage, bool resume, const std::string& allocation,
                      std::int64_t crash_at, bool share,
                      const std::function<void(Study&, RaceParams&)>& go) {
    const SearchSpace space = race_space();
    StudyOptions opt;
    opt.direction = Direction::Maximize;
    opt.seed = 5;
    opt.open.resume = resume;
    Study study(space, make_arm_sampler(make_sampler("tpe", {}, 5, space), "algorithm", share),
                std::move(storage), opt);
    tbb::task_arena arena(threads);
    RaceParams p;
    p.n_trials = n_trials;
    p.min_trials = 8;
    p.check_every = 4;
    p.parallel_trials = parallel;
    p.arena = &arena;
    p.allocation = allocation;
    // A "crash": the callback throws after one trial is stored; the trials running beside it
    // stay Running in the log, as after a kill.
    p.on_trial_finished = [crash_at](const FrozenTrial& t) {
        if (t.number == crash_at) throw std::runtime_error("crash");
    };
    p.enqueued.push_back(boost::json::object{{"algorithm", "c"}, {"k", 100}});
    go(study, p);
    return {study.trials(), study.race()};
}

RaceRun run_race(std::int64_t n_trials, std::size_t parallel, int threads,
                 std::unique_ptr<Storage> storage = std::make_unique<InMemoryStorage>(),
                 const RaceObjective& objective = synthetic, bool resume = false,
                 const std::string& allocation = "equal", std::int64_t crash_at = -1,
                 bool share = false) {
    return run_race_with(n_trials, parallel, threads, std::move(storage), resume, allocation,
                         crash_at, share,
                         [&](Study& s, RaceParams& p) { (void)race(s, objective, p); });
}

std::map<std::string, int> trials_per_arm(const RaceRun& r) {
    std::map<std::string, int> n;
    const SearchSpace space = race_space();
    for (const FrozenTrial& t : r.trials) ++n[Trial(space, t).choice("algorithm")];
    return n;
}

void require_same(const RaceRun& x, const RaceRun& y) {
    REQUIRE(x.trials.size() == y.trials.size());
    for (std::size_t i = 0; i < x.trials.size(); ++i) {
        INFO("trial " << i);
        CHECK(x.trials[i].state == y.trials[i].state);
        CHECK(x.trials[i].value == y.trials[i].value);
        for (std::size_t k = 0; k < x.trials[i].params.size(); ++k) {
            const double a = x.trials[i].params[k];
            const double b = y.trials[i].params[k];
            CHECK((a == b || (std::isnan(a) && std::isnan(b))));
        }
    }
    REQUIRE(x.record.arms.size() == y.record.arms.size());
    for (std::size_t a = 0; a < x.record.arms.size(); ++a) {
        CHECK(x.record.arms[a].racing == y.record.arms[a].racing);
        CHECK(x.record.arms[a].stopped_at == y.record.arms[a].stopped_at);
        const double px = x.record.arms[a].p_value;
        const double py = y.record.arms[a].p_value;
        CHECK((px == py || (std::isnan(px) && std::isnan(py))));
    }
    CHECK(x.record.n_tests == y.record.n_tests);
}

}  // namespace

TEST_CASE("race stops clearly worse arms and keeps near-equal ones", "[tuner][race]") {
    const RaceRun r = run_race(120, 1, 1);
    REQUIRE(r.trials.size() == 120);
    const auto n = trials_per_arm(r);
    const RaceRecord& rec = r.record;
    REQUIRE(rec.arms.size() == 4);
    CHECK(rec.min_trials == 8);
    CHECK(rec.n_tests >= 2);
    // a and b differ by 0.001 against a per-unit noise of 0.05: both keep racing.
    CHECK(rec.arms[0].racing);
    CHECK(rec.arms[1].racing);
    // c (0.06 worse) and d (0.2 worse) are stopped, with their p-values and the leader recorded.
    for (const std::size_t i : {2u, 3u}) {
        const RaceArm& arm = rec.arms[i];
        INFO(arm.label);
        CHECK_FALSE(arm.racing);
        CHECK(arm.p_value < rec.alpha);
        CHECK(arm.p_raw <= arm.p_value);
        CHECK((arm.leader == "a" || arm.leader == "b"));
        CHECK(arm.stopped_at >= 0);
        CHECK(arm.n_trials >= rec.min_trials);   // no arm stops before min_trials
        CHECK(n.at(arm.label) == arm.n_trials);  // and it got no trial after its stop
    }
    // The budget went to the arms still racing.
    CHECK(n.at("a") + n.at("b") > 120 - n.at("c") - n.at("d") - 1);
    CHECK(n.at("a") > 30);
    // The enqueued configuration is c's first trial.
    const SearchSpace space = race_space();
    for (const FrozenTrial& t : r.trials) {
        if (Trial(space, t).choice("algorithm") != "c") continue;
        CHECK(Trial(space, t).value("k") == 100);
        break;
    }
}

TEST_CASE("race: no arm stops before min_trials, equal arms are never stopped", "[tuner][race]") {
    // Four arms of equal strength whose configurations make no difference (each arm's per-unit
    // values carry their own noise): nothing may stop; and with a budget below the start phase
    // every arm gets the same share.
    const RaceObjective same = [](const Trial& t) {
        RaceEvaluation r;
        double sum = 0.0;
        const auto arm_id = static_cast<std::uint64_t>(t.choice("algorithm")[0]);
        for (std::size_t u = 0; u < kUnits; ++u) {
            const double v = 0.3 * noise(1, u) + 0.5 + 0.05 * noise(arm_id, u);
            r.per_unit.push_back(v);
            sum += v;
        }
        r.evaluation.value = sum / static_cast<double>(kUnits);
        return r;
    };
    const RaceRun r = run_race(80, 2, 2, std::make_unique<InMemoryStorage>(), same);
    for (const RaceArm& arm : r.record.arms) CHECK(arm.racing);
    for (const auto& [arm, count] : trials_per_arm(r)) CHECK(count == 20);
    // By dimension: b tunes k and alpha, the others k only, so b gets two trials per round.
    const RaceRun dim =
        run_race(40, 2, 2, std::make_unique<InMemoryStorage>(), same, false, "dimension");
    const auto n = trials_per_arm(dim);
    CHECK(n.at("a") == 8);
    CHECK(n.at("b") == 16);
    CHECK(n.at("c") == 8);
    CHECK(n.at("d") == 8);
    CHECK(dim.record.allocation == "dimension");
    const RaceRun start = run_race(20, 1, 1);
    CHECK(start.record.n_tests == 0);
    for (const auto& [arm, count] : trials_per_arm(start)) CHECK(count == 5);
}

TEST_CASE("race: the same seed gives the same trials at any batch size and thread count",
          "[tuner][race]") {
    for (const bool share : {false, true}) {
        INFO("share " << share);
        const auto run = [share](std::size_t parallel, int threads) {
            return run_race(90, parallel, threads, std::make_unique<InMemoryStorage>(), synthetic,
                            false, "dimension", -1, share);
        };
        const RaceRun one = run(1, 1);
        require_same(one, run(3, 2));
        require_same(one, run(8, 2));
    }
    // Sharing changes what the samplers see, so it changes the trials.
    const RaceRun own = run_race(90, 2, 2);
    const RaceRun shared = run_race(90, 2, 2, std::make_unique<InMemoryStorage>(), synthetic, false,
                                    "equal", -1, true);
    bool differ = false;
    for (std::size_t i = 0; i < own.trials.size() && !differ; ++i) {
        differ = own.trials[i].value != shared.trials[i].value;
    }
    CHECK(differ);
}

TEST_CASE("race: a crash mid-round and a resume give the uninterrupted race", "[tuner][race]") {
    for (const bool share : {false, true}) {
        const RaceRun whole = run_race(90, 2, 2, std::make_unique<InMemoryStorage>(), synthetic,
                                       false, "equal", -1, share);
        for (const std::int64_t crash_at : {5, 37, 58, 71}) {
            INFO("share " << share << ", crash at trial " << crash_at);
            const auto dir = scratch_dir("race-resume");
            const std::string log = (dir / "trials.h5").string();
            REQUIRE_THROWS(run_race(90, 2, 2, std::make_unique<Hdf5Storage>(log), synthetic, false,
                                    "equal", crash_at, share));
            const TrialLog cut = read_trial_log(log);
            CHECK(cut.trials.size() < 90);
            const RaceRun resumed = run_race(90, 2, 2, std::make_unique<Hdf5Storage>(log),
                                             synthetic, true, "equal", -1, share);
            require_same(whole, resumed);
            const TrialLog after = read_trial_log(log);  // the record is in the file too
            REQUIRE(after.race.arms.size() == 4);
            CHECK(after.race.n_tests == whole.record.n_tests);
            std::filesystem::remove_all(dir);
        }
    }
}

TEST_CASE("race: settings are checked", "[tuner][race]") {
    const SearchSpace space = race_space();
    StudyOptions opt;
    Study study(space, make_sampler("random", {}, 1, space), std::make_unique<InMemoryStorage>(),
                opt);
    RaceParams p;
    p.key = "k";
    CHECK_THROWS_AS(race(study, synthetic, p), SettingsError);
    p.key = "algorithm";
    p.alpha = 1.5;
    CHECK_THROWS_AS(race(study, synthetic, p), SettingsError);
    CHECK(default_min_trials(300, 9) == 8);
    CHECK(default_min_trials(1000, 9) == 27);
    CHECK(default_min_trials(10, 9) == 8);
}

namespace {

/// A sampler that records the history it is shown and returns the fixed values.
class SpySampler final : public Sampler {
  public:
    explicit SpySampler(std::vector<FrozenTrial>& seen, Direction& dir) : seen_(seen), dir_(dir) {}
    std::string_view name() const override { return "spy"; }
    boost::json::object settings() const override { return {}; }
    ParamValues sample(const SampleContext& ctx) const override {
        seen_.assign(ctx.history.begin(), ctx.history.end());
        dir_ = ctx.direction;
        return ctx.fixed;
    }

  private:
    std::vector<FrozenTrial>& seen_;
    Direction& dir_;
};

FrozenTrial arm_trial(std::int64_t number, double arm, double value, TrialState state) {
    FrozenTrial t;
    t.number = number;
    t.state = state;
    t.value = value;
    t.params = {arm, 10.0, std::nan("")};
    return t;
}

}  // namespace

TEST_CASE("race: an arm's sampler sees its own trials, or every trial ranked within its arm",
          "[tuner][race]") {
    const SearchSpace space = race_space();
    // Arm 0 ("a") and arm 1 ("b"); values on very different levels, one tie, one Running.
    const std::vector<FrozenTrial> history = {
        arm_trial(0, 0, 0.9, TrialState::Complete), arm_trial(1, 1, 0.1, TrialState::Complete),
        arm_trial(2, 0, 0.7, TrialState::Complete), arm_trial(3, 1, 0.3, TrialState::Complete),
        arm_trial(4, 1, 0.1, TrialState::Complete), arm_trial(5, 0, NAN, TrialState::Running),
        arm_trial(6, 0, 0.8, TrialState::Complete)};
    ParamValues fixed(space.size(), std::nan(""));
    fixed[space.index_of("algorithm")] = 1;  // sampling a trial of arm "b"
    std::vector<FrozenTrial> seen;
    Direction dir = Direction::Minimize;
    const SampleContext ctx{space, history, 7, Direction::Minimize, fixed};

    SECTION("own trials only") {
        const auto s = make_arm_sampler(std::make_unique<SpySampler>(seen, dir), "algorithm");
        (void)s->sample(ctx);
        REQUIRE(seen.size() == 3);
        CHECK(seen[0].number == 1);
        CHECK(seen[1].number == 3);
        CHECK(seen[2].number == 4);
        CHECK(seen[1].value == 0.3);
        CHECK(dir == Direction::Minimize);
    }
    SECTION("shared: every trial, values ranked within the arm, best = 1") {
        const auto s = make_arm_sampler(std::make_unique<SpySampler>(seen, dir), "algorithm", true);
        (void)s->sample(ctx);
        REQUIRE(seen.size() == history.size());
        CHECK(dir == Direction::Maximize);
        // Minimised: arm a's 0.7 is best (1), 0.8 next (2/3), 0.9 worst (1/3).
        CHECK(seen[2].value == Approx(1.0));
        CHECK(seen[6].value == Approx(2.0 / 3.0));
        CHECK(seen[0].value == Approx(1.0 / 3.0));
        // Arm b: the two 0.1 are tied, the earlier (#1) ranks better; 0.3 is worst.
        CHECK(seen[1].value == Approx(1.0));
        CHECK(seen[4].value == Approx(2.0 / 3.0));
        CHECK(seen[3].value == Approx(1.0 / 3.0));
        CHECK(seen[5].state == TrialState::Running);
        CHECK(std::isnan(seen[5].value));
    }
    SECTION("a trial whose arm is not fixed sees the history unchanged") {
        const auto s = make_arm_sampler(std::make_unique<SpySampler>(seen, dir), "algorithm", true);
        const ParamValues free(space.size(), std::nan(""));
        (void)s->sample({space, history, 7, Direction::Minimize, free});
        REQUIRE(seen.size() == history.size());
        CHECK(seen[3].value == 0.3);
        CHECK(dir == Direction::Minimize);
    }
}

TEST_CASE("race: failures of one kind stop it after a round; the race then goes on",
          "[tuner][race][failures]") {
    const SearchSpace space = race_space();
    StudyOptions opt;
    opt.direction = Direction::Maximize;
    Study study(space, make_arm_sampler(make_sampler("random", {}, 3, space), "algorithm"),
                std::make_unique<InMemoryStorage>(), opt);
    RaceParams p;
    p.n_trials = 40;
    p.min_trials = 2;
    p.max_failures = 6;
    // Every arm out of memory: rounds of four trials (one per arm), so the second round stops it.
    CHECK_THROWS_WITH(race(
                          study, [](const Trial&) -> RaceEvaluation { throw std::bad_alloc(); }, p),
                      "8 trials failed with the same error (trials 0 to 7, none finished "
                      "otherwise since), the last with: std::bad_alloc");
    REQUIRE(study.trials().size() == 8);
    // Called again with the cause gone, the race continues the same study to its budget.
    (void)race(study, synthetic, p);
    CHECK(study.n_finished() == 40);
    CHECK(study.trial(7).state == TrialState::Fail);
    CHECK(study.trial(8).state == TrialState::Complete);
}

namespace {

/// The order in which `staged_synthetic` evaluates the units, and its checks.
const std::vector<std::size_t>& unit_order() {
    static const std::vector<std::size_t> order = [] {
        std::vector<std::size_t> o(kUnits);
        for (std::size_t i = 0; i < kUnits; ++i) o[i] = i;
        knntune::Rng rng(9);
        for (std::size_t i = 0; i + 1 < kUnits; ++i) std::swap(o[i], o[i + rng.below(kUnits - i)]);
        return o;
    }();
    return order;
}
constexpr std::size_t kChecks[] = {50, 100, 200};

/// `synthetic` evaluated in stages: after 50, 100 and 200 units of `unit_order` it asks the
/// reference and, when worse, stops with the mean so far and the units it used.
RaceEvaluation staged_synthetic(const Trial& t, const PruneReference& ref) {
    RaceEvaluation full = synthetic(t);
    std::vector<double> done;
    for (const std::size_t end : kChecks) {
        while (done.size() < end) done.push_back(full.per_unit[unit_order()[done.size()]]);
        if (ref.worse(std::span(unit_order()).first(end), done)) {
            double sum = 0.0;
            for (const double v : done) sum += v;
            Evaluation partial;
            partial.value = sum / static_cast<double>(end);
            partial.metrics["pruned_units"] = static_cast<double>(end);
            throw TrialPruned(partial);
        }
    }
    return full;
}

RaceRun run_pruned(std::size_t parallel, int threads,
                   std::unique_ptr<Storage> storage = std::make_unique<InMemoryStorage>(),
                   bool resume = false, std::int64_t crash_at = -1) {
    return run_race_with(120, parallel, threads, std::move(storage), resume, "equal", crash_at,
                         true, [](Study& s, RaceParams& p) {
                             p.prune_alpha = 0.05;
                             (void)race(s, StagedRaceObjective(staged_synthetic), p);
                         });
}

}  // namespace

TEST_CASE("prune reference: a one-sided paired test on the units evaluated so far",
          "[tuner][race][prune]") {
    std::vector<double> reference(300);
    for (std::size_t u = 0; u < reference.size(); ++u) reference[u] = 0.5 + 0.3 * noise(3, u);
    const std::vector<std::size_t> units = {7,  250, 3,  99, 120, 41, 42, 43, 200, 201,
                                            11, 12,  13, 14, 15,  16, 17, 18, 19,  20};
    const auto values_at = [&](double shift, std::uint64_t stream) {
        std::vector<double> v;
        for (const std::size_t u : units)
            v.push_back(reference[u] + shift + 0.05 * noise(stream, u));
        return v;
    };
    const PruneReference max{&reference, Direction::Maximize, 0.05};
    for (const double shift : {-0.2, -0.03, -0.01, 0.0, 0.01, 0.2}) {
        for (const std::uint64_t stream : {4u, 5u, 6u}) {
            INFO("shift " << shift << " stream " << stream);
            const std::vector<double> v = values_at(shift, stream);
            std::vector<double> ref;
            for (const std::size_t u : units) ref.push_back(reference[u]);
            const double p = knntune::stats::wilcoxon_signed_rank(
                                 ref, v, {.alternative = knntune::stats::Alternative::Greater})
                                 .p_value;
            CHECK(max.worse(units, v) == (p < 0.05));
            // Minimising, "worse" is larger: the mirrored values give the same answer.
            std::vector<double> neg_ref(reference.size()), neg_v;
            for (std::size_t u = 0; u < reference.size(); ++u) neg_ref[u] = -reference[u];
            for (const double x : v) neg_v.push_back(-x);
            const PruneReference min{&neg_ref, Direction::Minimize, 0.05};
            CHECK(min.worse(units, neg_v) == max.worse(units, v));
        }
    }
    CHECK(max.worse(units, values_at(-0.2, 4)));       // clearly worse
    CHECK_FALSE(max.worse(units, values_at(0.2, 4)));  // clearly better
    std::vector<double> same;
    for (const std::size_t u : units) same.push_back(reference[u]);
    CHECK_FALSE(max.worse(units, same));                                      // no difference
    CHECK_FALSE(PruneReference{}.worse(units, values_at(-0.2, 4)));           // no reference
    CHECK_FALSE((PruneReference{&reference, Direction::Maximize, 0.0}.worse(  // off
        units, values_at(-0.2, 4))));
    CHECK_THROWS_AS(max.worse(units, std::vector<double>(3, 0.0)), StudyError);
    const std::vector<std::size_t> outside = {300};
    CHECK_THROWS_AS(max.worse(outside, std::vector<double>(1, 0.0)), StudyError);
}

TEST_CASE("race with pruning: a trial below its arm's best stops early with its partial mean",
          "[tuner][race][prune]") {
    const RaceRun r = run_pruned(1, 1);
    const RaceRun plain = run_race(120, 1, 1, std::make_unique<InMemoryStorage>(), synthetic, false,
                                   "equal", -1, true);
    REQUIRE(r.trials.size() == 120);
    const SearchSpace space = race_space();
    std::map<std::string, double> best;  // per arm, over the Complete trials
    int pruned = 0;
    for (const FrozenTrial& t : r.trials) {
        const Trial view(space, t);
        const RaceEvaluation full = synthetic(view);
        INFO("trial " << t.number << " " << state_name(t.state));
        REQUIRE((t.state == TrialState::Complete || t.state == TrialState::Pruned));
        if (t.state == TrialState::Complete) {
            CHECK(t.value == full.evaluation.value);  // a complete trial saw every unit
            const std::string arm = view.choice("algorithm");
            best[arm] = best.count(arm) ? std::max(best[arm], t.value) : t.value;
            continue;
        }
        ++pruned;
        const auto units = static_cast<std::size_t>(t.metrics.at("pruned_units"));
        CHECK(std::find(std::begin(kChecks), std::end(kChecks), units) != std::end(kChecks));
        double sum = 0.0;
        for (std::size_t i = 0; i < units; ++i) sum += full.per_unit[unit_order()[i]];
        CHECK(t.value == sum / static_cast<double>(units));
        // Within an arm the per-unit noise is the same for every configuration, so the test
        // is certain: a pruned trial is worse than an earlier complete trial of its arm.
        bool beaten = false;
        for (const FrozenTrial& e : r.trials) {
            beaten = beaten || (e.number < t.number && e.state == TrialState::Complete &&
                                e.params[0] == t.params[0] && e.value > full.evaluation.value);
        }
        CHECK(beaten);
    }
    CHECK(pruned > 20);
    // The race's stops stand on complete trials only: the clearly worse arms still stop.
    CHECK_FALSE(r.record.arms[3].racing);
    CHECK(r.record.arms[0].racing);
    CHECK(r.record.round_start > 100);
    CHECK(plain.record.round_start == -1);  // without pruning nothing is recorded
}

TEST_CASE(
    "race with pruning: the same trials at any batch size and thread count, and after a "
    "crash and resume",
    "[tuner][race][prune]") {
    const RaceRun one = run_pruned(1, 1);
    require_same(one, run_pruned(3, 2));
    require_same(one, run_pruned(8, 2));
    // Crashes at many points, so that some cut a round after one of its trials became its
    // measure's best while another trial of that measure was still to run: the resumed trial
    // must be compared with the best before the round, evaluated again.
    const RaceRun whole = run_pruned(2, 2);
    for (std::int64_t crash_at = 3; crash_at < 115; crash_at += 4) {
        INFO("crash at trial " << crash_at);
        const auto dir = scratch_dir("race-prune-resume");
        const std::string log = (dir / "trials.h5").string();
        REQUIRE_THROWS(run_pruned(2, 2, std::make_unique<Hdf5Storage>(log), false, crash_at));
        const RaceRun resumed = run_pruned(2, 2, std::make_unique<Hdf5Storage>(log), true);
        require_same(whole, resumed);
        for (std::size_t i = 0; i < whole.trials.size(); ++i) {
            CHECK(whole.trials[i].metrics == resumed.trials[i].metrics);
        }
        CHECK(read_trial_log(log).race.round_start == whole.record.round_start);
        std::filesystem::remove_all(dir);
    }
}

TEST_CASE("race: a trial's duration is its own evaluation, not the wait for its round",
          "[tuner][race]") {
    // Four arms, each trial about 15 ms, one at a time: a round of four asked at once would
    // give its last trial about 60 ms from the ask.
    const RaceObjective slow = [](const Trial& t) {
        std::this_thread::sleep_for(std::chrono::milliseconds(15));
        return synthetic(t);
    };
    const RaceRun r = run_race(12, 1, 1, std::make_unique<InMemoryStorage>(), slow);
    REQUIRE(r.trials.size() == 12);
    for (const FrozenTrial& t : r.trials) {
        INFO("trial " << t.number);
        CHECK(t.duration() >= 0.015);
        CHECK(t.duration() < 0.5);  // loose: a loaded machine may oversleep
    }
    for (std::size_t i = 1; i < r.trials.size(); ++i) {
        // One at a time: each starts after the previous ended (from the ask, it would not).
        CHECK(r.trials[i].start_time >= r.trials[i - 1].end_time);
    }
}
