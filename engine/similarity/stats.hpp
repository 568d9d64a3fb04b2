#pragma once
/// What a measure asks of the kernel input besides the co-occurrence: the side statistics
/// (norms, cosine factors, popularity) and the p3 transform, computed once per call and never
/// inside the pair loop (in particular no `pow` per pair), and the steps of the literature
/// variant of P3α/RP3β around the kernel.
///
/// Notation (spec section 1): the kernel input is A (n × m) and B (m × p); xy(r,c) is the
/// sparse dot product of row r of A and column c of B, X2(r) = Σ A[r,·]², Y2(c) = Σ B[·,c]².

#include <vector>

#include "engine/types.hpp"

namespace knntune::engine::similarity {

/// Side statistics requested by a measure, computed once per call.
struct StatsNeeds {
    bool norms = false;   ///< X2 and Y2
    bool cosine = false;  ///< Xc = (X2 + h_add)^c1, Yc = (Y2 + h_add)^c2
    double c1 = 0.5;
    double c2 = 0.5;
    bool row_pop = false;  ///< Xd = (row sums of A)^row_pop_exp
    double row_pop_exp = 0.0;
    bool col_pop = false;  ///< Yd = (column sums of B)^col_pop_exp
    double col_pop_exp = 0.0;
    bool p3 = false;  ///< L1-normalise the rows of A and B, then raise to p3_alpha
    double p3_alpha = 1.0;
    /// The literature formulation of P3α/RP3β (measures/p3_variant.hpp): A's rows are
    /// normalised as a 0/1 pattern, col_pop counts the stored entries of B's columns, the
    /// kernel drops the self-pair, and its result W becomes S through the steps after the
    /// kernel (optional row L1 normalisation, transpose, top-k per row).
    bool p3_literature = false;
    bool p3_normalize_rows = false;  ///< literature only: L1-normalise the rows of W
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
[[nodiscard]] std::vector<Score> powered_stat(const std::vector<double>& v, double add,
                                              double power);

}  // namespace knntune::engine::similarity
