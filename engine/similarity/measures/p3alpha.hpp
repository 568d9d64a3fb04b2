#pragma once
/// P3α (Cooper et al. 2014): s = Σ_u P1[r,u]·P2[u,c], where P1 and P2 are the inputs with
/// L1-normalised rows raised elementwise to α (the transform is done before the kernel).
/// `variant = literature` selects the evaluation framework's formulation instead
/// (p3_variant.hpp).

#include <array>
#include <string_view>

#include "common/key_table.hpp"
#include "engine/similarity/common_params.hpp"
#include "engine/similarity/measures/forms.hpp"
#include "engine/similarity/measures/p3_variant.hpp"

namespace knntune::engine::similarity {

/// Parameters of P3α.
struct P3alphaParams {
    double alpha = 1.0;  ///< exponent of the transition probabilities, ≥ 0
    P3Variant variant = P3Variant::Standard;
    bool normalize_rows = false;  ///< literature only: L1-normalise W's rows between the top-k
};

/// The plain product of the transformed inputs.
struct P3alpha : PlainForm {
    static constexpr std::string_view kName = "p3alpha";
    static constexpr std::string_view kFormula =
        "sum_u P1[r,u]^alpha · P2[u,c]^alpha (row-stochastic P1, P2)";
    /// NOTE: every entry is raised to α before the product, so the counts of the
    /// co-occurrence cache cannot be re-scored into it (in either variant).
    static constexpr bool kCooccurrence = false;
    using Params = P3alphaParams;
    static constexpr std::array kKeys = {
        real_key<&Params::alpha>("alpha", {0, kInf},
                                 "exponent applied to the L1-normalised transition probabilities",
                                 SearchRange{0, 2}),
        choice_key<&Params::variant>("variant", kP3VariantChoices, kP3VariantHelp),
        bool_key<&Params::normalize_rows>("normalize_rows", kP3NormalizeRowsHelp),
    };
    static void check(const CommonParams& common, const Params& p) {
        check_p3_variant(kName, common, p.variant, p.normalize_rows);
    }
    static StatsNeeds needs(const Params& p) {
        return {.p3 = true,
                .p3_alpha = p.alpha,
                .p3_literature = p.variant == P3Variant::Literature,
                .p3_normalize_rows = p.normalize_rows};
    }
    P3alpha(const SideStats&, const Params&) {}
};

}  // namespace knntune::engine::similarity
