#pragma once
/// Experiment configuration: YAML loading with line-numbered errors, `--set` overrides,
/// unknown-key detection against one schema table, and conversion to the engine's spec
/// structs. yaml-cpp is used only here, in experiments/.

#include <yaml-cpp/yaml.h>

#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/data/log_reader.hpp"
#include "engine/data/prepare.hpp"
#include "experiments/error.hpp"

namespace knntune::exp {

/// The config schema version this build reads.
inline constexpr int kSchemaVersion = 1;

/// One documented config key. `key` is dotted; `[]` stands for any list element and `*` for
/// any map key (e.g. `split.periods.*.start`).
struct KeyDoc {
    const char* key;
    const char* type;     ///< "string", "int", "float", "bool", "map", "list", "duration", ...
    const char* def;      ///< default as text; "" when required or no default
    const char* bounds;   ///< allowed values or range, as text
    const char* help;
};

/// The schema table: every key a config may contain. It drives unknown-key detection and is
/// checked against configs/README.md by a test.
[[nodiscard]] std::span<const KeyDoc> config_schema();

/// A YAML config with its origin. `--set a.b=value` overrides are applied on load.
class ConfigDoc {
public:
    /// Loads `path` and applies `overrides` (each `dotted.key=value`; the value is parsed as
    /// YAML). Throws ConfigError for a missing file, a YAML syntax error, a malformed
    /// override, an unknown key or a schema-version mismatch.
    static ConfigDoc load(const std::string& path, const std::vector<std::string>& overrides = {});
    /// Same, from text (for tests); `name` is used in messages.
    static ConfigDoc parse(const std::string& text, const std::string& name,
                           const std::vector<std::string>& overrides = {});

    [[nodiscard]] const YAML::Node& root() const { return root_; }
    [[nodiscard]] const std::string& name() const { return name_; }
    /// The resolved config (overrides applied) as YAML text.
    [[nodiscard]] std::string resolved_text() const;

    /// "file:line" of a dotted key (line of the key, 1-based) or "--set key" for overrides.
    [[nodiscard]] std::string where(const std::string& dotted, const YAML::Node& node) const;

private:
    YAML::Node root_;
    std::string name_;
    std::vector<std::string> overridden_;  ///< dotted keys set on the command line
};

/// Typed access to one mapping of a config, with errors that name file, line and key.
class Section {
public:
    Section(const ConfigDoc& doc, YAML::Node node, std::string dotted);

    [[nodiscard]] bool has(const std::string& key) const;
    [[nodiscard]] Section child(const std::string& key) const;
    [[nodiscard]] YAML::Node node(const std::string& key) const { return node_[key]; }

    [[nodiscard]] std::string get_string(const std::string& key, const std::string& def) const;
    [[nodiscard]] std::string require_string(const std::string& key) const;
    [[nodiscard]] long long get_int(const std::string& key, long long def, long long lo,
                                    long long hi) const;
    [[nodiscard]] double get_float(const std::string& key, double def, double lo, double hi) const;
    [[nodiscard]] bool get_bool(const std::string& key, bool def) const;
    /// A string that must be one of `choices`.
    [[nodiscard]] std::string get_choice(const std::string& key, const std::string& def,
                                         const std::vector<std::string>& choices) const;

    /// "file:line (dotted.key)" for messages.
    [[nodiscard]] std::string where(const std::string& key) const;
    [[nodiscard]] const std::string& dotted() const { return dotted_; }
    [[nodiscard]] const ConfigDoc& doc() const { return *doc_; }
    /// Throws ConfigError "where: key 'x': message".
    [[noreturn]] void fail(const std::string& key, const std::string& message) const;

private:
    const ConfigDoc* doc_;
    YAML::Node node_;
    std::string dotted_;
};

/// The data-preparation part of an experiment config.
struct DataConfig {
    engine::LogSpec log;
    engine::PrepareSpec prepare;
    std::string output_dir;      ///< run folder (output.dir)
    bool save_prepared = true;   ///< output.save_prepared
    std::string source_text;     ///< the resolved data and split sections (YAML): what the
                                 ///< prepared data depends on
    std::string resolved_text;   ///< the whole resolved config (YAML), input paths absolute
};

/// Reads the `data`, `split` and `output` sections.
[[nodiscard]] DataConfig read_data_config(const ConfigDoc& doc);

}  // namespace knntune::exp
