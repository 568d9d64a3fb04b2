#include "engine/similarity/cooccurrence.hpp"

#include <oneapi/tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "common/vector_clones.hpp"
#include "engine/similarity/kernel.hpp"
#include "engine/similarity/registry.hpp"
#include "engine/similarity/similarity.hpp"
#include "engine/topk.hpp"

namespace knntune::engine::similarity {

std::optional<CooccurrenceCache> CooccurrenceCache::build(const CsrMatrix& user_item,
                                                          Orientation orientation,
                                                          std::size_t max_pairs) {
    if (std::any_of(user_item.values.begin(), user_item.values.end(),
                    [](Score v) { return v == 0; })) {
        return std::nullopt;
    }
    // Σ over the inner dimension of deg² bounds the number of distinct pairs.
    const bool item = orientation == Orientation::Item;
    double bound = 0;
    if (item) {
        for (Index u = 0; u < user_item.rows; ++u) {
            bound += static_cast<double>(user_item.row_nnz(u)) *
                     static_cast<double>(user_item.row_nnz(u));
        }
    } else {
        for (const Offset d : column_counts(user_item))
            bound += static_cast<double>(d) * static_cast<double>(d);
    }
    if (bound > static_cast<double>(max_pairs)) return std::nullopt;

    CooccurrenceCache cache;
    cache.binary_values_ = std::all_of(user_item.values.begin(), user_item.values.end(),
                                       [](Score v) { return v == 1; });
    const Index n = item ? user_item.cols : user_item.rows;
    SimilarityParams p;
    p.own.emplace<kMeasureIndex<DotProduct>>();
    p.k = std::max<Index>(n, 1);
    p.binary = true;
    cache.xy_ = compute_similarity(user_item, orientation, measure_of<DotProduct>(), p);
    cache.degree_.resize(static_cast<std::size_t>(n));
    if (item) {
        const auto counts = column_counts(user_item);
        for (Index i = 0; i < n; ++i) cache.degree_[i] = static_cast<double>(counts[i]);
    } else {
        for (Index u = 0; u < n; ++u) cache.degree_[u] = static_cast<double>(user_item.row_nnz(u));
    }
    return cache;
}

bool CooccurrenceCache::supports(Measure measure, const SimilarityParams& p) const {
    return measure_info(measure).cooccurrence && p.weighting == Weighting::None &&
           p.normalize == RowNorm::None && (p.binary || binary_values_);
}

std::size_t CooccurrenceCache::memory_bytes() const {
    return xy_.memory_bytes() + degree_.size() * sizeof(double);
}

namespace {

/// 1 when pair (s, c) of row r may be kept: s ≥ `floor`, never an exact 0 (a sparse result cannot
/// tell it from a missing pair), NaN fails, and c ≠ r unless `keep_self` is 1 — the kernel's
/// rule. `&` rather than `&&`, so that no test becomes a branch.
inline unsigned accepted(Score s, Index c, Score floor, Index r, unsigned keep_self) {
    return static_cast<unsigned>(s >= floor) & static_cast<unsigned>(s != 0) &
           (keep_self | static_cast<unsigned>(c != r));
}

/// Writes the keys of row r's pairs `accepted` above `floor` to keys[0, n), in pair order, and
/// returns n.
/// NOTE: eight scores at a time are first compared with the floor as one GCC vector (one AVX2
/// or two SSE comparisons), and a group none of which reaches it is skipped: above a sampled
/// floor most groups are. The pairs of the other groups are filtered without a branch on the
/// data: every key is written, and the count advances over the accepted. Compiled for AVX2 and
/// baseline x86-64.
KNNTUNE_VECTOR_CLONES
std::size_t filter_keys(const Score* __restrict scores, const Index* __restrict cols,
                        std::size_t len, Score floor, Index r, unsigned keep_self,
                        std::uint64_t* __restrict keys) {
    static_assert(sizeof(Score) == 4);
    using V = float __attribute__((vector_size(32)));
    using Words = std::uint64_t __attribute__((vector_size(32)));
    std::size_t kept = 0;
    const auto add = [&](std::size_t q) {
        keys[kept] = rank_key({scores[q], cols[q]});
        kept += accepted(scores[q], cols[q], floor, r, keep_self);
    };
    std::size_t q = 0;
    for (; q + 8 <= len; q += 8) {
        V v;
        std::memcpy(&v, scores + q, sizeof v);
        const auto hit = v >= floor;
        // NOTE: memcpy rather than std::bit_cast, which GCC 12 miscompiles for vector types
        // without optimisation.
        Words w;
        std::memcpy(&w, &hit, sizeof w);
        if ((w[0] | w[1] | w[2] | w[3]) == 0) continue;
        for (std::size_t t = q; t < q + 8; ++t) add(t);
    }
    for (; q < len; ++q) add(q);
    return kept;
}

}  // namespace

namespace detail {

Score sampled_floor(const Score* scores, const Index* cols, std::size_t len, std::size_t k,
                    Score thr, Index r, bool keep_self) {
    if (len < kFloorSampleMin || len < kFloorSampleMinRatio * k) return thr;
    // Rejected pairs sample as −∞.
    constexpr Score kNone = -std::numeric_limits<Score>::infinity();
    const unsigned keep = keep_self ? 1 : 0;
    thread_local std::vector<Score> sample;
    sample.resize((len + kFloorSampleStep - 1) / kFloorSampleStep);
    for (std::size_t q = 0, i = 0; q < len; q += kFloorSampleStep, ++i) {
        sample[i] = accepted(scores[q], cols[q], thr, r, keep) != 0 ? scores[q] : kNone;
    }
    const double share = static_cast<double>(k) / static_cast<double>(kFloorSampleStep);
    const auto j = static_cast<std::size_t>(std::ceil(share + 3 * std::sqrt(share) + 2));
    if (sample.size() <= j) return thr;
    std::nth_element(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(j - 1),
                     sample.end(), std::greater<>());
    return std::max(thr, sample[j - 1]);  // −∞ when fewer than j were accepted
}

void select_row(const Score* scores, const Index* cols, std::size_t len, std::size_t k, Score thr,
                Index r, bool keep_self, bool ranked, std::vector<std::uint64_t>& keys) {
    const unsigned keep = keep_self ? 1 : 0;
    keys.resize(len);
    const Score floor = sampled_floor(scores, cols, len, k, thr, r, keep_self);
    std::size_t kept = filter_keys(scores, cols, len, floor, r, keep, keys.data());
    if (kept < k && floor > thr) kept = filter_keys(scores, cols, len, thr, r, keep, keys.data());
    keys.resize(kept);
    keep_smallest_keys(keys, k);
    if (ranked) std::sort(keys.begin(), keys.end());
}

}  // namespace detail

namespace {

/// Scores the `len` stored pairs (cols, counts) of row r with measure `m` into `out`.
/// NOTE: a function of its own, with restricted pointers and the measure passed by value, so
/// that the loop vectorises: the stores into `out` cannot change the measure's statistics, so
/// the row's are loaded once, and the columns' are gathered. Compiled for AVX2 and for baseline
/// x86-64 (common/vector_clones.hpp); both clones do the same float operations in the same
/// order, as the scalar loop did.
template <class M>
KNNTUNE_VECTOR_CLONES void score_pairs(const M m, Index r, const Index* __restrict cols,
                                       const Score* __restrict counts, std::size_t len, Score h_s,
                                       Score h_b, Score* __restrict out) {
    for (std::size_t q = 0; q < len; ++q) {
        out[q] = detail::master_score(m, counts[q], r, cols[q], h_s, h_b);
    }
}

/// Re-scores every stored pair with measure `M` and keeps each row's top-k: ranked (score
/// descending, then column ascending) or, when `ranked` is false, in an unspecified but
/// deterministic order. Rows that `row_mask` (when given) marks 0 stay empty.
template <class M>
CsrMatrix rescore(const CsrMatrix& xy, const M& m, const SimilarityParams& p, bool ranked,
                  const std::vector<std::uint8_t>* row_mask) {
    const Index n = xy.rows;
    const auto k = static_cast<std::size_t>(std::min<Index>(p.k, std::max<Index>(n, 1)));
    const Score thr = static_cast<Score>(p.threshold);
    const Score h_s = p.shrink_type == ShrinkType::Stabilized ? static_cast<Score>(p.shrink) : 0;
    const Score h_b = p.shrink_type == ShrinkType::Bayesian ? static_cast<Score>(p.shrink) : 0;
    const bool exclude_self = p.exclude_self;
    std::vector<std::vector<std::uint64_t>> rows(static_cast<std::size_t>(n));
    tbb::parallel_for(
        tbb::blocked_range<Index>(0, n, 16), [&](const tbb::blocked_range<Index>& range) {
            // NOTE: scores are computed first (score_pairs, which takes its own copy of the
            // measure), then selected (detail::select_row).
            thread_local std::vector<Score> scores;
            thread_local std::vector<std::uint64_t> keys;
            for (Index r = range.begin(); r != range.end(); ++r) {
                if (row_mask != nullptr && (*row_mask)[static_cast<std::size_t>(r)] == 0) continue;
                const Offset begin = xy.indptr[r];
                const auto len = static_cast<std::size_t>(xy.row_nnz(r));
                const Index* cols = xy.indices.data() + begin;
                const Score* counts = xy.values.data() + begin;
                scores.resize(len);
                score_pairs(m, r, cols, counts, len, h_s, h_b, scores.data());
                detail::select_row(scores.data(), cols, len, k, thr, r, !exclude_self, ranked,
                                   keys);
                rows[static_cast<std::size_t>(r)].assign(keys.begin(), keys.end());
            }
        });
    CsrMatrix out(n, n);
    Offset total = 0;
    for (const auto& keys : rows) total += static_cast<Offset>(keys.size());
    out.indices.reserve(static_cast<std::size_t>(total));
    out.values.reserve(static_cast<std::size_t>(total));
    for (Index r = 0; r < n; ++r) {
        for (const std::uint64_t key : rows[static_cast<std::size_t>(r)]) {
            const ScoredIndex e = from_rank_key(key);
            out.indices.push_back(e.index);
            out.values.push_back(e.score);
        }
        out.indptr[r + 1] = static_cast<Offset>(out.indices.size());
    }
    return out;
}

}  // namespace

CsrMatrix CooccurrenceCache::score(Measure measure, const SimilarityParams& p, bool ranked,
                                   const std::vector<std::uint8_t>* row_mask) const {
    KNNTUNE_ASSERT(supports(measure, p));
    KNNTUNE_ASSERT(row_mask == nullptr || row_mask->size() == static_cast<std::size_t>(xy_.rows));
    KNNTUNE_ASSERT(parsed_for(p) == measure);
    return visit_measure(measure, [&]<class M>(std::type_identity<M>) -> CsrMatrix {
        if constexpr (M::kCooccurrence) {
            const typename M::Params& own = own_params<M>(p);
            const SideStats stats = side_stats(M::needs(own), p);
            return rescore(xy_, M(stats, own), p, ranked, row_mask);
        } else {
            KNNTUNE_ASSERT(false);  // ruled out by supports()
            return {};
        }
    });
}

SideStats CooccurrenceCache::side_stats(const StatsNeeds& needs, const CommonParams& p) const {
    const double h_add = p.shrink_type == ShrinkType::Additive ? p.shrink : 0.0;
    // B = Aᵀ, so the column statistics of B are the row statistics of A: for a 0/1 input the
    // squared norm and the sum of a row are both its degree.
    SideStats stats;
    if (needs.row_pop) stats.row_pop = powered_stat(degree_, 0.0, needs.row_pop_exp);
    if (needs.col_pop) stats.col_pop = powered_stat(degree_, 0.0, needs.col_pop_exp);
    if (needs.norms) {
        stats.row_norm2.assign(degree_.begin(), degree_.end());
        stats.col_norm2 = stats.row_norm2;
    }
    if (needs.cosine) {
        stats.row_cos = powered_stat(degree_, h_add, needs.c1);
        stats.col_cos = powered_stat(degree_, h_add, needs.c2);
    }
    return stats;
}

}  // namespace knntune::engine::similarity
