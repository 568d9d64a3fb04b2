#include "tuner/optuna_journal.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <set>

#include "tuner/error.hpp"

namespace knntune::tuner {

namespace {

namespace json = boost::json;

// Optuna's enumerations as its journal writes them (IntEnum values).
constexpr int kCreateStudy = 0;
constexpr int kSetStudyUserAttr = 2;
constexpr int kCreateTrial = 4;
constexpr int kMinimize = 1;  // StudyDirection
constexpr int kMaximize = 2;

// NOTE: the worker id only tells Optuna which of its own processes wrote an operation; no
// Optuna process has this one, so every operation is applied as another worker's.
constexpr std::string_view kWorkerId = "knntune-export-optuna";

/// Optuna's TrialState: RUNNING 0, COMPLETE 1, PRUNED 2, FAIL 3.
int optuna_state(TrialState s) {
    switch (s) {
        case TrialState::Running:
            return 0;
        case TrialState::Complete:
            return 1;
        case TrialState::Pruned:
            return 2;
        case TrialState::Fail:
            return 3;
    }
    KNNTUNE_ASSERT(false);
    return 3;
}

/// A number for an attribute: null when missing (NaN), else as is. Boost.JSON writes the
/// shortest form that reads back to the same double, and Infinity as Python's json reads it.
json::value number_or_null(double x) {
    if (std::isnan(x)) return nullptr;
    return x;
}

json::value text_or_null(const std::string& s) {
    if (s.empty()) return nullptr;
    return json::string(s);
}

/// A JSON text stored in the log (search space, sampler settings) as JSON, or as the text
/// itself when it does not parse.
json::value embedded_json(const std::string& text) {
    json::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec) return json::string(text);
    return v;
}

json::value race_json(const RaceRecord& race) {
    json::array arms;
    for (const RaceArm& a : race.arms) {
        arms.push_back({{"label", a.label},
                        {"racing", a.racing},
                        {"stopped_at", a.racing ? json::value(nullptr) : json::value(a.stopped_at)},
                        {"trials", a.n_trials},
                        {"strikes", a.strikes},
                        {"value", number_or_null(a.value)},
                        {"leader", text_or_null(a.leader)},
                        {"leader_value", number_or_null(a.leader_value)},
                        {"p_value", number_or_null(a.p_value)},
                        {"p_raw", number_or_null(a.p_raw)}});
    }
    return json::object{{"key", race.key},
                        {"test", race.test},
                        {"alpha", race.alpha},
                        {"min_trials", race.min_trials},
                        {"check_every", race.check_every},
                        {"confirm", race.confirm},
                        {"allocation", race.allocation},
                        {"tests", race.n_tests},
                        {"arms", std::move(arms)}};
}

/// The study attributes knntune keeps, in the order they are written.
json::object study_attrs(const TrialLog& log) {
    const StudyInfo& info = log.info;
    json::object a;
    a["sampler"] = info.sampler;
    a["sampler_settings"] = embedded_json(info.sampler_settings);
    a["seed"] = info.seed;
    a["search_space"] = embedded_json(info.search_space);
    a["data_fingerprint"] = info.data_fingerprint;
    a["software_version"] = info.software_version;
    a["config"] = info.config;
    if (!log.race.empty()) a["race"] = race_json(log.race);
    return a;
}

void add_line(std::string& out, const json::object& op) {
    out += json::serialize(op);
    out += '\n';
}

json::object operation(int op_code) {
    json::object o;
    o["op_code"] = op_code;
    o["worker_id"] = kWorkerId;
    return o;
}

/// The CREATE_TRIAL operation of one trial, with the whole trial as its template.
json::object create_trial(const SearchSpace& space, const FrozenTrial& t, std::int64_t study_id) {
    json::object o = operation(kCreateTrial);
    o["study_id"] = study_id;
    o["datetime_start"] = std::isfinite(t.start_time) ? json::value(optuna_datetime(t.start_time))
                                                      : json::value(nullptr);
    o["state"] = optuna_state(t.state);
    // A Running or Fail trial has no value; a Pruned one keeps the value it was told with.
    o["value"] = t.state == TrialState::Complete || t.state == TrialState::Pruned
                     ? number_or_null(t.value)
                     : json::value(nullptr);
    o["values"] = nullptr;
    // Optuna reads `datetime_complete` when the key is present, so a trial without one
    // (Running) leaves it out.
    if (t.is_finished() && std::isfinite(t.end_time)) {
        o["datetime_complete"] = optuna_datetime(t.end_time);
    }
    json::object distributions;
    json::object params;
    for (std::size_t p = 0; p < space.size(); ++p) {
        if (std::isnan(t.params[p])) continue;  // inactive in this trial
        const Param& param = space.param(p);
        distributions[param.key] = optuna_distribution_json(param.distribution);
        // Optuna's internal form: the value itself for numbers, the choice index for a
        // categorical; both are what the log stores.
        params[param.key] = t.params[p];
    }
    o["distributions"] = std::move(distributions);
    o["params"] = std::move(params);
    json::object user_attrs;
    for (const auto& [name, value] : t.metrics) {
        if (!std::isnan(value)) user_attrs[name] = value;
    }
    if (!t.error.empty()) user_attrs["error"] = t.error;
    o["user_attrs"] = std::move(user_attrs);
    o["system_attrs"] = json::object{};
    o["intermediate_values"] = json::object{};
    return o;
}

}  // namespace

