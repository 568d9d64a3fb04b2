#include "experiments/runner.hpp"

#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cmath>
#include <fstream>
#include <mutex>
#include <sstream>

#include "engine/data/prepared_io.hpp"
#include "engine/error.hpp"
#include "engine/model_io.hpp"
#include "common/atomic_file.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/sampler.hpp"
#include "tuner/study.hpp"

namespace knntune::exp {

namespace fs = std::filesystem;
namespace json = boost::json;
namespace sim = engine::similarity;
using engine::Period;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

tuner::Direction direction_of(const engine::MetricSpec& m) { return m.direction; }

std::string format_value(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.5g", v);
    return buf;
}

}  // namespace

Runner::Runner(ExperimentConfig config, fs::path dir, Progress& progress)
    : config_(std::move(config)), folder_(std::move(dir)), progress_(&progress) {}

ExperimentConfig Runner::load_run_config(const fs::path& dir) {
    const fs::path p = RunFolder(dir).config();
    if (!fs::exists(p)) {
        throw ConfigError(dir.string() + ": not a run folder (no " + p.filename().string() +
                          "; start one with 'knntune run CONFIG' or 'knntune tune CONFIG')");
    }
    ExperimentConfig cfg = read_experiment_config(ConfigDoc::load(p.string()));
    cfg.data.output_dir = dir.string();
    return cfg;
}

void Runner::init_folder(bool overwrite) {
    fs::create_directories(folder_.dir());
    const fs::path p = folder_.config();
    if (fs::exists(p) && !overwrite) {
        const std::string old = slurp(p);
        if (old != config_.resolved_text) {
            throw ConfigError(folder_.dir().string() + ": holds a run of a different config (" +
                              p.filename().string() + " differs); use another --out folder, or "
                              "delete the folder to start again");
        }
        return;
    }
    write_file_atomic(p.string(), config_.resolved_text);
}

const engine::PreparedData& Runner::data() {
    if (data_) return *data_;
    const fs::path p = folder_.prepared();
    if (fs::exists(p)) {
        engine::PreparedMeta meta;
        auto loaded = std::make_unique<engine::PreparedData>(engine::load_prepared(p.string(), &meta));
        if (meta.config_text == config_.data.source_text) {
            progress_->note("data     " + p.string() + " (prepared earlier; fingerprint " +
                            loaded->fingerprint() + ")");
            data_ = std::move(loaded);
            return *data_;
        }
        progress_->note("data     " + p.string() + " was prepared from other data/split settings: preparing again");
    }
    engine::RawLog log = engine::read_log(config_.data.log);
    data_ = std::make_unique<engine::PreparedData>(engine::prepare(std::move(log), config_.data.prepare));
    fs::create_directories(folder_.dir());
    engine::save_prepared(*data_, {config_.data.log.path, config_.data.source_text}, p.string());
    progress_->note("data     " + std::to_string(data_->user_keys.size()) + " users, " +
                    std::to_string(data_->item_keys.size()) + " items; fingerprint " +
                    data_->fingerprint() + "\n\n" + engine::format_stats_table(*data_));
    return *data_;
}

void Runner::tune(bool resume, bool force) {
    for (const auto o : config_.models) tune_model(o, resume, force);
}

