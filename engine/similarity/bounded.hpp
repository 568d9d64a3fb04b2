#pragma once
/// The kernel's bounded path (KernelOptions::nonnegative): for a score that is the sum itself
/// (plain dot product, no shrink) when every input value is finite and ≥ 0. It selects the same
/// top-k as computing every column while computing only the column blocks that can reach it.
///
/// B's rows come in three kinds. *Short* rows are scattered into the accumulator as usual.
/// *Dense* rows (PackedRows::dense) and *blocked* rows (long sparse rows, sorted by column,
/// with the offset of each block of kBoundBlock columns and the largest value in it) are not
/// added up front. For each block, an upper bound of every sum in it is the block's largest
/// short-row part plus Σ value · (the row's block maximum) over the dense and blocked rows.
/// Blocks are computed in order of decreasing bound, and the search stops at the first block
/// whose bound is below the k-th best score found so far: no column of it, or of any later
/// block, can enter the list, not even on the column tie-break.
///
/// A column's sum is added in a fixed order: the short rows in A's order, then the blocked
/// rows in A's order, then the dense rows (add_dense_rows' grouping). It does not depend on
/// which blocks are computed, on the thread count or on the order of the blocks.
///
/// NOTE: the bound is computed in float and a column's sum too, each with its own rounding.
/// Both are sums of at most n = (row length + 2) non-negative terms, so they are within a
/// relative n·2⁻²⁴ of the exact values; the bound is raised by 4·n·2⁻²⁴ relative to cover both.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <vector>

#include "engine/csr.hpp"
#include "engine/similarity/kernel_parts.hpp"
#include "engine/topk.hpp"

