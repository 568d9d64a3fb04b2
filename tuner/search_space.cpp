#include "tuner/search_space.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <set>

#include "tuner/error.hpp"

namespace knntune::tuner {

namespace json = boost::json;

namespace {

std::string quoted_list(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "'" : ", '") + n + "'";
    return out;
}

void check_identifier(const std::string& s, const std::string& what, const std::string& where) {
    if (s.empty()) throw SpaceError("empty " + what + " in " + where);
    // NOTE: keys become HDF5 dataset names and CSV headers; '/' and ',' would break those.
    if (s.find_first_of("/,\"\n\t ") != std::string::npos) {
        throw SpaceError(what + " '" + s + "' in " + where +
                         " may not contain '/', ',', quotes or whitespace");
    }
}

// The parent of `s` among `params` (declared so far; `by_key`: key → index), named by key
// or, when unambiguous, by local name.
std::size_t find_parent(const ParamSpec& s, const std::string& where,
                        const std::vector<Param>& params,
                        const std::map<std::string, std::size_t>& by_key) {
    if (auto it = by_key.find(s.parent); it != by_key.end()) return it->second;
    std::optional<std::size_t> parent;
    for (std::size_t j = 0; j < params.size(); ++j) {
        if (params[j].name != s.parent) continue;
        if (parent) {
            throw SpaceError("ambiguous parent '" + s.parent + "' of " + where +
                             ": use the parent's key");
        }
        parent = j;
    }
    if (!parent) {
        std::vector<std::string> keys;
        for (const Param& q : params) keys.push_back(q.key);
        throw SpaceError("unknown parent '" + s.parent + "' of " + where +
                         " (a parent must be declared before its children; declared so "
                         "far: " +
                         (keys.empty() ? "none" : quoted_list(keys)) + ")");
    }
    return *parent;
}

// The activation condition of `s`, or none at the root.
std::optional<Condition> parse_condition(const ParamSpec& s, const std::string& where,
                                         const std::vector<Param>& params,
                                         const std::map<std::string, std::size_t>& by_key) {
    if (s.parent.empty()) {
        if (!s.when.empty()) throw SpaceError(where + " has 'when' choices but no parent");
        return std::nullopt;
    }
    Condition c;
    c.parent = find_parent(s, where, params, by_key);
    const Distribution& pd = params[c.parent].distribution;
    if (!pd.is_categorical()) {
        throw SpaceError("parent '" + s.parent + "' of " + where + " is not categorical");
    }
    if (s.when.empty()) {
        throw SpaceError(where + " has a parent but no 'when' choices");
    }
    for (const std::string& w : s.when) {
        auto it = std::find(pd.choices.begin(), pd.choices.end(), w);
        if (it == pd.choices.end()) {
            throw SpaceError("'when' value '" + w + "' of " + where + " is not a choice of '" +
                             s.parent + "' (choices: " + quoted_list(pd.choices) + ")");
        }
        c.choices.push_back(static_cast<std::size_t>(it - pd.choices.begin()));
    }
    std::sort(c.choices.begin(), c.choices.end());
    if (std::adjacent_find(c.choices.begin(), c.choices.end()) != c.choices.end()) {
        throw SpaceError("duplicate 'when' value in " + where);
    }
    return c;
}

// Same local name twice: allowed only as siblings under one parent with disjoint `when` sets
// (tversky.alpha vs rp3beta.alpha), so that at most one is ever active.
void check_same_name(const Param& p, const std::string& where, const std::vector<Param>& params) {
    for (const Param& q : params) {
        if (q.name != p.name) continue;
        bool disjoint = p.condition && q.condition && p.condition->parent == q.condition->parent;
        if (disjoint) {
            for (std::size_t c : p.condition->choices) {
                if (std::binary_search(q.condition->choices.begin(), q.condition->choices.end(),
                                       c)) {
                    disjoint = false;
                }
            }
        }
        if (!disjoint) {
            throw SpaceError("duplicate name: " + where + " can be active together with '" + q.key +
                             "'");
        }
    }
}

// The key of `p`: the explicit one, else branch.name ("tversky.alpha"), else the name.
std::string derive_key(const ParamSpec& s, const Param& p, const std::vector<Param>& params) {
    if (!s.key.empty()) return s.key;
    if (!p.condition) return p.name;
    const Distribution& pd = params[p.condition->parent].distribution;
    std::string branch;
    for (std::size_t c : p.condition->choices) {
        branch += (branch.empty() ? "" : "+") + pd.choices[c];
    }
    return branch + "." + p.name;
}

}  // namespace

const char* const kReservedColumns[7] = {"number",   "state",    "value", "start_time",
                                         "end_time", "duration", "error"};

