#pragma once
/// Dice: s = xy / (½X2 + ½Y2 + h_s).

#include <array>
#include <string_view>

#include "common/key_table.hpp"
#include "engine/similarity/measures/forms.hpp"

namespace knntune::engine::similarity {

/// Dice has no parameters of its own.
struct DiceParams {};

/// The Tversky form with t1 = t2 = ½.
struct Dice : TverskyForm {
    static constexpr std::string_view kName = "dice";
    static constexpr std::string_view kFormula = "xy / (X2/2 + Y2/2 + shrink)";
    static constexpr bool kCooccurrence = true;  ///< the co-occurrence cache can re-score it
    using Params = DiceParams;
    static constexpr std::array<Key<Params>, 0> kKeys{};
    static StatsNeeds needs(const Params&) { return TverskyForm::needs(); }
    Dice(const SideStats& s, const Params&) : TverskyForm(s, 0.5F, 0.5F) {}
};

}  // namespace knntune::engine::similarity
