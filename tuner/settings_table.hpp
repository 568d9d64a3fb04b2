#pragma once
/// Sampler settings through a key table (common/key_table.hpp): one declaration per setting
/// gives its name, type, bounds and help; the default is the settings struct's initialiser.
/// The same table checks a JSON settings object, stores it into the struct, writes the struct
/// back as JSON, and gives the help text and the docs.
///
///     struct MySettings {
///         std::size_t n = 10;
///         double width = 0.5;
///     };
///     constexpr Key<MySettings> kMyKeys[] = {
///         int_key<&MySettings::n>("n", {1, 1e9}, "trials before the model is used"),
///         real_key<&MySettings::width>("width", {0, 1, true}, "kernel width"),
///     };
///     constexpr SettingsTable kMyTable = settings_table<kMyKeys>();
///
///     const CheckedSettings checked = check_settings(kMyTable, json, "my");  // throws
///     MySettings s;
///     apply_settings(std::span(kMyKeys), checked, s);
///     boost::json::object back = settings_json(std::span(kMyKeys), s);
///
/// JSON types are strict: Int and Real keys take numbers, Bool keys true or false, Choice keys
/// one of their labels as a string.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/assert.hpp"
#include "common/key_table.hpp"

namespace knntune::tuner {

using knntune::Key;
using knntune::KeyInfo;
using knntune::Parsed;
using knntune::Value;

/// A setting whose value has a JSON shape the key table cannot declare (a map or a list). It is
/// checked for its name only; the sampler reads and validates its value.
struct JsonSetting {
    std::string_view name;
    std::string_view shape;         ///< what the value looks like, e.g. "{key: [value, ...]}"
    std::string_view default_text;  ///< e.g. "{}"
    std::string_view help;
};

/// The key table of one settings struct with the struct's type erased: what the sampler
/// registry needs for validation, help text and docs. Build it with `settings_table`.
struct SettingsTable {
    std::size_t size = 0;                                  ///< number of declared keys
    const KeyInfo& (*info)(std::size_t i) = nullptr;       ///< declaration of key i
    std::string (*default_text)(std::size_t i) = nullptr;  ///< default of key i, as text
    std::span<const JsonSetting> json{};                   ///< JSON-shaped settings
};

/// The erased table of the key table `Keys` (a constexpr array of `Key<T>`), plus the
/// JSON-shaped settings `json`.
template <const auto& Keys>
constexpr SettingsTable settings_table(std::span<const JsonSetting> json = {}) {
    return {std::size(Keys), [](std::size_t i) -> const KeyInfo& { return Keys[i].info; },
            [](std::size_t i) { return default_text(Keys[i]); }, json};
}

/// One given setting of a table key, checked.
struct CheckedValue {
    std::string_view name;  ///< the key's name, as declared
    std::size_t index = 0;  ///< position of the key in its table
    Parsed value;
};

/// A settings object checked against a table: every name known, every value of the right
/// JSON type and within its bounds.
struct CheckedSettings {
    std::vector<CheckedValue> values;  ///< the table keys given, in input order
    boost::json::object json;          ///< the JSON-shaped settings given, as given

    /// The checked value of key `name`, or null when it was not given.
    [[nodiscard]] const Parsed* find(std::string_view name) const;
};

/// The name every sampler accepts and ignores: the study's seed is used (and recorded by the
/// samplers that draw random numbers), so settings read back from a trial log stay valid.
inline constexpr std::string_view kSeedSetting = "seed";

/// Checks `settings` against `table`; `who` names the sampler in messages ("tpe setting
/// 'gamma_ratio' = 2 is out of range (0, 1]"). Throws `SettingsError` for an unknown name
/// (listing the known ones, with a suggestion when one is close), a value of the wrong JSON
/// type, or one outside its bounds (giving them).
[[nodiscard]] CheckedSettings check_settings(const SettingsTable& table,
                                             const boost::json::object& settings,
                                             std::string_view who);

/// Stores the checked values into `target`; keys not given keep their values. `keys` must be
/// the table `checked` was checked against.
template <class T, std::size_t Extent>
void apply_settings(std::span<const Key<T>, Extent> keys, const CheckedSettings& checked,
                    T& target) {
    for (const CheckedValue& v : checked.values) {
        KNNTUNE_ASSERT(v.index < keys.size() && keys[v.index].info.name == v.name);
        keys[v.index].set(target, v.value);
    }
}

/// Adds `value` of key `info` to `out` under the key's name: a number (an integer for Int
/// keys), a bool, or a choice label.
void put_setting(boost::json::object& out, const KeyInfo& info, const Value& value);

/// `target`'s settings as JSON, in table order; `check_settings` reads them back.
template <class T, std::size_t Extent>
boost::json::object settings_json(std::span<const Key<T>, Extent> keys, const T& target) {
    boost::json::object out;
    for (const Key<T>& k : keys) put_setting(out, k.info, k.get(target));
    return out;
}

/// One help entry per setting of `table`, in table order, then the JSON-shaped ones and
/// `seed`: "  name=default  bounds\n      help\n" (the layout of `keys_help`).
[[nodiscard]] std::string settings_help(const SettingsTable& table);

/// The settings of `table` as Markdown table rows: "| `name` | default | bounds | help |".
[[nodiscard]] std::string settings_markdown(const SettingsTable& table);

}  // namespace knntune::tuner
