#pragma once
/// The parameters every similarity measure shares (neighbours, shrink, threshold, input
/// weighting) and the enums they use. Each measure's own parameters live in its header under
/// `measures/`; `params.hpp` joins the two into `SimilarityParams`.

#include "engine/types.hpp"

namespace knntune::engine::similarity {

/// Which entities are compared.
enum class Orientation {
    Item,  ///< item × item similarity, from the transposed user × item matrix
    User,  ///< user × user similarity
};

/// Where the `shrink` value enters the formula (spec section 2).
enum class ShrinkType {
    Stabilized,  ///< added to the denominator
    Bayesian,    ///< score multiplied by num / (num + shrink)
    Additive,    ///< added to the squared norms inside the cosine factors only
};

/// Optional term weighting of the input rows (spec section 6).
enum class Weighting { None, Tfidf, Bm25, Bm25Plus };

/// Term-frequency transform of a stored value x. `Auto` picks the weighting's default.
enum class TfMode { Auto, Binary, Raw, Sqrt, Freq, Log };

/// Inverse-document-frequency transform. `Auto` picks the weighting's default.
enum class IdfMode { Auto, Unary, Base, Smooth, Prob, Bm25 };

/// Row normalisation applied after weighting.
enum class RowNorm { None, L1, L2, Max };

/// The parameters of every measure, already validated. The initialisers are the defaults
/// (the key table in params.cpp reads them from here).
struct CommonParams {
    Index k = 100;        ///< neighbours kept per row, ≥ 1
    double shrink = 0.0;  ///< ≥ 0
    ShrinkType shrink_type = ShrinkType::Stabilized;
    double threshold = 0.0;     ///< keep s ≥ threshold (before top-k)
    bool binary = false;        ///< treat every stored non-zero as 1
    bool exclude_self = false;  ///< drop s(r, r) before top-k

    Weighting weighting = Weighting::None;
    TfMode tf_mode = TfMode::Auto;
    IdfMode idf_mode = IdfMode::Auto;
    double bm25_k1 = 1.2;
    double bm25_b = 0.75;
    double bm25_delta = 1.0;  ///< bm25plus only; bm25 uses 0
    double logbase = 2.718281828459045;
    RowNorm normalize = RowNorm::None;
};

}  // namespace knntune::engine::similarity
