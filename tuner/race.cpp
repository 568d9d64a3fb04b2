#include "tuner/race.hpp"

#include <oneapi/tbb/task_group.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>

#include "common/paired_stats.hpp"
#include "tuner/error.hpp"

namespace knntune::tuner {

namespace {

constexpr const char* kTestText =
    "one-sided Wilcoxon signed-rank test of the leader's best against each racing arm's best "
    "over the per-unit values, Holm-adjusted over the arms tested; an arm stops after `confirm` "
    "significant tests in a row that found its best unchanged since its previous test";

/// The arm sampler: fixes the history to the trials of the fixed choice or, with `share`,
/// shows it every trial with each Complete value replaced by its rank within its own arm.
class ArmSampler final : public Sampler {
  public:
    ArmSampler(std::unique_ptr<Sampler> inner, std::string key, bool share)
        : inner_(std::move(inner)), key_(std::move(key)), share_(share) {}
    std::string_view name() const override { return inner_->name(); }
    boost::json::object settings() const override { return inner_->settings(); }
    ParamValues sample(const SampleContext& ctx) const override {
        const std::size_t k = ctx.space.index_of(key_);
        if (std::isnan(ctx.fixed[k])) return inner_->sample(ctx);
        if (share_) {
            const std::vector<FrozenTrial> pooled = arm_ranked(ctx.history, k, ctx.direction);
            return inner_->sample({ctx.space, pooled, ctx.number, Direction::Maximize, ctx.fixed});
        }
        std::vector<FrozenTrial> own;
        for (const FrozenTrial& t : ctx.history) {
            if (t.params[k] == ctx.fixed[k]) own.push_back(t);
        }
        const SampleContext arm{ctx.space, own, ctx.number, ctx.direction, ctx.fixed};
        return inner_->sample(arm);
    }

  private:
    /// `history` with each Complete trial's value replaced by (r + 1) / n, r its rank from the
    /// worst (0) among the n Complete trials of its own arm (`key` at index `k`): the best of
    /// every arm scores 1, so a maximising split takes the good trials of every arm alike.
    static std::vector<FrozenTrial> arm_ranked(std::span<const FrozenTrial> history, std::size_t k,
                                               Direction d) {
        std::vector<FrozenTrial> out(history.begin(), history.end());
        std::vector<std::size_t> complete;
        for (std::size_t i = 0; i < out.size(); ++i) {
            if (out[i].state == TrialState::Complete) complete.push_back(i);
        }
        // Worst first within each arm; ties: the higher number counts as worse.
        std::stable_sort(complete.begin(), complete.end(), [&](std::size_t a, std::size_t b) {
            if (out[a].params[k] != out[b].params[k]) return out[a].params[k] < out[b].params[k];
            return better_trial(out[b], out[a], d);
        });
        std::size_t begin = 0;
        while (begin < complete.size()) {
            std::size_t end = begin;
            while (end < complete.size() &&
                   out[complete[end]].params[k] == out[complete[begin]].params[k]) {
                ++end;
            }
            const double n = static_cast<double>(end - begin);
            for (std::size_t r = begin; r < end; ++r) {
                out[complete[r]].value = static_cast<double>(r - begin + 1) / n;
            }
            begin = end;
        }
        return out;
    }

    std::unique_ptr<Sampler> inner_;
    std::string key_;
    bool share_;
};

/// An arm's best complete trial so far and, once known, its per-unit values.
struct ArmBest {
    std::int64_t number = -1;
    double value = 0.0;
    std::vector<double> per_unit;
};

class Racer {
  public:
    Racer(Study& study, StagedRaceObjective objective, const RaceParams& params)
        : study_(study), objective_(std::move(objective)), p_(params) {
        key_index_ = study_.space().index_of(p_.key);
        const Distribution& d = study_.space().param(key_index_).distribution;
        if (!d.is_categorical() || study_.space().param(key_index_).condition) {
            throw SettingsError("race: '" + p_.key + "' is not a root categorical parameter");
        }
        labels_ = d.choices;
        best_.resize(labels_.size());
        queue_.resize(labels_.size());
        for (const auto& e : p_.enqueued) {
            const auto it = e.find(p_.key);
            const auto label = it != e.end() && it->value().is_string()
                                   ? std::string(it->value().as_string())
                                   : std::string();
            const auto pos = std::find(labels_.begin(), labels_.end(), label);
            if (pos == labels_.end()) {
                throw SettingsError(
                    "race: an enqueued configuration does not name one of the "
                    "raced choices of '" +
                    p_.key + "'");
            }
            queue_[static_cast<std::size_t>(pos - labels_.begin())].push_back(e);
        }
        open_record();
    }

