#pragma once
/// P3α (Cooper et al. 2014): s = Σ_u P1[r,u]·P2[u,c], where P1 and P2 are the inputs with
/// L1-normalised rows raised elementwise to α (the transform is done before the kernel).

#include <array>
#include <string_view>

#include "common/key_table.hpp"
#include "engine/similarity/measures/forms.hpp"

namespace knntune::engine::similarity {

/// Parameters of P3α.
struct P3alphaParams {
    double alpha = 1.0;  ///< exponent of the transition probabilities, ≥ 0
};

/// The plain product of the transformed inputs.
struct P3alpha : PlainForm {
    static constexpr std::string_view kName = "p3alpha";
    static constexpr std::string_view kFormula =
        "sum_u P1[r,u]^alpha · P2[u,c]^alpha (row-stochastic P1, P2)";
    /// NOTE: every entry is raised to α before the product, so the counts of the
    /// co-occurrence cache cannot be re-scored into it.
    static constexpr bool kCooccurrence = false;
    using Params = P3alphaParams;
    static constexpr std::array kKeys = {
        real_key<&Params::alpha>("alpha", {0, kInf},
                                 "exponent applied to the L1-normalised transition probabilities",
                                 SearchRange{0, 2}),
    };
    static StatsNeeds needs(const Params& p) { return {.p3 = true, .p3_alpha = p.alpha}; }
    P3alpha(const SideStats&, const Params&) {}
};

}  // namespace knntune::engine::similarity
