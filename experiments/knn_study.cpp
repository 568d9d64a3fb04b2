#include "experiments/knn_study.hpp"

#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>

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
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.4g", *d);
            out += buf;
        } else {
            out += std::get<std::string>(value);
        }
    }
    return out;
}

namespace {

json::object range_json(const std::string& name, const RangeSpec& r) {
    json::object o;
    o["name"] = name;
    o["type"] = r.is_int ? "int" : "float";
    o["low"] = r.low;
    o["high"] = r.high;
    if (r.log) o["log"] = true;
    if (r.step) o["step"] = *r.step;
    return o;
}

}  // namespace

tuner::SearchSpace build_space(const SearchConfig& search, const std::vector<std::string>& measures) {
    json::array params;
    json::object algo;
    algo["name"] = "algorithm";
    algo["type"] = "categorical";
    json::array choices;
    for (const auto& m : measures) choices.emplace_back(m);
    algo["choices"] = choices;
    params.emplace_back(algo);
    for (const auto& [name, r] : search.shared) {
        if (!r.fixed) params.emplace_back(range_json(name, r));
    }
    for (const auto& m : measures) {
        const auto it = search.own.find(m);
        if (it == search.own.end()) continue;
        for (const auto& [name, r] : it->second) {
            if (r.fixed) continue;
            json::object o = range_json(name, r);
            o["parent"] = "algorithm";
            o["when"] = json::array{json::value(m)};
            params.emplace_back(o);
        }
    }
    json::object root;
    root["params"] = params;
    return tuner::SearchSpace::from_json(root);
}

KnnConfig config_from_trial(const SearchConfig& search, const tuner::Trial& trial) {
    KnnConfig c;
    c.measure = trial.choice("algorithm");
    c.params = search.fixed;
    for (const auto& [name, r] : search.shared) {
        c.params[name] = r.fixed ? *r.fixed : trial.value(name);
    }
    const auto it = search.own.find(c.measure);
    if (it != search.own.end()) {
        for (const auto& [name, r] : it->second) {
            c.params[name] = r.fixed ? *r.fixed : trial.value(c.measure + "." + name);
        }
    }
    return c;
}

KnnConfig config_from_values(const SearchConfig& search,
                             const std::map<std::string, std::string>& values) {
    KnnConfig c;
    const auto algo = values.find("algorithm");
    if (algo == values.end()) {
        throw engine::ParamError("missing 'algorithm' (e.g. --set algorithm=rp3beta)");
    }
    c.measure = algo->second;
    const sim::Measure m = sim::measure_from_name(c.measure);
    c.params = search.fixed;
    for (const auto& [name, r] : search.shared) {
        if (r.fixed) c.params[name] = *r.fixed;
    }
    const auto own = search.own.find(c.measure);
    if (own != search.own.end()) {
        for (const auto& [name, r] : own->second) {
            if (r.fixed) c.params[name] = *r.fixed;
        }
    }
    for (const auto& [name, text] : values) {
        if (name == "algorithm") continue;
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (end != text.c_str() && *end == '\0') {
            c.params[name] = v;
        } else {
            c.params[name] = text;
        }
    }
    // Every tuned parameter must be given: a silently defaulted one would not match a trial.
    for (const auto& [name, r] : search.shared) {
        if (c.params.count(name) == 0) {
            throw engine::ParamError("missing '" + name + "' (it is tuned by the config; give --set " + name + "=...)");
        }
    }
    if (own != search.own.end()) {
        for (const auto& [name, r] : own->second) {
            if (c.params.count(name) == 0) {
                throw engine::ParamError("missing '" + name + "' for " + c.measure + " (give --set " + name + "=...)");
            }
        }
    }
    (void)sim::parse_params(m, c.params);  // validates names and ranges
    return c;
}

std::vector<json::object> enqueue_objects(const SearchConfig& search,
                                          const std::vector<std::string>& measures) {
    std::vector<json::object> out;
    for (const auto& entry : search.enqueue) {
        const std::string& m = entry.at("algorithm");
        if (std::find(measures.begin(), measures.end(), m) == measures.end()) continue;
        json::object o;
        o["algorithm"] = m;
        for (const auto& [name, text] : entry) {
            if (name == "algorithm") continue;
            const double v = std::strtod(text.c_str(), nullptr);
            const auto shared = search.shared.find(name);
            if (shared != search.shared.end()) {
                if (!shared->second.fixed) o[name] = v;
                continue;
            }
            const auto own = search.own.find(m);
            if (own != search.own.end() && own->second.count(name) != 0) {
                if (!own->second.at(name).fixed) o[m + "." + name] = v;
                continue;
            }
            throw engine::ParamError("search.enqueue: '" + name + "' is not a tuned parameter of " + m);
        }
        out.push_back(std::move(o));
    }
    return out;
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

sim::ParamMap params_from_json(const json::object& o) {
    sim::ParamMap p;
    for (const auto& [k, v] : o) {
        if (v.is_string()) {
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
    for (engine::Index u = 0; u < target_.rows; ++u) user_mask_[u] = target_.row_nnz(u) > 0 ? 1 : 0;
    for (const auto& m : metrics_) top_n_ = std::max(top_n_, m.cutoff);
    if (cache_max_pairs > 0) {
        auto built = sim::CooccurrenceCache::build(train_, orientation_, cache_max_pairs);
        if (built) cache_ = std::make_unique<Cache>(Cache{std::move(*built)});
    }
}

KnnEvaluator::~KnnEvaluator() = default;

engine::Offset KnnEvaluator::cache_pairs() const { return cache_ ? cache_->cooccurrence.pairs() : 0; }
std::size_t KnnEvaluator::cache_bytes() const { return cache_ ? cache_->cooccurrence.memory_bytes() : 0; }

engine::CsrMatrix KnnEvaluator::fit(const KnnConfig& config, bool* cache_hit) const {
    const sim::Measure m = sim::measure_from_name(config.measure);
    const sim::SimilarityParams p = sim::parse_params(m, config.params);
    const bool hit = cache_ && cache_->cooccurrence.supports(m, p);
    if (cache_hit != nullptr) *cache_hit = hit;
    // NOTE: item-KNN recommendation transposes S, so row order is irrelevant there and the
    // sort of each row's top-k is skipped; user-KNN sums S's rows in storage order, so it keeps
    // the ranked order that a from-scratch fit has (identical sums, identical metrics).
    if (hit) return cache_->cooccurrence.score(m, p, orientation_ == sim::Orientation::User);
    return sim::compute_similarity(train_, orientation_, m, p);
}

KnnResult KnnEvaluator::evaluate(const KnnConfig& config) const {
    using Clock = std::chrono::steady_clock;
    KnnResult r;
    const auto t0 = Clock::now();
    const engine::CsrMatrix s = fit(config, &r.cache_hit);
    const auto t1 = Clock::now();
    engine::RecommendParams rp;
    rp.top_n = top_n_;
    rp.user_mask = user_mask_;
    const engine::CsrMatrix recs = engine::recommend(train_, s, orientation_, rp);
    r.evaluation = engine::evaluate_metrics(recs, target_, popularity_, metrics_);
    const auto t2 = Clock::now();
    r.fit_seconds = std::chrono::duration<double>(t1 - t0).count();
    r.eval_seconds = std::chrono::duration<double>(t2 - t1).count();
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

}  // namespace knntune::exp
