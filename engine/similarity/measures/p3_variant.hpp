#pragma once
/// The two formulations of P3α and RP3β, chosen by their `variant` parameter.
///
/// `standard` (the default) is the definition of p3alpha.hpp and rp3beta.hpp. `literature` is
/// the formulation of the evaluation framework of Ferrari Dacrema, Cremonesi and Jannach ("Are
/// we really making much progress? A worrying analysis of recent neural recommendation
/// approaches", RecSys 2019; extended with Boglio in "A troubling analysis of reproducibility
/// and progress in recommender systems research", ACM TOIS 39(2), 2021), the P3alpha and
/// RP3beta baselines of most published KNN comparisons. For item-KNN on R (users × items),
/// with W in that framework's orientation (row = the item a user has, column = the item
/// scored):
///
///     P_iu = the 0/1 pattern of Rᵀ, rows L1-normalised, then raised to α
///     P_ui = R, rows L1-normalised, then raised to α
///     W    = P_iu · P_ui, column c divided by pop(c)^β (rp3beta; pop = stored entries of
///            column c of R)
///     W's diagonal set to 0, then the top-k of each row of W
///     each row of W L1-normalised (only with normalize_rows)
///     the top-k of each column of W
///     S    = Wᵀ
///
/// S is what knntune returns, so that its item-KNN scores Σ_i R[u,i]·S[j,i] are the
/// framework's Σ_i R[u,i]·W[i,j]; the first top-k runs over the columns of S, the second over
/// its rows. User-KNN runs the same steps with Rᵀ in place of R. docs/similarity.md states the
/// whole definition, how shrink and threshold enter, and the tie rule.

#include <string>
#include <string_view>

#include "engine/error.hpp"
#include "engine/similarity/common_params.hpp"

namespace knntune::engine::similarity {

/// Which formulation of P3α / RP3β (choices in `kP3VariantChoices` order).
enum class P3Variant {
    Standard,    ///< p3alpha.hpp / rp3beta.hpp
    Literature,  ///< the evaluation framework's formulation (this header)
};

inline constexpr std::string_view kP3VariantChoices = "standard|literature";
inline constexpr std::string_view kP3VariantHelp =
    "standard: the formula listed with the measure; literature: the formulation of Ferrari Dacrema "
    "et al.'s "
    "evaluation framework (docs/similarity.md)";
inline constexpr std::string_view kP3NormalizeRowsHelp =
    "variant=literature only: L1-normalise the rows of W (the columns of S) between its two "
    "top-k steps";

/// The rules between the variant keys and the common parameters, on parsed values:
/// normalize_rows needs the literature variant, and the literature variant reads the
/// interactions unweighted (it normalises them itself). Throws ParamError naming `measure`.
inline void check_p3_variant(std::string_view measure, const CommonParams& common,
                             P3Variant variant, bool normalize_rows) {
    const std::string m(measure);
    if (normalize_rows && variant != P3Variant::Literature) {
        throw ParamError("parameter 'normalize_rows' of " + m + " needs variant = literature");
    }
    if (variant != P3Variant::Literature) return;
    if (common.weighting != Weighting::None) {
        throw ParamError(m + ": variant = literature needs weighting = none");
    }
    if (common.normalize != RowNorm::None) {
        throw ParamError(m + ": variant = literature needs normalize = none");
    }
}

}  // namespace knntune::engine::similarity