std::string optuna_distribution_json(const Distribution& d) {
    json::object attributes;
    std::string name;
    // Attribute order as Optuna's own objects hold them.
    switch (d.kind) {
        case DistributionKind::Float:
            name = "FloatDistribution";
            attributes["step"] = d.step > 0.0 ? json::value(d.step) : json::value(nullptr);
            attributes["low"] = d.low;
            attributes["high"] = d.high;
            attributes["log"] = d.log;
            break;
        case DistributionKind::Int:
            name = "IntDistribution";
            attributes["log"] = d.log;
            attributes["step"] = static_cast<std::int64_t>(d.step);
            attributes["low"] = static_cast<std::int64_t>(d.low);
            attributes["high"] = static_cast<std::int64_t>(d.high);
            break;
        case DistributionKind::Categorical: {
            name = "CategoricalDistribution";
            json::array choices;
            for (const std::string& c : d.choices) choices.emplace_back(c);
            attributes["choices"] = std::move(choices);
            break;
        }
    }
    return json::serialize(json::object{{"name", name}, {"attributes", std::move(attributes)}});
}

std::string optuna_datetime(double epoch_seconds) {
    // Whole microseconds, rounded to the nearest (a double holds an epoch time to about
    // 0.2 µs), split into seconds and microseconds with a non-negative remainder.
    const auto micros = static_cast<std::int64_t>(std::llround(epoch_seconds * 1e6));
    std::int64_t secs = micros / 1000000;
    std::int64_t frac = micros % 1000000;
    if (frac < 0) {
        frac += 1000000;
        --secs;
    }
    // NOTE: local time without a zone, as Optuna writes `datetime.now()`, so the dashboard
    // shows knntune's trials beside Optuna's own on the same clock.
    const auto t = static_cast<std::time_t>(secs);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<long long>(frac));
    return buf;
}

std::string optuna_journal(std::span<const TrialLog> logs) {
    std::set<std::string> names;
    for (const TrialLog& log : logs) {
        if (!names.insert(log.info.name).second) {
            throw StorageError("two trial logs hold a study named '" + log.info.name +
                               "'; an Optuna journal needs unique study names");
        }
    }
    std::string out;
    for (std::size_t s = 0; s < logs.size(); ++s) {
        const TrialLog& log = logs[s];
        // Optuna numbers the studies of a journal 0, 1, ... in the order they are created.
        const auto study_id = static_cast<std::int64_t>(s);
        json::object create = operation(kCreateStudy);
        create["study_name"] = log.info.name;
        create["directions"] =
            json::array{log.info.direction == Direction::Maximize ? kMaximize : kMinimize};
        add_line(out, create);
        for (const json::key_value_pair& kv : study_attrs(log)) {
            json::object attr = operation(kSetStudyUserAttr);
            attr["study_id"] = study_id;
            attr["user_attr"] = json::object{{kv.key(), kv.value()}};
            add_line(out, attr);
        }
        for (std::size_t i = 0; i < log.trials.size(); ++i) {
            const FrozenTrial& t = log.trials[i];
            if (t.number != static_cast<std::int64_t>(i)) {
                throw StorageError("study '" + log.info.name + "': trial " +
                                   std::to_string(t.number) + " is the trial at position " +
                                   std::to_string(i) +
                                   "; Optuna numbers trials by their order, so the numbers "
                                   "must run 0, 1, 2, ... without gaps");
            }
            add_line(out, create_trial(log.space, t, study_id));
        }
    }
    return out;
}

}  // namespace knntune::tuner
