#pragma once
/// The parts of the sparse kernel (kernel.hpp) shared by its paths: the options, the per-thread
/// workspace, B packed for the inner loops, and the small per-row helpers.

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
    /// (so no product underflows). With the plain dot product (no shrink), a row that adds
    /// dense or long sparse B rows then computes only the column blocks whose upper bound can
    /// reach its top-k; the lists of computing every block, bit for bit (bounded.hpp).
    bool nonnegative = false;
    /// Bytes for the block index of long sparse B rows on the bounded path (see bounded.hpp).
    size_t blocked_row_budget = size_t{192} << 20;
    /// Tests only: false makes the bounded path compute every block instead of stopping at the
    /// first one whose bound cannot reach the top-k (same sums, same order of additions).
    bool bound_stop = true;
    /// Optional (both or neither): B's columns are a permutation of the output columns, column
    /// c of B being output column column_id[c] and column_pos its inverse. The result, the
    /// tie-break (lower output column first) and `exclude` are in output columns. Not with
    /// exclude_self.
    const std::vector<Index>* column_id = nullptr;
    const std::vector<Index>* column_pos = nullptr;
    /// False: each row's entries in an unspecified but deterministic order (the same entries as
    /// ranked), for callers that reorder them anyway; the final sort of each row is skipped.
    bool ranked = true;
};

/// The output column of B's column c (KernelOptions::column_id).
inline Index output_column(const KernelOptions& opt, Index c) {
    return opt.column_id == nullptr ? c : (*opt.column_id)[static_cast<size_t>(c)];
}

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

/// A long sparse row of B that the current row of A adds block by block (bounded path).
struct BlockedTerm {
    std::int32_t slot;  ///< the row's slot in PackedRows::blocked_*
    Offset begin;       ///< the row's first entry in B
    Score value;        ///< A's value
};

/// Per-thread scratch space; sized once per call.
struct Workspace {
    std::vector<Score> acc;            ///< length p, all zero between rows
    std::vector<Score> score;          ///< length p, scores of a dense row
    std::vector<std::uint8_t> flag;    ///< length p: bit 0 visited, bit 1 excluded
    std::vector<Index> touched;        ///< visited columns of the current row (p + 1 slots)
    std::vector<DenseTerm> dense;      ///< dense B rows used by the current row
    std::vector<BlockedTerm> blocked;  ///< blocked B rows used by the current row
    std::vector<std::uint8_t> mark;  ///< per column block: holds non-zero sums; all 0 between rows
    std::vector<Score> bound;        ///< per column block: upper bound of the row's sums
    std::vector<std::uint64_t> order;  ///< blocks to compute: a heap, best bound on top
    std::vector<Index> marked;         ///< the column blocks whose `mark` is set, each once
    std::vector<Score> maxima;         ///< per column chunk: best eligible score (scan_floor)
    TopKCollector top;                 ///< best candidates of the current row

    explicit Workspace(Index p)
        : acc(static_cast<size_t>(p), 0),
          score(static_cast<size_t>(p), 0),
          flag(static_cast<size_t>(p), 0),
          touched(static_cast<size_t>(p) + 1) {}
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
    /// With bounds: per row, its slot among the blocked rows (long sparse rows sorted by
    /// column, added block by block), or -1; empty without bounds.
    std::vector<std::int32_t> blocked_slot;
    /// Per blocked row, block_count(p) + 1 offsets from the row's first entry: block k holds
    /// entries [start[k], start[k + 1]).
    std::vector<std::uint32_t> blocked_start;
    /// Per blocked row, the largest value in each block (0 for an empty block).
    std::vector<Score> blocked_max;
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

/// Calls fn(column) for each column row r must not return: the exclusion pattern's row and,
/// with exclude_self, column r.
template <class Fn>
void for_each_excluded(const KernelOptions& opt, Index r, Fn&& fn) {
    if (opt.exclude != nullptr) {
        for (Index id : opt.exclude->row_indices(r)) {
            fn(opt.column_pos == nullptr ? id : (*opt.column_pos)[static_cast<size_t>(id)]);
        }
    }
    if (opt.exclude_self) fn(r);
}

/// Marks (`on`) or clears the columns row r must not return.
inline void mark_excluded(const KernelOptions& opt, Index r, Workspace& ws, bool on) {
    for_each_excluded(opt, r, [&](Index c) {
        ws.flag[c] = on ? static_cast<std::uint8_t>(ws.flag[c] | kExcluded) : std::uint8_t{0};
    });
}

/// A lower bound of the k-th best score a row keeps from the dense scores `sc` (excluded
/// columns already 0), or −∞ when there is none. The columns are dealt into G groups by
/// column mod G (G a multiple of 8 near 2k, at most p/8), each group's best eligible score is
/// taken (≥ `thr`, not 0, not NaN), and the k-th largest of those is the bound: the best
/// columns of k groups score at or above it, so no column below it can be among the k kept.
Score scan_floor(const Score* sc, Index p, Score thr, Index k, std::vector<Score>& maxima);

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
/// that dense B rows can take outside the bounded one (bounded.hpp).
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

}  // namespace detail

}  // namespace knntune::engine::similarity