    OptimizeResult run();

  private:
    void open_record();
    std::size_t arm_of(const FrozenTrial& t) const {
        return static_cast<std::size_t>(t.params[key_index_]);
    }
    bool better(const ArmBest& a, const ArmBest& b) const;
    void evaluate(const std::vector<FrozenTrial>& asked);
    /// Per arm, the per-unit values pruning compares with (empty: none), for a round that
    /// starts at trial `round_start`.
    std::vector<std::vector<double>> references(const std::vector<FrozenTrial>& asked,
                                                std::int64_t round_start);
    void run_one(const FrozenTrial& t, const std::vector<double>& reference);
    void maybe_test(const std::vector<std::int64_t>& counts, std::int64_t last_number);
    std::vector<double> per_unit_of(std::size_t arm);
    std::vector<std::size_t> next_round(std::int64_t remaining) const;

    Study& study_;
    StagedRaceObjective objective_;
    RaceParams p_;
    std::size_t key_index_ = 0;
    std::vector<std::string> labels_;
    RaceRecord record_;
    std::mutex mu_;  // guards best_
    std::vector<ArmBest> best_;
    std::vector<std::vector<boost::json::object>> queue_;
    std::vector<std::size_t> weight_;  ///< trials per round of each arm, before scaling
};

void Racer::open_record() {
    record_ = study_.race();
    if (record_.empty()) {
        if (p_.min_trials < 0 || p_.check_every < 0) {
            throw SettingsError("race: min_trials and check_every must be >= 0");
        }
        if (!(p_.alpha > 0.0 && p_.alpha < 1.0)) {
            throw SettingsError("race: alpha must be in (0, 1)");
        }
        if (p_.confirm < 1) throw SettingsError("race: confirm must be >= 1");
        if (p_.allocation != "equal" && p_.allocation != "dimension") {
            throw SettingsError("race: allocation must be 'equal' or 'dimension', got '" +
                                p_.allocation + "'");
        }
        record_.confirm = p_.confirm;
        record_.allocation = p_.allocation;
        record_.key = p_.key;
        record_.test = kTestText;
        record_.alpha = p_.alpha;
        record_.min_trials =
            p_.min_trials > 0 ? p_.min_trials : default_min_trials(p_.n_trials, labels_.size());
        record_.check_every = p_.check_every > 0 ? p_.check_every : record_.min_trials;
        record_.next_check = record_.min_trials;
        for (const std::string& l : labels_) {
            RaceArm arm;
            arm.label = l;
            record_.arms.push_back(arm);
        }
        study_.write_race(record_);
    } else if (record_.key != p_.key || record_.arms.size() != labels_.size()) {
        throw StorageError("race: the trial log " + study_.storage().describe() +
                           " holds a race over other choices");
    }
    const SearchSpace& space = study_.space();
    for (std::size_t a = 0; a < labels_.size(); ++a) {
        std::size_t dims = 0;
        for (std::size_t i = 0; i < space.size(); ++i) {
            const Param& q = space.param(i);
            if (i == key_index_) continue;
            const bool root = !q.condition;
            const bool own = q.condition && q.condition->parent == key_index_ &&
                             std::find(q.condition->choices.begin(), q.condition->choices.end(),
                                       a) != q.condition->choices.end();
            dims += root || own ? 1 : 0;
        }
        weight_.push_back(record_.allocation == "dimension" ? std::max<std::size_t>(1, dims) : 1);
    }
    // NOTE: bests are rebuilt from the log; their per-unit values are re-evaluated when a test
    // needs them (the evaluation is deterministic, so the test is the same as without a kill).
    for (const FrozenTrial& t : study_.trials()) {
        if (t.state != TrialState::Complete) continue;
        ArmBest b{t.number, t.value, {}};
        ArmBest& cur = best_[arm_of(t)];
        if (cur.number < 0 || better(b, cur)) cur = b;
    }
}

bool Racer::better(const ArmBest& a, const ArmBest& b) const {
    if (a.value != b.value) return is_better(a.value, b.value, study_.direction());
    return a.number < b.number;
}

void Racer::run_one(const FrozenTrial& t, const std::vector<double>& reference) {
    std::vector<double> per_unit;
    const PruneReference prune{reference.empty() ? nullptr : &reference, study_.direction(),
                               p_.prune_alpha};
    const FrozenTrial done = study_.run_and_tell(
        [&](const Trial& view) {
            RaceEvaluation r = objective_(view, prune);
            per_unit = std::move(r.per_unit);
            return r.evaluation;
        },
        t, true);
    if (done.state == TrialState::Complete) {
        std::lock_guard lock(mu_);
        ArmBest b{done.number, done.value, std::move(per_unit)};
        ArmBest& cur = best_[arm_of(done)];
        if (cur.number < 0 || better(b, cur)) cur = std::move(b);
    }
    if (p_.on_trial_finished) p_.on_trial_finished(done);
}

std::vector<std::vector<double>> Racer::references(const std::vector<FrozenTrial>& asked,
                                                   std::int64_t round_start) {
    std::vector<std::vector<double>> refs(labels_.size());
    if (p_.prune_alpha <= 0.0) return refs;
    std::vector<ArmBest> before(labels_.size());
    for (const FrozenTrial& t : study_.trials()) {
        if (t.number >= round_start || t.state != TrialState::Complete) continue;
        ArmBest b{t.number, t.value, {}};
        ArmBest& cur = before[arm_of(t)];
        if (cur.number < 0 || better(b, cur)) cur = b;
    }
    for (const FrozenTrial& t : asked) {
        const std::size_t a = arm_of(t);
        if (before[a].number < 0 || !refs[a].empty()) continue;
        // NOTE: the arm's best before the round is its current best except after a resume
        // into a round some of whose trials had finished; then it is evaluated again.
        if (before[a].number == best_[a].number) {
            refs[a] = per_unit_of(a);
        } else {
            const FrozenTrial ref = study_.trial(before[a].number);  // outlives the view
            refs[a] = objective_(Trial(study_.space(), ref), PruneReference{}).per_unit;
        }
    }
    return refs;
}

void Racer::evaluate(const std::vector<FrozenTrial>& asked) {
    if (asked.empty()) return;
    std::int64_t start = asked.front().number;
    for (const FrozenTrial& t : asked) start = std::min(start, t.number);
    // NOTE: `run` records each round's first number before asking it, so trials re-run after a
    // kill get the reference of their own round. A log from before pruning has none recorded.
    if (record_.round_start >= 0 && record_.round_start <= start) start = record_.round_start;
    const std::vector<std::vector<double>> refs = references(asked, start);
    const auto run = [&](std::size_t i) { run_one(asked[i], refs[arm_of(asked[i])]); };
    const std::size_t width = std::max<std::size_t>(1, p_.parallel_trials);
    for (std::size_t from = 0; from < asked.size(); from += width) {
        const std::size_t to = std::min(asked.size(), from + width);
        if (p_.arena == nullptr || to - from == 1) {
            for (std::size_t i = from; i < to; ++i) run(i);
            continue;
        }
        p_.arena->execute([&] {
            tbb::task_group group;
            for (std::size_t i = from; i < to; ++i) group.run([&, i] { run(i); });
            group.wait();
        });
    }
}

std::vector<double> Racer::per_unit_of(std::size_t arm) {
    ArmBest& b = best_[arm];
    if (b.per_unit.empty()) {
        RaceEvaluation r = objective_(Trial(study_.space(), study_.trial(b.number)), {});
        b.per_unit = std::move(r.per_unit);
    }
    return b.per_unit;
}

void Racer::maybe_test(const std::vector<std::int64_t>& counts, std::int64_t last_number) {
    std::vector<std::size_t> racing;
    std::int64_t fewest = -1;
    for (std::size_t a = 0; a < labels_.size(); ++a) {
        if (!record_.arms[a].racing) continue;
        racing.push_back(a);
        fewest = fewest < 0 ? counts[a] : std::min(fewest, counts[a]);
    }
    if (racing.size() < 2 || fewest < record_.next_check) return;
    while (record_.next_check <= fewest) record_.next_check += record_.check_every;
    ++record_.n_tests;
    std::size_t leader = labels_.size();
    for (const std::size_t a : racing) {
        if (best_[a].number < 0) continue;
        if (leader == labels_.size() || better(best_[a], best_[leader])) leader = a;
    }
    std::vector<std::size_t> tested;
    std::vector<double> p_raw;
    if (leader != labels_.size()) {
        const std::vector<double> lead = per_unit_of(leader);
        const auto alternative = study_.direction() == Direction::Maximize
                                     ? stats::Alternative::Greater
                                     : stats::Alternative::Less;
        for (const std::size_t a : racing) {
            if (a == leader || best_[a].number < 0) continue;
            const std::vector<double> other = per_unit_of(a);
            if (other.size() != lead.size() || lead.empty()) {
                throw StudyError("race: per-unit values of '" + labels_[a] + "' and '" +
                                 labels_[leader] + "' differ in length or are empty");
            }
            tested.push_back(a);
            p_raw.push_back(
                stats::wilcoxon_signed_rank(lead, other, {.alternative = alternative}).p_value);
        }
    }
    const std::vector<double> adjusted = stats::holm_adjust(p_raw);
    std::vector<std::string> stopped;
    for (std::size_t i = 0; i < tested.size(); ++i) {
        RaceArm& arm = record_.arms[tested[i]];
        // A measure still improving is not struck: its best rose since its previous test.
        const double now = best_[tested[i]].value;
        const bool improved =
            !std::isnan(arm.value) && is_better(now, arm.value, study_.direction());
        if (adjusted[i] >= record_.alpha) {
            arm.strikes = 0;
        } else if (!improved) {
            ++arm.strikes;
        }
        arm.p_raw = p_raw[i];
        arm.p_value = adjusted[i];
        arm.leader = labels_[leader];
        arm.value = now;
        arm.leader_value = best_[leader].value;
        if (arm.strikes >= record_.confirm) {
            arm.racing = false;
            arm.stopped_at = last_number;
            stopped.push_back(arm.label);
        }
    }
    for (const std::size_t a : racing) record_.arms[a].n_trials = counts[a];
    if (leader != labels_.size()) {
        RaceArm& lead = record_.arms[leader];
        lead.p_raw = lead.p_value = std::nan("");
        lead.strikes = 0;
        lead.leader = labels_[leader];
        lead.value = lead.leader_value = best_[leader].value;
    }
    study_.write_race(record_);
    if (p_.on_test) p_.on_test(record_, stopped);
}

std::vector<std::size_t> Racer::next_round(std::int64_t remaining) const {
    std::vector<std::size_t> racing;
    for (std::size_t a = 0; a < labels_.size(); ++a) {
        if (record_.arms[a].racing) racing.push_back(a);
    }
    // Best arm first (arms without a complete trial last), so that a cut round favours them.
    std::stable_sort(racing.begin(), racing.end(), [&](std::size_t a, std::size_t b) {
        if (best_[a].number < 0 || best_[b].number < 0) {
            return best_[b].number < 0 && best_[a].number >= 0;
        }
        return better(best_[a], best_[b]);
    });
    // Each arm's weight: 1, or its number of tuned parameters; the round keeps about the size it
    // had with every arm racing.
    std::size_t all = 0;
    std::size_t left = 0;
    std::size_t most = 0;
    for (std::size_t a = 0; a < labels_.size(); ++a) {
        all += weight_[a];
        if (record_.arms[a].racing) left += weight_[a];
    }
    const std::size_t scale = (all + left - 1) / left;
    for (const std::size_t a : racing) most = std::max(most, weight_[a] * scale);
    std::vector<std::size_t> slots;
    for (std::size_t r = 0; r < most; ++r) {
        for (const std::size_t a : racing) {
            if (r < weight_[a] * scale && static_cast<std::int64_t>(slots.size()) < remaining) {
                slots.push_back(a);
            }
        }
    }
    return slots;
}

OptimizeResult Racer::run() {
    const auto t0 = std::chrono::steady_clock::now();
    OptimizeResult result;
    {  // Trials cut off by a crash run again first, with their numbers and parameters.
        const auto trials = study_.trials();
        const auto running = std::count_if(trials.begin(), trials.end(),
                                           [](const FrozenTrial& t) { return !t.is_finished(); });
        if (running > 0) {
            evaluate(study_.ask(static_cast<std::size_t>(running)));
            result.n_run += running;
        }
    }
    while (true) {
        const std::vector<FrozenTrial> trials = study_.trials();
        std::vector<std::int64_t> counts(labels_.size(), 0);
        std::int64_t finished = 0;
        std::int64_t since_best = 0;
        const FrozenTrial* best = nullptr;
        for (const FrozenTrial& t : trials) {
            ++counts[arm_of(t)];
            finished += t.is_finished() ? 1 : 0;
            ++since_best;
            if (t.state == TrialState::Complete &&
                (best == nullptr || is_better(t.value, best->value, study_.direction()))) {
                best = &t;
                since_best = 0;
            }
        }
        if (p_.patience > 0 && best != nullptr && since_best >= p_.patience) {
            result.reason = StopReason::Patience;
            break;
        }
        if (finished >= p_.n_trials) {
            result.reason = StopReason::NTrials;
            break;
        }
        if (p_.timeout_seconds > 0.0 &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() >=
                p_.timeout_seconds) {
            result.reason = StopReason::Timeout;
            break;
        }
        maybe_test(counts, trials.empty() ? -1 : trials.back().number);
        const std::vector<std::size_t> slots = next_round(p_.n_trials - finished);
        std::vector<std::int64_t> used = counts;
        for (const std::size_t a : slots) {
            const auto i = static_cast<std::size_t>(used[a]++);
            if (i < queue_[a].size()) {
                study_.enqueue_json(queue_[a][i], false);
            } else {
                study_.enqueue({{p_.key, static_cast<double>(a)}}, false);
            }
        }
        if (p_.prune_alpha > 0.0 && !slots.empty()) {
            record_.round_start = static_cast<std::int64_t>(trials.size());
            study_.write_race(record_);
        }
        const std::vector<FrozenTrial> asked = study_.ask(slots.size());
        evaluate(asked);
        result.n_run += static_cast<std::int64_t>(asked.size());
        check_failures(study_.trials(), p_.max_failures);
    }
    return result;
}

}  // namespace

std::int64_t default_min_trials(std::int64_t n_trials, std::size_t n_arms) {
    const auto arms = static_cast<std::int64_t>(std::max<std::size_t>(1, n_arms));
    return std::max<std::int64_t>(8, n_trials / (4 * arms));
}

std::unique_ptr<Sampler> make_arm_sampler(std::unique_ptr<Sampler> inner, std::string key,
                                          bool share) {
    return std::make_unique<ArmSampler>(std::move(inner), std::move(key), share);
}

bool PruneReference::worse(std::span<const std::size_t> units,
                           std::span<const double> values) const {
    if (per_unit == nullptr || alpha <= 0.0) return false;
    if (units.size() != values.size()) {
        throw StudyError("prune: " + std::to_string(units.size()) + " units but " +
                         std::to_string(values.size()) + " values");
    }
    std::vector<double> ref;
    ref.reserve(units.size());
    for (const std::size_t u : units) {
        if (u >= per_unit->size()) {
            throw StudyError("prune: unit " + std::to_string(u) + " outside the reference's " +
                             std::to_string(per_unit->size()));
        }
        ref.push_back((*per_unit)[u]);
    }
    const auto alternative =
        direction == Direction::Maximize ? stats::Alternative::Greater : stats::Alternative::Less;
    const stats::WilcoxonResult r =
        stats::wilcoxon_signed_rank(ref, values, {.alternative = alternative});
    return r.n_nonzero > 0 && r.p_value < alpha;
}

OptimizeResult race(Study& study, const StagedRaceObjective& objective, const RaceParams& params) {
    if (params.parallel_trials < 1) throw SettingsError("parallel.trials must be >= 1");
    if (params.timeout_seconds < 0.0) throw SettingsError("timeout must be >= 0 seconds");
    if (!(params.prune_alpha >= 0.0 && params.prune_alpha < 1.0)) {
        throw SettingsError("race: prune_alpha must be in [0, 1)");
    }
    Racer racer(study, objective, params);
    return racer.run();
}

OptimizeResult race(Study& study, const RaceObjective& objective, const RaceParams& params) {
    return race(study, StagedRaceObjective([&objective](const Trial& t, const PruneReference&) {
                    return objective(t);
                }),
                params);
}

}  // namespace knntune::tuner
