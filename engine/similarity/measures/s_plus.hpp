#pragma once
/// S-plus (Garcia & Bogliolo): s = xy^a / (l1·T + l2·Xc·Yc + l3·Xd·Yd + h_s), with the Tversky
/// term T = t1(X2 − xy) + t2(Y2 − xy) + xy. Terms with a zero weight are skipped.
///
/// Two forms set the weights: the classic one (`l`, `c`: l1 = l, l2 = 1 − l, c1 = c,
/// c2 = 1 − c) and the general one (`l1`, `l2`, `c1`, `c2`); giving both is an error.

#include <array>
#include <cmath>
#include <string_view>

#include "common/key_table.hpp"
#include "engine/error.hpp"
#include "engine/similarity/stats.hpp"
#include "engine/types.hpp"

namespace knntune::engine::similarity {

/// S-plus popularity factor of one side.
enum class PopMode {
    None,  ///< factor 1
    Sum,   ///< row sums of the kernel input (side 1) or column sums (side 2)
};

/// Parameters of S-plus, general form (spec section 3).
struct SPlusParams {
    double l1 = 0.5;  ///< Tversky weight
    double l2 = 0.5;  ///< cosine weight
    double l3 = 0.0;  ///< popularity weight
    double t1 = 1.0;  ///< Tversky coefficient of the row side
    double t2 = 1.0;  ///< Tversky coefficient of the column side
    double c1 = 0.5;  ///< cosine exponent of the row side
    double c2 = 0.5;  ///< cosine exponent of the column side
    PopMode pop1 = PopMode::None;
    PopMode pop2 = PopMode::None;
    double alpha = 1.0;  ///< power on xy in the numerator, > 0
    double beta1 = 0.0;  ///< popularity exponent of the row side
    double beta2 = 0.0;  ///< popularity exponent of the column side
};

namespace detail {

/// A classic-form key: sets `First` to the value and `Second` to 1 − value.
template <auto First, auto Second>
constexpr Key<SPlusParams> complement_key(std::string_view name, std::string_view help,
                                          SearchRange search) {
    return {{name, KeyType::Real, {0, 1}, {}, help, search},
            [](SPlusParams& p, const Parsed& v) {
                p.*First = v.number;
                p.*Second = 1 - v.number;
            },
            [](const SPlusParams& p) { return Value(p.*First); }};
}

}  // namespace detail

/// The S-plus measure.
struct SPlus {
    static constexpr std::string_view kName = "s_plus";
    static constexpr std::string_view kFormula =
        "xy^alpha / (l1·Tversky + l2·cosine + l3·popularity + shrink)";
    static constexpr bool kCooccurrence = true;  ///< the co-occurrence cache can re-score it
    using Params = SPlusParams;
    static constexpr std::array kKeys = {
        detail::complement_key<&Params::l1, &Params::l2>("l", "classic form: l1 = l, l2 = 1 - l",
                                                         SearchRange{0, 1}),
        detail::complement_key<&Params::c1, &Params::c2>("c", "classic form: c1 = c, c2 = 1 - c",
                                                         SearchRange{0, 1}),
        real_key<&Params::t1>("t1", {0, kInf}, "Tversky coefficient of the row side",
                              SearchRange{0, 2}),
        real_key<&Params::t2>("t2", {0, kInf}, "Tversky coefficient of the column side",
                              SearchRange{0, 2}),
        real_key<&Params::l1>("l1", {0, kInf}, "general form: weight of the Tversky term"),
        real_key<&Params::l2>("l2", {0, kInf}, "general form: weight of the cosine term"),
        real_key<&Params::l3>("l3", {0, kInf},
                              "general form: weight of the popularity term pop1^beta1 · "
                              "pop2^beta2"),
        real_key<&Params::c1>("c1", {0, kInf}, "general form: cosine exponent of the row side"),
        real_key<&Params::c2>("c2", {0, kInf}, "general form: cosine exponent of the column side"),
        choice_key<&Params::pop1>(
            "pop1", "none|sum",
            "popularity of the row side: none (1) or sum (row sums of the input)"),
        choice_key<&Params::pop2>(
            "pop2", "none|sum",
            "popularity of the column side: none (1) or sum (column sums of the input)"),
        real_key<&Params::alpha>("alpha", {.low = 0, .low_open = true},
                                 "power applied to the co-occurrence xy in the numerator"),
        real_key<&Params::beta1>("beta1", {0, kInf}, "popularity exponent of the row side"),
        real_key<&Params::beta2>("beta2", {0, kInf}, "popularity exponent of the column side"),
    };

    /// NOTE: the classic form (l, c) and the general one (l1, l2, c1, c2) set the same
    /// weights; giving both is ambiguous, so it is an error rather than a silent override.
    static void validate(const ValueMap& given) {
        const bool classic = given.contains("l") || given.contains("c");
        const bool general = given.contains("l1") || given.contains("l2") || given.contains("c1") ||
                             given.contains("c2");
        if (classic && general) {
            throw ParamError(
                "s_plus: give either the classic form (l, c) or the general form (l1, l2, c1, "
                "c2), not both");
        }
    }

    static StatsNeeds needs(const Params& p) {
        return {.norms = p.l1 != 0,
                .cosine = p.l2 != 0,
                .c1 = p.c1,
                .c2 = p.c2,
                .row_pop = p.l3 != 0,
                .row_pop_exp = p.pop1 == PopMode::Sum ? p.beta1 : 0.0,
                .col_pop = p.l3 != 0,
                .col_pop_exp = p.pop2 == PopMode::Sum ? p.beta2 : 0.0};
    }

    static constexpr bool kScoreIsXy = false;
    static constexpr bool kCheapScore = false;
    const Score* x2 = nullptr;
    const Score* y2 = nullptr;
    const Score* xc = nullptr;
    const Score* yc = nullptr;
    const Score* xd = nullptr;
    const Score* yd = nullptr;
    Score l1, l2, l3, t1, t2;
    double power;
    SPlus(const SideStats& s, const Params& p)
        : x2(s.row_norm2.data()),
          y2(s.col_norm2.data()),
          xc(s.row_cos.data()),
          yc(s.col_cos.data()),
          xd(s.row_pop.data()),
          yd(s.col_pop.data()),
          l1(static_cast<Score>(p.l1)),
          l2(static_cast<Score>(p.l2)),
          l3(static_cast<Score>(p.l3)),
          t1(static_cast<Score>(p.t1)),
          t2(static_cast<Score>(p.t2)),
          power(p.alpha) {}
    [[nodiscard]] bool has_den() const { return l1 != 0 || l2 != 0 || l3 != 0; }
    // NOTE: the power applies in every branch (spec 9.2), also when no weight is active.
    [[nodiscard]] Score num(Score xy) const {
        return power == 1.0 ? xy : static_cast<Score>(std::pow(static_cast<double>(xy), power));
    }
    [[nodiscard]] Score den(Score xy, Index r, Index c) const {
        Score d = 0;
        if (l1 != 0) d += l1 * (t1 * (x2[r] - xy) + t2 * (y2[c] - xy) + xy);
        if (l2 != 0) d += l2 * xc[r] * yc[c];
        if (l3 != 0) d += l3 * xd[r] * yd[c];
        return d;
    }
};

}  // namespace knntune::engine::similarity
