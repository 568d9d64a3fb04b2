#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>

#include "common/text.hpp"
#include "experiments/knn_study.hpp"
#include "experiments/run/stages.hpp"
#include "tuner/error.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/race.hpp"
#include "tuner/sampler.hpp"
#include "tuner/study.hpp"

namespace knntune::exp {

namespace fs = std::filesystem;
namespace sim = engine::similarity;
using engine::Period;

namespace {

/// Users evaluated before the first pruning check, at least (tuner.race.prune_first).
constexpr std::size_t kPruneMinUnits = 50;

/// The measure groups that get one study each: every measure together, or one per measure.
std::vector<std::vector<std::string>> study_groups(const ExperimentConfig& cfg) {
    if (!cfg.tuner.per_measure()) return {cfg.search.measures};
    std::vector<std::vector<std::string>> groups;
    for (const auto& m : cfg.search.measures) groups.push_back({m});
    return groups;
}

void note_cache(const RunContext& ctx, const KnnEvaluator& evaluator, const std::string& model) {
    if (evaluator.cache_pairs() > 0) {
        ctx.progress().note(model + ": co-occurrence cache of " +
                            std::to_string(evaluator.cache_pairs()) + " pairs (" +
                            std::to_string(evaluator.cache_bytes() >> 20) +
                            " MiB); measures other than p3alpha/rp3beta re-score it per trial");
    } else if (ctx.config().tuner.cache_max_pairs > 0) {
        ctx.progress().note(model +
                            ": no co-occurrence cache (input not binary, or more than "
                            "tuner.cache_max_pairs pairs); every trial computes from scratch");
    }
}

/// The best value so far and its text, shared by the trials of one study.
class BestSoFar {
  public:
    explicit BestSoFar(Direction direction) : direction_(direction) {}
    /// Takes a complete trial's value and configuration; returns the best text after it.
    std::string update(double value, const KnnConfig& config) {
        std::lock_guard lock(mu_);
        if (std::isnan(best_) || is_better(value, best_, direction_)) {
            best_ = value;
            text_ = best_text(value, config);
        }
        return text_;
    }
    std::string text() {
        std::lock_guard lock(mu_);
        return text_;
    }

  private:
    std::mutex mu_;
    Direction direction_;
    double best_ = std::nan("");
    std::string text_;
};

/// What one study of a model needs besides the context.
struct StudyJob {
    std::string model;
    std::vector<std::string> measures;
    std::string measure_tag;        ///< the measure of a per-measure study, else empty
    std::int64_t repeat;            ///< of tuner.repeats; seeds the study with tuner.seed + repeat
    const KnnEvaluator* evaluator;  ///< null in a distributed run
    ClusterRun* cluster;            ///< the worker ranks of a distributed run, else null
    engine::similarity::Orientation orientation;
    tbb::task_arena* arena;