namespace knntune::engine::similarity::detail {

/// A sparse row at least this long (and at least 1/kBlockedMinShare of the block count) may be
/// blocked: below it, scattering the row costs less than its share of the bounds.
constexpr Offset kBlockedMinLength = 64;
constexpr Index kBlockedMinShare = 8;

/// True when the row's column indices ascend (blocked rows are cut into blocks by column).
template <class IndexT>
bool row_sorted(const CsrMatrix& b, Index u) {
    for (Offset q = b.indptr[u] + 1; q < b.indptr[u + 1]; ++q) {
        if (b.indices[q - 1] >= b.indices[q]) return false;
    }
    return true;
}

/// Chooses the blocked rows of `b`: sparse (not dense) rows of at least the minimum length,
/// with ascending columns, longest first (then by row), while their block index fits in
/// `budget` bytes; fills out.blocked_*.
template <class IndexT>
void pack_blocked_rows(const CsrMatrix& b, size_t budget, PackedRows<IndexT>& out) {
    const Index p = b.cols;
    const Index nb = block_count(p);
    out.blocked_slot.assign(static_cast<size_t>(b.rows), -1);
    const Offset min_length = std::max<Offset>(kBlockedMinLength, nb / kBlockedMinShare);
    std::vector<Index> rows;
    for (Index u = 0; u < b.rows; ++u) {
        if (out.dense_slot[u] < 0 && b.row_nnz(u) >= min_length && row_sorted<IndexT>(b, u)) {
            rows.push_back(u);
        }
    }
    std::sort(rows.begin(), rows.end(), [&](Index x, Index y) {
        return b.row_nnz(x) > b.row_nnz(y) || (b.row_nnz(x) == b.row_nnz(y) && x < y);
    });
    const auto nbz = static_cast<size_t>(nb);
    const size_t row_bytes = nbz * sizeof(Score) + (nbz + 1) * sizeof(std::uint32_t);
    const size_t n = std::min(rows.size(), budget / row_bytes);
    out.blocked_start.assign(n * (nbz + 1), 0);
    out.blocked_max.assign(n * nbz, 0);
    for (size_t slot = 0; slot < n; ++slot) {
        const Index u = rows[slot];
        out.blocked_slot[u] = static_cast<std::int32_t>(slot);
        std::uint32_t* start = out.blocked_start.data() + slot * (nbz + 1);
        Score* top = out.blocked_max.data() + slot * nbz;
        const Offset begin = b.indptr[u];
        const Offset end = b.indptr[u + 1];
        Offset q = begin;
        for (Index k = 0; k < nb; ++k) {
            start[k] = static_cast<std::uint32_t>(q - begin);
            const Index limit = std::min(p, (k + 1) * kBoundBlock);
            Score best = 0;
            for (; q < end && b.indices[q] < limit; ++q) best = std::max(best, b.values[q]);
            top[k] = best;
        }
        start[nb] = static_cast<std::uint32_t>(end - begin);
    }
}

/// True when row r of A adds a dense or a blocked row of B, and so takes the bounded path.
template <class IndexT>
bool adds_bounded_rows(const CsrMatrix& a, const PackedRows<IndexT>& b, Index r) {
    if (b.blocked_slot.empty()) return false;
    for (Offset q = a.indptr[r]; q < a.indptr[r + 1]; ++q) {
        const Index u = a.indices[q];
        if (b.dense_slot[u] >= 0 || b.blocked_slot[u] >= 0) return true;
    }
    return false;
}

/// Bounded path, first part: scatters row r's short B rows into `acc`, marking the blocks they
/// touch, and lists its dense and blocked rows in A's order.
template <class IndexT, bool kUnit>
void scatter_short(const CsrMatrix& a, const PackedRows<IndexT>& b, Index p, Index r,
                   Workspace& ws) {
    Score* const acc = ws.acc.data();
    std::uint8_t* const mark = ws.mark.data();
    for (Offset q = a.indptr[r], a_end = a.indptr[r + 1]; q < a_end; ++q) {
        prefetch_ahead<IndexT, kUnit>(a, b, q, a_end);
        const Index u = a.indices[q];
        const Score av = a.values[q];
        if (const std::int32_t slot = b.dense_slot[u]; slot >= 0) {
            ws.dense.push_back(
                {b.dense.data() + static_cast<size_t>(slot) * static_cast<size_t>(p), av});
            continue;
        }
        if (const std::int32_t slot = b.blocked_slot[u]; slot >= 0) {
            ws.blocked.push_back({slot, b.indptr[u], av});
            continue;
        }
        const Offset begin = b.indptr[u];
        const Offset len = b.indptr[u + 1] - begin;
        const IndexT* bi = b.indices + begin;
        for (Offset t = 0; t < len; ++t) {
            const Index c = bi[t];
            if constexpr (kUnit) {
                acc[c] += av;
            } else {
                acc[c] += av * b.values[begin + t];
            }
            mark[c / kBoundBlock] = 1;
        }
    }
}

/// Bounded path, second part: the raised upper bound of each block's sums into ws.bound;
/// returns the largest.
template <class IndexT>
Score block_bounds(const PackedRows<IndexT>& b, Index row_length, Index p, Workspace& ws) {
    const Index nb = block_count(p);
    const auto nbz = static_cast<size_t>(nb);
    ws.bound.assign(nbz, 0);
    Score* __restrict const bound = ws.bound.data();
    const Score* const acc = ws.acc.data();
    ws.marked.clear();
    for (Index k = 0; k < nb; ++k) {
        if (ws.mark[k] != 0) {
            const Index begin = k * kBoundBlock;
            block_max(acc + begin, std::min(kBoundBlock, p - begin), bound + k);
            ws.marked.push_back(k);
        }
    }
    for (const DenseTerm& t : ws.dense) {
        const auto slot = static_cast<size_t>((t.row - b.dense.data()) / p);
        const Score* __restrict bm = b.dense_block_max.data() + slot * nbz;
        const Score v = t.value;
        for (Index k = 0; k < nb; ++k) bound[k] += v * bm[k];
    }
    for (const BlockedTerm& t : ws.blocked) {
        const Score* __restrict bm = b.blocked_max.data() + static_cast<size_t>(t.slot) * nbz;
        const Score v = t.value;
        for (Index k = 0; k < nb; ++k) bound[k] += v * bm[k];
    }
    const double slack = 4.0 * (static_cast<double>(row_length) + 2.0) * 0x1p-24;
    const auto raise = static_cast<Score>(1.0 + slack);
    Score top = 0;
    for (Index k = 0; k < nb; ++k) {
        bound[k] *= raise;
        top = std::max(top, bound[k]);
    }
    return top;
}

/// The blocks whose bound is > 0 and lies in [lo, hi) (in [lo, ∞] when `first`), into
/// ws.order as a heap whose top is the best bound (the key is the bound's bits inverted, then
/// the block: non-negative floats order as integers, and the smallest key is on top).
///
/// NOTE: a round holds few of the thousands of blocks, so the bounds are tested sixteen at a
/// time (first_chunk_above) and only a chunk with a bound at or above `lo` is looked at.
inline void blocks_in_range(Index nb, Score lo, Score hi, bool first, Workspace& ws) {
    std::vector<std::uint64_t>& order = ws.order;
    order.clear();
    const Score* const bound = ws.bound.data();
    const Score below = std::nextafter(lo, -std::numeric_limits<Score>::infinity());
    Index c = 0;
    while (c < nb) {
        c = first_chunk_above(bound, c, nb, below);
        const Index end = std::min(nb, c + kScanChunk);
        for (; c < end; ++c) {
            const Score ub = bound[c];
            if (ub >= lo && (first || ub < hi) && ub > 0) {
                std::uint32_t bits = 0;
                std::memcpy(&bits, &ub, sizeof bits);
                order.push_back((static_cast<std::uint64_t>(~bits) << 32) |
                                static_cast<std::uint32_t>(c));
            }
        }
    }
    // NOTE: a heap, not a sort: a row computes a few of the blocks a round lists (about 25 of
    // 160 on the hm-scale recommendation), and popping those few costs less than sorting all.
    std::make_heap(order.begin(), order.end(), std::greater<>{});
}

/// Adds the blocked rows' entries of block k into `acc`, in A's order.
template <class IndexT, bool kUnit>
void add_blocked_rows(const PackedRows<IndexT>& b, Index nb, Index k, const Workspace& ws,
                      Score* const acc) {
    const auto stride = static_cast<size_t>(nb) + 1;
    for (const BlockedTerm& t : ws.blocked) {
        const std::uint32_t* start = b.blocked_start.data() + static_cast<size_t>(t.slot) * stride;
        const Offset first = t.begin + start[k];
        const Offset last = t.begin + start[k + 1];
        const Score v = t.value;
        for (Offset q = first; q < last; ++q) {
            if constexpr (kUnit) {
                acc[b.indices[q]] += v;
            } else {
                acc[b.indices[q]] += v * b.values[q];
            }
        }
    }
}

/// Starts fetching what computing block `next` reads from the dense and blocked rows.
template <class IndexT>
void prefetch_block(const PackedRows<IndexT>& b, Index nb, Index p, Index next,
                    const Workspace& ws) {
    const Index col = next * kBoundBlock;
    for (const DenseTerm& t : ws.dense) {
        for (Index c = 0; c < kBoundBlock && col + c < p; c += 16) {
            __builtin_prefetch(t.row + col + c);
        }
    }
    const auto stride = static_cast<size_t>(nb) + 1;
    for (const BlockedTerm& t : ws.blocked) {
        __builtin_prefetch(b.blocked_start.data() + static_cast<size_t>(t.slot) * stride + next);
    }
}

/// Computes block k: adds its blocked and dense rows and offers its columns to the top-k.
template <class IndexT, bool kUnit>
void compute_block(const PackedRows<IndexT>& b, Index nb, Index p, const KernelOptions& opt,
                   Index k, Workspace& ws) {
    Score* const acc = ws.acc.data();
    const std::uint8_t* const flag = ws.flag.data();
    const Index begin = k * kBoundBlock;
    const Index end = std::min(p, begin + kBoundBlock);
    add_blocked_rows<IndexT, kUnit>(b, nb, k, ws, acc);
    add_dense_rows(ws.dense.data(), ws.dense.size(), begin, end, acc);
    if (ws.mark[k] == 0) {
        ws.mark[k] = 1;
        ws.marked.push_back(k);
    }
    const Score cutoff = ws.top.cutoff();
    const Score thr = opt.threshold;
    for (Index c = begin; c < end; ++c) {
        const Score s = acc[c];
        // As in select_scanned: exact zeros and NaN are never kept.
        if (s >= cutoff && s >= thr && s != 0 && (flag[c] & kExcluded) == 0) {
            ws.top.push(s, output_column(opt, c));
        }
    }
}

/// Computes row r's top-k on the bounded path into `out` (see the file comment). Leaves the
/// accumulator and the block marks zeroed.
///
/// NOTE: ordering every block by its bound costs more than the few blocks a row computes
/// (a row has thousands of blocks at 100 k columns and computes a few dozen). Blocks are
/// taken in rounds instead: bounds in [top/2, ∞), then [top/4, top/2), ... each round a heap,
/// until the round's lower end reaches the k-th best score so far (or the threshold). Every
/// block whose bound reaches the final k-th score is computed, so the lists are exact. The
/// accumulator is cleared afterwards only in the blocks listed in ws.marked.
template <class IndexT, bool kUnit>
void select_bounded(const CsrMatrix& a, const PackedRows<IndexT>& b, Index p,
                    const KernelOptions& opt, Index r, Workspace& ws,
                    std::vector<ScoredIndex>& out) {
    const Index nb = block_count(p);
    if (ws.mark.size() != static_cast<size_t>(nb)) ws.mark.assign(static_cast<size_t>(nb), 0);
    ws.dense.clear();
    ws.blocked.clear();
    scatter_short<IndexT, kUnit>(a, b, p, r, ws);
    const Score top = block_bounds(b, a.row_nnz(r), p, ws);

    Score* const acc = ws.acc.data();
    std::uint8_t* const mark = ws.mark.data();
    const Score* const bound = ws.bound.data();
    ws.top.reset(static_cast<size_t>(opt.k));
    mark_excluded(opt, r, ws, true);
    Score hi = std::numeric_limits<Score>::infinity();
    Score tau = std::isfinite(top) ? top * 0.5F : Score{0};
    bool done = false;
    for (bool first = true; !done; first = false) {
        const Score floor = std::max(ws.top.tight_cutoff(), opt.threshold);
        const Score lo = opt.bound_stop ? std::max(tau, floor) : Score{0};
        // The last round: it takes every block that can still reach the list.
        done = lo <= floor || lo <= 0;
        blocks_in_range(nb, lo, hi, first, ws);
        std::vector<std::uint64_t>& order = ws.order;
        while (!order.empty()) {
            std::pop_heap(order.begin(), order.end(), std::greater<>{});
            const auto k = static_cast<Index>(static_cast<std::uint32_t>(order.back()));
            order.pop_back();
            if (opt.bound_stop && bound[k] < ws.top.tight_cutoff()) {
                done = true;
                break;
            }
            if (!order.empty()) {
                // The next block's dense rows and block offsets are at random places.
                prefetch_block(b, nb, p, static_cast<Index>(static_cast<std::uint32_t>(order[0])),
                               ws);
            }
            compute_block<IndexT, kUnit>(b, nb, p, opt, k, ws);
        }
        hi = lo;
        tau *= 0.5F;
    }
    for (const Index k : ws.marked) {
        const Index begin = k * kBoundBlock;
        std::fill(acc + begin, acc + std::min(p, begin + kBoundBlock), Score{0});
        mark[k] = 0;
    }
    ws.marked.clear();
    mark_excluded(opt, r, ws, false);
    ws.dense.clear();
    ws.blocked.clear();
    const std::vector<ScoredIndex>& best = ws.top.finish(opt.ranked);
    out.assign(best.begin(), best.end());
}

}  // namespace knntune::engine::similarity::detail
