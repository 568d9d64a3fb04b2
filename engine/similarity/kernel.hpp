#pragma once
/// The one sparse kernel shared by every measure and by the recommender.
///
/// For each row r of A (n × m) it accumulates xy(r,·) = A[r,·]·B (B is m × p) in a per-thread
/// dense buffer, scores every touched column with the measure `M`, drops candidates below the
/// threshold, and keeps the best k by score descending then column ascending. `M` is a
/// template parameter, so the pair loop is monomorphic; the runtime measure becomes this type
/// in exactly one place (`visit_measure`, registry.hpp).

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "engine/csr.hpp"
#include "engine/error.hpp"
#include "engine/similarity/bounded.hpp"
#include "engine/similarity/kernel_parts.hpp"
#include "engine/topk.hpp"

namespace knntune::engine::similarity {

namespace detail {

/// Scan path, first part: scatters row r's sparse B rows into `acc` and appends its dense B
/// rows to `dense` (in A's column order) without adding them.
template <class IndexT, bool kUnit>
void scatter_sparse(const CsrMatrix& a, const PackedRows<IndexT>& b, Index p, Index r,
                    Score* const acc, std::vector<DenseTerm>& dense) {
    for (Offset q = a.indptr[r], a_end = a.indptr[r + 1]; q < a_end; ++q) {
        prefetch_ahead<IndexT, kUnit>(a, b, q, a_end);
        const Index u = a.indices[q];
        const Score av = a.values[q];
        const std::int32_t slot = b.dense_slot[u];
        if (slot >= 0) {
            dense.push_back(
                {b.dense.data() + static_cast<size_t>(slot) * static_cast<size_t>(p), av});
            continue;
        }
        // Adds av · B[u, ·] without tracking which columns were touched.
        const Offset begin = b.indptr[u];
        const Offset len = b.indptr[u + 1] - begin;
        const IndexT* bi = b.indices + begin;
        if constexpr (kUnit) {
            for (Offset t = 0; t < len; ++t) acc[bi[t]] += av;
        } else {
            const Score* bv = b.values + begin;
            for (Offset t = 0; t < len; ++t) acc[bi[t]] += av * bv[t];
        }
    }
}

/// Scan path, last part: scores every column of the complete sums in `acc`, selects row r's
/// top-k into `out` and leaves `acc` zeroed.
template <class M>
void select_scanned(Index p, const M& m, const KernelOptions& opt, Index r, Workspace& ws,
                    Score* const acc, std::vector<ScoredIndex>& out) {
    ws.top.reset(static_cast<size_t>(opt.k));
    mark_excluded(opt, r, ws, true);
    const std::uint8_t* const flag = ws.flag.data();
    const Score thr = opt.threshold;
    const Score h_s = opt.shrink_stabilized;
    const Score h_b = opt.shrink_bayesian;

    // Candidates arrive in ascending column order, so a score equal to the current k-th
    // one can be rejected early (`may_accept_ascending`), unless the output columns are
    // permuted (KernelOptions::column_id): a tie may then still win.
    const bool permuted = opt.column_id != nullptr;
    const auto select_ascending = [&](Score* __restrict sc) {
        // NOTE: a floor under the k-th best score lets the scan skip almost every column from
        // the start, instead of only once the list has filled. Excluded columns are zeroed
        // first (the buffer is cleared after the row) so that they cannot raise it.
        for_each_excluded(opt, r, [&](Index c) { sc[c] = 0; });
        const Score floor = scan_floor(sc, p, thr, opt.k, ws.maxima);
        if (floor > -std::numeric_limits<Score>::infinity()) {
            ws.top.set_floor(std::nextafter(floor, -std::numeric_limits<Score>::infinity()));
        }
        Score cutoff = ws.top.cutoff();
        const auto consider = [&](Index c) {
            const Score s = sc[c];
            // NOTE: an exact 0 is never kept (a sparse result cannot tell it from a missing
            // pair), and NaN fails the comparisons, so it is dropped too.
            if ((s > cutoff || (permuted && s == cutoff)) && s >= thr && s != 0 &&
                (flag[c] & kExcluded) == 0) {
                ws.top.push(s, output_column(opt, c));
                cutoff = ws.top.cutoff();
            }
        };
        // NOTE: once the list is full, almost no column beats the cut-off, so the scan
        // first tests a chunk of columns with one vectorised comparison and only looks at
        // the columns of a chunk that has a candidate. Same candidates, same order.
        Index c = 0;
        while (c < p) {
            c = first_chunk_above(
                sc, c, p,
                permuted ? std::nextafter(cutoff, -std::numeric_limits<Score>::infinity())
                         : cutoff);
            const Index end = std::min(p, c + kScanChunk);
            for (; c < end; ++c) consider(c);
        }
    };
    bool selected = false;
    if constexpr (M::kScoreIsXy) {
        if (h_s == 0 && h_b == 0) {
            // The score is the sum itself: select straight from the accumulator.
            select_ascending(acc);
            std::fill_n(acc, static_cast<std::uint32_t>(p),
                        Score{0});  // p ≥ 0; unsigned keeps GCC 12 from warning
            selected = true;
        }
    }
    if (!selected) {
        // Score every column (a vectorisable loop for the simple measures), then select.
        Score* __restrict const sc = ws.score.data();
        Score* __restrict const ac = acc;
        const M local = m;  // members in registers: `sc` cannot alias them
        if constexpr (M::kCheapScore) {
            // Branch-free, so it vectorises; xy = 0 scores 0 for these measures.
            for (Index c = 0; c < p; ++c) {
                sc[c] = master_score(local, ac[c], r, c, h_s, h_b);
            }
        } else {
            for (Index c = 0; c < p; ++c) {
                const Score xy = ac[c];
                sc[c] = xy != 0 ? master_score(local, xy, r, c, h_s, h_b) : Score{0};
            }
        }
        std::fill_n(ac, static_cast<std::uint32_t>(p),
                    Score{0});  // p ≥ 0; unsigned keeps GCC 12 from warning
        select_ascending(sc);
    }
    mark_excluded(opt, r, ws, false);
    const std::vector<ScoredIndex>& best = ws.top.finish(opt.ranked);
    out.assign(best.begin(), best.end());
}

/// Computes one row's ranked top-k into `out` (at most k entries).
template <class M, class IndexT, bool kUnit>
void kernel_row(const CsrMatrix& a, const PackedRows<IndexT>& b, Index p, const M& m,
                const KernelOptions& opt, Index r, Workspace& ws, std::vector<ScoredIndex>& out) {
    if (!row_active(a, opt, r)) {
        out.clear();
        return;
    }
    if constexpr (M::kScoreIsXy) {
        if (opt.nonnegative && opt.shrink_stabilized == 0 && opt.shrink_bayesian == 0 &&
            adds_bounded_rows(a, b, r)) {
            select_bounded<IndexT, kUnit>(a, b, p, opt, r, ws, out);
            return;
        }
    }
    Score* const acc = ws.acc.data();
    // NOTE: when the row touches a large share of the columns, a branch-free scatter followed
    // by one scan of the buffer is faster than tracking visited columns. Both give identical
    // results: a column whose sum is exactly 0 has score 0 and is dropped either way. Dense
    // B rows are only stored for rows this long, so they always take this path.
    if (takes_scan_path(a, b, p, r)) {
        scatter_sparse<IndexT, kUnit>(a, b, p, r, acc, ws.dense);
        add_dense_rows(ws.dense.data(), ws.dense.size(), 0, p, acc);
        ws.dense.clear();
        select_scanned(p, m, opt, r, ws, acc, out);
        return;
    }

    ws.top.reset(static_cast<size_t>(opt.k));
    mark_excluded(opt, r, ws, true);
    std::uint8_t* const flag = ws.flag.data();
    // NOTE: the first visit of a column is recorded without a branch: the column is always
    // written at the list's end, and the end moves on only when the column was not visited
    // yet. A branch there is taken at random (most of a short row's columns are visited
    // once) and its mispredictions cost more than the extra stores.
    KNNTUNE_ASSERT(ws.touched.size() > static_cast<size_t>(p));
    Index* const list = ws.touched.data();
    size_t n_touched = 0;
    for (Offset q = a.indptr[r], a_end = a.indptr[r + 1]; q < a_end; ++q) {
        prefetch_ahead<IndexT, kUnit>(a, b, q, a_end);
        const Index u = a.indices[q];
        const Score av = a.values[q];
        const Offset begin = b.indptr[u];
        const Offset len = b.indptr[u + 1] - begin;
        const IndexT* bi = b.indices + begin;
        for (Offset t = 0; t < len; ++t) {
            const Index c = bi[t];
            const std::uint8_t f = flag[c];
            list[n_touched] = c;
            n_touched += (f & kVisited) == 0 ? 1 : 0;
            flag[c] = static_cast<std::uint8_t>(f | kVisited);
            if constexpr (kUnit) {
                acc[c] += av;
            } else {
                acc[c] += av * b.values[begin + t];
            }
        }
    }
    for (size_t i = 0; i < n_touched; ++i) {
        const Index c = list[i];
        const Score xy = acc[c];
        acc[c] = 0;
        flag[c] &= static_cast<std::uint8_t>(~kVisited);
        if ((flag[c] & kExcluded) != 0) continue;
        const Score s = master_score(m, xy, r, c, opt.shrink_stabilized, opt.shrink_bayesian);
        if (s >= opt.threshold && s != 0) ws.top.push(s, output_column(opt, c));
    }
    mark_excluded(opt, r, ws, false);
    const std::vector<ScoredIndex>& best = ws.top.finish(opt.ranked);
    out.assign(best.begin(), best.end());
}

/// Runs rows [0, n) in blocks; each row writes its own slot, then blocks are appended.
template <class M, class IndexT, bool kUnit>
CsrMatrix run_rows(const CsrMatrix& a, const PackedRows<IndexT>& b, Index p, const M& m,
                   const KernelOptions& opt) {
    const Index n = a.rows;
    const auto k = static_cast<size_t>(std::min<Index>(opt.k, std::max<Index>(p, 1)));
    CsrMatrix result(n, p);
    tbb::enumerable_thread_specific<Workspace> workspaces([p] { return Workspace(p); });

    // NOTE: rows are processed in blocks with k slots per row, so the scratch output stays
    // small (≤ kBlockSlots entries) while the result grows by exact appends between blocks.
    constexpr size_t kBlockSlots = size_t{1} << 22;
    const Index block = static_cast<Index>(std::clamp<size_t>(kBlockSlots / k, 256, 1 << 16));
    std::vector<std::vector<ScoredIndex>> slots(static_cast<size_t>(std::min(block, n)));
    for (Index begin = 0; begin < n; begin += block) {
        const Index end = std::min(n, begin + block);
        tbb::parallel_for(
            tbb::blocked_range<Index>(begin, end, 4), [&](const tbb::blocked_range<Index>& range) {
                Workspace& ws = workspaces.local();
                for (Index r = range.begin(); r != range.end(); ++r) {
                    kernel_row<M, IndexT, kUnit>(a, b, p, m, opt, r, ws,
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

template <class M, class IndexT>
CsrMatrix run_packed(const CsrMatrix& a, const CsrMatrix& b, const M& m, const KernelOptions& opt) {
    PackedRows<IndexT> packed =
        pack_rows<IndexT>(b, opt.dense_row_budget, opt.dense_row_share, opt.nonnegative);
    if (opt.nonnegative) pack_blocked_rows(b, opt.blocked_row_budget, packed);
    if (packed.values == nullptr) return run_rows<M, IndexT, true>(a, packed, b.cols, m, opt);
    return run_rows<M, IndexT, false>(a, packed, b.cols, m, opt);
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
    KNNTUNE_ASSERT(opt.dense_row_share >= 1 && opt.dense_row_share <= 16);
    KNNTUNE_ASSERT(!opt.exclude_self || a.rows == b.cols);
    KNNTUNE_ASSERT((opt.column_id == nullptr) == (opt.column_pos == nullptr));
    KNNTUNE_ASSERT(opt.column_id == nullptr ||
                   (!opt.exclude_self && opt.column_id->size() == static_cast<size_t>(b.cols) &&
                    opt.column_pos->size() == static_cast<size_t>(b.cols)));
    KNNTUNE_ASSERT(opt.row_mask == nullptr || opt.row_mask->size() == static_cast<size_t>(a.rows));
    KNNTUNE_ASSERT(opt.exclude == nullptr ||
                   (opt.exclude->rows == a.rows && opt.exclude->cols == b.cols));
    // NOTE: 16-bit column indices halve the bytes streamed per multiply-add when B has at
    // most 65,535 columns; the kernel is memory-bound on large inputs.
    if (b.cols <= 65535) return detail::run_packed<M, std::uint16_t>(a, b, m, opt);
    return detail::run_packed<M, Index>(a, b, m, opt);
}

}  // namespace knntune::engine::similarity