    /// The study's name in the log and the progress lines: item_knn, item_knn-cosine,
    /// item_knn.r1.
    [[nodiscard]] std::string name() const {
        return model + (measure_tag.empty() ? "" : "-" + measure_tag) +
               (repeat > 0 ? ".r" + std::to_string(repeat) : "");
    }
    [[nodiscard]] std::uint64_t seed(const ExperimentConfig& cfg) const {
        return cfg.tuner.seed + static_cast<std::uint64_t>(repeat);
    }
};

std::unique_ptr<tuner::Study> open_study(const RunContext& ctx, const StudyJob& job,
                                         const tuner::SearchSpace& space,
                                         const std::string& fingerprint) {
    const ExperimentConfig& cfg = ctx.config();
    tuner::StudyOptions opt;
    opt.name = job.name();
    opt.direction = cfg.objective.metric.direction;
    opt.seed = job.seed(cfg);
    opt.config = cfg.resolved_text;
    opt.data_fingerprint = fingerprint;
    opt.open.resume = ctx.options().resume;
    opt.open.force = ctx.options().force;
    const fs::path log = ctx.folder().trials(job.model, job.measure_tag, job.repeat);
    if (!ctx.options().resume && fs::exists(log)) {
        if (holds_trials(log)) {
            throw ConfigError(log.string() +
                              ": a trial log already exists; continue it with --resume, or use "
                              "another --out folder");
        }
        // NOTE: a log without a trial (a run stopped before its first trial) holds nothing to
        // keep; the study starts it again.
        fs::remove(log);
    }
    auto sampler = tuner::make_sampler(cfg.tuner.sampler, cfg.tuner.settings, job.seed(cfg), space);
    const bool race = cfg.tuner.strategy == TuneStrategy::Race;
    if (race) {
        sampler = tuner::make_arm_sampler(std::move(sampler), "algorithm", cfg.tuner.race.share);
    }
    auto study = std::make_unique<tuner::Study>(
        space, std::move(sampler), std::make_unique<tuner::Hdf5Storage>(log.string()), opt);
    // The race runs each measure's enqueued configurations itself, as its first trials.
    if (!race) {
        for (const auto& e : cfg.search.enqueued(job.measures)) study->enqueue_json(e);
    }
    return study;
}

/// Cache hits and misses of one study's trials.
struct CacheCounts {
    std::atomic<long> hits{0};
    std::atomic<long> misses{0};
};

/// The trial's result: from a worker rank in a distributed run, else evaluated here.
TrialResult trial_outcome(const StudyJob& job, const KnnConfig& c, const std::string& objective,
                          bool per_unit, CacheCounts& counts) {
    TrialResult r = job.cluster
                        ? job.cluster->evaluate_trial(job.orientation, c, objective, per_unit)
                        : trial_result(job.evaluator->evaluate(c), objective, per_unit);
    ++(r.cache_hit ? counts.hits : counts.misses);
    return r;
}

tuner::Evaluation to_evaluation(const TrialResult& r) {
    tuner::Evaluation e;
    e.value = r.value;
    for (const auto& [name, mean] : r.metrics) e.metrics[name] = mean;
    e.metrics["fit_seconds"] = r.fit_seconds;
    e.metrics["eval_seconds"] = r.eval_seconds;
    e.metrics["cache_hit"] = r.cache_hit ? 1.0 : 0.0;
    return e;
}

tuner::Evaluation evaluate_trial(const StudyJob& job, const KnnConfig& c,
                                 const std::string& objective, CacheCounts& counts) {
    return to_evaluation(trial_outcome(job, c, objective, false, counts));
}

/// The race's objective: the trial's evaluation and the objective per validation user.
tuner::RaceEvaluation race_trial(const StudyJob& job, const KnnConfig& c,
                                 const std::string& objective, CacheCounts& counts) {
    TrialResult r = trial_outcome(job, c, objective, true, counts);
    tuner::RaceEvaluation out;
    out.evaluation = to_evaluation(r);
    out.per_unit = std::move(r.per_unit);
    if (out.per_unit.empty()) {
        throw ConfigError("tuner.strategy: race needs an objective with a value per user; '" +
                          objective + "' has none (use strategy joint)");
    }
    return out;
}

/// A race trial that may stop early: evaluated in `stages` and pruned when a check finds it
/// significantly worse than `ref` on the users so far. Without a reference (the measure has no
/// complete trial yet), or in a distributed run, the trial is evaluated whole.
tuner::RaceEvaluation staged_race_trial(const StudyJob& job, const KnnConfig& c,
                                        const std::string& objective, const PruneStages& stages,
                                        const tuner::PruneReference& ref, CacheCounts& counts) {
    if (ref.per_unit == nullptr || stages.checks.empty() || job.cluster != nullptr) {
        return race_trial(job, c, objective, counts);
    }
    StagedResult s = job.evaluator->evaluate_staged(
        c, objective, stages,
        [&](std::span<const std::size_t> units, std::span<const double> values) {
            return ref.worse(units, values);
        });
    ++(s.result.cache_hit ? counts.hits : counts.misses);
    if (s.stopped_units > 0) {
        TrialResult partial;
        partial.value = s.partial_value;
        partial.fit_seconds = s.result.fit_seconds;
        partial.eval_seconds = s.result.eval_seconds;
        partial.cache_hit = s.result.cache_hit;
        tuner::Evaluation e = to_evaluation(partial);
        e.metrics["pruned_units"] = static_cast<double>(s.stopped_units);
        throw tuner::TrialPruned(std::move(e));
    }
    TrialResult r = trial_result(s.result, objective, true);
    tuner::RaceEvaluation out;
    out.evaluation = to_evaluation(r);
    out.per_unit = std::move(r.per_unit);
    return out;
}

/// One progress note per race test: the leader, and the measures it stopped with p-values.
std::string race_note(const tuner::RaceRecord& record, const std::vector<std::string>& stopped) {
    std::string leader;
    std::string text;
    for (const tuner::RaceArm& a : record.arms) {
        if (std::find(stopped.begin(), stopped.end(), a.label) == stopped.end()) continue;
        leader = a.leader;
        text += (text.empty() ? "" : ", ") + a.label + " (Holm p=" + significant(a.p_value, 2) +
                ", " + std::to_string(a.n_trials) + " trials)";
    }
    std::int64_t racing = 0;
    for (const tuner::RaceArm& a : record.arms) racing += a.racing ? 1 : 0;
    return "race test " + std::to_string(record.n_tests) + ": " +
           (text.empty() ? "no measure stopped" : "stopped " + text + ", worse than " + leader) +
           "; " + std::to_string(racing) + " racing";
}

tuner::OptimizeResult optimize_race(const RunContext& ctx, const StudyJob& job, tuner::Study& study,
                                    const tuner::OptimizeParams& run, CacheCounts& counts) {
    const ExperimentConfig& cfg = ctx.config();
    tuner::RaceParams p;
    p.n_trials = run.n_trials;
    p.min_trials = cfg.tuner.race.min_trials;
    p.check_every = cfg.tuner.race.check_every;
    p.alpha = cfg.tuner.race.alpha;
    p.confirm = cfg.tuner.race.confirm;
    p.allocation = cfg.tuner.race.allocation;
    p.timeout_seconds = run.timeout_seconds;
    p.patience = run.patience;
    p.parallel_trials = run.parallel_trials;
    p.max_failures = run.max_failures;
    p.arena = run.arena;
    p.enqueued = cfg.search.enqueued(job.measures);
    p.on_trial_finished = run.on_trial_finished;
    p.on_test = [&](const tuner::RaceRecord& r, const std::vector<std::string>& stopped) {
        ctx.progress().note(job.model + ": " + race_note(r, stopped));
    };
    const std::string& objective = cfg.objective.metric.name;
    const bool prune = cfg.tuner.race.prune_first > 0.0;
    p.prune_alpha = prune ? cfg.tuner.race.prune_alpha : 0.0;
    PruneStages stages;
    if (prune && job.evaluator != nullptr) {
        stages = prune_stages(job.evaluator->units().size(), cfg.tuner.race.prune_first,
                              kPruneMinUnits, job.seed(cfg));
    } else if (prune) {
        ctx.progress().note(job.model +
                            ": tuner.race.prune_first is ignored in a distributed "
                            "run; every trial is evaluated whole");
    }
    return tuner::race(
        study,
        tuner::StagedRaceObjective([&](const tuner::Trial& t, const tuner::PruneReference& ref) {
            return staged_race_trial(job, config_from_trial(cfg.search, t), objective, stages, ref,
                                     counts);
        }),
        p);
}

void run_study(const RunContext& ctx, const StudyJob& job, const std::string& fingerprint) {
    const ExperimentConfig& cfg = ctx.config();
    const SearchConfig& search = cfg.search;
    const std::string& objective = cfg.objective.metric.name;
    const tuner::SearchSpace space = search.space(job.measures);
    const std::unique_ptr<tuner::Study> owned = open_study(ctx, job, space, fingerprint);
    tuner::Study& study = *owned;
    BestSoFar best(study.direction());
    const std::vector<tuner::FrozenTrial> earlier = study.trials();
    if (const tuner::FrozenTrial* t = tuner::best_trial(earlier, study.direction())) {
        (void)best.update(t->value, config_from_trial(search, tuner::Trial(space, *t)));
    }
    ctx.progress().start(job.name(), cfg.tuner.n_trials, study.n_finished());

    tuner::OptimizeParams run;
    run.n_trials = cfg.tuner.n_trials;
    run.timeout_seconds = cfg.tuner.timeout_seconds;
    run.patience = cfg.tuner.patience;
    run.parallel_trials = static_cast<std::size_t>(cfg.tuner.parallel_trials);
    run.max_failures = cfg.tuner.max_failures;
    run.arena = job.arena;
    run.on_trial_finished = [&](const tuner::FrozenTrial& t) {
        const KnnConfig c = config_from_trial(search, tuner::Trial(space, t));
        std::string line = "#" + std::to_string(t.number) + " ";
        std::string best_line;
        if (t.state == tuner::TrialState::Complete) {
            line += objective + "=" + significant(t.value, 5);
            best_line = best.update(t.value, c);
        } else if (const auto at = t.metrics.find("pruned_units"); at != t.metrics.end()) {
            line += "Pruned after " + std::to_string(static_cast<long>(at->second)) + " users (" +
                    objective + "=" + significant(t.value, 5) + " on them)";
            best_line = best.text();
        } else {
            line +=
                std::string(tuner::state_name(t.state)) + (t.error.empty() ? "" : ": " + t.error);
            best_line = best.text();
        }
        line += "  " + c.describe() + "  (" + significant(t.duration(), 5) + " s)";
        ctx.progress().step(line, best_line);
    };
    CacheCounts counts;
    tuner::OptimizeResult result;
    try {
        result = cfg.tuner.strategy == TuneStrategy::Race
                     ? optimize_race(ctx, job, study, run, counts)
                     : study.optimize(
                           [&](const tuner::Trial& t) {
                               return evaluate_trial(job, config_from_trial(search, t), objective,
                                                     counts);
                           },
                           run);
    } catch (const tuner::FailuresError& e) {
        ctx.progress().finish(std::to_string(study.n_finished()) +
                              " trials finished (stopped: trials keep failing)");
        throw TrialsFailedError(
            job.name() + ": stopped, " + e.what() + "; the log " +
            ctx.folder().trials(job.model, job.measure_tag, job.repeat).string() +
            " keeps them. Remove the cause (for memory: a smaller search.k, fewer "
            "tuner.parallel_trials) and continue with --resume, or raise tuner.max_failures (" +
            std::to_string(cfg.tuner.max_failures) + "; 0: never stop)");
    }
    study.flush();  // the log file alone is now complete (docs/trial-log.md)
    ctx.progress().finish(std::to_string(study.n_finished()) + " trials finished (" +
                          std::string(tuner::stop_reason_name(result.reason)) + "); " +
                          (best.text().empty() ? "no complete trial" : best.text()) + "; cache " +
                          std::to_string(counts.hits.load()) + " hits, " +
                          std::to_string(counts.misses.load()) + " misses; log " +
                          ctx.folder().trials(job.model, job.measure_tag, job.repeat).string());
}

void tune_model(const RunContext& ctx, sim::Orientation o) {
    const ExperimentConfig& cfg = ctx.config();
    const engine::PreparedData& d = ctx.data();
    const std::string model = model_name(o);
    ClusterRun* cluster = ctx.cluster();
    // NOTE: in a distributed run the trials of a batch only wait for their worker ranks here,
    // so rank 0 runs all of them at once whatever its cores; each worker builds its own
    // evaluator (and cache).
    // The limit is raised too: an MPI launcher often binds rank 0 to one core, and TBB would
    // then run the waiting trials one at a time, leaving all workers but one idle.
    const int waiting = static_cast<int>(std::max<std::int64_t>(cfg.tuner.parallel_trials, 2));
    std::unique_ptr<tbb::global_control> limit;
    if (cluster) {
        limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                      static_cast<std::size_t>(waiting));
    }
    std::unique_ptr<tbb::task_arena> arena =
        cluster ? std::make_unique<tbb::task_arena>(waiting)
                : std::make_unique<tbb::task_arena>();  // trials and their kernels share it
    std::unique_ptr<KnnEvaluator> evaluator;
    if (!cluster) {
        evaluator = std::make_unique<KnnEvaluator>(
            d.matrix(Period::TrainVal), d.matrix(Period::Valid), o, cfg.objective.all(),
            static_cast<std::size_t>(cfg.tuner.cache_max_pairs));
        note_cache(ctx, *evaluator, model);
    } else {
        ctx.progress().note(model + ": trials run on " + std::to_string(cluster->workers()) +
                            " worker ranks, " + std::to_string(cfg.tuner.parallel_trials) +
                            " at a time");
    }
    for (std::int64_t r = 0; r < cfg.tuner.repeats; ++r) {
        for (const auto& group : study_groups(cfg)) {
            const StudyJob job{model, group,           cfg.tuner.per_measure() ? group.front() : "",
                               r,     evaluator.get(), cluster,
                               o,     arena.get()};
            run_study(ctx, job, d.fingerprint());
        }
    }
    if (cluster) ctx.progress().note(model + ": " + cluster->describe_traffic());
}

}  // namespace

void tune_stage(const RunContext& ctx) {
    for (const auto o : ctx.config().models) tune_model(ctx, o);
}

}  // namespace knntune::exp
