#include "experiments/experiment_config.hpp"

#include <algorithm>
#include <cmath>

#include "engine/data/timestamp.hpp"
#include "engine/error.hpp"
#include "engine/similarity/registry.hpp"

namespace knntune::exp {

namespace sim = engine::similarity;

std::string model_name(sim::Orientation o) {
    return o == sim::Orientation::Item ? "item_knn" : "user_knn";
}

std::vector<engine::MetricSpec> ObjectiveConfig::all() const {
    std::vector<engine::MetricSpec> out{metric};
    for (const auto& m : extra) {
        if (std::none_of(out.begin(), out.end(), [&](const auto& o) { return o.name == m.name; })) {
            out.push_back(m);
        }
    }
    return out;
}

std::map<std::string, RangeSpec> default_own_ranges(const std::string& measure) {
    auto r = [](double lo, double hi) {
        RangeSpec s;
        s.low = lo;
        s.high = hi;
        return s;
    };
    if (measure == "asymmetric_cosine") return {{"alpha", r(0.0, 1.0)}};
    if (measure == "tversky") return {{"alpha", r(0.0, 2.0)}, {"beta", r(0.0, 2.0)}};
    if (measure == "p3alpha") return {{"alpha", r(0.0, 2.0)}};
    if (measure == "rp3beta") return {{"alpha", r(0.0, 2.0)}, {"beta", r(0.0, 1.0)}};
    if (measure == "s_plus") {
        return {{"l", r(0.0, 1.0)}, {"t1", r(0.0, 2.0)}, {"t2", r(0.0, 2.0)}, {"c", r(0.0, 1.0)}};
    }
    return {};
}

namespace {

RangeSpec read_range(const Section& parent, const std::string& key, RangeSpec def) {
    if (!parent.has(key)) return def;
    const YAML::Node n = parent.node(key);
    RangeSpec r = def;
    if (n.IsScalar()) {
        r.fixed = parent.get_float(key, 0.0, -1e300, 1e300);
        if (r.is_int && *r.fixed != std::floor(*r.fixed)) parent.fail(key, "expected an integer");
        return r;
    }
    if (!n.IsMap()) parent.fail(key, "expected a number or a range {low, high, log, step}");
    const Section s = parent.child(key);
    for (auto it = n.begin(); it != n.end(); ++it) {
        const std::string k = it->first.as<std::string>();
        if (k != "low" && k != "high" && k != "log" && k != "step") {
            s.fail(k, "unknown range key (valid: low, high, log, step)");
        }
    }
    r.fixed.reset();
    r.low = s.get_float("low", def.low, -1e300, 1e300);
    r.high = s.get_float("high", def.high, -1e300, 1e300);
    r.log = s.get_bool("log", def.log);
    if (s.has("step")) r.step = s.get_float("step", 1.0, 1e-300, 1e300);
    if (r.high < r.low) s.fail("high", "must be >= low");
    if (r.log && r.low <= 0) s.fail("log", "a log range needs low > 0");
    if (r.is_int && (r.low != std::floor(r.low) || r.high != std::floor(r.high))) {
        s.fail("low", "integer parameter: low and high must be whole numbers");
    }
    return r;
}

/// Checks that `name = value` is a valid similarity parameter of `measure`.
void check_param(const Section& s, const std::string& key, const std::string& measure,
                 const std::string& name, double value) {
    try {
        (void)sim::parse_params(sim::measure_from_name(measure), {{name, value}});
    } catch (const engine::ParamError& e) {
        s.fail(key, e.what());
    }
}

}  // namespace

ExperimentConfig read_experiment_config(const ConfigDoc& doc) {
    ExperimentConfig cfg;
    cfg.data = read_data_config(doc);
    cfg.resolved_text = cfg.data.resolved_text;
    cfg.source = doc.name();
    const Section root(doc, doc.root(), "");

    // models
    if (root.has("models")) {
        const YAML::Node list = root.node("models");
        if (!list.IsSequence() || list.size() == 0) root.fail("models", "expected a non-empty list of item_knn, user_knn");
        for (const auto& m : list) {
            const std::string name = m.IsScalar() ? m.Scalar() : "";
            sim::Orientation o{};
            if (name == "item_knn") {
                o = sim::Orientation::Item;
            } else if (name == "user_knn") {
                o = sim::Orientation::User;
            } else {
                root.fail("models", "'" + name + "' is not one of: item_knn, user_knn");
            }
            if (std::find(cfg.models.begin(), cfg.models.end(), o) != cfg.models.end()) {
                root.fail("models", "'" + name + "' is listed twice");
            }
            cfg.models.push_back(o);
        }
    } else {
        cfg.models = {sim::Orientation::Item, sim::Orientation::User};
    }

    // search
    const Section search = root.child("search");
    SearchConfig& sc = cfg.search;
    if (search.has("measures")) {
        const YAML::Node list = search.node("measures");
        if (!list.IsSequence() || list.size() == 0) search.fail("measures", "expected a non-empty list of measure names");
        for (const auto& m : list) {
            const std::string name = m.IsScalar() ? m.Scalar() : "";
            try {
                (void)sim::measure_from_name(name);
            } catch (const engine::ParamError& e) {
                search.fail("measures", e.what());
            }
            if (std::find(sc.measures.begin(), sc.measures.end(), name) != sc.measures.end()) {
                search.fail("measures", "'" + name + "' is listed twice");
            }
            sc.measures.push_back(name);
        }
    } else {
        for (auto n : sim::measure_names()) sc.measures.emplace_back(n);
    }
    RangeSpec k_def;
    k_def.low = 5;
    k_def.high = 1000;
    k_def.log = true;
    k_def.is_int = true;
    RangeSpec shrink_def;
    shrink_def.low = 0;
    shrink_def.high = 500;
    sc.shared["k"] = read_range(search, "k", k_def);
    sc.shared["shrink"] = read_range(search, "shrink", shrink_def);
    {
        const RangeSpec& k = sc.shared["k"];
        if ((k.fixed ? *k.fixed : k.low) < 1) search.fail("k", "k must be >= 1");
        const RangeSpec& s = sc.shared["shrink"];
        if ((s.fixed ? *s.fixed : s.low) < 0) search.fail("shrink", "shrink must be >= 0");
    }
    if (search.has("threshold")) {
        RangeSpec t;
        sc.shared["threshold"] = read_range(search, "threshold", t);
    }
    if (root.has("search")) {
        const YAML::Node sn = root.node("search");
        for (auto it = sn.begin(); it != sn.end(); ++it) {
            const std::string k = it->first.as<std::string>();
            static const std::vector<std::string> kKnown = {"measures", "k", "shrink", "threshold",
                                                            "params", "fixed", "enqueue"};
            if (std::find(kKnown.begin(), kKnown.end(), k) == kKnown.end()) {
                search.fail(k, "unknown key (valid: measures, k, shrink, threshold, params, fixed, "
                               "enqueue; measure-specific ranges go under search.params.MEASURE)");
            }
        }
    }
    for (const auto& m : sc.measures) sc.own[m] = default_own_ranges(m);
    if (search.has("params")) {
        const Section params = search.child("params");
        const YAML::Node pn = search.node("params");
        for (auto it = pn.begin(); it != pn.end(); ++it) {
            const std::string measure = it->first.as<std::string>();
            try {
                (void)sim::measure_from_name(measure);
            } catch (const engine::ParamError& e) {
                params.fail(measure, e.what());
            }
            if (std::find(sc.measures.begin(), sc.measures.end(), measure) == sc.measures.end()) {
                params.fail(measure, "measure is not in search.measures");
            }
            if (!it->second.IsMap()) params.fail(measure, "expected a mapping of parameter ranges");
            const Section ms = params.child(measure);
            for (auto jt = it->second.begin(); jt != it->second.end(); ++jt) {
                const std::string name = jt->first.as<std::string>();
                if (name == "k" || name == "shrink") {
                    ms.fail(name, "k and shrink are shared by every measure: set them under search." + name);
                }
                const auto defaults = default_own_ranges(measure);
                RangeSpec def = defaults.count(name) != 0 ? defaults.at(name) : RangeSpec{};
                const RangeSpec r = read_range(ms, name, def);
                check_param(ms, name, measure, name, r.fixed ? *r.fixed : r.low);
                if (!r.fixed) check_param(ms, name, measure, name, r.high);
                sc.own[measure][name] = r;
            }
        }
    }
    if (search.has("fixed")) {
        const YAML::Node fn = search.node("fixed");
        const Section fs = search.child("fixed");
        for (auto it = fn.begin(); it != fn.end(); ++it) {
            const std::string name = it->first.as<std::string>();
            if (!it->second.IsScalar()) fs.fail(name, "expected a scalar");
            const std::string text = it->second.Scalar();
            if (name == "k" || name == "shrink") fs.fail(name, "set it under search." + name + " instead");
            sc.fixed[name] = text;
            // Validate against every measure that accepts it (at least one must).
            bool accepted = false;
            std::string last_error;
            for (const auto& m : sc.measures) {
                try {
                    (void)sim::parse_params(sim::measure_from_name(m), {{name, text}});
                    accepted = true;
                } catch (const engine::ParamError& e) {
                    last_error = e.what();
                }
            }
            if (!accepted) fs.fail(name, last_error);
        }
    }
    if (search.has("enqueue")) {
        const YAML::Node list = search.node("enqueue");
        if (!list.IsSequence()) search.fail("enqueue", "expected a list of configurations");
        for (std::size_t i = 0; i < list.size(); ++i) {
            if (!list[i].IsMap()) search.fail("enqueue", "element " + std::to_string(i) + " is not a mapping");
            std::map<std::string, std::string> conf;
            for (auto it = list[i].begin(); it != list[i].end(); ++it) {
                conf[it->first.as<std::string>()] = it->second.IsScalar() ? it->second.Scalar() : "";
            }
            if (conf.count("algorithm") == 0) {
                search.fail("enqueue", "element " + std::to_string(i) + " needs an 'algorithm'");
            }
            if (std::find(sc.measures.begin(), sc.measures.end(), conf["algorithm"]) == sc.measures.end()) {
                search.fail("enqueue", "element " + std::to_string(i) + ": algorithm '" +
                                           conf["algorithm"] + "' is not in search.measures");
            }
            sc.enqueue.push_back(std::move(conf));
        }
    }

    // tuner
    const Section tuner = root.child("tuner");
    TunerConfig& tc = cfg.tuner;
    tc.sampler = tuner.get_choice("sampler", "tpe", {"tpe", "random", "grid"});
    tc.n_trials = tuner.get_int("n_trials", 100, 1, 10000000);
    if (tuner.has("timeout")) {
        const std::string text = tuner.get_string("timeout", "");
        const auto d = engine::parse_duration(text);
        if (!d || d->months != 0) tuner.fail("timeout", "expected a duration like '2 hours' or '30 minutes', got '" + text + "'");
        tc.timeout_seconds = static_cast<double>(d->seconds);
    }
    tc.seed = static_cast<std::uint64_t>(tuner.get_int("seed", 42, 0, 1LL << 62));
    tc.parallel_trials = static_cast<std::size_t>(tuner.get_int("parallel_trials", 1, 1, 64));
    tc.patience = tuner.get_int("patience", 0, 0, 10000000);
    tc.per_measure = tuner.get_bool("per_measure", false);
    tc.cache_max_pairs = static_cast<std::size_t>(tuner.get_int("cache_max_pairs", 50'000'000, 0, 1LL << 40));
    if (tuner.has("settings")) {
        const YAML::Node sn = tuner.node("settings");
        for (auto it = sn.begin(); it != sn.end(); ++it) {
            const std::string k = it->first.as<std::string>();
            const YAML::Node v = it->second;
            if (!v.IsScalar()) tuner.child("settings").fail(k, "expected a scalar");
            const std::string text = v.Scalar();
            double num = 0;
            bool b = false;
            if (YAML::convert<bool>::decode(v, b) && v.Tag() != "!") {
                tc.settings[k] = b;
            } else if (v.Tag() != "!" && YAML::convert<double>::decode(v, num)) {
                if (num == std::floor(num) && std::abs(num) < 1e15) {
                    tc.settings[k] = static_cast<std::int64_t>(num);
                } else {
                    tc.settings[k] = num;
                }
            } else {
                tc.settings[k] = text;
            }
        }
    }

    // objective
    const Section obj = root.child("objective");
    try {
        cfg.objective.metric = engine::parse_metric(obj.get_string("metric", "precision@10"));
    } catch (const engine::ParamError& e) {
        obj.fail("metric", e.what());
    }
    if (obj.has("extra")) {
        const YAML::Node list = obj.node("extra");
        if (!list.IsSequence()) obj.fail("extra", "expected a list of metric names");
        for (const auto& m : list) {
            try {
                cfg.objective.extra.push_back(engine::parse_metric(m.IsScalar() ? m.Scalar() : ""));
            } catch (const engine::ParamError& e) {
                obj.fail("extra", e.what());
            }
        }
    } else {
        const int k = cfg.objective.metric.cutoff;
        for (const char* f : {"precision", "recall", "ndcg", "map", "hit_rate", "mrr", "coverage", "arp"}) {
            cfg.objective.extra.push_back(engine::parse_metric(std::string(f) + "@" + std::to_string(k)));
        }
    }

    // report
    const Section rep = root.child("report");
    ReportConfig& rc = cfg.report;
    rc.plots = rep.get_bool("plots", true);
    rc.test = rep.get_choice("test", "wilcoxon", {"wilcoxon", "bootstrap"});
    rc.bootstrap_samples = static_cast<int>(rep.get_int("bootstrap_samples", 2000, 100, 100000));
    rc.seed = static_cast<std::uint64_t>(rep.get_int("seed", 7, 0, 1LL << 62));
    rc.embedding = rep.get_bool("embedding", true);
    rc.embedding_points = static_cast<int>(rep.get_int("embedding_points", 1500, 10, 100000));
    return cfg;
}

}  // namespace knntune::exp
