#include "engine/topk.hpp"

#include "engine/error.hpp"

namespace knntune::engine {

CsrMatrix truncate_rows(const CsrMatrix& ranked, Index k) {
    KNNTUNE_ASSERT(k >= 0);
    CsrMatrix out(ranked.rows, ranked.cols);
    for (Index r = 0; r < ranked.rows; ++r) {
        const Offset n = std::min<Offset>(ranked.row_nnz(r), k);
        out.indptr[r + 1] = out.indptr[r] + n;
    }
    out.indices.reserve(static_cast<size_t>(out.nnz()));
    out.values.reserve(static_cast<size_t>(out.nnz()));
    for (Index r = 0; r < ranked.rows; ++r) {
        const Offset begin = ranked.indptr[r];
        const Offset n = out.indptr[r + 1] - out.indptr[r];
        out.indices.insert(out.indices.end(), ranked.indices.begin() + begin,
                           ranked.indices.begin() + begin + n);
        out.values.insert(out.values.end(), ranked.values.begin() + begin,
                          ranked.values.begin() + begin + n);
    }
    return out;
}

}  // namespace knntune::engine
