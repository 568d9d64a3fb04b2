#pragma once
/// The one sparse kernel shared by every measure and by the recommender.
///
/// For each row r of A (n × m) it accumulates xy(r,·) = A[r,·]·B (B is m × p) in a per-thread
/// dense buffer, scores every touched column with the measure `M`, drops candidates below the
/// threshold, and keeps the best k by score descending then column ascending. `M` is a
/// template parameter, so the pair loop is monomorphic; the runtime measure enum becomes this
/// type in exactly one place (the registry table).

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/csr.hpp"
#include "engine/error.hpp"
#include "engine/topk.hpp"

namespace knntune::engine::similarity {

/// Per-call knobs of the kernel, validated by the caller.
struct KernelOptions {
    Index k = 100;                        ///< kept per row, ≥ 1
    Score threshold = 0;                  ///< keep s ≥ threshold
    Score shrink_stabilized = 0;          ///< h_s, added to the denominator
    Score shrink_bayesian = 0;            ///< h_b
    bool exclude_self = false;            ///< skip column r in row r (requires n == p)
    const CsrMatrix* exclude = nullptr;   ///< optional n × p pattern of columns to skip per row
    const std::vector<std::uint8_t>* row_mask = nullptr;  ///< optional length n: 0 = empty row
};

namespace detail {

/// Per-thread scratch space; sized once per call.
struct Workspace {
    std::vector<Score> acc;           ///< length p, all zero between rows
    std::vector<std::uint8_t> flag;   ///< length p: bit 0 visited, bit 1 excluded
    std::vector<Index> touched;       ///< visited columns of the current row
    std::vector<ScoredIndex> cand;    ///< scored candidates of the current row

