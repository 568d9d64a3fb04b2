#pragma once
/// The similarity measures as small structs plugged into the shared kernel (`kernel.hpp`).
///
/// Notation (spec section 1): the kernel input is A (n × m) and B (m × p); xy(r,c) is the
/// sparse dot product of row r of A and column c of B, X2(r) = Σ A[r,·]², Y2(c) = Σ B[·,c]².
/// Each measure supplies a numerator num(xy) and, when it normalises, a denominator term
/// den(xy, r, c). The kernel adds the shrink and applies the master formula
///
///     s = num / (den + h_s)          (s = 0 when that is exactly 0)
///     s = s · num / (num + h_b)      (Bayesian shrink)
///
/// A measure also declares which side statistics it needs (`needs`), so that they are
/// computed once per call and never inside the pair loop: in particular no `pow` per pair.

#include <cmath>
#include <vector>

#include "engine/similarity/params.hpp"
#include "engine/types.hpp"

namespace knntune::engine::similarity {

/// Side statistics requested by a measure, computed once per call.
struct StatsNeeds {
    bool norms = false;        ///< X2 and Y2
    bool cosine = false;       ///< Xc = (X2 + h_add)^c1, Yc = (Y2 + h_add)^c2
    double c1 = 0.5;
    double c2 = 0.5;
    bool row_pop = false;      ///< Xd = (row sums of A)^row_pop_exp
    double row_pop_exp = 0.0;
    bool col_pop = false;      ///< Yd = (column sums of B)^col_pop_exp
    double col_pop_exp = 0.0;
    bool p3 = false;           ///< L1-normalise the rows of A and B, then raise to p3_alpha
    double p3_alpha = 1.0;
};

/// Per-row (side 1, length n) and per-column (side 2, length p) statistics.
struct SideStats {
    std::vector<Score> row_norm2;  ///< X2(r)
    std::vector<Score> col_norm2;  ///< Y2(c)
    std::vector<Score> row_cos;    ///< Xc(r)
    std::vector<Score> col_cos;    ///< Yc(c)
    std::vector<Score> row_pop;    ///< Xd(r)
    std::vector<Score> col_pop;    ///< Yd(c)
};

/// (v + add)^power per entry, computed in double and stored as Score; the exponents ½ and 1
/// avoid `pow`. Every side statistic with an exponent (cosine factors, popularity) uses it, so
/// that all code paths produce bit-identical statistics.
[[nodiscard]] std::vector<Score> powered_stat(const std::vector<double>& v, double add, double power);

/// s = xy. The plain sparse Gram product; also the recommendation scorer.
struct DotProduct {
    static constexpr bool kScoreIsXy = true;  ///< s = xy exactly when no shrink is set
    static constexpr bool kCheapScore = true; ///< no pow per pair; xy = 0 scores 0
    static StatsNeeds needs(const SimilarityParams&) { return {}; }
    DotProduct() = default;
    DotProduct(const SideStats&, const SimilarityParams&) {}
    [[nodiscard]] bool has_den() const { return false; }
    [[nodiscard]] Score num(Score xy) const { return xy; }
    [[nodiscard]] Score den(Score, Index, Index) const { return 0; }
};

/// s = xy / (Xc(r)·Yc(c) + h_s) with Xc = (X2 + h_add)^c1, Yc = (Y2 + h_add)^c2.
/// Cosine uses c1 = c2 = ½; asymmetric cosine uses c1 = α, c2 = 1 − α.
struct CosineForm {
    static constexpr bool kScoreIsXy = false;
    static constexpr bool kCheapScore = true;
    const Score* xc = nullptr;
    const Score* yc = nullptr;
    CosineForm(const SideStats& s, const SimilarityParams&)
        : xc(s.row_cos.data()), yc(s.col_cos.data()) {}
    [[nodiscard]] bool has_den() const { return true; }
    [[nodiscard]] Score num(Score xy) const { return xy; }
    [[nodiscard]] Score den(Score, Index r, Index c) const { return xc[r] * yc[c]; }
};

/// Cosine: xy / (√X2 · √Y2 + h_s).
struct Cosine : CosineForm {
    using CosineForm::CosineForm;
    static StatsNeeds needs(const SimilarityParams&) {
        StatsNeeds n;
        n.cosine = true;
        return n;
    }
};

/// Asymmetric cosine: xy / (X2^α · Y2^(1−α) + h_s); α = 1 weighs only the row side.
struct AsymmetricCosine : CosineForm {
    using CosineForm::CosineForm;
    static StatsNeeds needs(const SimilarityParams& p) {
        StatsNeeds n;
        n.cosine = true;
        n.c1 = p.alpha;
        n.c2 = 1.0 - p.alpha;
        return n;
    }
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
    static StatsNeeds needs(const SimilarityParams&) {
        StatsNeeds n;
        n.norms = true;
        return n;
    }
    [[nodiscard]] bool has_den() const { return true; }
    [[nodiscard]] Score num(Score xy) const { return xy; }
    [[nodiscard]] Score den(Score xy, Index r, Index c) const {
        return t1 * (x2[r] - xy) + t2 * (y2[c] - xy) + xy;
    }
};

/// Tversky with α (row side) and β (column side).
struct Tversky : TverskyForm {
    Tversky(const SideStats& s, const SimilarityParams& p)
        : TverskyForm(s, static_cast<Score>(p.alpha), static_cast<Score>(p.beta)) {}
};

/// Jaccard (Tanimoto): xy / (X2 + Y2 − xy + h_s).
struct Jaccard : TverskyForm {
    Jaccard(const SideStats& s, const SimilarityParams&) : TverskyForm(s, 1.0F, 1.0F) {}
};

/// Dice: xy / (½X2 + ½Y2 + h_s).
struct Dice : TverskyForm {
    Dice(const SideStats& s, const SimilarityParams&) : TverskyForm(s, 0.5F, 0.5F) {}
};

/// P3α (Cooper et al. 2014): s = Σ_u P1[r,u]·P2[u,c], where P1 and P2 are the inputs with
/// L1-normalised rows raised elementwise to α (the transform is done before the kernel).
struct P3alpha : DotProduct {
    using DotProduct::DotProduct;
    static StatsNeeds needs(const SimilarityParams& p) {
        StatsNeeds n;
        n.p3 = true;
        n.p3_alpha = p.alpha;
        return n;
    }
};

/// RP3β (Paudel et al. 2017): P3α divided by pop(c)^β + h_s, where pop(c) is the column sum of
/// B before the L1 normalisation, i.e. the popularity of the neighbour (output column).
struct Rp3beta {
    static constexpr bool kScoreIsXy = false;
    static constexpr bool kCheapScore = true;
    const Score* yd = nullptr;
    Rp3beta(const SideStats& s, const SimilarityParams&) : yd(s.col_pop.data()) {}
    static StatsNeeds needs(const SimilarityParams& p) {
        StatsNeeds n;
        n.p3 = true;
        n.p3_alpha = p.alpha;
        n.col_pop = true;
        n.col_pop_exp = p.beta;
        return n;
    }
    [[nodiscard]] bool has_den() const { return true; }
    [[nodiscard]] Score num(Score xy) const { return xy; }
    [[nodiscard]] Score den(Score, Index, Index c) const { return yd[c]; }
};

/// S-plus (Garcia & Bogliolo): s = xy^a / (l1·T + l2·Xc·Yc + l3·Xd·Yd + h_s), with the Tversky
/// term T = t1(X2 − xy) + t2(Y2 − xy) + xy. Terms with a zero weight are skipped.
struct SPlus {
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
    SPlus(const SideStats& s, const SimilarityParams& p)
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
    static StatsNeeds needs(const SimilarityParams& p) {
        StatsNeeds n;
        n.norms = p.l1 != 0;
        n.cosine = p.l2 != 0;
        n.c1 = p.c1;
        n.c2 = p.c2;
        n.row_pop = p.l3 != 0;
        n.row_pop_exp = p.pop1 == PopMode::Sum ? p.beta1 : 0.0;
        n.col_pop = p.l3 != 0;
        n.col_pop_exp = p.pop2 == PopMode::Sum ? p.beta2 : 0.0;
        return n;
    }
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
