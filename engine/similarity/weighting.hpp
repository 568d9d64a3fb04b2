#pragma once
/// Term weighting (tf-idf, BM25, BM25+) and row normalisation of a sparse matrix (spec
/// section 6). Rows are documents and columns are terms; only stored entries change.

#include "engine/csr.hpp"
#include "engine/similarity/common_params.hpp"

namespace knntune::engine::similarity {

/// Parameters of a term weighting; modes `Auto` resolve to the weighting's defaults
/// (tfidf: sqrt / smooth, bm25 and bm25plus: raw / bm25).
struct WeightingParams {
    Weighting weighting = Weighting::None;
    TfMode tf_mode = TfMode::Auto;
    IdfMode idf_mode = IdfMode::Auto;
    double k1 = 1.2;                     ///< BM25 saturation, ≥ 0
    double b = 0.75;                     ///< BM25 length normalisation, in [0, 1]
    double delta = 1.0;                  ///< BM25+ lower bound (forced to 0 for bm25)
    double logbase = 2.718281828459045;  ///< > 1
};

/// Re-weights the stored values of `m` in place.
///
/// df(j) counts rows with a strictly positive value in column j; dl(i) is the sum of row i's
/// raw values and avgdl its mean over all rows. tfidf: w = TF(x)·IDF(j). bm25plus:
/// w = IDF(j)·(TF(x)(k1+1) / (TF(x) + k1((1−b) + b·dl/avgdl)) + δ); bm25 is δ = 0. Columns with
/// df = 0 get IDF 0. IDF is not floored, so bm25/prob weights can be negative.
void apply_weighting(CsrMatrix& m, const WeightingParams& params);

/// Divides each row by its L1 norm, L2 norm, or largest stored value (signed). Rows whose
/// divisor is 0 (L1, L2) or ≤ 0 (max) are left unchanged.
void normalize_rows(CsrMatrix& m, RowNorm norm);

}  // namespace knntune::engine::similarity