    explicit Workspace(Index p) : acc(static_cast<size_t>(p), 0), flag(static_cast<size_t>(p), 0) {}
};

constexpr std::uint8_t kVisited = 1;
constexpr std::uint8_t kExcluded = 2;

/// Applies the master formula: num / (den + h_s), then the Bayesian factor.
template <class M>
inline Score master_score(const M& m, Score xy, Index r, Index c, Score h_s, Score h_b) {
    const Score num = m.num(xy);
    Score s;
    if (m.has_den()) {
        const Score d = m.den(xy, r, c) + h_s;
        s = d != 0 ? num / d : 0;
    } else {
        // NOTE: with no normalisation term, den = h_s, or 1 when h_s = 0 (spec 9.2: a Bayesian
        // shrink alone must not zero every score).
        s = h_s != 0 ? num / h_s : num;
    }
    if (h_b != 0) s *= num / (num + h_b);
    return s;
}

/// Computes one row's ranked top-k into `out` (at most k entries).
template <class M>
void kernel_row(const CsrMatrix& a, const CsrMatrix& b, const M& m, const KernelOptions& opt,
                Index r, Workspace& ws, std::vector<ScoredIndex>& out) {
    const Index p = b.cols;
    ws.cand.clear();
    const Offset a_begin = a.indptr[r];
    const Offset a_end = a.indptr[r + 1];
    if (a_begin == a_end || (opt.row_mask != nullptr && (*opt.row_mask)[r] == 0)) {
        out.clear();
        return;
    }
    if (opt.exclude != nullptr) {
        for (Index c : opt.exclude->row_indices(r)) ws.flag[c] |= kExcluded;
    }
    if (opt.exclude_self) ws.flag[r] |= kExcluded;

    Offset work = 0;
    for (Offset q = a_begin; q < a_end; ++q) work += b.row_nnz(a.indices[q]);

    Score* const acc = ws.acc.data();
    std::uint8_t* const flag = ws.flag.data();
    const Score thr = opt.threshold;
    const Score h_s = opt.shrink_stabilized;
    const Score h_b = opt.shrink_bayesian;
    const auto offer = [&](Index c, Score xy) {
        if ((flag[c] & kExcluded) != 0) return;
        const Score s = master_score(m, xy, r, c, h_s, h_b);
        // NOTE: an exact 0 is never kept (a sparse result cannot tell it from a missing pair),
        // and NaN fails the comparison, so it is dropped too.
        if (s >= thr && s != 0) ws.cand.push_back({s, c});
    };

    // NOTE: when the row touches a large share of the columns, a branch-free scatter followed
    // by one scan of the buffer is faster than tracking visited columns. Both give identical
    // results: a column whose sum is exactly 0 has score 0 and is dropped either way.
    if (work * 8 >= p) {
        for (Offset q = a_begin; q < a_end; ++q) {
            const Index u = a.indices[q];
            const Score av = a.values[q];
            const Index* bi = b.indices.data() + b.indptr[u];
            const Score* bv = b.values.data() + b.indptr[u];
            const Offset len = b.row_nnz(u);
            for (Offset t = 0; t < len; ++t) acc[bi[t]] += av * bv[t];
        }
        for (Index c = 0; c < p; ++c) {
            const Score xy = acc[c];
            if (xy != 0) {
                acc[c] = 0;
                offer(c, xy);
            }
        }
    } else {
        std::vector<Index>& touched = ws.touched;
        touched.clear();
        for (Offset q = a_begin; q < a_end; ++q) {
            const Index u = a.indices[q];
            const Score av = a.values[q];
            const Index* bi = b.indices.data() + b.indptr[u];
            const Score* bv = b.values.data() + b.indptr[u];
            const Offset len = b.row_nnz(u);
            for (Offset t = 0; t < len; ++t) {
                const Index c = bi[t];
                if ((flag[c] & kVisited) == 0) {
                    flag[c] |= kVisited;
                    touched.push_back(c);
                }
                acc[c] += av * bv[t];
            }
        }
        for (Index c : touched) {
            const Score xy = acc[c];
            acc[c] = 0;
            flag[c] &= static_cast<std::uint8_t>(~kVisited);
            offer(c, xy);
        }
    }

    if (opt.exclude != nullptr) {
        for (Index c : opt.exclude->row_indices(r)) ws.flag[c] = 0;
    }
    if (opt.exclude_self) ws.flag[r] = 0;

    select_top_k(ws.cand, static_cast<size_t>(opt.k));
    out.assign(ws.cand.begin(), ws.cand.end());
}

}  // namespace detail

/// Runs the kernel over every row of `a`. Returns an n × p CSR whose rows are ranked (score
/// descending, then column ascending), not sorted by column. Deterministic: each row is
/// computed independently in a fixed order and written to its own slot.
template <class M>
CsrMatrix sparse_topk(const CsrMatrix& a, const CsrMatrix& b, const M& m,
                      const KernelOptions& opt) {
    KNNTUNE_ASSERT(a.cols == b.rows);
    KNNTUNE_ASSERT(opt.k >= 1);
    KNNTUNE_ASSERT(!opt.exclude_self || a.rows == b.cols);
    KNNTUNE_ASSERT(opt.row_mask == nullptr || opt.row_mask->size() == static_cast<size_t>(a.rows));
    KNNTUNE_ASSERT(opt.exclude == nullptr ||
                   (opt.exclude->rows == a.rows && opt.exclude->cols == b.cols));
    const Index n = a.rows;
    const Index p = b.cols;
    const auto k = static_cast<size_t>(std::min<Index>(opt.k, std::max<Index>(p, 1)));

    CsrMatrix result(n, p);
    tbb::enumerable_thread_specific<detail::Workspace> workspaces(
        [p] { return detail::Workspace(p); });

    // NOTE: rows are processed in blocks with k slots per row, so the scratch output stays
    // small (≤ kBlockSlots entries) while the result grows by exact appends between blocks.
    constexpr size_t kBlockSlots = size_t{1} << 22;
    const Index block = static_cast<Index>(std::clamp<size_t>(kBlockSlots / k, 256, 1 << 16));
    std::vector<std::vector<ScoredIndex>> slots(static_cast<size_t>(std::min(block, n)));
    for (Index begin = 0; begin < n; begin += block) {
        const Index end = std::min(n, begin + block);
        tbb::parallel_for(tbb::blocked_range<Index>(begin, end, 4),
                          [&](const tbb::blocked_range<Index>& range) {
                              detail::Workspace& ws = workspaces.local();
                              for (Index r = range.begin(); r != range.end(); ++r) {
                                  detail::kernel_row(a, b, m, opt, r, ws,
                                                     slots[static_cast<size_t>(r - begin)]);
                              }
                          });
        for (Index r = begin; r < end; ++r) {
            const std::vector<ScoredIndex>& row = slots[static_cast<size_t>(r - begin)];
            for (const ScoredIndex& e : row) {
                result.indices.push_back(e.index);
                result.values.push_back(e.score);
            }
            result.indptr[r + 1] = static_cast<Offset>(result.indices.size());
        }
    }
    result.indices.shrink_to_fit();
    result.values.shrink_to_fit();
    return result;
}

}  // namespace knntune::engine::similarity
