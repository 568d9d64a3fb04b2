#pragma once
/// Similarity parameters: the common ones (`CommonParams`) plus the chosen measure's own
/// (`MeasureParams`, see registry.hpp), each declared once in a key table.
///
/// Callers pass a map of parameter names to values (numbers or strings, as read from a YAML
/// config or from `--set NAME=VALUE`). `parse_params` validates it against the tables: unknown
/// names, names that do not apply to the measure, and out-of-range values throw a ParamError
/// that lists what is valid.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/key_table.hpp"
#include "engine/similarity/common_params.hpp"
#include "engine/similarity/registry.hpp"

namespace knntune::engine::similarity {

/// A validated parameter set: the common parameters and those of one measure. `own` holds
/// the alternative of the measure it was parsed for (alternative index = registry index).
struct SimilarityParams : CommonParams {
    MeasureParams own;
};

/// The own parameters of measure `M` in `p`; `p` must have been parsed for `M`.
template <class M>
[[nodiscard]] const typename M::Params& own_params(const SimilarityParams& p) {
    return std::get<kMeasureIndex<M>>(p.own);
}

/// The measure `p` was parsed for.
[[nodiscard]] inline Measure parsed_for(const SimilarityParams& p) {
    return Measure(p.own.index());
}

/// A parameter value: a number, or a string (which may also spell a number or a boolean).
using ParamValue = knntune::Value;

/// Parameter name → value, as given by a config or the command line.
using ParamMap = knntune::ValueMap;

/// The measure called `name`; throws ParamError listing the valid names.
[[nodiscard]] Measure measure_from_name(std::string_view name);

/// The registered name of a measure.
[[nodiscard]] std::string_view measure_name(Measure m);

/// Every registered measure name, in table order.
[[nodiscard]] std::vector<std::string_view> measure_names();

/// Parses "item" / "user"; throws ParamError otherwise.
[[nodiscard]] Orientation orientation_from_name(std::string_view name);

/// Validates `values` for `measure` and returns the full parameter set (defaults filled in).
/// Throws ParamError on an unknown name, a name that does not apply to the measure (listing
/// the ones that do), a value of the wrong type or out of range (giving the bounds), a
/// weighting key without its weighting, or a rule of the measure's own (s_plus: mixing the
/// classic form `l`, `c` with the general one `l1`, `l2`, `c1`, `c2`; p3alpha, rp3beta:
/// `normalize_rows` without `variant = literature`, or that variant with a weighting).
[[nodiscard]] SimilarityParams parse_params(Measure measure, const ParamMap& values);

/// Checks every value of `p` (built by `parse_params` for `measure`, then perhaps edited in
/// code) against the same tables and the measure's rules between parsed values: throws
/// ParamError naming the first one out of its bounds.
void check_params(Measure measure, const SimilarityParams& p);

/// Help text for the parameters of `measure` (all measures when empty): name, default,
/// bounds and description, one per line; the common parameters first. Generated from the
/// same tables as the validation.
[[nodiscard]] std::string params_help(std::optional<Measure> measure = std::nullopt);

/// The keys every measure accepts (k, shrink, ..., normalize), in table order.
[[nodiscard]] std::span<const KeyInfo> common_keys();

/// The own keys of `measure`, in table order; `search` is set for the keys that are tuned by
/// default, with their default range.
[[nodiscard]] std::span<const KeyInfo> own_keys(Measure measure);

/// The default of key `name` (a common key or one of `measure`'s own) as a value: a number
/// (Int, Real; Bool as 0/1; Choice as its index). Throws ParamError for a key the measure
/// does not accept.
[[nodiscard]] Value key_default(Measure measure, std::string_view name);

/// The default of key `name` as help text shows it: "100", "0.5", "false", "stabilized".
[[nodiscard]] std::string key_default_text(Measure measure, std::string_view name);

}  // namespace knntune::engine::similarity
