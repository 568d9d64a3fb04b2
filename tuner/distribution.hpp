#pragma once
/// Distributions of single parameters: float, int (both with optional log scale and step) and
/// categorical.
///
/// A value is a `double` everywhere inside the tuner. The *external* value is what the
/// objective sees (a float, an integral double for ints, the choice index for categoricals).
/// The *internal* value is what the samplers model: `ln x` for log parameters, `x` otherwise,
/// the index for categoricals. Conversion happens only at this boundary.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace knntune::tuner {

/// The three kinds of parameter.
enum class DistributionKind { Float, Int, Categorical };

/// The name of a kind as used in the JSON form: "float", "int", "categorical".
std::string_view kind_name(DistributionKind kind);

/// One parameter's domain. Build with the `make_*` factories, then `validate()`.
struct Distribution {
    DistributionKind kind = DistributionKind::Float;
    double low = 0.0;                  ///< inclusive lower bound (numeric kinds)
    double high = 1.0;                 ///< inclusive upper bound (numeric kinds)
    bool log = false;                  ///< sample on the log scale; requires low > 0
    double step = 0.0;                 ///< grid spacing; 0 = continuous (float only), ints ≥ 1
    std::vector<std::string> choices;  ///< categorical labels, index = value

    static Distribution make_float(double low, double high, bool log = false, double step = 0.0);
    static Distribution make_int(std::int64_t low, std::int64_t high, bool log = false,
                                 std::int64_t step = 1);
    static Distribution make_categorical(std::vector<std::string> choices);

    /// Throws `SpaceError` naming `where` when the domain is empty or inconsistent.
    void validate(std::string_view where) const;

    bool is_categorical() const { return kind == DistributionKind::Categorical; }
    /// True for ints and stepped floats: values live on the grid low + m·step.
    bool is_stepped() const { return kind == DistributionKind::Int || step > 0.0; }
    std::size_t n_choices() const { return choices.size(); }
    /// Number of grid points of a stepped distribution (int or stepped float).
    std::int64_t n_grid_points() const;

    /// Lower end a of the internal domain [a, b] (spec §1.4): stepped domains are widened by
    /// half a step, log-int ones to [ln(low − ½), ln(high + ½)].
    double internal_low() const;
    /// Upper end b of the internal domain [a, b].
    double internal_high() const;
    /// External → internal scale (ln for log, identity otherwise).
    double to_internal(double external) const;
    /// Internal → external: exp for log, then snapped to the grid and clipped to [low, high].
    double to_external(double internal) const;
    /// True when `external` is a legal value (in range, on the grid, a valid index).
    bool contains(double external) const;
    /// The trial log's check of a stored value: in [low, high], or an integral index of a
    /// choice; the grid is not checked. False for NaN and infinities.
    bool in_range(double external) const;
    /// Short human form, e.g. "int [5, 1000] log" or "categorical {cosine, tversky}".
    std::string describe() const;
    /// Formats an external value for people: the label for categoricals, an integer for ints.
    std::string format(double external) const;

    bool operator==(const Distribution&) const = default;
};

}  // namespace knntune::tuner
