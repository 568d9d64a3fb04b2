#pragma once
/// Similarity measures, their parameters, and the one table that declares every parameter.
///
/// Callers pass a map of parameter names to values (numbers or strings, as read from a YAML
/// config or from `--set NAME=VALUE`). `parse_params` validates it against the table: unknown
/// names, names that do not apply to the measure, and out-of-range values throw a ParamError
/// that lists what is valid.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/types.hpp"

namespace knntune::engine::similarity {

/// The registered similarity measures (see `registry.hpp` for names and formulas).
enum class Measure {
    DotProduct,
    Cosine,
    AsymmetricCosine,
    Jaccard,
    Dice,
    Tversky,
    P3alpha,
    Rp3beta,
    SPlus,
};

/// Which entities are compared.
enum class Orientation {
    Item,  ///< item × item similarity, from the transposed user × item matrix
    User,  ///< user × user similarity
};

/// Where the `shrink` value enters the formula (spec section 2).
enum class ShrinkType {
    Stabilized,  ///< added to the denominator
    Bayesian,    ///< score multiplied by num / (num + shrink)
    Additive,    ///< added to the squared norms inside the cosine factors only
};

/// Optional term weighting of the input rows (spec section 6).
enum class Weighting { None, Tfidf, Bm25, Bm25Plus };

/// Term-frequency transform of a stored value x. `Auto` picks the weighting's default.
enum class TfMode { Auto, Binary, Raw, Sqrt, Freq, Log };

/// Inverse-document-frequency transform. `Auto` picks the weighting's default.
enum class IdfMode { Auto, Unary, Base, Smooth, Prob, Bm25 };

/// Row normalisation applied after weighting.
enum class RowNorm { None, L1, L2, Max };

/// S-plus popularity factor of one side.
enum class PopMode {
    None,  ///< factor 1
    Sum,   ///< row sums of the kernel input (side 1) or column sums (side 2)
};

/// Every parameter of every measure, already validated. Fields that do not apply to the
/// chosen measure keep their defaults and are ignored.
struct SimilarityParams {
    Index k = 100;        ///< neighbours kept per row, ≥ 1
    double shrink = 0.0;  ///< ≥ 0
    ShrinkType shrink_type = ShrinkType::Stabilized;
    double threshold = 0.0;     ///< keep s ≥ threshold (before top-k)
    bool binary = false;        ///< treat every stored non-zero as 1
    bool exclude_self = false;  ///< drop s(r, r) before top-k

    double alpha = 1.0;  ///< asymmetric_cosine α (default 0.5), tversky α, p3alpha/rp3beta
                         ///< exponent, s_plus power on xy
    double beta = 1.0;   ///< tversky β, rp3beta popularity exponent

    // S-plus general form (spec section 3); the classic `l`, `c` map onto l1/l2, c1/c2.
    double l1 = 0.5;  ///< Tversky weight
    double l2 = 0.5;  ///< cosine weight
    double l3 = 0.0;  ///< popularity weight
    double t1 = 1.0;  ///< Tversky coefficient of the row side
    double t2 = 1.0;  ///< Tversky coefficient of the column side
    double c1 = 0.5;  ///< cosine exponent of the row side
    double c2 = 0.5;  ///< cosine exponent of the column side
    PopMode pop1 = PopMode::None;
    PopMode pop2 = PopMode::None;
    double beta1 = 0.0;  ///< popularity exponent of the row side
    double beta2 = 0.0;  ///< popularity exponent of the column side

    Weighting weighting = Weighting::None;
    TfMode tf_mode = TfMode::Auto;
    IdfMode idf_mode = IdfMode::Auto;
    double bm25_k1 = 1.2;
    double bm25_b = 0.75;
    double bm25_delta = 1.0;  ///< bm25plus only; bm25 uses 0
    double logbase = 2.718281828459045;
    RowNorm normalize = RowNorm::None;
};

/// A parameter value: a number, or a string (which may also spell a number or a boolean).
using ParamValue = std::variant<double, std::string>;

/// Parameter name → value, as given by a config or the command line.
using ParamMap = std::map<std::string, ParamValue, std::less<>>;

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
/// the ones that do), a value of the wrong type or out of range (giving the bounds), or on
/// mixing the classic S-plus form (`l`, `c`) with the general one (`l1`, `l2`, `c1`, `c2`).
[[nodiscard]] SimilarityParams parse_params(Measure measure, const ParamMap& values);

/// Help text for the parameters of `measure` (all measures when empty): name, default,
/// bounds and description, one per line. Generated from the same table as the validation.
[[nodiscard]] std::string params_help(std::optional<Measure> measure = std::nullopt);

}  // namespace knntune::engine::similarity