void Runner::tune_model(sim::Orientation o, bool resume, bool force) {
    const engine::PreparedData& d = data();
    const engine::CsrMatrix& train = d.matrix(Period::TrainVal);
    const engine::CsrMatrix& target = d.matrix(Period::Valid);
    const std::string model = model_name(o);
    const auto metrics = config_.objective.all();
    const std::string objective_name = config_.objective.metric.name;
    const SearchConfig& search = config_.search;
    std::vector<std::vector<std::string>> groups;
    if (config_.tuner.per_measure) {
        for (const auto& m : search.measures) groups.push_back({m});
    } else {
        groups.push_back(search.measures);
    }
    tbb::task_arena arena;  // one arena for the trials and the kernels inside them
    const KnnEvaluator evaluator(train, target, o, metrics, config_.tuner.cache_max_pairs);
    if (evaluator.cache_pairs() > 0) {
        progress_->note(model + ": co-occurrence cache of " + std::to_string(evaluator.cache_pairs()) +
                        " pairs (" + std::to_string(evaluator.cache_bytes() >> 20) +
                        " MiB); measures other than p3alpha/rp3beta re-score it per trial");
    } else if (config_.tuner.cache_max_pairs > 0) {
        progress_->note(model + ": no co-occurrence cache (input not binary, or more than "
                        "tuner.cache_max_pairs pairs); every trial computes from scratch");
    }
    std::atomic<long> cache_hits{0};
    std::atomic<long> cache_misses{0};
    for (const auto& group : groups) {
        const std::string measure_tag = config_.tuner.per_measure ? group.front() : "";
        const tuner::SearchSpace space = build_space(search, group);
        tuner::StudyOptions opt;
        opt.name = model + (measure_tag.empty() ? "" : "-" + measure_tag);
        opt.direction = direction_of(config_.objective.metric);
        opt.seed = config_.tuner.seed;
        opt.config = config_.resolved_text;
        opt.data_fingerprint = d.fingerprint();
        opt.open.resume = resume;
        opt.open.force = force;
        const fs::path log_path = folder_.trials(model, measure_tag);
        if (!resume && fs::exists(log_path)) {
            throw ConfigError(log_path.string() + ": a trial log already exists; continue it with "
                              "--resume, or use another --out folder");
        }
        tuner::Study study(space,
                           tuner::make_sampler(config_.tuner.sampler, config_.tuner.settings,
                                               config_.tuner.seed, space),
                           std::make_unique<tuner::Hdf5Storage>(log_path.string()), opt);
        for (const auto& e : enqueue_objects(search, group)) study.enqueue_json(e);

        std::mutex best_mu;
        double best_value = std::numeric_limits<double>::quiet_NaN();
        std::string best_text;
        const bool maximize = opt.direction == tuner::Direction::Maximize;
        for (const auto& t : study.trials()) {
            if (t.state == tuner::TrialState::Complete &&
                (std::isnan(best_value) || (maximize ? t.value > best_value : t.value < best_value))) {
                best_value = t.value;
                best_text = objective_name + "=" + format_value(t.value) + " (" +
                            config_from_trial(search, tuner::Trial(space, t)).measure + ")";
            }
        }
        progress_->start(opt.name, config_.tuner.n_trials, study.n_finished());

        tuner::OptimizeParams run;
        run.n_trials = config_.tuner.n_trials;
        run.timeout_seconds = config_.tuner.timeout_seconds;
        run.patience = config_.tuner.patience;
        run.parallel_trials = config_.tuner.parallel_trials;
        run.arena = &arena;
        run.on_trial_finished = [&](const tuner::FrozenTrial& t) {
            const KnnConfig c = config_from_trial(search, tuner::Trial(space, t));
            std::string line = "#" + std::to_string(t.number) + " ";
            std::string best;
            {
                std::lock_guard lock(best_mu);
                if (t.state == tuner::TrialState::Complete) {
                    line += objective_name + "=" + format_value(t.value);
                    if (std::isnan(best_value) || (maximize ? t.value > best_value : t.value < best_value)) {
                        best_value = t.value;
                        best_text = objective_name + "=" + format_value(t.value) + " (" + c.measure + ")";
                    }
                } else {
                    line += std::string(tuner::state_name(t.state)) + (t.error.empty() ? "" : ": " + t.error);
                }
                best = "best " + best_text;
            }
            line += "  " + c.describe() + "  (" + format_value(t.duration()) + " s)";
            progress_->step(line, best);
        };
        const auto result = study.optimize(
            [&](const tuner::Trial& t) {
                const KnnConfig c = config_from_trial(search, t);
                const KnnResult r = evaluator.evaluate(c);
                (r.cache_hit ? cache_hits : cache_misses)++;
                tuner::Evaluation e;
                e.value = r.metric(objective_name);
                for (const auto& m : r.evaluation.metrics) e.metrics[m.spec.name] = m.mean;
                e.metrics["fit_seconds"] = r.fit_seconds;
                e.metrics["eval_seconds"] = r.eval_seconds;
                e.metrics["cache_hit"] = r.cache_hit ? 1.0 : 0.0;
                return e;
            },
            run);
        progress_->finish(std::to_string(study.n_finished()) + " trials finished (" +
                          std::string(tuner::stop_reason_name(result.reason)) + "); best " +
                          best_text + "; cache " + std::to_string(cache_hits.load()) + " hits, " +
                          std::to_string(cache_misses.load()) + " misses; log " + log_path.string());
    }
}

