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
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "engine/csr.hpp"
#include "engine/error.hpp"
#include "engine/topk.hpp"

namespace knntune::engine::similarity {

/// Per-call knobs of the kernel, validated by the caller.
struct KernelOptions {
    Index k = 100;                       ///< kept per row, ≥ 1
    Score threshold = 0;                 ///< keep s ≥ threshold
    Score shrink_stabilized = 0;         ///< h_s, added to the denominator
    Score shrink_bayesian = 0;           ///< h_b
    bool exclude_self = false;           ///< skip column r in row r (requires n == p)
    const CsrMatrix* exclude = nullptr;  ///< optional n × p pattern of columns to skip per row
    const std::vector<std::uint8_t>* row_mask = nullptr;  ///< optional length n: 0 = empty row
    size_t dense_row_budget = size_t{32} << 20;           ///< bytes for rows of B stored densely
    /// A row of B holding at least 1/dense_row_share of the columns may be stored densely
    /// (1 to 16; longest rows first, within the budget).
    Index dense_row_share = 4;
    /// The caller guarantees that every value of A and B is finite and is 0 or at least 2⁻⁶⁰
    /// (so no product underflows). With the plain dot
    /// product (no shrink), a row that adds dense B rows then computes only the column blocks
    /// whose upper bound can reach its top-k; same results, bit for bit (see select_bounded).
    bool nonnegative = false;
};

/// Dense-row settings for the bounded path (KernelOptions::nonnegative): a dense row there
/// costs a bound per block plus the few blocks computed, so shorter rows pay off than when
/// every column is added (measured on the synthetic-10m recommendation; docs/benchmarks.md).
constexpr Index kBoundedDenseRowShare = 8;
constexpr size_t kBoundedDenseRowBudget = size_t{64} << 20;

namespace detail {

/// A dense row of B that the current row of A adds, with A's value.
struct DenseTerm {
    const Score* row;
    Score value;
};

/// Per-thread scratch space; sized once per call.
struct Workspace {
    std::vector<Score> acc;            ///< length p, all zero between rows
    std::vector<Score> score;          ///< length p, scores of a dense row
    std::vector<std::uint8_t> flag;    ///< length p: bit 0 visited, bit 1 excluded
    std::vector<Index> touched;        ///< visited columns of the current row
    std::vector<DenseTerm> dense;      ///< dense B rows used by the current row
    std::vector<Score> bound;          ///< per column block: upper bound of the row's sums
    std::vector<std::uint64_t> order;  ///< blocks to compute, best bound first
    TopKCollector top;                 ///< best candidates of the current row

