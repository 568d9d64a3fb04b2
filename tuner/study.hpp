#pragma once
/// Study: the optimisation loop over a search space, with ask/tell and optimize.
///
/// Usage (what the experiment runner does):
///
///     namespace kt = knntune::tuner;
///     kt::SearchSpace space = kt::SearchSpace::from_json_text(R"({"params": [
///         {"name": "algorithm", "type": "categorical", "choices": ["cosine", "tversky"]},
///         {"name": "k", "type": "int", "low": 5, "high": 1000, "log": true},
///         {"name": "alpha", "type": "float", "low": 0, "high": 2,
///          "parent": "algorithm", "when": ["tversky"]}]})");
///     kt::StudyOptions opt;
///     opt.direction = kt::Direction::Maximize;            // e.g. ndcg@10
///     opt.seed = 42;
///     opt.open.resume = true;                             // continue the log if it exists
///     kt::Study study(space, kt::make_sampler("tpe", {}, opt.seed, space),
///                     std::make_unique<kt::Hdf5Storage>("run/trials.h5"), opt);
///     study.enqueue({{"algorithm", 0}, {"k", 100}});      // configured starting points
///     kt::OptimizeParams run;
///     run.n_trials = 200;                                 // finished trials, resumed ones count
///     run.parallel_trials = 4;                            // batch size, see below
///     study.optimize([](const kt::Trial& t) {
///         kt::Evaluation e;
///         e.value = evaluate(t.choice("algorithm"), t.int_value("k"),
///                            t.has("alpha") ? t.value("alpha") : 0.0);
///         e.metrics["recall@10"] = 0.3;                   // extra columns in the log
///         return e;
///     }, run);
///     const kt::FrozenTrial& best = study.best_trial();
///     auto per_measure = study.best_trials_by("algorithm");  // label → best trial
///
/// Parallel evaluation is batch-synchronous: `optimize` asks `parallel_trials` trials at once
/// (each later one sees the earlier ones as Running: constant liar), evaluates them in one TBB
/// task arena, and asks the next batch only when the whole batch is told. Samplers draw from
/// `Rng(seed, trial number)` and see the same history whatever the thread count or trial
/// durations, so a (seed, batch size) pair always gives the same trials. Each finished trial is
/// written to the storage (durable for the HDF5 log) as soon as it ends.

#include <oneapi/tbb/task_arena.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tuner/sampler.hpp"
#include "tuner/search_space.hpp"
#include "tuner/storage.hpp"
#include "tuner/trial.hpp"

namespace knntune::tuner {

/// The objective: evaluates one trial. Throwing fails the trial (its text is recorded) and the
/// study goes on, up to `OptimizeParams::max_failures` failures of one kind in a row; throwing
/// `TrialPruned` prunes it; a NaN value fails it.
using Objective = std::function<Evaluation(const Trial&)>;

/// Study-level settings, recorded in the trial log.
struct StudyOptions {
    std::string name = "study";
    Direction direction = Direction::Minimize;
    std::uint64_t seed = 0;        ///< also the sampler's seed when built by the caller
    std::string config;            ///< resolved configuration text, stored verbatim
    std::string data_fingerprint;  ///< fingerprint of the prepared data, stored verbatim
    OpenMode open;                 ///< resume / force
};

/// Budget and parallelism of one `optimize` call.
struct OptimizeParams {
    std::int64_t n_trials = 100;      ///< stop when the study has this many finished trials
    double timeout_seconds = 0.0;     ///< stop asking after this long (0: none); checked per batch
    std::int64_t patience = 0;        ///< stop after this many finished trials without a new
                                      ///< best (0: off)
    std::size_t parallel_trials = 1;  ///< concurrent trials per batch (`parallel.trials`)
    /// Stop with `FailuresError` after a batch that leaves this many failed trials of one kind
    /// (`failure_kind`) with no trial finished otherwise since (`failure_run`); 0: never.
    std::int64_t max_failures = 0;
    /// Arena the objectives run in; share the application's arena so that TBB inside the
    /// objective does not oversubscribe. Null: an own arena of `parallel_trials` threads.
    tbb::task_arena* arena = nullptr;
    /// Called after each trial is stored (from the thread that ran it).
    std::function<void(const FrozenTrial&)> on_trial_finished;
};

/// Why `optimize` returned.
enum class StopReason { NTrials, Timeout, Patience, Exhausted };
std::string_view stop_reason_name(StopReason r);

/// Summary of one `optimize` call.
struct OptimizeResult {
    StopReason reason = StopReason::NTrials;
    std::int64_t n_run = 0;  ///< trials evaluated by this call
};

/// The kind of a failed trial's error: its text with every run of digits replaced by `#`, so
/// that "cannot allocate 1200 MiB" and "cannot allocate 800 MiB" are the same kind.
std::string failure_kind(std::string_view error);

/// The largest group of failures of one kind among the trials that failed since the last
/// trial that finished otherwise (Complete or Pruned), in trial-number order.
struct FailureRun {
    std::int64_t count = 0;   ///< failed trials of that kind
    std::int64_t first = -1;  ///< the first and last trial number of the group
    std::int64_t last = -1;
    std::string last_error;  ///< the error text of trial `last`
};
FailureRun failure_run(std::span<const FrozenTrial> trials);

/// Throws `FailuresError` when `max_failures > 0` and `failure_run(trials)` holds at least
/// that many trials; the message gives the count, the trial numbers and the last error.
void check_failures(std::span<const FrozenTrial> trials, std::int64_t max_failures);

/// A study over one search space with one sampler and one storage.
class Study {
  public:
    /// Opens `storage` (creating the record or resuming it as `options.open` says). Trials
    /// that were Running when a previous process died are re-queued with their parameters.
    Study(SearchSpace space, std::unique_ptr<Sampler> sampler, std::unique_ptr<Storage> storage,
          StudyOptions options);
    ~Study();
    Study(const Study&) = delete;
    Study& operator=(const Study&) = delete;

