#include "tuner/study.hpp"

#include <oneapi/tbb/task_group.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <iterator>

#include "tuner/error.hpp"
#include "tuner/version.hpp"

namespace knntune::tuner {

namespace {

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bool same_fixed(const ParamValues& fixed, const ParamValues& params) {
    for (std::size_t i = 0; i < fixed.size(); ++i) {
        if (!std::isnan(fixed[i]) && params[i] != fixed[i]) return false;
    }
    return true;
}

void check_metric_name(const std::string& name, std::int64_t number, const SearchSpace& space) {
    if (name.empty() || name.find_first_of("/,\"\n") != std::string::npos || name == "." ||
        name == "..") {
        throw StudyError("metric name '" + name + "' of trial " + std::to_string(number) +
                         " is empty or contains '/', ',', a quote or a newline");
    }
    // NOTE: metrics and parameters share one row in the log and the CSV; names must differ.
    bool clash = space.find(name).has_value();
    for (const char* reserved : kReservedColumns) clash = clash || name == reserved;
    if (clash) {
        throw StudyError("metric name '" + name + "' of trial " + std::to_string(number) +
                         " is already a parameter or trial-log column");
    }
}

// Index = StopReason.
constexpr std::string_view kStopReasonNames[] = {
    "n_trials reached", "timeout", "no improvement within patience", "sampler exhausted"};
static_assert(std::size(kStopReasonNames) == static_cast<std::size_t>(StopReason::Exhausted) + 1);

// Finished trials, and finished trials since the best Complete one (ties: the earliest).
struct Progress {
    std::int64_t finished = 0;
    std::int64_t since_best = 0;
    bool has_best = false;
};

Progress progress_of(std::span<const FrozenTrial> trials, Direction direction) {
    Progress p;
    double best = 0.0;
    for (const FrozenTrial& t : trials) {
        if (!t.is_finished()) continue;
        ++p.finished;
        ++p.since_best;
        if (t.state == TrialState::Complete &&
            (!p.has_best || is_better(t.value, best, direction))) {
            p.has_best = true;
            best = t.value;
            p.since_best = 0;
        }
    }
    return p;
}

}  // namespace

std::string failure_kind(std::string_view error) {
    std::string out;
    for (std::size_t i = 0; i < error.size(); ++i) {
        const bool digit = error[i] >= '0' && error[i] <= '9';
        if (!digit) {
            out += error[i];
        } else if (i == 0 || error[i - 1] < '0' || error[i - 1] > '9') {
            out += '#';
        }
    }
    return out;
}

FailureRun failure_run(std::span<const FrozenTrial> trials) {
    // NOTE: the failures counted are those after the last trial that finished otherwise, by
    // trial number, so that a resumed study counts exactly as an uninterrupted one.
    std::map<std::string, FailureRun> runs;
    for (auto it = trials.rbegin(); it != trials.rend(); ++it) {
        if (!it->is_finished()) continue;
        if (it->state != TrialState::Fail) break;
        FailureRun& r = runs[failure_kind(it->error)];
        if (r.count++ == 0) {
            r.last = it->number;
            r.last_error = it->error;
        }
        r.first = it->number;
    }
    FailureRun most;
    for (const auto& [kind, r] : runs) {
        if (r.count > most.count || (r.count == most.count && r.last > most.last)) most = r;
    }
    return most;
}

void check_failures(std::span<const FrozenTrial> trials, std::int64_t max_failures) {
    if (max_failures <= 0) return;
    const FailureRun r = failure_run(trials);
    if (r.count < max_failures) return;
    throw FailuresError(std::to_string(r.count) + " trials failed with the same error (trials " +
                            std::to_string(r.first) + " to " + std::to_string(r.last) +
                            ", none finished otherwise since), the last with: " + r.last_error,
                        r.count, r.last_error);
}

std::string_view stop_reason_name(StopReason r) {
    return kStopReasonNames[static_cast<std::size_t>(r)];
}

Study::Study(SearchSpace space, std::unique_ptr<Sampler> sampler, std::unique_ptr<Storage> storage,
             StudyOptions options)
    : space_(std::move(space)),
      sampler_(std::move(sampler)),
      storage_(std::move(storage)),
      options_(std::move(options)) {
    KNNTUNE_ASSERT(sampler_ && storage_);
    StudyInfo info;
    info.name = options_.name;
    info.direction = options_.direction;
    info.seed = options_.seed;
    info.search_space = space_.to_json_text();
    info.sampler = std::string(sampler_->name());
    info.sampler_settings = boost::json::serialize(sampler_->settings());
    info.config = options_.config;
    info.data_fingerprint = options_.data_fingerprint;
    info.software_version = version();
    std::vector<FrozenTrial> stored = storage_->open(info, space_, options_.open);
    for (std::size_t i = 0; i < stored.size(); ++i) {
        if (stored[i].number != static_cast<std::int64_t>(i)) {
            throw StorageError("trials in " + storage_->describe() + " are not numbered 0.." +
                               std::to_string(stored.size() - 1) + " (found " +
                               std::to_string(stored[i].number) + " at row " + std::to_string(i) +
                               ")");
        }
        if (stored[i].params.size() != space_.size()) {
            throw StorageError("trial " + std::to_string(i) + " in " + storage_->describe() +
                               " does not match the search space");
        }
        // NOTE: a trial still Running in a stored log was cut off by a crash; it is run again
        // with the same number and parameters rather than forgotten.
        if (stored[i].state == TrialState::Running) requeued_.push_back(stored[i].number);
    }
    trials_ = std::move(stored);
}

Study::~Study() = default;

bool Study::enqueue(const std::map<std::string, double>& params, bool skip_if_exists) {
    ParamValues fixed(space_.size(), kInactive);
    for (const auto& [key, value] : params) {
        const std::size_t i = space_.index_of(key);
        if (!space_.param(i).distribution.contains(value)) {
            throw SettingsError("enqueued value " + std::to_string(value) + " of '" + key +
                                "' is not in " + space_.param(i).distribution.describe());
        }
        fixed[i] = value;
    }
    for (std::size_t i = 0; i < space_.size(); ++i) {
        if (std::isnan(fixed[i])) continue;
        const Param& p = space_.param(i);
        if (!p.condition) continue;
        if (std::isnan(fixed[p.condition->parent])) {
            throw SettingsError("enqueued '" + p.key + "' needs its parent '" +
                                space_.param(p.condition->parent).key + "' to be given too");
        }
        if (!space_.is_active(i, fixed)) {
            throw SettingsError("enqueued '" + p.key + "' is inactive under the given '" +
                                space_.param(p.condition->parent).key + "'");
        }
    }
    std::lock_guard lock(mu_);
    if (skip_if_exists) {
        for (const FrozenTrial& t : trials_) {
            if (t.state != TrialState::Fail && same_fixed(fixed, t.params)) return false;
        }
        for (const ParamValues& q : enqueued_) {
            if (same_fixed(fixed, q) && same_fixed(q, fixed)) return false;
        }
    }
    enqueued_.push_back(std::move(fixed));
    return true;
}

bool Study::enqueue_json(const boost::json::object& params, bool skip_if_exists) {
    std::map<std::string, double> values;
    for (const auto& kv : params) {
        const std::string key(kv.key());
        const Distribution& d = space_.param(space_.index_of(key)).distribution;
        if (kv.value().is_string() && d.is_categorical()) {
            const auto it = std::find(d.choices.begin(), d.choices.end(), kv.value().as_string());
            if (it == d.choices.end()) {
                throw SettingsError("enqueued value '" + std::string(kv.value().as_string()) +
                                    "' of '" + key + "' is not one of " + d.describe());
            }
            values[key] = static_cast<double>(it - d.choices.begin());
        } else if (kv.value().is_number()) {
            values[key] = boost::json::value_to<double>(kv.value());
        } else {
            throw SettingsError("enqueued value of '" + key + "' must be a number" +
                                (d.is_categorical() ? " or a choice label" : ""));
        }
    }
    return enqueue(values, skip_if_exists);
}

FrozenTrial Study::ask_locked() {
    const double start = now_seconds();
    if (!requeued_.empty()) {
        FrozenTrial& t = trials_[static_cast<std::size_t>(requeued_.front())];
        requeued_.pop_front();
        t.start_time = start;
        return t;
    }
    ParamValues fixed(space_.size(), kInactive);
    if (!enqueued_.empty()) {
        fixed = std::move(enqueued_.front());
        enqueued_.pop_front();
    }
    const auto number = static_cast<std::int64_t>(trials_.size());
    const SampleContext ctx{space_, trials_, number, options_.direction, fixed};
    FrozenTrial t;
    t.number = number;
    t.state = TrialState::Running;
    t.params = sampler_->sample(ctx);
    space_.check(t.params, "sampler '" + std::string(sampler_->name()) + "' for trial " +
                               std::to_string(number));
    t.start_time = start;
    trials_.push_back(t);
    return t;
}

FrozenTrial Study::ask() { return ask(1).front(); }

std::vector<FrozenTrial> Study::ask(std::size_t n) {
    std::lock_guard lock(mu_);
    std::vector<FrozenTrial> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(ask_locked());
    storage_->write(out);
    return out;
}

void Study::tell(std::int64_t number, TrialState state, const Evaluation& eval,
                 const std::string& error) {
    for (const auto& [name, v] : eval.metrics) check_metric_name(name, number, space_);
    std::lock_guard lock(mu_);
    if (number < 0 || number >= static_cast<std::int64_t>(trials_.size())) {
        throw StudyError("tell: no trial " + std::to_string(number) + " (the study has " +
                         std::to_string(trials_.size()) + ")");
    }
    FrozenTrial t = trials_[static_cast<std::size_t>(number)];
    if (t.state != TrialState::Running) {
        throw StudyError("tell: trial " + std::to_string(number) + " is already " +
                         std::string(state_name(t.state)));
    }
    if (state == TrialState::Running) throw StudyError("tell: a trial cannot be told Running");
    t.state = state;
    t.value = eval.value;
    t.metrics = eval.metrics;
    t.error = error;
    t.end_time = now_seconds();
    if (state == TrialState::Complete && std::isnan(eval.value)) {
        t.state = TrialState::Fail;
        t.error = "objective returned NaN";
    }
    if (state == TrialState::Fail) t.value = std::nan("");
    storage_->write(std::span<const FrozenTrial>(&t, 1));
    trials_[static_cast<std::size_t>(number)] = std::move(t);
}

void Study::run_trial(const Objective& objective, const FrozenTrial& frozen,
                      const OptimizeParams& params) {
    const FrozenTrial done = run_and_tell(objective, frozen);
    if (params.on_trial_finished) params.on_trial_finished(done);
}

FrozenTrial Study::run_and_tell(const Objective& objective, const FrozenTrial& frozen,
                                bool clock_from_run) {
    Evaluation e;
    TrialState state = TrialState::Complete;
    std::string error;
    const double began = now_seconds();
    try {
        const Trial view(space_, frozen);
        e = objective(view);
    } catch (const TrialPruned& pruned) {
        state = TrialState::Pruned;
        e = pruned.partial();
    } catch (const std::exception& ex) {
        state = TrialState::Fail;
        error = ex.what();
    } catch (...) {
        state = TrialState::Fail;
        error = "unknown exception";
    }
    if (clock_from_run) {
        std::lock_guard lock(mu_);
        const auto n = static_cast<std::size_t>(frozen.number);
        if (n < trials_.size()) trials_[n].start_time = began;
    }
    try {
        tell(frozen.number, state, e, error);
    } catch (const StudyError& bad_result) {
        // An unusable result (a metric name that clashes) fails the trial, not the study.
        tell(frozen.number, TrialState::Fail, Evaluation{}, bad_result.what());
    }
    return trial(frozen.number);
}

std::size_t Study::next_batch(const OptimizeParams& params, std::int64_t finished) const {
    const std::size_t p = params.parallel_trials;
    auto batch = static_cast<std::size_t>(
        std::min<std::int64_t>(static_cast<std::int64_t>(p), params.n_trials - finished));
    std::lock_guard lock(mu_);
    // NOTE: trials still Running after a resume are the rest of the batch a crash cut off.
    // They are finished as that batch, without fresh trials beside them: an uninterrupted run
    // samples the next batch only once the whole batch has finished. A batch is asked whole
    // before it runs and batches start at multiples of `p`, so when the crash came while the
    // batch was being asked, (p − trials_.size() % p) % p of its trials are still to ask.
    if (!requeued_.empty())
        batch = std::min(batch, requeued_.size() + (p - trials_.size() % p) % p);
    return batch;
}

OptimizeResult Study::optimize(const Objective& objective, const OptimizeParams& params) {
    if (params.parallel_trials < 1) throw SettingsError("parallel.trials must be ≥ 1");
    if (params.timeout_seconds < 0.0) throw SettingsError("timeout must be ≥ 0 seconds");
    if (params.patience < 0) throw SettingsError("patience must be ≥ 0");
    if (params.max_failures < 0) throw SettingsError("max_failures must be ≥ 0");
    const auto t0 = std::chrono::steady_clock::now();
    std::unique_ptr<tbb::task_arena> own_arena;
    tbb::task_arena* arena = params.arena;
    if (!arena && params.parallel_trials > 1) {
        own_arena = std::make_unique<tbb::task_arena>(static_cast<int>(params.parallel_trials));
        arena = own_arena.get();
    }
    OptimizeResult result;
    while (true) {
        Progress progress;
        bool exhausted = false;
        {
            std::lock_guard lock(mu_);
            progress = progress_of(trials_, options_.direction);
            exhausted =
                requeued_.empty() && enqueued_.empty() && sampler_->exhausted(space_, trials_);
        }
        const std::int64_t finished = progress.finished;
        if (finished >= params.n_trials) {
            result.reason = StopReason::NTrials;
            break;
        }
        if (params.timeout_seconds > 0.0 &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() >=
                params.timeout_seconds) {
            result.reason = StopReason::Timeout;
            break;
        }
        if (params.patience > 0 && progress.has_best && progress.since_best >= params.patience) {
            result.reason = StopReason::Patience;
            break;
        }
        if (exhausted) {
            result.reason = StopReason::Exhausted;
            break;
        }
        const std::vector<FrozenTrial> asked = ask(next_batch(params, finished));
        if (arena) {
            arena->execute([&] {
                tbb::task_group group;
                for (const FrozenTrial& t : asked) {
                    group.run([&, this] { run_trial(objective, t, params); });
                }
                group.wait();
            });
        } else {
            for (const FrozenTrial& t : asked) run_trial(objective, t, params);
        }
        result.n_run += static_cast<std::int64_t>(asked.size());
        // NOTE: checked in place; a copy of every trial per batch made each trial of a long
        // study cost more than the one before.
        std::lock_guard lock(mu_);
        check_failures(trials_, params.max_failures);
    }
    return result;
}

std::vector<FrozenTrial> Study::trials() const {
    std::lock_guard lock(mu_);
    return trials_;
}

FrozenTrial Study::trial(std::int64_t number) const {
    std::lock_guard lock(mu_);
    if (number < 0 || number >= static_cast<std::int64_t>(trials_.size())) {
        throw StudyError("no trial " + std::to_string(number) + " (the study has " +
                         std::to_string(trials_.size()) + ")");
    }
    return trials_[static_cast<std::size_t>(number)];
}

RaceRecord Study::race() const {
    std::lock_guard lock(mu_);
    return storage_->race();
}

void Study::write_race(const RaceRecord& race) {
    std::lock_guard lock(mu_);
    storage_->write_race(race);
}

void Study::flush() {
    std::lock_guard lock(mu_);
    storage_->flush();
}

std::int64_t Study::n_finished() const {
    std::lock_guard lock(mu_);
    return std::count_if(trials_.begin(), trials_.end(),
                         [](const FrozenTrial& t) { return t.is_finished(); });
}

FrozenTrial Study::best_trial() const {
    std::lock_guard lock(mu_);
    const FrozenTrial* best = tuner::best_trial(trials_, options_.direction);
    if (!best) throw StudyError("the study has no complete trial yet");
    return *best;
}

std::map<std::string, FrozenTrial> Study::best_trials_by(std::string_view categorical_key) const {
    std::lock_guard lock(mu_);
    return tuner::best_trials_by(space_, trials_, options_.direction, categorical_key);
}

}  // namespace knntune::tuner
