#pragma once
/// Asymmetric cosine: s = xy / (X2^α · Y2^(1−α) + h_s); α = 1 weighs only the row side.

#include <array>
#include <string_view>

#include "common/key_table.hpp"
#include "engine/similarity/measures/forms.hpp"

namespace knntune::engine::similarity {

/// Parameters of the asymmetric cosine.
struct AsymmetricCosineParams {
    double alpha = 0.5;  ///< weight of the row side, in [0, 1]
};

/// The cosine form with c1 = α, c2 = 1 − α.
struct AsymmetricCosine : CosineForm {
    static constexpr std::string_view kName = "asymmetric_cosine";
    static constexpr std::string_view kFormula = "xy / (X2^alpha · Y2^(1-alpha) + shrink)";
    static constexpr bool kCooccurrence = true;  ///< the co-occurrence cache can re-score it
    using Params = AsymmetricCosineParams;
    static constexpr std::array kKeys = {
        real_key<&Params::alpha>("alpha", {0, 1},
                                 "weight of the row side: xy / (X2^alpha · Y2^(1-alpha))",
                                 SearchRange{0, 1}),
    };
    static StatsNeeds needs(const Params& p) { return CosineForm::needs(p.alpha, 1.0 - p.alpha); }
    AsymmetricCosine(const SideStats& s, const Params&) : CosineForm(s) {}
};

}  // namespace knntune::engine::similarity
