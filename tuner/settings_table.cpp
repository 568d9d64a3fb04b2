#include "tuner/settings_table.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>
#include <optional>

#include "common/text.hpp"
#include "tuner/error.hpp"

namespace knntune::tuner {

namespace json = boost::json;

namespace {

std::optional<std::size_t> find_key(const SettingsTable& table, std::string_view name) {
    for (std::size_t i = 0; i < table.size; ++i) {
        if (table.info(i).name == name) return i;
    }
    return std::nullopt;
}

bool is_json_setting(const SettingsTable& table, std::string_view name) {
    return std::any_of(table.json.begin(), table.json.end(),
                       [name](const JsonSetting& j) { return j.name == name; });
}

std::string unknown_setting(const SettingsTable& table, std::string_view name,
                            std::string_view who) {
    std::vector<std::string_view> known;
    for (std::size_t i = 0; i < table.size; ++i) known.push_back(table.info(i).name);
    for (const JsonSetting& j : table.json) known.push_back(j.name);
    known.push_back(kSeedSetting);
    std::string message = "unknown " + std::string(who) + " setting '" + std::string(name) + "' (";
    // NOTE: long names tolerate more typos ("n_candidates" is 3 edits from "n_ei_candidates").
    const std::size_t max_distance = std::max<std::size_t>(3, name.size() / 3);
    if (const auto near = nearest_name(known, name, max_distance)) {
        message += "did you mean '" + std::string(*near) + "'? ";
    }
    return message + "known: " + join(known) + ")";
}

std::string expected_type(const KeyInfo& info) {
    switch (info.type) {
        case KeyType::Int:
            return "an integer";
        case KeyType::Real:
            return "a number";
        case KeyType::Bool:
            return "true or false";
        case KeyType::Choice:
            return "one of " + join(split_choices(info.choices)) + " (a string)";
    }
    return "?";
}

std::string json_kind(const json::value& v) {
    if (v.is_string()) return "a string (" + json::serialize(v) + ")";
    if (v.is_bool()) return v.as_bool() ? "true" : "false";
    if (v.is_number()) return "a number (" + json::serialize(v) + ")";
    if (v.is_null()) return "null";
    return v.is_object() ? "an object" : "an array";
}

// The JSON value as a key-table value, or nothing when its JSON type does not fit the key.
std::optional<Value> to_value(const KeyInfo& info, const json::value& v) {
    switch (info.type) {
        case KeyType::Int:
        case KeyType::Real:
            if (v.is_number()) return Value(json::value_to<double>(v));
            break;
        case KeyType::Bool:
            if (v.is_bool()) return Value(v.as_bool() ? 1.0 : 0.0);
            break;
        case KeyType::Choice:
            if (v.is_string()) return Value(std::string(v.as_string()));
            break;
    }
    return std::nullopt;
}

std::string markdown_cell(std::string text) {
    std::string out;
    for (char c : text) out += c == '|' ? std::string(" \\| ") : std::string(1, c);
    return out;
}

constexpr std::string_view kSeedHelp =
    "the study's seed is used (and recorded by the samplers that draw random numbers)";

}  // namespace

const Parsed* CheckedSettings::find(std::string_view name) const {
    for (const CheckedValue& v : values) {
        if (v.name == name) return &v.value;
    }
    return nullptr;
}

CheckedSettings check_settings(const SettingsTable& table, const json::object& settings,
                               std::string_view who) {
    CheckedSettings out;
    for (const auto& kv : settings) {
        const std::string_view name = kv.key();
        if (name == kSeedSetting) continue;
        if (is_json_setting(table, name)) {
            out.json[name] = kv.value();
            continue;
        }
        const std::optional<std::size_t> i = find_key(table, name);
        if (!i) throw SettingsError(unknown_setting(table, name, who));
        const KeyInfo& info = table.info(*i);
        const std::string where = std::string(who) + " setting '" + std::string(name) + "'";
        const std::optional<Value> value = to_value(info, kv.value());
        if (!value) {
            throw SettingsError(where + ": expected " + expected_type(info) + ", got " +
                                json_kind(kv.value()));
        }
        out.values.push_back({info.name, *i, parse_value<SettingsError>(info, *value, where)});
    }
    return out;
}

void put_setting(json::object& out, const KeyInfo& info, const Value& value) {
    const std::string_view key = info.name;
    if (const std::string* text = std::get_if<std::string>(&value)) {
        out[key] = *text;
        return;
    }
    const double v = std::get<double>(value);
    switch (info.type) {
        case KeyType::Int:
            if (info.bounds.low >= 0) {
                out[key] = static_cast<std::uint64_t>(v);
            } else {
                out[key] = static_cast<std::int64_t>(v);
            }
            return;
        case KeyType::Real:
            out[key] = v;
            return;
        case KeyType::Bool:
            out[key] = v != 0;
            return;
        case KeyType::Choice:
            out[key] = value_text(info, value);
            return;
    }
}

std::string settings_help(const SettingsTable& table) {
    std::string out;
    const auto entry = [&out](std::string head, std::string_view bounds, std::string_view help) {
        if (head.size() < 26) head.resize(26, ' ');
        out += head + ' ' + std::string(bounds) + "\n" + std::string(27, ' ') + std::string(help) +
               "\n";
    };
    for (std::size_t i = 0; i < table.size; ++i) {
        const KeyInfo& info = table.info(i);
        entry("  " + std::string(info.name) + "=" + table.default_text(i), bounds_text(info),
              info.help);
    }
    for (const JsonSetting& j : table.json) {
        entry("  " + std::string(j.name) + "=" + std::string(j.default_text), j.shape, j.help);
    }
    entry("  " + std::string(kSeedSetting), "ignored", kSeedHelp);
    return out;
}

std::string settings_markdown(const SettingsTable& table) {
    std::string out;
    const auto row = [&out](std::string_view name, const std::string& value,
                            const std::string& bounds, std::string_view help) {
        out += "| `" + std::string(name) + "` | " + value + " | " + markdown_cell(bounds) + " | " +
               std::string(help) + " |\n";
    };
    for (std::size_t i = 0; i < table.size; ++i) {
        const KeyInfo& info = table.info(i);
        row(info.name, "`" + table.default_text(i) + "`", bounds_text(info), info.help);
    }
    for (const JsonSetting& j : table.json) {
        row(j.name, "`" + std::string(j.default_text) + "`", std::string(j.shape), j.help);
    }
    row(kSeedSetting, "the study's", "—", "ignored: " + std::string(kSeedHelp));
    return out;
}

}  // namespace knntune::tuner
