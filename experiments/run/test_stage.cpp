#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>

#include "common/assert.hpp"
#include "common/text.hpp"
#include "engine/baselines.hpp"
#include "engine/model_io.hpp"
#include "experiments/knn_study.hpp"
#include "experiments/run/results.hpp"
#include "experiments/run/stages.hpp"
#include "tuner/hdf5_storage.hpp"

namespace knntune::exp {

namespace fs = std::filesystem;
namespace sim = engine::similarity;
using engine::Period;

namespace {

/// Each measure's validation winner over every log of `model` (ties keep the earliest
/// trial), with the count of its complete trials.
std::vector<MeasureResult> validation_winners(const RunContext& ctx, const std::string& model) {
    const ExperimentConfig& cfg = ctx.config();
    const Direction direction = cfg.objective.metric.direction;
    std::map<std::string, MeasureResult> winners;
    std::map<std::string, std::int64_t> counts;
    for (const fs::path& log : ctx.folder().model_logs(model, cfg.tuner.per_measure(),
                                                       cfg.search.measures, cfg.tuner.repeats)) {
        if (!fs::exists(log)) {
            throw ConfigError(log.string() + ": no trial log (run 'knntune tune' first)");
        }
        const tuner::TrialLog tl = tuner::read_trial_log(log.string());
        for (const tuner::FrozenTrial& t : tl.trials) {
            if (t.state == tuner::TrialState::Complete)
                ++counts[tuner::Trial(tl.space, t).choice("algorithm")];
        }
        for (const auto& [measure, t] :
             tuner::best_trials_by(tl.space, tl.trials, direction, "algorithm")) {
            const auto it = winners.find(measure);
            if (it != winners.end() && !is_better(t.value, it->second.valid_value, direction)) {
                continue;
            }
            winners[measure] = {.measure = measure,
                                .trial = t.number,
                                .log = log.filename().string(),
                                .valid_value = t.value,
                                .config = config_from_trial(cfg.search, tuner::Trial(tl.space, t))};
        }
    }
    if (winners.empty()) throw ConfigError(model + ": no completed trial to test");
    std::vector<MeasureResult> out;
    for (auto& [name, m] : winners) {
        m.n_trials = counts[name];
        out.push_back(std::move(m));
    }
    return out;
}

/// The similarity of `config` on train: its rows split across the ranks of a distributed run.
engine::CsrMatrix fit_on_train(const RunContext& ctx, sim::Orientation o, const KnnConfig& config) {
    if (ctx.cluster()) return ctx.cluster()->fit(Period::Train, o, config);
    return fit_knn(ctx.data().matrix(Period::Train), o, config);
}

/// Fits `m`'s configuration on train and scores test.
void score_on_test(const RunContext& ctx, sim::Orientation o, ModelResult& result,
                   MeasureResult& m) {
    const engine::PreparedData& d = ctx.data();
    const KnnEvaluator evaluator(d.matrix(Period::Train), d.matrix(Period::Test), o,
                                 ctx.config().objective.all());
    // NOTE: one process fits through the evaluator, which computes only the rows user-KNN
    // reads (the test users'); a distributed fit splits every row across the ranks.
    const KnnResult r = [&] {
        if (!ctx.cluster()) return evaluator.evaluate(m.config);
        const auto t0 = std::chrono::steady_clock::now();
        const engine::CsrMatrix s = fit_on_train(ctx, o, m.config);
        return evaluator.evaluate_similarity(
            s, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }();
    result.users = r.evaluation.users;
    for (const auto& mr : r.evaluation.metrics) {
        m.test_metrics.emplace_back(mr.spec.name, mr.mean);
        if (!mr.per_user.empty()) m.per_user[mr.spec.name] = mr.per_user;
    }
    m.fit_seconds = r.fit_seconds;
    m.eval_seconds = r.eval_seconds;
}

/// Every baseline scored on valid (fit on train_val) and on test (fit on train), on the users
/// and metrics of the measures; random draws with tuner.seed.
std::vector<BaselineResult> score_baselines(const RunContext& ctx, const ModelResult& result) {
    const engine::PreparedData& d = ctx.data();
    const auto metrics = ctx.config().objective.all();
    const std::uint64_t seed = ctx.config().tuner.seed;
    std::vector<BaselineResult> out;
    for (const engine::BaselineInfo& info : engine::baseline_table()) {
        BaselineResult b;
        b.baseline = std::string(info.name);
        b.seed = info.id == engine::Baseline::Random ? seed : 0;
        const KnnResult valid = evaluate_baseline(
            d.matrix(Period::TrainVal), d.matrix(Period::Valid), info.id, b.seed, metrics);
        b.valid_value = valid.evaluation.metrics.front().mean;
        const KnnResult test = evaluate_baseline(d.matrix(Period::Train), d.matrix(Period::Test),
                                                 info.id, b.seed, metrics);
        KNNTUNE_ASSERT(test.evaluation.users == result.users);
        for (const auto& mr : test.evaluation.metrics) {
            b.test_metrics.emplace_back(mr.spec.name, mr.mean);
            if (!mr.per_user.empty()) b.per_user[mr.spec.name] = mr.per_user;
        }
        b.eval_seconds = test.eval_seconds;
        ctx.progress().step(b.baseline + " (baseline) test " + result.objective + "=" +
                                significant(b.test_metrics.front().second, 5),
                            "");
        out.push_back(std::move(b));
    }
    return out;
}

/// The item-KNN model file: the best configuration refitted on train, with the id maps.
void save_item_model(const RunContext& ctx, const ModelResult& result) {
    const engine::PreparedData& d = ctx.data();
    const MeasureResult& best = result.best();
    engine::SimilarityModel sm;
    sm.model = result.model;
    sm.measure = best.measure;
    sm.params_json = boost::json::serialize(typed_params_json(best.measure, best.config.params));
    sm.fingerprint = d.fingerprint();
    sm.similarity = fit_on_train(ctx, sim::Orientation::Item, best.config);
    sm.train = d.matrix(Period::Train);
    sm.user_keys = d.user_keys;
    sm.item_keys = d.item_keys;
    sm.item_names = d.item_names;
    sm.item_attributes = d.item_attributes;
    engine::save_model(sm, ctx.folder().model(result.model).string());
}

void test_model(const RunContext& ctx, sim::Orientation o) {
    const ExperimentConfig& cfg = ctx.config();
    const Direction direction = cfg.objective.metric.direction;
    ModelResult result;
    result.model = model_name(o);
    result.objective = cfg.objective.metric.name;
    result.maximize = direction == Direction::Maximize;
    std::vector<MeasureResult> winners = validation_winners(ctx, result.model);
    ctx.progress().start(result.model + " test",
                         static_cast<long>(winners.size() + engine::baseline_table().size()));
    for (MeasureResult& m : winners) {
        score_on_test(ctx, o, result, m);
        ctx.progress().step(m.measure + " test " + result.objective + "=" +
                                significant(m.test_metrics.front().second, 5),
                            "");
        result.measures.push_back(std::move(m));
    }
    std::stable_sort(result.measures.begin(), result.measures.end(),
                     [&](const MeasureResult& a, const MeasureResult& b) {
                         return is_better(a.valid_value, b.valid_value, direction);
                     });
    result.baselines = score_baselines(ctx, result);
    const fs::path path = ctx.folder().test(result.model);
    save_model_result(result, path);
    ctx.progress().finish(
        "best on valid: " + result.best().config.describe() + "; test " + result.objective + "=" +
        significant(result.best().test_metrics.front().second, 5) + "; wrote " + path.string());
    if (o == sim::Orientation::Item) save_item_model(ctx, result);
}

}  // namespace

void test_stage(const RunContext& ctx) {
    for (const auto o : ctx.config().models) test_model(ctx, o);
}

}  // namespace knntune::exp
