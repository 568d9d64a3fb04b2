#pragma once
/// An experiment config as a YAML document: loading with line-numbered errors, `--set`
/// overrides, unknown-key detection against the key table (keys.hpp), and typed access to one
/// mapping with errors that name the file, line and dotted key. yaml-cpp is used only in
/// experiments/.

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "common/key_table.hpp"
#include "experiments/error.hpp"

namespace knntune::exp {

/// The config schema version this build reads.
inline constexpr int kSchemaVersion = 1;

/// The most YAML nodes a config may expand to, counting an alias once per use: far above any
/// real config (the bundled ones have a few hundred), far below what makes reading it slow.
inline constexpr std::size_t kMaxConfigNodes = 100000;

/// A YAML config with its origin. `--set a.b=value` overrides are applied on load.
class ConfigDoc {
  public:
    /// Loads `path` and applies `overrides` (each `dotted.key=value`; the value is parsed as
    /// YAML). Throws ConfigError for a missing file, a YAML syntax error, a second YAML
    /// document, more than kMaxConfigNodes nodes, a malformed override, an unknown key or a
    /// schema-version mismatch.
    static ConfigDoc load(const std::string& path, const std::vector<std::string>& overrides = {});
    /// Same, from text (for tests); `name` is used in messages.
    static ConfigDoc parse(const std::string& text, const std::string& name,
                           const std::vector<std::string>& overrides = {});

    [[nodiscard]] const YAML::Node& root() const { return root_; }
    [[nodiscard]] const std::string& name() const { return name_; }
    /// The config (overrides applied) as YAML text.
    [[nodiscard]] std::string text() const;

    /// "file:line" of a dotted key (line of the key, 1-based) or "file: --set key" for
    /// overrides; "file:line (with --set key.inner)" when an override changed a key inside it.
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
    Section(const Section&) = default;
    // NOTE: assigning a YAML::Node assigns into the node it refers to (it edits the
    // document), so a Section is never assigned.
    Section& operator=(const Section&) = delete;

    /// True when the mapping holds `key` with a value. (A value key written without a value,
    /// `n_trials: ~`, is refused on load, by the key check.)
    [[nodiscard]] bool has(const std::string& key) const;
    /// The mapping under `key` (empty when absent); throws when it is not a mapping.
    [[nodiscard]] Section child(const std::string& key) const;
    [[nodiscard]] YAML::Node node(const std::string& key) const { return node_[key]; }
    [[nodiscard]] const YAML::Node& node() const { return node_; }

    [[nodiscard]] std::string get_string(const std::string& key) const;
    [[nodiscard]] std::string require_string(const std::string& key) const;
    [[nodiscard]] long long get_int(const std::string& key, const Bounds& bounds) const;
    [[nodiscard]] double get_float(const std::string& key, const Bounds& bounds) const;
    [[nodiscard]] bool get_bool(const std::string& key) const;
    /// A non-empty list of names, none repeated (`what` describes them in the message).
    [[nodiscard]] std::vector<std::string> get_names(const std::string& key,
                                                     const std::string& what) const;
    /// A string that must be one of `choices`; returns its index.
    [[nodiscard]] std::size_t get_choice(const std::string& key,
                                         const std::vector<std::string_view>& choices) const;

    /// "file:line" of `key` in this mapping (or "file: --set dotted.key").
    [[nodiscard]] std::string where(const std::string& key) const;
    /// "file:line" of the mapping itself.
    [[nodiscard]] std::string where() const;
    [[nodiscard]] const std::string& dotted() const { return dotted_; }
    /// The dotted name of `key` in this mapping.
    [[nodiscard]] std::string dotted(const std::string& key) const;
    [[nodiscard]] const ConfigDoc& doc() const { return *doc_; }
    /// Throws ConfigError "where: key 'x': message".
    [[noreturn]] void fail(const std::string& key, const std::string& message) const;

  private:
    const ConfigDoc* doc_;
    YAML::Node node_;
    std::string dotted_;
};

/// "[1, 10000000]": integer bounds with every digit.
[[nodiscard]] std::string int_bounds_text(const Bounds& b);

/// The text of a scalar node (escaped and cut as `printable(text, kEchoBytes)`), or "a list" /
/// "a mapping", for messages.
[[nodiscard]] std::string node_text(const YAML::Node& n);

}  // namespace knntune::exp