    const SearchSpace& space() const { return space_; }
    Direction direction() const { return options_.direction; }
    const Sampler& sampler() const { return *sampler_; }
    const Storage& storage() const { return *storage_; }

    /// Queues a configuration to run before sampled ones. `params`: key → external value
    /// (categorical: index); omitted parameters are sampled. A conditional parameter needs its
    /// parent given. With `skip_if_exists`, a configuration already run (or queued) is skipped.
    /// Returns whether it was queued. Throws `SettingsError` naming the parameter.
    bool enqueue(const std::map<std::string, double>& params, bool skip_if_exists = true);
    /// Same, from JSON: numbers, or labels for categoricals.
    bool enqueue_json(const boost::json::object& params, bool skip_if_exists = true);

    /// Starts one trial: a re-queued one, else the next enqueued one, else a sampled one.
    FrozenTrial ask();
    /// Starts `n` trials; each sees the earlier ones as Running.
    std::vector<FrozenTrial> ask(std::size_t n);
    /// Finishes a Running trial. A Complete trial with a NaN value becomes Fail.
    void tell(std::int64_t number, TrialState state, const Evaluation& eval = {},
              const std::string& error = {});

    /// Evaluates an asked trial and tells its result: a throwing objective fails it (or prunes
    /// it, for `TrialPruned`), and so does an unusable result. Returns the stored trial. With
    /// `clock_from_run`, its start time is when the objective began instead of when it was
    /// asked (a race asks a whole round before running any of it).
    FrozenTrial run_and_tell(const Objective& objective, const FrozenTrial& frozen,
                             bool clock_from_run = false);

    /// Runs batches until a stop condition holds. Throws `FailuresError` (the failed trials
    /// stay in the log) when a batch leaves `params.max_failures` failures of one kind.
    OptimizeResult optimize(const Objective& objective, const OptimizeParams& params);

    /// All trials, by number.
    std::vector<FrozenTrial> trials() const;
    /// Trial `number`; throws `StudyError` when there is none.
    FrozenTrial trial(std::int64_t number) const;
    /// The race record of the storage (empty unless a race runs this study).
    RaceRecord race() const;
    /// Replaces the race record; durable when this returns.
    void write_race(const RaceRecord& race);
    /// Brings the storage's own file up to date (`Storage::flush`; the trial log folds its
    /// journal in). Call it when the study has ended; destroying the study does it too, but
    /// cannot report a failure.
    void flush();
    /// Number of finished (Complete, Pruned or Fail) trials.
    std::int64_t n_finished() const;
    /// The best Complete trial (ties: lowest number). Throws `StudyError` when there is none.
    /// For a log read from disk use the free `best_trial` (trial.hpp).
    FrozenTrial best_trial() const;
    /// Best Complete trial per choice of a categorical parameter (ties: lowest number), keyed
    /// by choice label; choices never tried are absent. See the free `best_trials_by`.
    std::map<std::string, FrozenTrial> best_trials_by(std::string_view categorical_key) const;

  private:
    FrozenTrial ask_locked();
    /// The size of the next batch of `optimize`, `finished` trials having finished.
    std::size_t next_batch(const OptimizeParams& params, std::int64_t finished) const;
    /// Evaluates one asked trial and tells its result (a throwing objective fails it).
    void run_trial(const Objective& objective, const FrozenTrial& frozen,
                   const OptimizeParams& params);
    SearchSpace space_;
    std::unique_ptr<Sampler> sampler_;
    std::unique_ptr<Storage> storage_;
    StudyOptions options_;
    mutable std::mutex mu_;
    std::vector<FrozenTrial> trials_;  ///< index = trial number
    std::deque<std::int64_t> requeued_;
    std::deque<ParamValues> enqueued_;
};

}  // namespace knntune::tuner
