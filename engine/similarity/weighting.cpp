#include "engine/similarity/weighting.hpp"

#include <cmath>
#include <vector>

#include "engine/error.hpp"

namespace knntune::engine::similarity {

void apply_weighting(CsrMatrix& m, const WeightingParams& params) {
    if (params.weighting == Weighting::None) return;
    const bool tfidf = params.weighting == Weighting::Tfidf;
    const TfMode tf_mode =
        params.tf_mode != TfMode::Auto ? params.tf_mode : (tfidf ? TfMode::Sqrt : TfMode::Raw);
    const IdfMode idf_mode = params.idf_mode != IdfMode::Auto
                                 ? params.idf_mode
                                 : (tfidf ? IdfMode::Smooth : IdfMode::Bm25);
    const double log_base = std::log(params.logbase);
    const auto log_b = [log_base](double x) { return std::log(x) / log_base; };

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
    for (size_t j = 0; j < df.size(); ++j) {
        const double d = df[j];
        if (d <= 0) continue;  // no positive value: IDF stays 0
        switch (idf_mode) {
            case IdfMode::Auto:
            case IdfMode::Unary:
                idf[j] = 1.0;
                break;
            case IdfMode::Base:
                idf[j] = log_b(n_docs / d);
                break;
            case IdfMode::Smooth:
                idf[j] = log_b(n_docs / (1.0 + d));
                break;
            case IdfMode::Prob:
                idf[j] = log_b((n_docs - d) / d);
                break;
            case IdfMode::Bm25:
                idf[j] = log_b((n_docs - d + 0.5) / (d + 0.5));
                break;
        }
    }

    const double k1 = params.k1;
    const double b = params.b;
    const double delta = params.weighting == Weighting::Bm25Plus ? params.delta : 0.0;
    for (Index r = 0; r < m.rows; ++r) {
        const double length_norm = avgdl != 0 ? (1.0 - b) + b * dl[r] / avgdl : 1.0 - b;
        for (Offset q = m.indptr[r]; q < m.indptr[r + 1]; ++q) {
            const double x = m.values[q];
            double tf = x;
            switch (tf_mode) {
                case TfMode::Binary:
                    tf = x != 0 ? 1.0 : 0.0;
                    break;
                case TfMode::Auto:
                case TfMode::Raw:
                    tf = x;
                    break;
                case TfMode::Sqrt:
                    tf = std::sqrt(x);
                    break;
                case TfMode::Freq:
                    tf = dl[r] != 0 ? x / dl[r] : 0.0;
                    break;
                case TfMode::Log:
                    tf = std::log1p(x) / log_base;
                    break;
            }
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
