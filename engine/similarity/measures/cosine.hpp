#pragma once
/// Cosine: s = xy / (√X2 · √Y2 + h_s).

#include <array>
#include <string_view>

#include "common/key_table.hpp"
#include "engine/similarity/measures/forms.hpp"

namespace knntune::engine::similarity {

/// Cosine has no parameters of its own.
struct CosineParams {};

/// The cosine form with c1 = c2 = ½.
struct Cosine : CosineForm {
    static constexpr std::string_view kName = "cosine";
    static constexpr std::string_view kFormula = "xy / (sqrt(X2)·sqrt(Y2) + shrink)";
    static constexpr bool kCooccurrence = true;  ///< the co-occurrence cache can re-score it
    using Params = CosineParams;
    static constexpr std::array<Key<Params>, 0> kKeys{};
    static StatsNeeds needs(const Params&) { return CosineForm::needs(0.5, 0.5); }
    Cosine(const SideStats& s, const Params&) : CosineForm(s) {}
};

}  // namespace knntune::engine::similarity
