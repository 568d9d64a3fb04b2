#include "engine/similarity/weighting.hpp"

#include <cmath>
#include <vector>

#include "engine/error.hpp"

namespace knntune::engine::similarity {

namespace {

/// IDF of a term in `df` documents out of `n_docs`; 0 when it has no positive value.
double idf_of(IdfMode mode, double d, double n_docs, double log_base) {
    if (d <= 0) return 0.0;
    switch (mode) {
        case IdfMode::Auto:
        case IdfMode::Unary:
            return 1.0;
        case IdfMode::Base:
            return std::log(n_docs / d) / log_base;
        case IdfMode::Smooth:
            return std::log(n_docs / (1.0 + d)) / log_base;
        case IdfMode::Prob:
            return std::log((n_docs - d) / d) / log_base;
        case IdfMode::Bm25:
            return std::log((n_docs - d + 0.5) / (d + 0.5)) / log_base;
    }
    return 0.0;
}

/// TF of a stored value `x` in a row of length `dl`.
double tf_of(TfMode mode, double x, double dl, double log_base) {
    switch (mode) {
        case TfMode::Binary:
            return x != 0 ? 1.0 : 0.0;
        case TfMode::Auto:
        case TfMode::Raw:
            return x;
        case TfMode::Sqrt:
            return std::sqrt(x);
        case TfMode::Freq:
            return dl != 0 ? x / dl : 0.0;
        case TfMode::Log:
            return std::log1p(x) / log_base;
    }
    return x;
}

}  // namespace

void apply_weighting(CsrMatrix& m, const WeightingParams& params) {
    if (params.weighting == Weighting::None) return;
    const bool tfidf = params.weighting == Weighting::Tfidf;
    const TfMode tf_mode =
        params.tf_mode != TfMode::Auto ? params.tf_mode : (tfidf ? TfMode::Sqrt : TfMode::Raw);
    const IdfMode idf_mode = params.idf_mode != IdfMode::Auto
                                 ? params.idf_mode
                                 : (tfidf ? IdfMode::Smooth : IdfMode::Bm25);
    const double log_base = std::log(params.logbase);

    const double n_docs = static_cast<double>(m.rows);
    std::vector<double> df(static_cast<size_t>(m.cols), 0.0);
    std::vector<double> dl(static_cast<size_t>(m.rows), 0.0);
    double total_dl = 0;
    for (Index r = 0; r < m.rows; ++r) {
        for (Offset q = m.indptr[r]; q < m.indptr[r + 1]; ++q) {
            if (m.values[q] > 0) df[m.indices[q]] += 1;
            dl[r] += m.values[q];
        }
        total_dl += dl[r];
    }
    const double avgdl = m.rows > 0 ? total_dl / n_docs : 0.0;
    std::vector<double> idf(df.size(), 0.0);
    for (size_t j = 0; j < df.size(); ++j) idf[j] = idf_of(idf_mode, df[j], n_docs, log_base);

    const double k1 = params.k1;
    const double b = params.b;
    const double delta = params.weighting == Weighting::Bm25Plus ? params.delta : 0.0;
    for (Index r = 0; r < m.rows; ++r) {
        const double length_norm = avgdl != 0 ? (1.0 - b) + b * dl[r] / avgdl : 1.0 - b;
        for (Offset q = m.indptr[r]; q < m.indptr[r + 1]; ++q) {
            const double tf = tf_of(tf_mode, m.values[q], dl[r], log_base);
            const double w_idf = idf[m.indices[q]];
            double w;
            if (tfidf) {
                w = tf * w_idf;
            } else {
                const double den = tf + k1 * length_norm;
                w = w_idf * ((den != 0 ? tf * (k1 + 1.0) / den : 0.0) + delta);
            }
            m.values[q] = static_cast<Score>(w);
        }
    }
}

void normalize_rows(CsrMatrix& m, RowNorm norm) {
    if (norm == RowNorm::None) return;
    for (Index r = 0; r < m.rows; ++r) {
        const Offset begin = m.indptr[r];
        const Offset end = m.indptr[r + 1];
        if (begin == end) continue;
        double d = 0;
        switch (norm) {
            case RowNorm::None:
                break;
            case RowNorm::L1:
                for (Offset q = begin; q < end; ++q) d += std::abs(double{m.values[q]});
                break;
            case RowNorm::L2:
                for (Offset q = begin; q < end; ++q) d += double{m.values[q]} * m.values[q];
                d = std::sqrt(d);
                break;
            case RowNorm::Max:
                d = m.values[begin];
                for (Offset q = begin; q < end; ++q) d = std::max(d, double{m.values[q]});
                if (d <= 0) d = 0;
                break;
        }
        if (d == 0) continue;
        for (Offset q = begin; q < end; ++q) {
            m.values[q] = static_cast<Score>(m.values[q] / d);
        }
    }
}

}  // namespace knntune::engine::similarity
