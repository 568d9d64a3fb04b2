#pragma once
/// Building blocks that several measures share: the scoring of a plain product, of the cosine
/// form and of the Tversky form. A measure derives from one and adds its name, parameters and
/// key table (see `measures/tversky.hpp` for a complete example).
///
/// The kernel (`kernel.hpp`) applies the master formula to a measure's num(xy) and, when it
/// normalises, its den(xy, r, c):
///
///     s = num / (den + h_s)          (s = 0 when that is exactly 0)
///     s = s · num / (num + h_b)      (Bayesian shrink)
///
/// Kernel flags: `kScoreIsXy` (s = xy exactly when no shrink is set, so the kernel may select
/// straight from the sums) and `kCheapScore` (no pow per pair, and xy = 0 scores 0, so every
/// column may be scored branch-free).

#include "engine/similarity/stats.hpp"
#include "engine/types.hpp"

namespace knntune::engine::similarity {

/// s = xy: no normalisation term.
struct PlainForm {
    static constexpr bool kScoreIsXy = true;
    static constexpr bool kCheapScore = true;
    [[nodiscard]] bool has_den() const { return false; }
    [[nodiscard]] Score num(Score xy) const { return xy; }
    [[nodiscard]] Score den(Score, Index, Index) const { return 0; }
};

/// s = xy / (Xc(r)·Yc(c) + h_s) with Xc = (X2 + h_add)^c1, Yc = (Y2 + h_add)^c2.
struct CosineForm {
    static constexpr bool kScoreIsXy = false;
    static constexpr bool kCheapScore = true;
    const Score* xc = nullptr;
    const Score* yc = nullptr;
    explicit CosineForm(const SideStats& s) : xc(s.row_cos.data()), yc(s.col_cos.data()) {}
    /// The statistics of the form with exponents c1 (row side) and c2 (column side).
    static StatsNeeds needs(double c1, double c2) { return {.cosine = true, .c1 = c1, .c2 = c2}; }
    [[nodiscard]] bool has_den() const { return true; }
    [[nodiscard]] Score num(Score xy) const { return xy; }
    [[nodiscard]] Score den(Score, Index r, Index c) const { return xc[r] * yc[c]; }
};

/// s = xy / (t1·(X2 − xy) + t2·(Y2 − xy) + xy + h_s). With real values X2 is Σx², so this is
/// the Tanimoto generalisation of the set formulas.
struct TverskyForm {
    static constexpr bool kScoreIsXy = false;
    static constexpr bool kCheapScore = true;
    const Score* x2 = nullptr;
    const Score* y2 = nullptr;
    Score t1 = 1;
    Score t2 = 1;
    TverskyForm(const SideStats& s, Score a, Score b)
        : x2(s.row_norm2.data()), y2(s.col_norm2.data()), t1(a), t2(b) {}
    /// The statistics of the form: X2 and Y2.
    static StatsNeeds needs() { return {.norms = true}; }
    [[nodiscard]] bool has_den() const { return true; }
    [[nodiscard]] Score num(Score xy) const { return xy; }
    [[nodiscard]] Score den(Score xy, Index r, Index c) const {
        return t1 * (x2[r] - xy) + t2 * (y2[c] - xy) + xy;
    }
};

}  // namespace knntune::engine::similarity
