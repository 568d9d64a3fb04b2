#pragma once
/// Jaccard (Tanimoto): s = xy / (X2 + Y2 − xy + h_s).

#include <array>
#include <string_view>

#include "common/key_table.hpp"
#include "engine/similarity/measures/forms.hpp"

namespace knntune::engine::similarity {

/// Jaccard has no parameters of its own.
struct JaccardParams {};

/// The Tversky form with t1 = t2 = 1.
struct Jaccard : TverskyForm {
    static constexpr std::string_view kName = "jaccard";
    static constexpr std::string_view kFormula = "xy / (X2 + Y2 - xy + shrink)";
    static constexpr bool kCooccurrence = true;  ///< the co-occurrence cache can re-score it
    using Params = JaccardParams;
    static constexpr std::array<Key<Params>, 0> kKeys{};
    static StatsNeeds needs(const Params&) { return TverskyForm::needs(); }
    Jaccard(const SideStats& s, const Params&) : TverskyForm(s, 1.0F, 1.0F) {}
};

}  // namespace knntune::engine::similarity