void Runner::test() {
    const engine::PreparedData& d = data();
    const engine::CsrMatrix& train = d.matrix(Period::Train);
    const engine::CsrMatrix& target = d.matrix(Period::Test);
    const auto metrics = config_.objective.all();
    const bool maximize = config_.objective.metric.direction == engine::Direction::Maximize;
    for (const auto o : config_.models) {
        const std::string model = model_name(o);
        // Validation winner of each measure, over every log of this model.
        std::map<std::string, MeasureResult> winners;
        std::map<std::string, std::int64_t> counts;
        std::vector<fs::path> logs;
        if (config_.tuner.per_measure) {
            for (const auto& m : config_.search.measures) logs.push_back(folder_.trials(model, m));
        } else {
            logs.push_back(folder_.trials(model));
        }
        for (const fs::path& log : logs) {
            if (!fs::exists(log)) {
                throw ConfigError(log.string() + ": no trial log (run 'knntune tune' first)");
            }
            const tuner::TrialLog tl = tuner::read_trial_log(log.string());
            for (const tuner::FrozenTrial& t : tl.trials) {
                if (t.state != tuner::TrialState::Complete) continue;
                const KnnConfig c = config_from_trial(config_.search, tuner::Trial(tl.space, t));
                ++counts[c.measure];
                auto it = winners.find(c.measure);
                // Ties keep the earliest trial.
                if (it == winners.end() || (maximize ? t.value > it->second.valid_value
                                                     : t.value < it->second.valid_value)) {
                    MeasureResult m;
                    m.measure = c.measure;
                    m.trial = t.number;
                    m.log = log.filename().string();
                    m.valid_value = t.value;
                    m.config = c;
                    winners[c.measure] = std::move(m);
                }
            }
        }
        if (winners.empty()) throw ConfigError(model + ": no completed trial to test");
        ModelResult result;
        result.model = model;
        result.objective = config_.objective.metric.name;
        result.maximize = maximize;
        progress_->start(model + " test", static_cast<long>(winners.size()));
        for (auto& [name, m] : winners) {
            m.n_trials = counts[name];
            const KnnResult r = evaluate_knn(train, target, o, m.config, metrics);
            result.users = r.evaluation.users;
            for (const auto& mr : r.evaluation.metrics) {
                m.test_metrics.emplace_back(mr.spec.name, mr.mean);
                if (!mr.per_user.empty()) m.per_user[mr.spec.name] = mr.per_user;
            }
            m.fit_seconds = r.fit_seconds;
            m.eval_seconds = r.eval_seconds;
            progress_->step(name + " test " + result.objective + "=" +
                                format_value(m.test_metrics.front().second),
                            "");
            result.measures.push_back(std::move(m));
        }
        std::stable_sort(result.measures.begin(), result.measures.end(),
                         [&](const MeasureResult& a, const MeasureResult& b) {
                             return maximize ? a.valid_value > b.valid_value : a.valid_value < b.valid_value;
                         });
        save_model_result(result, folder_.test(model));
        const MeasureResult& best = result.best();
        progress_->finish("best on valid: " + best.config.describe() + "; test " +
                          result.objective + "=" + format_value(best.test_metrics.front().second) +
                          "; wrote " + folder_.test(model).string());
        if (o == sim::Orientation::Item) {
            engine::SimilarityModel sm;
            sm.model = model;
            sm.measure = best.measure;
            sm.params_json = json::serialize(params_to_json(best.config.params));
            sm.fingerprint = d.fingerprint();
            sm.similarity = fit_knn(train, o, best.config);
            sm.train = train;
            sm.user_keys = d.user_keys;
            sm.item_keys = d.item_keys;
            sm.item_names = d.item_names;
            sm.item_attributes = d.item_attributes;
            engine::save_model(sm, folder_.model(model).string());
        }
    }
}

}  // namespace knntune::exp
