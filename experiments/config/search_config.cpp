#include "experiments/config/search_config.hpp"

#include <algorithm>
#include <cmath>

#include "common/text.hpp"
#include "engine/error.hpp"
#include "experiments/config/config_doc.hpp"
#include "experiments/config/keys.hpp"
#include "tuner/error.hpp"

namespace knntune::exp {

namespace sim = engine::similarity;

tuner::Distribution RangeSpec::distribution() const {
    // NOTE: the same construction as the tuner's JSON form ("type": "int" is a float
    // distribution with step 1 and the int kind), so spaces and trial logs match it.
    tuner::Distribution d =
        tuner::Distribution::make_float(low, high, log, step ? *step : (is_int ? 1.0 : 0.0));
    if (is_int) d.kind = tuner::DistributionKind::Int;
    return d;
}

std::vector<std::string> SearchConfig::default_measures() {
    std::vector<std::string> out;
    for (std::string_view n : sim::measure_names()) out.emplace_back(n);
    return out;
}

std::map<std::string, RangeSpec> default_own_ranges(const std::string& measure) {
    std::map<std::string, RangeSpec> out;
    for (const KeyInfo& k : sim::own_keys(sim::measure_from_name(measure))) {
        if (!k.search) continue;
        out[std::string(k.name)] = {.low = k.search->low,
                                    .high = k.search->high,
                                    .log = k.search->log,
                                    .is_int = k.type == KeyType::Int};
    }
    return out;
}

std::map<std::string, RangeSpec> SearchConfig::own_ranges(const std::string& measure) const {
    const auto it = own.find(measure);
    return it != own.end() ? it->second : default_own_ranges(measure);
}

namespace {

tuner::ParamSpec param_spec(const std::string& name, tuner::Distribution d,
                            const std::string& parent = {}, const std::string& when = {}) {
    tuner::ParamSpec p;
    p.name = name;
    p.distribution = std::move(d);
    p.parent = parent;
    if (!when.empty()) p.when = {when};
    return p;
}

}  // namespace

tuner::SearchSpace SearchConfig::space(const std::vector<std::string>& group) const {
    std::vector<tuner::ParamSpec> specs;
    specs.push_back(param_spec("algorithm", tuner::Distribution::make_categorical(group)));
    for (const auto& [name, r] : shared) {
        if (!r.fixed) specs.push_back(param_spec(name, r.distribution()));
    }
    for (const std::string& m : group) {
        for (const auto& [name, r] : own_ranges(m)) {
            if (!r.fixed) specs.push_back(param_spec(name, r.distribution(), "algorithm", m));
        }
    }
    return tuner::SearchSpace(std::move(specs));
}

std::vector<boost::json::object> SearchConfig::enqueued(
    const std::vector<std::string>& group) const {
    std::vector<boost::json::object> out;
    for (const auto& e : enqueue) {
        const std::string m(e.at("algorithm").as_string());
        if (std::find(group.begin(), group.end(), m) != group.end()) out.push_back(e);
    }
    return out;
}

std::optional<double> SearchConfig::fixed_shared(const std::string& name) const {
    const auto it = shared.find(name);
    if (it == shared.end() || !it->second.fixed) return std::nullopt;
    // A shared parameter is always read as a number (read_range).
    return std::get<double>(*it->second.fixed);
}

namespace {

/// Throws the config error of `key` when `name = value` is not a valid parameter of
/// `measure` (the engine's own parameter table decides), given the fixed values `with` of the
/// measure's other parameters (so that the measure's rules between parameters apply).
void check_param(const Section& s, const std::string& key, const std::string& measure,
                 const std::string& name, const Value& value, sim::ParamMap with = {}) {
    with[name] = value;
    try {
        (void)sim::parse_params(sim::measure_from_name(measure), with);
    } catch (const engine::ParamError& e) {
        s.fail(key, e.what());
    }
}

RangeSpec read_range(const Section& parent, const std::string& key, RangeSpec def) {
    const YAML::Node n = parent.node(key);
    RangeSpec r = def;
    if (n.IsScalar()) {
        const double v = parent.get_float(key, {});
        if (r.is_int && v != std::floor(v)) parent.fail(key, "expected an integer");
        r.fixed = v;
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
    if (s.has("low")) r.low = s.get_float("low", {});
    if (s.has("high")) r.high = s.get_float("high", {});
    if (s.has("log")) r.log = s.get_bool("log");
    if (s.has("step")) r.step = s.get_float("step", {0, kInf, true});
    if (r.high < r.low) s.fail("high", "must be >= low");
    if (r.log && r.low <= 0) s.fail("log", "a log range needs low > 0");
    if (r.is_int && (r.low != std::floor(r.low) || r.high != std::floor(r.high))) {
        s.fail("low", "integer parameter: low and high must be whole numbers");
    }
    try {
        r.distribution().validate(s.dotted());
    } catch (const tuner::Error& e) {
        parent.fail(key, e.what());
    }
    return r;
}

/// A range of `name` checked against the parameter's bounds for every measure in `measures`
/// (a shared parameter must be valid for each of them), given the fixed values `with`.
void check_range(const Section& s, const std::string& key, const std::string& name,
                 const RangeSpec& r, const std::vector<std::string>& measures,
                 const sim::ParamMap& with = {}) {
    for (const std::string& m : measures) {
        check_param(s, key, m, name, r.fixed ? *r.fixed : Value(r.low), with);
        if (!r.fixed) check_param(s, key, m, name, r.high, with);
    }
}

/// The text of a fixed value, for messages.
std::string fixed_text(const Value& v) {
    const double* d = std::get_if<double>(&v);
    return d != nullptr ? short_number(*d) : std::get<std::string>(v);
}

/// True when `name` is a choice or boolean parameter of `measure`: a scalar fixes it at its
/// text (a label, true or false) rather than at a number.
bool takes_text(const std::string& measure, const std::string& name) {
    for (const KeyInfo& k : sim::own_keys(sim::measure_from_name(measure))) {
        if (k.name == name) return k.type == KeyType::Choice || k.type == KeyType::Bool;
    }
    return false;
}

[[noreturn]] void fail_entry(const Section& e, const std::string& message) {
    throw ConfigError(e.where() + ": key '" + e.dotted() + "': " + message);
}

void check_enqueued_value(const Section& e, const std::string& name, const RangeSpec& r, double v) {
    if (r.fixed) {
        if (*r.fixed != Value(v)) {
            e.fail(name, "fixed at " + fixed_text(*r.fixed) +
                             " by the search space; leave it out or give that value");
        }
        return;
    }
    if (!r.distribution().contains(v)) {
        e.fail(name,
               short_number(v) + " is outside its search range " + r.distribution().describe());
    }
}

/// One enqueue entry as a tuner enqueue object (keys as in the search space).
boost::json::object read_enqueue_entry(const SearchConfig& search, const Section& e) {
    if (!e.node().IsMap()) fail_entry(e, "expected a mapping {algorithm: ..., k: ..., ...}");
    if (!e.has("algorithm")) fail_entry(e, "needs an 'algorithm'");
    const std::string m = e.get_string("algorithm");
    if (std::find(search.measures.begin(), search.measures.end(), m) == search.measures.end()) {
        e.fail("algorithm", "'" + m + "' is not in search.measures");
    }
    boost::json::object o;
    o["algorithm"] = m;
    const auto own = search.own_ranges(m);
    for (auto it = e.node().begin(); it != e.node().end(); ++it) {
        const std::string name = it->first.as<std::string>();
        if (name == "algorithm") continue;
        const auto sh = search.shared.find(name);
        const auto ow = own.find(name);
        if (sh == search.shared.end() && ow == own.end()) {
            e.fail(name, "not a tuned parameter of " + m);
        }
        const RangeSpec& r = sh != search.shared.end() ? sh->second : ow->second;
        const double v = e.get_float(name, {});
        if (r.is_int && v != std::floor(v)) e.fail(name, "expected an integer");
        check_enqueued_value(e, name, r, v);
        if (!r.fixed) o[sh != search.shared.end() ? name : m + "." + name] = v;
    }
    return o;
}

}  // namespace

void read_search_measures(const ConfigKey&, const Section& s, const std::string& key,
                          SearchConfig& search) {
    search.measures = s.get_names(key, "measure names");
    for (const std::string& name : search.measures) {
        try {
            (void)sim::measure_from_name(name);
        } catch (const engine::ParamError& e) {
            s.fail(key, e.what());
        }
    }
}

void read_search_range(const ConfigKey&, const Section& s, const std::string& key,
                       SearchConfig& search) {
    const auto it = search.shared.find(key);
    const RangeSpec def = it != search.shared.end() ? it->second : RangeSpec{};
    const RangeSpec r = read_range(s, key, def);
    check_range(s, key, key, r, search.measures);
    search.shared[key] = r;
}

void read_search_params(const ConfigKey&, const Section& s, const std::string& key,
                        SearchConfig& search) {
    const Section params = s.child(key);
    for (auto it = params.node().begin(); it != params.node().end(); ++it) {
        const std::string measure = it->first.as<std::string>();
        try {
            (void)sim::measure_from_name(measure);
        } catch (const engine::ParamError& e) {
            params.fail(measure, e.what());
        }
        if (std::find(search.measures.begin(), search.measures.end(), measure) ==
            search.measures.end()) {
            params.fail(measure, "measure is not in search.measures");
        }
        if (!it->second.IsMap()) params.fail(measure, "expected a mapping of parameter ranges");
        const Section ms = params.child(measure);
        std::map<std::string, RangeSpec> ranges = search.own_ranges(measure);
        std::vector<std::string> given;
        sim::ParamMap fixed;  // the measure's fixed values, checked together below
        for (auto jt = it->second.begin(); jt != it->second.end(); ++jt) {
            const std::string name = jt->first.as<std::string>();
            if (search.shared.count(name) != 0 || name == "threshold") {
                ms.fail(name, "shared by every measure: set it under search." + name);
            }
            const auto d = ranges.find(name);
            RangeSpec r = d != ranges.end() ? d->second : RangeSpec{};
            if (takes_text(measure, name) && jt->second.IsScalar()) {
                r.fixed = Value(jt->second.Scalar());
            } else {
                r = read_range(ms, name, r);
            }
            if (r.fixed) fixed[name] = *r.fixed;
            given.push_back(name);
            ranges[name] = r;
        }
        // NOTE: each value is checked with the measure's other fixed values, so that a rule
        // between them (rp3beta: normalize_rows needs variant = literature) sees both.
        for (const std::string& name : given)
            check_range(ms, name, name, ranges[name], {measure}, fixed);
        search.own[measure] = std::move(ranges);
    }
}

void read_search_fixed(const ConfigKey&, const Section& s, const std::string& key,
                       SearchConfig& search) {
    const Section fs = s.child(key);
    for (auto it = fs.node().begin(); it != fs.node().end(); ++it) {
        const std::string name = it->first.as<std::string>();
        if (!it->second.IsScalar()) fs.fail(name, "expected a value");
        if (search.shared.count(name) != 0) {
            fs.fail(name, "set it under search." + name + " instead");
        }
        const Value value = it->second.Scalar();
        // Valid for every measure that accepts it; at least one must.
        bool accepted = false;
        std::string last_error;
        for (const auto& m : search.measures) {
            try {
                (void)sim::parse_params(sim::measure_from_name(m), {{name, value}});
                accepted = true;
            } catch (const engine::ParamError& e) {
                last_error = e.what();
            }
        }
        if (!accepted) fs.fail(name, last_error);
        search.fixed[name] = value;
    }
}

void read_search_enqueue(const ConfigKey&, const Section& s, const std::string& key,
                         SearchConfig& search) {
    const YAML::Node list = s.node(key);
    if (!list.IsSequence()) s.fail(key, "expected a list of configurations");
    for (std::size_t i = 0; i < list.size(); ++i) {
        const Section entry(s.doc(), list[i], s.dotted(key) + "[" + std::to_string(i) + "]");
        search.enqueue.push_back(read_enqueue_entry(search, entry));
    }
}

}  // namespace knntune::exp
