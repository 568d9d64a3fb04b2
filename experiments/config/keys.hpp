#pragma once
/// The config key table: every key an experiment config may contain is declared once, with
/// its type, bounds, one line of help and the function that reads it. The table drives
/// unknown-key detection (with suggestions), `--set`, reading and validation, the resolved
/// config (defaults filled in) and the key list of configs/README.md (`knntune config-keys`,
/// checked by a test). Defaults are not written here: they are read from a default-constructed
/// `ExperimentConfig` (experiment_config.hpp).

#include <span>
#include <string>
#include <string_view>

#include "common/key_table.hpp"

namespace knntune::exp {

class ConfigDoc;
class Section;
struct ExperimentConfig;
struct ConfigKey;

/// Reads `key` (a key of mapping `s`) into `cfg`.
using KeyReader = void (*)(const ConfigKey& self, const Section& s, const std::string& key,
                           ExperimentConfig& cfg);
/// Text computed when the docs are written (a default, or allowed values from a registry).
using KeyText = std::string (*)(const ConfigKey& self);

/// How the key check walks into a key's value.
enum class Shape {
    Leaf,     ///< a value (a scalar, a range, or a mapping read as a whole by its reader)
    Section,  ///< a mapping of declared keys
    List,     ///< a list whose elements are described by the `KEY[]` entry
};

/// One declared key. `key` is dotted; `[]` stands for any list element and `*` for any
/// mapping key (`split.periods.*.start`).
struct ConfigKey {
    std::string_view key;
    std::string_view type;  ///< for the docs: int, float, bool, string, duration, column, ...
    Shape shape = Shape::Leaf;
    Bounds bounds{};             ///< int and float keys
    std::string_view allowed{};  ///< for the docs, and the choices of choice keys ("a|b|c")
    std::string_view help{};
    KeyReader read = nullptr;        ///< null: read by the reader of an enclosing key
    KeyText default_text = nullptr;  ///< null: no default
    KeyText allowed_text = nullptr;  ///< allowed values from a registry (overrides `allowed`)
    bool required = false;           ///< must be given when its mapping is
    /// The default text is a YAML value: the resolved config writes it for an absent key.
    bool literal_default = false;
    /// For the docs, in place of a default or allowed values that list registry entries (so
    /// that configs/README.md does not change when a measure, metric or sampler is added;
    /// `knntune config-keys` prints the live lists).
    std::string_view doc_default{};
    std::string_view doc_allowed{};
};

/// Every key, in reading order (a key is read after the keys it depends on).
[[nodiscard]] std::span<const ConfigKey> config_keys();

/// The entry matching a dotted path, or null.
[[nodiscard]] const ConfigKey* find_config_key(std::string_view dotted);

/// Walks the document against the table: unknown keys (with a suggestion), repeated keys,
/// value keys without a value, and wrong shapes are ConfigErrors naming file, line and key.
void check_keys(const ConfigDoc& doc);

/// Calls the reader of every declared key present in the document, in table order; throws
/// for a missing required key.
void read_keys(const ConfigDoc& doc, ExperimentConfig& cfg);

/// The key table as the Markdown table of configs/README.md.
[[nodiscard]] std::string config_keys_markdown();

/// The default of one key as text ("" when it has none).
[[nodiscard]] std::string key_default(const ConfigKey& k);
/// The allowed values or bounds of one key as text.
[[nodiscard]] std::string key_allowed(const ConfigKey& k);

}  // namespace knntune::exp