    explicit Workspace(Index p)
        : acc(static_cast<size_t>(p), 0),
          score(static_cast<size_t>(p), 0),
          flag(static_cast<size_t>(p), 0) {}
};

constexpr std::uint8_t kVisited = 1;
constexpr std::uint8_t kExcluded = 2;
constexpr Offset kPrefetchRows = 4;  ///< B rows fetched ahead of the one being added

/// B as the inner loop reads it: narrow column indices when they fit, no values when every
/// value is 1, and the longest rows expanded to dense arrays.
template <class IndexT>
struct PackedRows {
    const Offset* indptr = nullptr;
    const IndexT* indices = nullptr;
    const Score* values = nullptr;         ///< nullptr when every value is 1
    std::vector<IndexT> narrow;            ///< owned narrow copy of the indices
    std::vector<std::int32_t> dense_slot;  ///< per row: slot in `dense`, or -1
    std::vector<Score> dense;              ///< dense rows, p values each
    /// With bounds: per dense row, the maximum of each block of kBoundBlock columns
    /// (block_count(p) values per row, in slot order); empty otherwise.
    std::vector<Score> dense_block_max;
};

/// Columns per block of the bounded selection (select_bounded).
constexpr Index kBoundBlock = 64;

/// Number of kBoundBlock-column blocks covering p columns.
constexpr Index block_count(Index p) { return (p + kBoundBlock - 1) / kBoundBlock; }

/// Writes the maximum of each kBoundBlock-column block of x[0, p) to out (block_count(p)
/// values; the last block may be partial). See dense_rows.cpp.
void block_max(const Score* x, Index p, Score* out);

/// Packs `b`. A row becomes dense when it holds at least 1/`share` of the columns (by default
/// a quarter: adding a dense row is a vectorised loop, about four times cheaper per column
/// than a scatter per stored value), longest rows first, while the dense copies stay within
/// `budget` bytes. With `with_bounds`, each dense row's block maxima are kept too.
template <class IndexT>
PackedRows<IndexT> pack_rows(const CsrMatrix& b, size_t budget, Index share, bool with_bounds) {
    PackedRows<IndexT> out;
    out.indptr = b.indptr.data();
    if constexpr (std::is_same_v<IndexT, Index>) {
        out.indices = b.indices.data();
    } else {
        out.narrow.assign(b.indices.begin(), b.indices.end());
        out.indices = out.narrow.data();
    }
    const bool unit = std::all_of(b.values.begin(), b.values.end(), [](Score v) { return v == 1; });
    out.values = unit ? nullptr : b.values.data();

    const Index p = b.cols;
    out.dense_slot.assign(static_cast<size_t>(b.rows), -1);
    std::vector<Index> long_rows;
    for (Index u = 0; u < b.rows; ++u) {
        if (b.row_nnz(u) * share >= p && p >= 256) long_rows.push_back(u);
    }
    std::sort(long_rows.begin(), long_rows.end(), [&](Index x, Index y) {
        return b.row_nnz(x) > b.row_nnz(y) || (b.row_nnz(x) == b.row_nnz(y) && x < y);
    });
    const size_t row_bytes = static_cast<size_t>(p) * sizeof(Score);
    const size_t n_dense = std::min(long_rows.size(), budget / std::max<size_t>(row_bytes, 1));
    out.dense.assign(n_dense * static_cast<size_t>(p), 0);
    for (size_t slot = 0; slot < n_dense; ++slot) {
        const Index u = long_rows[slot];
        out.dense_slot[u] = static_cast<std::int32_t>(slot);
        Score* row = out.dense.data() + slot * static_cast<size_t>(p);
        for (Offset q = b.indptr[u]; q < b.indptr[u + 1]; ++q) row[b.indices[q]] = b.values[q];
    }
    if (with_bounds) {
        const auto nb = static_cast<size_t>(block_count(p));
        out.dense_block_max.assign(n_dense * nb, 0);
        for (size_t slot = 0; slot < n_dense; ++slot) {
            block_max(out.dense.data() + slot * static_cast<size_t>(p), p,
                      out.dense_block_max.data() + slot * nb);
        }
    }
    return out;
}

/// Applies the master formula: num / (den + h_s), then the Bayesian factor.
template <class M>
inline Score master_score(const M& m, Score xy, Index r, Index c, Score h_s, Score h_b) {
    const Score num = m.num(xy);
    Score s;
    if (m.has_den()) {
        const Score d = m.den(xy, r, c) + h_s;
        // NOTE: the division always runs (by 1 where d = 0) and a select picks the result,
        // so the scoring loop has no branch and vectorises; the values are unchanged.
        const Score q = num / (d != 0 ? d : Score{1});
        s = d != 0 ? q : Score{0};
    } else {
        // NOTE: with no normalisation term, den = h_s, or 1 when h_s = 0 (spec 9.2: a Bayesian
        // shrink alone must not zero every score).
        s = h_s != 0 ? num / (h_s != 0 ? h_s : Score{1}) : num;
    }
    // As above: computed unconditionally (0/0 where h_b = 0 and num = 0 is dropped by the
    // select), so the loop stays branch-free.
    const Score bayes = num / (h_b != 0 ? num + h_b : Score{1});
    return h_b != 0 ? s * bayes : s;
}

/// Adds Σ value·row[c] over the `n` terms (in their order) into acc[c] for the columns c in
/// [begin, end); see dense_rows.cpp. Each column gets the same operations in the same order
/// whatever the range, so a column's sum does not depend on how the columns are split.
void add_dense_rows(const DenseTerm* terms, size_t n, Index begin, Index end, Score* acc);

/// Columns per chunk of the selection scan.
constexpr Index kScanChunk = 16;

/// The start of the first chunk of kScanChunk columns, from `begin` (a multiple of
/// kScanChunk) on, that holds a score above `cutoff` (NaN never is one); a last partial chunk
/// counts as holding one; p when none does. See dense_rows.cpp.
Index first_chunk_above(const Score* scores, Index begin, Index p, Score cutoff);

/// True when row r of A takes part in the product (not empty, not masked out).
inline bool row_active(const CsrMatrix& a, const KernelOptions& opt, Index r) {
    return a.indptr[r] != a.indptr[r + 1] && (opt.row_mask == nullptr || (*opt.row_mask)[r] != 0);
}

/// Marks (`on`) or clears the columns row r must not return: the exclusion pattern's row and,
/// with exclude_self, column r.
inline void mark_excluded(const KernelOptions& opt, Index r, Workspace& ws, bool on) {
    if (opt.exclude != nullptr) {
        for (Index c : opt.exclude->row_indices(r)) {
            ws.flag[c] = on ? static_cast<std::uint8_t>(ws.flag[c] | kExcluded) : std::uint8_t{0};
        }
    }
    if (opt.exclude_self) {
        ws.flag[r] = on ? static_cast<std::uint8_t>(ws.flag[r] | kExcluded) : std::uint8_t{0};
    }
}

/// Σ over the row's B rows of their lengths: the multiply-adds of row r of the product.
template <class IndexT>
Offset row_work(const CsrMatrix& a, const PackedRows<IndexT>& b, Index r) {
    Offset work = 0;
    for (Offset q = a.indptr[r]; q < a.indptr[r + 1]; ++q) {
        const Index u = a.indices[q];
        work += b.indptr[u + 1] - b.indptr[u];
    }
    return work;
}

/// The row is computed on a dense accumulator scanned in full (see kernel_row), the only path
/// that dense B rows can take.
template <class IndexT>
bool takes_scan_path(const CsrMatrix& a, const PackedRows<IndexT>& b, Index p, Index r) {
    return row_work(a, b, r) * 16 >= p;
}

/// Starts fetching the B row that A's entry q + kPrefetchRows will add.
///
/// NOTE: each B row starts at a random place; fetching a few rows ahead hides most of that
/// miss (the kernel is bound by memory latency on large inputs).
template <class IndexT, bool kUnit>
inline void prefetch_ahead(const CsrMatrix& a, const PackedRows<IndexT>& b, Offset q,
                           Offset a_end) {
    if (q + kPrefetchRows < a_end) {
        const Index ahead = a.indices[q + kPrefetchRows];
        __builtin_prefetch(b.indices + b.indptr[ahead]);
        if constexpr (!kUnit) __builtin_prefetch(b.values + b.indptr[ahead]);
    }
}

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
    // one can be rejected early (`may_accept_ascending`).
    const auto select_ascending = [&](const Score* __restrict sc) {
        Score cutoff = ws.top.cutoff();
        const auto consider = [&](Index c) {
            const Score s = sc[c];
            // NOTE: an exact 0 is never kept (a sparse result cannot tell it from a missing
            // pair), and NaN fails the comparisons, so it is dropped too.
            if (s > cutoff && s >= thr && s != 0 && (flag[c] & kExcluded) == 0) {
                ws.top.push(s, c);
                cutoff = ws.top.cutoff();
            }
        };
        // NOTE: once the list is full, almost no column beats the cut-off, so the scan
        // first tests a chunk of columns with one vectorised comparison and only looks at
        // the columns of a chunk that has a candidate. Same candidates, same order.
        Index c = 0;
        while (c < p) {
            c = first_chunk_above(sc, c, p, cutoff);
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
    const std::vector<ScoredIndex>& best = ws.top.finish();
    out.assign(best.begin(), best.end());
}

/// Scan path for a score that is the sum itself (plain dot product, no shrink) when every input
/// value is finite and ≥ 0, and the row adds dense B rows: `acc` holds the sparse part and
/// ws.dense the dense rows not yet added. Selects the same top-k as adding every dense row and
/// scanning every column (select_scanned), bit for bit, while computing only some blocks.
///
/// For each block of kBoundBlock columns, an upper bound of every sum in it is the block's
/// largest sparse part plus Σ value·(the dense row's block maximum). Blocks are computed in
/// order of decreasing bound, and the search stops at the first block whose bound is below
/// the k-th best score found so far: no column of it, or of any later block, can enter the
/// list, not even on the column tie-break. Leaves `acc` zeroed.
///
/// NOTE: the bound is computed in float and a column's sum too, each with its own rounding.
/// Both are sums of at most n = (row length + 2) non-negative terms, so they are within a
/// relative n·2⁻²⁴ of the exact values; the bound is raised by 4·n·2⁻²⁴ relative to cover both.
template <class IndexT>
void select_bounded(const PackedRows<IndexT>& b, Index row_length, Index p,
                    const KernelOptions& opt, Index r, Workspace& ws, Score* const acc,
                    std::vector<ScoredIndex>& out) {
    const Index nb = block_count(p);
    ws.bound.resize(static_cast<size_t>(nb));
    Score* const bound = ws.bound.data();
    block_max(acc, p, bound);
    for (const DenseTerm& t : ws.dense) {
        const auto slot = static_cast<size_t>((t.row - b.dense.data()) / p);
        const Score* bm = b.dense_block_max.data() + slot * static_cast<size_t>(nb);
        const Score v = t.value;
        for (Index k = 0; k < nb; ++k) bound[k] += v * bm[k];
    }
    const double slack = 4.0 * (static_cast<double>(row_length) + 2.0) * 0x1p-24;
    const auto raise = static_cast<Score>(1.0 + slack);
    const Score thr = opt.threshold;
    // Blocks that can hold a kept score (> 0, ≥ threshold), best bound first: the key is the
    // bound's bits (non-negative floats order as integers) inverted, then the block.
    std::vector<std::uint64_t>& order = ws.order;
    order.clear();
    for (Index k = 0; k < nb; ++k) {
        const Score ub = bound[k] * raise;
        bound[k] = ub;
        if (ub > 0 && ub >= thr) {
            std::uint32_t bits = 0;
            std::memcpy(&bits, &ub, sizeof bits);
            order.push_back((static_cast<std::uint64_t>(~bits) << 32) |
                            static_cast<std::uint32_t>(k));
        }
    }
    // NOTE: a row typically computes a few percent of its blocks, so the order is a heap that
    // pops blocks as they are needed rather than a full sort.
    const auto later = [](std::uint64_t x, std::uint64_t y) { return x > y; };
    std::make_heap(order.begin(), order.end(), later);

    ws.top.reset(static_cast<size_t>(opt.k));
    mark_excluded(opt, r, ws, true);
    const std::uint8_t* const flag = ws.flag.data();
    const DenseTerm* const terms = ws.dense.data();
    const size_t n_terms = ws.dense.size();
    while (!order.empty()) {
        std::pop_heap(order.begin(), order.end(), later);
        const auto k = static_cast<Index>(static_cast<std::uint32_t>(order.back()));
        order.pop_back();
        const Score cutoff = ws.top.tight_cutoff();
        if (bound[k] < cutoff) break;
        if (!order.empty()) {
            // The dense rows' next block is at a random place; start fetching it now.
            const Index next =
                static_cast<Index>(static_cast<std::uint32_t>(order.front())) * kBoundBlock;
            for (size_t t = 0; t < n_terms; ++t) {
                for (Index c = 0; c < kBoundBlock && next + c < p; c += 16) {
                    __builtin_prefetch(terms[t].row + next + c);
                }
            }
        }
        const Index begin = k * kBoundBlock;
        const Index end = std::min(p, begin + kBoundBlock);
        add_dense_rows(terms, n_terms, begin, end, acc);
        for (Index c = begin; c < end; ++c) {
            const Score s = acc[c];
            // As in select_scanned: exact zeros and NaN are never kept.
            if (s >= cutoff && s >= thr && s != 0 && (flag[c] & kExcluded) == 0) ws.top.push(s, c);
        }
    }
    std::fill_n(acc, static_cast<std::uint32_t>(p),
                Score{0});  // p ≥ 0; unsigned keeps GCC 12 from warning
    mark_excluded(opt, r, ws, false);
    const std::vector<ScoredIndex>& best = ws.top.finish();
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
    Score* const acc = ws.acc.data();
    // NOTE: when the row touches a large share of the columns, a branch-free scatter followed
    // by one scan of the buffer is faster than tracking visited columns. Both give identical
    // results: a column whose sum is exactly 0 has score 0 and is dropped either way. Dense
    // B rows are only stored for rows this long, so they always take this path.
    if (takes_scan_path(a, b, p, r)) {
        scatter_sparse<IndexT, kUnit>(a, b, p, r, acc, ws.dense);
        if constexpr (M::kScoreIsXy) {
            if (opt.nonnegative && !ws.dense.empty() && opt.shrink_stabilized == 0 &&
                opt.shrink_bayesian == 0) {
                select_bounded(b, a.row_nnz(r), p, opt, r, ws, acc, out);
                ws.dense.clear();
                return;
            }
        }
        add_dense_rows(ws.dense.data(), ws.dense.size(), 0, p, acc);
        ws.dense.clear();
        select_scanned(p, m, opt, r, ws, acc, out);
        return;
    }

    ws.top.reset(static_cast<size_t>(opt.k));
    mark_excluded(opt, r, ws, true);
    std::uint8_t* const flag = ws.flag.data();
    std::vector<Index>& touched = ws.touched;
    touched.clear();
    for (Offset q = a.indptr[r], a_end = a.indptr[r + 1]; q < a_end; ++q) {
        prefetch_ahead<IndexT, kUnit>(a, b, q, a_end);
        const Index u = a.indices[q];
        const Score av = a.values[q];
        const Offset begin = b.indptr[u];
        const Offset len = b.indptr[u + 1] - begin;
        const IndexT* bi = b.indices + begin;
        for (Offset t = 0; t < len; ++t) {
            const Index c = bi[t];
            if ((flag[c] & kVisited) == 0) {
                flag[c] |= kVisited;
                touched.push_back(c);
            }
            if constexpr (kUnit) {
                acc[c] += av;
            } else {
                acc[c] += av * b.values[begin + t];
            }
        }
    }
    for (Index c : touched) {
        const Score xy = acc[c];
        acc[c] = 0;
        flag[c] &= static_cast<std::uint8_t>(~kVisited);
        if ((flag[c] & kExcluded) != 0) continue;
        const Score s = master_score(m, xy, r, c, opt.shrink_stabilized, opt.shrink_bayesian);
        if (s >= opt.threshold && s != 0) ws.top.push(s, c);
    }
    mark_excluded(opt, r, ws, false);
    const std::vector<ScoredIndex>& best = ws.top.finish();
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
    const PackedRows<IndexT> packed =
        pack_rows<IndexT>(b, opt.dense_row_budget, opt.dense_row_share, opt.nonnegative);
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
    KNNTUNE_ASSERT(opt.row_mask == nullptr || opt.row_mask->size() == static_cast<size_t>(a.rows));
    KNNTUNE_ASSERT(opt.exclude == nullptr ||
                   (opt.exclude->rows == a.rows && opt.exclude->cols == b.cols));
    // NOTE: 16-bit column indices halve the bytes streamed per multiply-add when B has at
    // most 65,535 columns; the kernel is memory-bound on large inputs.
    if (b.cols <= 65535) return detail::run_packed<M, std::uint16_t>(a, b, m, opt);
    return detail::run_packed<M, Index>(a, b, m, opt);
}

}  // namespace knntune::engine::similarity
