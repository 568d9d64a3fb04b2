#pragma once
/// The typed readers behind the key table (keys.cpp): each reads one key of a mapping into a
/// member of ExperimentConfig named by a chain of member pointers, and a matching
/// `show_*` gives the default of that member, read from a default-constructed config.
/// Internal to experiments/config/.

#include <optional>
#include <string>
#include <type_traits>

#include "common/text.hpp"
#include "engine/data/log_reader.hpp"
#include "engine/data/timestamp.hpp"
#include "experiments/config/config_doc.hpp"
#include "experiments/config/experiment_config.hpp"
#include "experiments/config/keys.hpp"

namespace knntune::exp::keys {

/// The member of `c` reached through the member pointers `Ms` (c.*M1.*M2...).
template <auto... Ms>
auto& at(ExperimentConfig& c) {
    return (c.*....*Ms);
}

/// The default of that member.
template <auto... Ms>
auto default_of() {
    ExperimentConfig c;
    return at<Ms...>(c);
}

// ---- reading --------------------------------------------------------------------------------

template <auto... Ms>
void read_int(const ConfigKey& k, const Section& s, const std::string& key, ExperimentConfig& c) {
    auto& field = at<Ms...>(c);
    field = static_cast<std::remove_reference_t<decltype(field)>>(s.get_int(key, k.bounds));
}

template <auto... Ms>
void read_float(const ConfigKey& k, const Section& s, const std::string& key, ExperimentConfig& c) {
    at<Ms...>(c) = s.get_float(key, k.bounds);
}

template <auto... Ms>
void read_bool(const ConfigKey&, const Section& s, const std::string& key, ExperimentConfig& c) {
    at<Ms...>(c) = s.get_bool(key);
}

template <auto... Ms>
void read_string(const ConfigKey&, const Section& s, const std::string& key, ExperimentConfig& c) {
    at<Ms...>(c) = s.get_string(key);
}

/// A string member that must be one of the key's `allowed` choices ("a|b|c").
template <auto... Ms>
void read_choice_text(const ConfigKey& k, const Section& s, const std::string& key,
                      ExperimentConfig& c) {
    const auto choices = split_choices(k.allowed);
    at<Ms...>(c) = std::string(choices[s.get_choice(key, choices)]);
}

/// An enum member whose values are 0, 1, ... in the order of the key's `allowed` choices.
template <auto... Ms>
void read_choice_enum(const ConfigKey& k, const Section& s, const std::string& key,
                      ExperimentConfig& c) {
    auto& field = at<Ms...>(c);
    field = static_cast<std::remove_reference_t<decltype(field)>>(
        s.get_choice(key, split_choices(k.allowed)));
}

/// Parses a duration such as "3 months" or "90 days".
engine::Duration parse_duration_key(const Section& s, const std::string& key);
/// Parses a date such as "2011-06-10" or "2011-06-10 12:00".
engine::Timestamp parse_timestamp_key(const Section& s, const std::string& key);
/// A column: a header name, or an unquoted positive integer for a 1-based position.
engine::ColumnRef parse_column_key(const Section& s, const std::string& key);
/// An existing file, as an absolute path.
std::string parse_path_key(const Section& s, const std::string& key);

template <auto... Ms>
void read_duration(const ConfigKey&, const Section& s, const std::string& key,
                   ExperimentConfig& c) {
    at<Ms...>(c) = parse_duration_key(s, key);
}

template <auto... Ms>
void read_timestamp(const ConfigKey&, const Section& s, const std::string& key,
                    ExperimentConfig& c) {
    at<Ms...>(c) = parse_timestamp_key(s, key);
}

template <auto... Ms>
void read_column(const ConfigKey&, const Section& s, const std::string& key, ExperimentConfig& c) {
    at<Ms...>(c) = parse_column_key(s, key);
}

template <auto... Ms>
void read_path(const ConfigKey&, const Section& s, const std::string& key, ExperimentConfig& c) {
    at<Ms...>(c) = parse_path_key(s, key);
}

/// Adapts a reader of one part of the config (`void(const ConfigKey&, const Section&,
/// const std::string&, Part&)`) to the table's signature.
template <auto Reader, auto... Ms>
void read_part(const ConfigKey& k, const Section& s, const std::string& key, ExperimentConfig& c) {
    Reader(k, s, key, at<Ms...>(c));
}

// ---- defaults as text ------------------------------------------------------------------------

std::string duration_text(const engine::Duration& d);

template <auto... Ms>
std::string show(const ConfigKey& = {}) {
    const auto v = default_of<Ms...>();
    using V = std::remove_cv_t<decltype(v)>;
    if constexpr (std::is_same_v<V, bool>) {
        return v ? "true" : "false";
    } else if constexpr (std::is_integral_v<V>) {
        return std::to_string(v);
    } else if constexpr (std::is_floating_point_v<V>) {
        return short_number(v);
    } else if constexpr (std::is_same_v<V, engine::Duration>) {
        return duration_text(v);
    } else {
        return std::string(v);
    }
}

/// The default of an enum member, as the label of its `allowed` choice.
template <auto... Ms>
std::string show_choice(const ConfigKey& k) {
    return std::string(split_choices(k.allowed)[static_cast<std::size_t>(default_of<Ms...>())]);
}

}  // namespace knntune::exp::keys

namespace knntune::exp::keys {

/// The row-filter ops, in the order of engine::FilterOp's values.
inline constexpr std::string_view kFilterOps =
    "not_empty|empty|gt|ge|lt|le|eq|ne|equals|not_equals|starts_with|not_starts_with";

// ---- readers of keys with their own rules (data_readers.cpp, experiment_config.cpp) ----------

void read_delimiter(const ConfigKey&, const Section&, const std::string&, std::string& out);
void read_filters(const ConfigKey&, const Section&, const std::string&, ExperimentConfig&);
void read_item_metadata(const ConfigKey&, const Section&, const std::string&, ExperimentConfig&);
void read_window(const ConfigKey&, const Section&, const std::string&, ExperimentConfig&);
void read_periods(const ConfigKey&, const Section&, const std::string&, ExperimentConfig&);
void read_models(const ConfigKey&, const Section&, const std::string&, ExperimentConfig&);
void read_sampler(const ConfigKey&, const Section&, const std::string&, ExperimentConfig&);
void read_timeout(const ConfigKey&, const Section&, const std::string&, ExperimentConfig&);
void read_settings(const ConfigKey&, const Section&, const std::string&, ExperimentConfig&);
void read_metric(const ConfigKey&, const Section&, const std::string&, ExperimentConfig&);
void read_extra_metrics(const ConfigKey&, const Section&, const std::string&, ExperimentConfig&);

/// Completes the data part once every key is read: the delimiters, the item file, the
/// windows, the checks that need several keys, the text the prepared data depends on.
void finish_data(const ConfigDoc& doc, ExperimentConfig& cfg);

}  // namespace knntune::exp::keys
