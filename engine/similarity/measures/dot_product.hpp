#pragma once
/// Dot product: s = xy, the plain sparse Gram product; also the recommendation scorer.

#include <array>
#include <string_view>

#include "common/key_table.hpp"
#include "engine/similarity/measures/forms.hpp"

namespace knntune::engine::similarity {

/// Dot product has no parameters of its own.
struct DotProductParams {};

/// s = xy.
struct DotProduct : PlainForm {
    static constexpr std::string_view kName = "dot_product";
    static constexpr std::string_view kFormula = "xy";
    static constexpr bool kCooccurrence = true;  ///< the co-occurrence cache can re-score it
    using Params = DotProductParams;
    static constexpr std::array<Key<Params>, 0> kKeys{};
    static StatsNeeds needs(const Params&) { return {}; }
    DotProduct() = default;
    DotProduct(const SideStats&, const Params&) {}
};

}  // namespace knntune::engine::similarity
