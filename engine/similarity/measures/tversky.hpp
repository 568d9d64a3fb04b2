#pragma once
/// Tversky: s = xy / (α(X2 − xy) + β(Y2 − xy) + xy + h_s).
///
/// A complete measure, as the registry (`registry.hpp`) expects it: a name and a one-line
/// formula, a `Params` struct whose initialisers are the defaults, a key table (bounds, help,
/// the default search range of tuned keys), the co-occurrence cache flag, `needs` (the side
/// statistics for given parameters), and the scoring (kernel flags, has_den, num, den) with a
/// constructor from the side statistics and the parameters. A measure may also declare
/// `static void validate(const ValueMap& given)` for rules on which keys were given (see
/// s_plus.hpp), and `static void check(const CommonParams&, const Params&)` for rules between
/// parsed values, also applied to parameters edited in code (see p3alpha.hpp).

#include <array>
#include <string_view>

#include "common/key_table.hpp"
#include "engine/similarity/measures/forms.hpp"

namespace knntune::engine::similarity {

/// Parameters of Tversky.
struct TverskyParams {
    double alpha = 1.0;  ///< coefficient of the row side, ≥ 0
    double beta = 1.0;   ///< coefficient of the column side, ≥ 0
};

/// The Tversky form with t1 = α, t2 = β.
struct Tversky : TverskyForm {
    static constexpr std::string_view kName = "tversky";
    static constexpr std::string_view kFormula = "xy / (alpha(X2-xy) + beta(Y2-xy) + xy + shrink)";
    static constexpr bool kCooccurrence = true;  ///< the co-occurrence cache can re-score it
    using Params = TverskyParams;
    static constexpr std::array kKeys = {
        real_key<&Params::alpha>("alpha", {0, kInf}, "Tversky coefficient of the row side",
                                 SearchRange{0, 2}),
        real_key<&Params::beta>("beta", {0, kInf}, "Tversky coefficient of the column side",
                                SearchRange{0, 2}),
    };
    static StatsNeeds needs(const Params&) { return TverskyForm::needs(); }
    Tversky(const SideStats& s, const Params& p)
        : TverskyForm(s, static_cast<Score>(p.alpha), static_cast<Score>(p.beta)) {}
};

}  // namespace knntune::engine::similarity
