#pragma once
/// RP3β (Paudel et al. 2017): P3α divided by pop(c)^β + h_s, where pop(c) is the column sum of
/// B before the L1 normalisation, i.e. the popularity of the neighbour (output column).
/// `variant = literature` selects the evaluation framework's formulation instead
/// (p3_variant.hpp).

#include <array>
#include <string_view>

#include "common/key_table.hpp"
#include "engine/similarity/common_params.hpp"
#include "engine/similarity/measures/p3_variant.hpp"
#include "engine/similarity/stats.hpp"
#include "engine/types.hpp"

namespace knntune::engine::similarity {

/// Parameters of RP3β.
struct Rp3betaParams {
    double alpha = 1.0;  ///< exponent of the transition probabilities, ≥ 0
    double beta = 1.0;   ///< popularity penalty exponent, ≥ 0
    P3Variant variant = P3Variant::Standard;
    bool normalize_rows = false;  ///< literature only: L1-normalise W's rows between the top-k
};

/// s = p3alpha / (Yd(c) + h_s) with Yd = pop^β.
struct Rp3beta {
    static constexpr std::string_view kName = "rp3beta";
    static constexpr std::string_view kFormula = "p3alpha / (pop(c)^beta + shrink)";
    /// NOTE: as for p3alpha, the α transform comes before the product.
    static constexpr bool kCooccurrence = false;
    using Params = Rp3betaParams;
    static constexpr std::array kKeys = {
        real_key<&Params::alpha>("alpha", {0, kInf},
                                 "exponent applied to the L1-normalised transition probabilities",
                                 SearchRange{0, 2}),
        real_key<&Params::beta>("beta", {0, kInf}, "popularity penalty: divide by pop(col)^beta",
                                SearchRange{0, 1}),
        choice_key<&Params::variant>("variant", kP3VariantChoices, kP3VariantHelp),
        bool_key<&Params::normalize_rows>("normalize_rows", kP3NormalizeRowsHelp),
    };
    static void check(const CommonParams& common, const Params& p) {
        check_p3_variant(kName, common, p.variant, p.normalize_rows);
    }
    static StatsNeeds needs(const Params& p) {
        return {.col_pop = true,
                .col_pop_exp = p.beta,
                .p3 = true,
                .p3_alpha = p.alpha,
                .p3_literature = p.variant == P3Variant::Literature,
                .p3_normalize_rows = p.normalize_rows};
    }

    static constexpr bool kScoreIsXy = false;
    static constexpr bool kCheapScore = true;
    const Score* yd = nullptr;
    Rp3beta(const SideStats& s, const Params&) : yd(s.col_pop.data()) {}
    [[nodiscard]] bool has_den() const { return true; }
    [[nodiscard]] Score num(Score xy) const { return xy; }
    [[nodiscard]] Score den(Score, Index, Index c) const { return yd[c]; }
};

}  // namespace knntune::engine::similarity