SearchSpace::SearchSpace(std::vector<ParamSpec> specs) {
    std::map<std::string, std::size_t> by_key;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        ParamSpec& s = specs[i];
        const std::string where = "parameter '" + s.name + "' (params[" + std::to_string(i) + "])";
        check_identifier(s.name, "name", "params[" + std::to_string(i) + "]");
        if (s.name.find('.') != std::string::npos) {
            throw SpaceError("name '" + s.name + "' in params[" + std::to_string(i) +
                             "] may not contain '.'; conditional keys are derived as branch.name");
        }
        s.distribution.validate(where);

        Param p;
        p.name = s.name;
        p.distribution = s.distribution;
        p.condition = parse_condition(s, where, params_, by_key);
        check_same_name(p, where, params_);
        p.key = derive_key(s, p, params_);
        check_identifier(p.key, "key", where);
        for (const char* reserved : kReservedColumns) {
            if (p.key == reserved) {
                throw SpaceError("key '" + p.key + "' of " + where +
                                 " is reserved for a trial-log column; rename the parameter");
            }
        }
        if (by_key.count(p.key)) throw SpaceError("duplicate key '" + p.key + "' of " + where);
        by_key[p.key] = params_.size();

        // Blocks: parameters with an identical condition form one block.
        std::size_t b = 0;
        for (; b < blocks_.size(); ++b) {
            if (blocks_[b].condition == p.condition) break;
        }
        if (b == blocks_.size()) blocks_.push_back(Block{p.condition, {}});
        blocks_[b].params.push_back(params_.size());
        p.block = b;
        params_.push_back(std::move(p));
    }
}

namespace {

const json::value* field(const json::object& o, std::string_view name) {
    auto it = o.find(name);
    return it == o.end() ? nullptr : &it->value();
}

double number(const json::value& v, const std::string& where) {
    if (v.is_int64()) return static_cast<double>(v.as_int64());
    if (v.is_uint64()) return static_cast<double>(v.as_uint64());
    if (v.is_double()) return v.as_double();
    throw SpaceError(where + " must be a number");
}

std::string string(const json::value& v, const std::string& where) {
    if (!v.is_string()) throw SpaceError(where + " must be a string");
    return std::string(v.as_string());
}

}  // namespace

namespace {

// The domain of the parameter object `o` (described as `atn` in messages).
Distribution parse_distribution(const json::object& o, const std::string& atn) {
    const json::value* type = field(o, "type");
    if (!type) throw SpaceError(atn + " has no 'type' (float, int or categorical)");
    const std::string t = string(*type, atn + ".type");
    const bool log =
        field(o, "log") ? field(o, "log")->is_bool() && field(o, "log")->as_bool() : false;
    if (field(o, "log") && !field(o, "log")->is_bool()) {
        throw SpaceError(atn + ".log must be true or false");
    }
    if (t == "categorical") {
        for (const char* k : {"low", "high", "log", "step"}) {
            if (field(o, k))
                throw SpaceError(atn + ": '" + k + "' is not allowed for a categorical");
        }
        const json::value* ch = field(o, "choices");
        if (!ch || !ch->is_array()) throw SpaceError(atn + " needs a 'choices' array");
        std::vector<std::string> choices;
        for (std::size_t j = 0; j < ch->as_array().size(); ++j) {
            const json::value& c = ch->as_array()[j];
            if (c.is_string()) {
                choices.emplace_back(c.as_string());
            } else if (c.is_number() || c.is_bool()) {
                choices.push_back(json::serialize(c));
            } else {
                throw SpaceError(atn + ".choices[" + std::to_string(j) + "] must be a string");
            }
        }
        return Distribution::make_categorical(std::move(choices));
    }
    if (t != "float" && t != "int") {
        throw SpaceError(atn + ".type '" + t + "' is not one of float, int, categorical");
    }
    if (field(o, "choices")) throw SpaceError(atn + ": 'choices' is only for categoricals");
    const json::value* lo = field(o, "low");
    const json::value* hi = field(o, "high");
    if (!lo || !hi) throw SpaceError(atn + " needs 'low' and 'high'");
    const double low = number(*lo, atn + ".low");
    const double high = number(*hi, atn + ".high");
    const json::value* st = field(o, "step");
    double step = st && !st->is_null() ? number(*st, atn + ".step") : 0.0;
    if (t == "float") return Distribution::make_float(low, high, log, step);
    Distribution d = Distribution::make_float(low, high, log, st ? step : 1.0);
    d.kind = DistributionKind::Int;
    return d;
}

// The declaration `params[i]` of the JSON form.
ParamSpec parse_spec(const json::value& v, std::size_t i) {
    static const std::set<std::string> kAllowed = {"name", "type",    "low",    "high", "log",
                                                   "step", "choices", "parent", "when", "key"};
    const std::string at = "params[" + std::to_string(i) + "]";
    if (!v.is_object()) throw SpaceError(at + " must be an object");
    const json::object& o = v.as_object();
    for (const auto& kv : o) {
        if (!kAllowed.count(std::string(kv.key()))) {
            throw SpaceError("unknown key '" + std::string(kv.key()) + "' in " + at +
                             " (allowed: name, type, low, high, log, step, choices, parent, "
                             "when, key)");
        }
    }
    ParamSpec s;
    const json::value* name = field(o, "name");
    if (!name) throw SpaceError(at + " has no 'name'");
    s.name = string(*name, at + ".name");
    const std::string atn = at + " ('" + s.name + "')";
    s.distribution = parse_distribution(o, atn);
    if (const json::value* p = field(o, "parent")) s.parent = string(*p, atn + ".parent");
    if (const json::value* w = field(o, "when")) {
        if (w->is_string()) {
            s.when.emplace_back(w->as_string());
        } else if (w->is_array()) {
            for (const json::value& x : w->as_array()) s.when.push_back(string(x, atn + ".when"));
        } else {
            throw SpaceError(atn + ".when must be a string or an array of strings");
        }
    }
    if (const json::value* k = field(o, "key")) s.key = string(*k, atn + ".key");
    return s;
}

}  // namespace

