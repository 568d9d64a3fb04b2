#include "experiments/knn_study.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "common/random.hpp"
#include "common/text.hpp"
#include "engine/error.hpp"
#include "engine/recommend.hpp"
#include "engine/similarity/cooccurrence.hpp"
#include "engine/similarity/similarity.hpp"

namespace knntune::exp {

namespace sim = engine::similarity;
namespace json = boost::json;

std::string KnnConfig::describe() const {
    std::string out = measure;
    for (const auto& [name, value] : params) {
        out += " " + name + "=";
        if (const double* d = std::get_if<double>(&value)) {
            out += significant(*d, 4);
        } else {
            out += std::get<std::string>(value);
        }
    }
    return out;
}

std::string best_text(double value, const KnnConfig& config) {
    return "best " + significant(value, 4) + " " + config.describe();
}

KnnConfig config_from_trial(const SearchConfig& search, const tuner::Trial& trial) {
    KnnConfig c;
    c.measure = trial.choice("algorithm");
    c.params = search.fixed;
    for (const auto& [name, r] : search.shared) {
        c.params[name] = r.fixed ? *r.fixed : Value(trial.value(name));
    }
    for (const auto& [name, r] : search.own_ranges(c.measure)) {
        c.params[name] = r.fixed ? *r.fixed : Value(trial.value(c.measure + "." + name));
    }
    return c;
}

KnnConfig config_from_values(const SearchConfig& search, const std::string& measure,
                             const sim::ParamMap& values) {
    KnnConfig c;
    c.measure = measure;
    const sim::Measure m = sim::measure_from_name(measure);
    const auto own = search.own_ranges(measure);
    c.params = search.fixed;
    for (const auto& ranges : {search.shared, own}) {
        for (const auto& [name, r] : ranges) {
            if (r.fixed) c.params[name] = *r.fixed;
        }
    }
    for (const auto& [name, value] : values) {
        const std::string* text = std::get_if<std::string>(&value);
        char* end = nullptr;
        const double v = text != nullptr ? std::strtod(text->c_str(), &end) : 0.0;
        const bool number = text != nullptr && end != text->c_str() && *end == '\0';
        c.params[name] = number ? sim::ParamValue(v) : value;
    }
    // Every tuned parameter must be given: a silently defaulted one would not match a trial.
    for (const auto& ranges : {search.shared, own}) {
        for (const auto& [name, r] : ranges) {
            if (c.params.count(name) == 0) {
                throw engine::ParamError("missing '" + name + "' of " + measure +
                                         " (the config tunes it; give --param " + name + "=...)");
            }
        }
    }
    (void)sim::parse_params(m, c.params);  // validates names and ranges
    return c;
}

json::object params_to_json(const sim::ParamMap& params) {
    json::object o;
    for (const auto& [k, v] : params) {
        if (const double* d = std::get_if<double>(&v)) {
            o[k] = *d;
        } else {
            o[k] = std::get<std::string>(v);
        }
    }
    return o;
}

namespace {

/// The key called `name` among the common keys and `measure`'s own, or null.
const KeyInfo* param_key(sim::Measure measure, std::string_view name) {
    for (const auto keys : {sim::common_keys(), sim::own_keys(measure)}) {
        for (const KeyInfo& k : keys) {
            if (k.name == name) return &k;
        }
    }
    return nullptr;
}

/// `value` of key `info` as a typed JSON value, or null when the key does not accept it.
json::value typed_value(const KeyInfo& info, const Value& value) {
    Parsed p;
    if (check_value(info, value, info.name, p)) return nullptr;
    switch (info.type) {
        case KeyType::Int:
            // Integers beyond 2^53 are not exact in a double: they stay reals.
            if (std::abs(p.number) < 9007199254740992.0) {
                return static_cast<std::int64_t>(p.number);
            }
            return p.number;
        case KeyType::Real:
            return p.number;
        case KeyType::Bool:
            return p.number != 0;
        case KeyType::Choice:
            return json::string(split_choices(info.choices)[p.choice]);
    }
    return nullptr;
}

}  // namespace

json::object typed_params_json(const std::string& measure, const sim::ParamMap& params) {
    const sim::Measure m = sim::measure_from_name(measure);
    json::object o = params_to_json(params);
    for (const auto& [name, value] : params) {
        const KeyInfo* info = param_key(m, name);
        if (info == nullptr) continue;
        json::value typed = typed_value(*info, value);
        if (!typed.is_null()) o[name] = std::move(typed);
    }
    return o;
}

sim::ParamMap params_from_json(const json::object& o) {
    sim::ParamMap p;
    for (const auto& [k, v] : o) {
        if (v.is_bool()) {
            p[std::string(k)] = std::string(v.as_bool() ? "true" : "false");
        } else if (v.is_string()) {
            p[std::string(k)] = std::string(v.as_string());
        } else {
            p[std::string(k)] = v.to_number<double>();
        }
    }
    return p;
}

double KnnResult::metric(const std::string& name) const {
    for (const auto& m : evaluation.metrics) {
        if (m.spec.name == name) return m.mean;
    }
    throw engine::ParamError("metric '" + name + "' was not computed");
}

struct KnnEvaluator::Cache {
    sim::CooccurrenceCache cooccurrence;
};

KnnEvaluator::KnnEvaluator(const engine::CsrMatrix& train, const engine::CsrMatrix& target,
                           sim::Orientation orientation, std::vector<engine::MetricSpec> metrics,
                           std::size_t cache_max_pairs)
    : train_(train), target_(target), orientation_(orientation), metrics_(std::move(metrics)) {
    popularity_ = engine::column_counts(train_);
    user_mask_.assign(static_cast<std::size_t>(target_.rows), 0);
    for (engine::Index u = 0; u < target_.rows; ++u) {
        user_mask_[u] = target_.row_nnz(u) > 0 ? 1 : 0;
        if (user_mask_[u] != 0) units_.push_back(u);
    }
    for (const auto& m : metrics_) top_n_ = std::max(top_n_, m.cutoff);
    if (cache_max_pairs > 0) {
        auto built = sim::CooccurrenceCache::build(train_, orientation_, cache_max_pairs);
        if (built) cache_ = std::make_unique<Cache>(Cache{std::move(*built)});
    }
}

KnnEvaluator::~KnnEvaluator() = default;

engine::Offset KnnEvaluator::cache_pairs() const {
    return cache_ ? cache_->cooccurrence.pairs() : 0;
}
std::size_t KnnEvaluator::cache_bytes() const {
    return cache_ ? cache_->cooccurrence.memory_bytes() : 0;
}

engine::CsrMatrix KnnEvaluator::fit(const KnnConfig& config, bool* cache_hit) const {
    return fit_rows(config, cache_hit, nullptr);
}

engine::CsrMatrix KnnEvaluator::fit_rows(const KnnConfig& config, bool* cache_hit,
                                         const std::vector<std::uint8_t>* rows) const {
    const sim::Measure m = sim::measure_from_name(config.measure);
    const sim::SimilarityParams p = sim::parse_params(m, config.params);
    const bool hit = cache_ && cache_->cooccurrence.supports(m, p);
    if (cache_hit != nullptr) *cache_hit = hit;
    // NOTE: item-KNN recommendation transposes S, so row order is irrelevant there and the
    // sort of each row's top-k is skipped (from the cache and from the kernel); user-KNN sums
    // S's rows in storage order, so it keeps the ranked order that a from-scratch fit has
    // (identical sums, identical metrics).
    const bool ranked = orientation_ == sim::Orientation::User;
    if (hit) return cache_->cooccurrence.score(m, p, ranked, rows);
    if (sim::takes_selection(m, p)) {
        return sim::compute_similarity(train_, orientation_, m, p,
                                       sim::Selection{.row_mask = rows, .ranked = ranked});
    }
    return sim::compute_similarity(train_, orientation_, m, p);
}

bool KnnEvaluator::fits_rows(const KnnConfig& config) const {
    const sim::Measure m = sim::measure_from_name(config.measure);
    const sim::SimilarityParams p = sim::parse_params(m, config.params);
    return (cache_ && cache_->cooccurrence.supports(m, p)) || sim::takes_selection(m, p);
}

PruneStages prune_stages(std::size_t n_units, double first, std::size_t min_units,
                         std::uint64_t seed) {
    PruneStages s;
    s.order.resize(n_units);
    for (std::size_t i = 0; i < n_units; ++i) s.order[i] = i;
    Rng rng(seed, 0);
    for (std::size_t i = 0; i + 1 < n_units; ++i) {
        std::swap(s.order[i], s.order[i + rng.below(n_units - i)]);
    }
    if (first <= 0.0) return s;
    auto at = std::max(min_units,
                       static_cast<std::size_t>(std::ceil(first * static_cast<double>(n_units))));
    for (; at < n_units; at *= 2) s.checks.push_back(at);
    return s;
}

namespace {

/// One matrix whose row r is row r of `parts[owner[r]]`, empty where `owner[r]` < 0.
engine::CsrMatrix rows_of(std::span<const engine::CsrMatrix* const> parts,
                          std::span<const std::int32_t> owner, engine::Index cols) {
    const auto rows = static_cast<engine::Index>(owner.size());
    engine::CsrMatrix out(rows, cols);
    for (engine::Index r = 0; r < rows; ++r) {
        out.indptr[r + 1] = out.indptr[r] + (owner[r] < 0 ? 0 : parts[owner[r]]->row_nnz(r));
    }
    out.indices.reserve(static_cast<std::size_t>(out.nnz()));
    out.values.reserve(static_cast<std::size_t>(out.nnz()));
    for (engine::Index r = 0; r < rows; ++r) {
        if (owner[r] < 0) continue;
        const auto idx = parts[owner[r]]->row_indices(r);
        const auto val = parts[owner[r]]->row_values(r);
        out.indices.insert(out.indices.end(), idx.begin(), idx.end());
        out.values.insert(out.values.end(), val.begin(), val.end());
    }
    return out;
}

/// Per user, the objective `spec` of the lists `recs` against `target`, for the users whose
/// `in_stage` is 0 (0 for the others).
std::vector<double> objective_by_user(const engine::CsrMatrix& recs,
                                      const engine::CsrMatrix& target,
                                      std::span<const std::int32_t> in_stage,
                                      std::span<const engine::Offset> popularity,
                                      const engine::MetricSpec& spec) {
    const engine::CsrMatrix* whole = &target;
    const engine::Evaluation e =
        engine::evaluate_metrics(recs, rows_of(std::span(&whole, 1), in_stage, target.cols),
                                 popularity, std::span(&spec, 1));
    std::vector<double> by_user(static_cast<std::size_t>(target.rows), 0.0);
    for (std::size_t j = 0; j < e.users.size(); ++j) by_user[e.users[j]] = e.metrics[0].per_user[j];
    return by_user;
}

}  // namespace

StagedResult KnnEvaluator::evaluate_staged(const KnnConfig& config, const std::string& objective,
                                           const PruneStages& stages,
                                           const StageCheck& check) const {
    using Clock = std::chrono::steady_clock;
    if (stages.order.size() != units_.size()) {
        throw engine::ParamError("evaluate_staged: " + std::to_string(stages.order.size()) +
                                 " units in the stages, " + std::to_string(units_.size()) +
                                 " evaluated users");
    }
    const engine::MetricSpec* spec = nullptr;
    for (const auto& m : metrics_) spec = m.name == objective ? &m : spec;
    if (spec == nullptr) throw engine::ParamError("metric '" + objective + "' is not computed");
    const bool user = orientation_ == sim::Orientation::User;
    const bool by_stage = user && fits_rows(config);
    StagedResult out;
    bool hit = false;
    auto t0 = Clock::now();
    engine::CsrMatrix s;
    if (!by_stage) s = fit_rows(config, &hit, user ? &user_mask_ : nullptr);
    double fit_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    double eval_seconds = 0.0;
    std::vector<engine::CsrMatrix> parts;
    std::vector<std::int32_t> owner(static_cast<std::size_t>(train_.rows), -1);
    std::vector<double> done;  // the objective of order[0..done.size())
    std::vector<std::size_t> ends = stages.checks;
    ends.push_back(stages.order.size());
    for (std::size_t stage = 0, from = 0; stage < ends.size(); from = ends[stage++]) {
        std::vector<std::uint8_t> mask(static_cast<std::size_t>(train_.rows), 0);
        std::vector<std::int32_t> in_stage(mask.size(), -1);  // 0 for the stage's users
        for (std::size_t i = from; i < ends[stage]; ++i) {
            const engine::Index u = units_[stages.order[i]];
            mask[u] = 1;
            in_stage[u] = 0;
            owner[u] = static_cast<std::int32_t>(stage);
        }
        if (by_stage) {
            t0 = Clock::now();
            s = fit_rows(config, &hit, &mask);
            fit_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
        }
        t0 = Clock::now();
        engine::RecommendParams rp;
        rp.top_n = top_n_;
        rp.user_mask = mask;
        parts.push_back(engine::recommend(train_, s, orientation_, rp));
        if (stage + 1 < ends.size()) {
            const std::vector<double> by_user =
                objective_by_user(parts.back(), target_, in_stage, popularity_, *spec);
            for (std::size_t i = from; i < ends[stage]; ++i) {
                done.push_back(by_user[units_[stages.order[i]]]);
            }
            eval_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
            const std::span<const std::size_t> so_far(stages.order.data(), done.size());
            if (check(so_far, done)) {
                double sum = 0.0;
                for (const double v : done) sum += v;
                out.stopped_units = done.size();
                out.partial_value = sum / static_cast<double>(done.size());
                out.result.fit_seconds = fit_seconds;
                out.result.eval_seconds = eval_seconds;
                out.result.cache_hit = hit;
                return out;
            }
        } else {
            eval_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
        }
    }
    t0 = Clock::now();
    std::vector<const engine::CsrMatrix*> stage_lists;
    for (const engine::CsrMatrix& p : parts) stage_lists.push_back(&p);
    const engine::CsrMatrix recs = rows_of(stage_lists, owner, train_.cols);
    out.result.evaluation = engine::evaluate_metrics(recs, target_, popularity_, metrics_);
    out.result.fit_seconds = fit_seconds;
    out.result.eval_seconds =
        eval_seconds + std::chrono::duration<double>(Clock::now() - t0).count();
    out.result.cache_hit = hit;
    return out;
}

TrialResult trial_result(const KnnResult& r, const std::string& objective, bool per_unit) {
    TrialResult out;
    out.value = r.metric(objective);
    for (const auto& m : r.evaluation.metrics) {
        out.metrics.emplace_back(m.spec.name, m.mean);
        if (per_unit && m.spec.name == objective) out.per_unit = m.per_user;
    }
    out.fit_seconds = r.fit_seconds;
    out.eval_seconds = r.eval_seconds;
    out.cache_hit = r.cache_hit;
    return out;
}

KnnResult KnnEvaluator::evaluate(const KnnConfig& config) const {
    using Clock = std::chrono::steady_clock;
    bool hit = false;
    const auto t0 = Clock::now();
    // NOTE: user-KNN scores user u from row u of S only, so only the evaluated users' rows
    // are computed (Online Retail: 990 of 1,776); each is the row a full fit gives, so the
    // lists and metrics are the same.
    const bool user = orientation_ == sim::Orientation::User &&
                      user_mask_.size() == static_cast<std::size_t>(train_.rows);
    const engine::CsrMatrix s = fit_rows(config, &hit, user ? &user_mask_ : nullptr);
    KnnResult r = evaluate_similarity(s, std::chrono::duration<double>(Clock::now() - t0).count());
    r.cache_hit = hit;
    return r;
}

KnnResult KnnEvaluator::evaluate_similarity(const engine::CsrMatrix& s, double fit_seconds) const {
    using Clock = std::chrono::steady_clock;
    KnnResult r;
    const auto t1 = Clock::now();
    engine::RecommendParams rp;
    rp.top_n = top_n_;
    rp.user_mask = user_mask_;
    const engine::CsrMatrix recs = engine::recommend(train_, s, orientation_, rp);
    r.evaluation = engine::evaluate_metrics(recs, target_, popularity_, metrics_);
    r.fit_seconds = fit_seconds;
    r.eval_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
    return r;
}

KnnResult KnnEvaluator::evaluate_baseline(engine::Baseline baseline, std::uint64_t seed) const {
    using Clock = std::chrono::steady_clock;
    KnnResult r;
    const auto t0 = Clock::now();
    engine::RecommendParams rp;
    rp.top_n = top_n_;
    rp.user_mask = user_mask_;
    const engine::CsrMatrix recs = engine::recommend_baseline(train_, baseline, seed, rp);
    r.evaluation = engine::evaluate_metrics(recs, target_, popularity_, metrics_);
    r.eval_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    return r;
}

engine::CsrMatrix fit_knn(const engine::CsrMatrix& train, sim::Orientation orientation,
                          const KnnConfig& config) {
    const sim::Measure m = sim::measure_from_name(config.measure);
    return sim::compute_similarity(train, orientation, m, sim::parse_params(m, config.params));
}

KnnResult evaluate_knn(const engine::CsrMatrix& train, const engine::CsrMatrix& target,
                       sim::Orientation orientation, const KnnConfig& config,
                       const std::vector<engine::MetricSpec>& metrics) {
    return KnnEvaluator(train, target, orientation, metrics).evaluate(config);
}

KnnResult evaluate_baseline(const engine::CsrMatrix& train, const engine::CsrMatrix& target,
                            engine::Baseline baseline, std::uint64_t seed,
                            const std::vector<engine::MetricSpec>& metrics) {
    // NOTE: the orientation only matters to the similarity and its cache, neither of which
    // a baseline uses.
    return KnnEvaluator(train, target, sim::Orientation::Item, metrics)
        .evaluate_baseline(baseline, seed);
}

}  // namespace knntune::exp
