#pragma once
/// A conditional (tree-structured) search space declared as data.
///
/// Root parameters are always active. A conditional parameter names a categorical `parent`
/// and the parent choices (`when`) under which it exists; parents may themselves be
/// conditional, so the space is a tree. A parameter is keyed by (branch, name): the local name
/// `alpha` under `algorithm ∈ {tversky}` has the key `tversky.alpha`, and `rp3beta.alpha` is a
/// different parameter whose observations never mix with it.
///
/// JSON form (the runner's YAML maps onto the same fields):
///
///     {"params": [
///       {"name": "algorithm", "type": "categorical", "choices": ["cosine", "tversky"]},
///       {"name": "k", "type": "int", "low": 5, "high": 1000, "log": true},
///       {"name": "shrink", "type": "float", "low": 0, "high": 1000},
///       {"name": "alpha", "type": "float", "low": 0, "high": 2,
///        "parent": "algorithm", "when": ["tversky"]}]}
///
/// Optional fields: "log" (bool), "step" (number), "key" (overrides the derived key).

#include <boost/json/value.hpp>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tuner/distribution.hpp"

namespace knntune::tuner {

/// One value per parameter of a space, indexed like `SearchSpace::params()`, external scale.
/// NaN marks an inactive (or not yet sampled) parameter.
using ParamValues = std::vector<double>;

/// The value that marks an inactive parameter.
inline constexpr double kInactive = std::numeric_limits<double>::quiet_NaN();

/// Trial-log column names that a parameter key or a metric name may not take.
extern const char* const kReservedColumns[7];

/// Declaration of one parameter, as written by the user (before validation).
struct ParamSpec {
    std::string name;               ///< local name, e.g. "alpha"
    Distribution distribution;      ///< its domain
    std::string parent;             ///< name (or key) of a categorical parent; empty = root
    std::vector<std::string> when;  ///< parent choices under which it is active
    std::string key;                ///< optional explicit key; derived when empty
};

/// Activation condition of a validated parameter.
struct Condition {
    std::size_t parent = 0;            ///< index of the categorical parent
    std::vector<std::size_t> choices;  ///< parent choice indices that activate it, ascending
    bool operator==(const Condition&) const = default;
};

/// A validated parameter.
struct Param {
    std::string name;                    ///< local name ("alpha")
    std::string key;                     ///< unique key ("tversky.alpha"; "k" at the root)
    Distribution distribution;           ///< its domain
    std::optional<Condition> condition;  ///< none at the root
    std::size_t block = 0;               ///< index into `SearchSpace::blocks()`
    bool operator==(const Param&) const = default;
};

/// Parameters sharing one activation condition; they are active together or not at all.
struct Block {
    std::optional<Condition> condition;  ///< the shared condition (none for the root block)
    std::vector<std::size_t> params;     ///< member parameter indices, in declaration order
};

/// A validated, immutable search space. Parameters are kept in declaration order, which is
/// also a topological order (a parent is declared before its children).
class SearchSpace {
  public:
    SearchSpace() = default;
    /// Validates the declarations; throws `SpaceError` naming the offending parameter.
    explicit SearchSpace(std::vector<ParamSpec> specs);

    /// Parses and validates the JSON form; errors name the JSON path (`params[3].low`).
    static SearchSpace from_json(const boost::json::value& json);
    /// Parses the JSON text form.
    static SearchSpace from_json_text(std::string_view text);
    /// The canonical JSON form; `from_json(to_json())` gives an equal space.
    boost::json::value to_json() const;
    /// Canonical JSON text, used to detect a changed space on resume.
    std::string to_json_text() const;

    std::size_t size() const { return params_.size(); }
    bool empty() const { return params_.empty(); }
    const std::vector<Param>& params() const { return params_; }
    const Param& param(std::size_t i) const { return params_[i]; }
    const std::vector<Block>& blocks() const { return blocks_; }

    /// Index of the parameter with this key, if any.
    std::optional<std::size_t> find(std::string_view key) const;
    /// Index of the parameter with this key; throws `SpaceError` listing the keys.
    std::size_t index_of(std::string_view key) const;

    /// True when the condition of parameter `i` holds for `values` (its parent is active and
    /// takes one of the `when` choices). Root parameters are always active.
    bool is_active(std::size_t i, const ParamValues& values) const;
    /// Checks a full assignment: every active parameter has a legal value, every inactive one
    /// is NaN. Throws `SettingsError` naming the parameter.
    void check(const ParamValues& values, std::string_view where) const;
    /// Sets every parameter whose condition does not hold to NaN (top-down).
    void deactivate(ParamValues& values) const;

    bool operator==(const SearchSpace& other) const { return params_ == other.params_; }

  private:
    std::vector<Param> params_;
    std::vector<Block> blocks_;
};

}  // namespace knntune::tuner