SearchSpace SearchSpace::from_json(const json::value& root) {
    if (!root.is_object()) throw SpaceError("search space must be a JSON object with 'params'");
    const json::object& top = root.as_object();
    for (const auto& kv : top) {
        if (kv.key() != "params") {
            throw SpaceError("unknown key '" + std::string(kv.key()) +
                             "' in search space (allowed: 'params')");
        }
    }
    const json::value* params = field(top, "params");
    if (!params || !params->is_array()) {
        throw SpaceError("search space needs a 'params' array");
    }
    std::vector<ParamSpec> specs;
    const json::array& arr = params->as_array();
    for (std::size_t i = 0; i < arr.size(); ++i) specs.push_back(parse_spec(arr[i], i));
    return SearchSpace(std::move(specs));
}

SearchSpace SearchSpace::from_json_text(std::string_view text) {
    json::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec) throw SpaceError("search space is not valid JSON: " + ec.message());
    return from_json(v);
}

json::value SearchSpace::to_json() const {
    json::array arr;
    for (const Param& p : params_) {
        json::object o;
        o["name"] = p.name;
        o["key"] = p.key;
        const Distribution& d = p.distribution;
        o["type"] = std::string(kind_name(d.kind));
        if (d.is_categorical()) {
            json::array ch;
            for (const std::string& c : d.choices) ch.emplace_back(c);
            o["choices"] = std::move(ch);
        } else if (d.kind == DistributionKind::Int) {
            o["low"] = static_cast<std::int64_t>(d.low);
            o["high"] = static_cast<std::int64_t>(d.high);
            o["log"] = d.log;
            o["step"] = static_cast<std::int64_t>(d.step);
        } else {
            o["low"] = d.low;
            o["high"] = d.high;
            o["log"] = d.log;
            if (d.step > 0.0) o["step"] = d.step;
        }
        if (p.condition) {
            o["parent"] = params_[p.condition->parent].key;
            json::array w;
            for (std::size_t c : p.condition->choices) {
                w.emplace_back(params_[p.condition->parent].distribution.choices[c]);
            }
            o["when"] = std::move(w);
        }
        arr.push_back(std::move(o));
    }
    json::object top;
    top["params"] = std::move(arr);
    return top;
}

std::string SearchSpace::to_json_text() const { return json::serialize(to_json()); }

std::optional<std::size_t> SearchSpace::find(std::string_view key) const {
    for (std::size_t i = 0; i < params_.size(); ++i) {
        if (params_[i].key == key) return i;
    }
    return std::nullopt;
}

std::size_t SearchSpace::index_of(std::string_view key) const {
    if (auto i = find(key)) return *i;
    std::vector<std::string> keys;
    for (const Param& p : params_) keys.push_back(p.key);
    throw SpaceError("unknown parameter '" + std::string(key) +
                     "' (parameters: " + (keys.empty() ? "none" : quoted_list(keys)) + ")");
}

bool SearchSpace::is_active(std::size_t i, const ParamValues& values) const {
    const Param& p = params_[i];
    if (!p.condition) return true;
    const double v = values[p.condition->parent];
    if (std::isnan(v)) return false;
    return std::binary_search(p.condition->choices.begin(), p.condition->choices.end(),
                              static_cast<std::size_t>(v));
}

void SearchSpace::check(const ParamValues& values, std::string_view where) const {
    if (values.size() != params_.size()) {
        throw SettingsError(std::string(where) + ": expected " + std::to_string(params_.size()) +
                            " parameter values, got " + std::to_string(values.size()));
    }
    for (std::size_t i = 0; i < params_.size(); ++i) {
        const bool active = is_active(i, values);
        if (active && !params_[i].distribution.contains(values[i])) {
            throw SettingsError(
                std::string(where) + ": value " +
                (std::isnan(values[i]) ? std::string("missing") : std::to_string(values[i])) +
                " of '" + params_[i].key + "' is not in " + params_[i].distribution.describe());
        }
        if (!active && !std::isnan(values[i])) {
            throw SettingsError(std::string(where) + ": '" + params_[i].key +
                                "' is set but inactive under the given parent value");
        }
    }
}

void SearchSpace::deactivate(ParamValues& values) const {
    for (std::size_t i = 0; i < params_.size(); ++i) {
        if (!is_active(i, values)) values[i] = kInactive;
    }
}

}  // namespace knntune::tuner
