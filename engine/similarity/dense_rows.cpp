// The two vector loops of the kernel's scan path. They live out of line so that each can be
// compiled twice, for AVX2 and for baseline x86-64, with the CPU picking one at load time.
//
// NOTE: both versions do the same float operations per element in the same order (the
// target list holds no FMA, so nothing is contracted): results are bit-identical whichever
// version runs, and so across machines.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <vector>

#include "common/vector_clones.hpp"
#include "engine/similarity/kernel.hpp"

// NOTE: GCC warns that passing 32-byte vectors by value would change the ABI of a function
// compiled without AVX; the vectors here never cross a function boundary.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace knntune::engine::similarity::detail {

// NOTE: one pass per dense row streams the accumulator through the cache once per row; four
// rows per pass cut that traffic by four. (Measured on the synthetic-10m recommendation: the
// whole call got about 1.2 times faster. Blocking users so that tiles of the dense rows stay
// in L2 gave nothing measurable on top, so rows are still processed one at a time.) The grouping is
// fixed by the row's own terms, so the sums do not depend on threads: ((v0·d0 + v1·d1) + (v2·d2 +
// v3·d3)) is added per group of four, then the leftover rows one at a time.
KNNTUNE_VECTOR_CLONES
void add_dense_rows(const DenseTerm* terms, size_t n, Index begin, Index end,
                    Score* __restrict acc) {
    size_t t = 0;
    for (; t + 4 <= n; t += 4) {
        const Score* __restrict d0 = terms[t].row;
        const Score* __restrict d1 = terms[t + 1].row;
        const Score* __restrict d2 = terms[t + 2].row;
        const Score* __restrict d3 = terms[t + 3].row;
        const Score v0 = terms[t].value;
        const Score v1 = terms[t + 1].value;
        const Score v2 = terms[t + 2].value;
        const Score v3 = terms[t + 3].value;
        if (v0 == 1 && v1 == 1 && v2 == 1 && v3 == 1) {
            for (Index c = begin; c < end; ++c) acc[c] += (d0[c] + d1[c]) + (d2[c] + d3[c]);
        } else {
            for (Index c = begin; c < end; ++c) {
                acc[c] += (v0 * d0[c] + v1 * d1[c]) + (v2 * d2[c] + v3 * d3[c]);
            }
        }
    }
    for (; t < n; ++t) {
        const Score* __restrict d = terms[t].row;
        const Score v = terms[t].value;
        for (Index c = begin; c < end; ++c) acc[c] += v * d[c];
    }
}

KNNTUNE_VECTOR_CLONES
void block_max(const Score* __restrict x, Index p, Score* __restrict out) {
    static_assert(kBoundBlock % 8 == 0 && sizeof(Score) == 4);
    using V = float __attribute__((vector_size(32)));
    Index k = 0;
    Index c = 0;
    for (; c + kBoundBlock <= p; c += kBoundBlock, ++k) {
        V m;
        std::memcpy(&m, x + c, sizeof m);
        for (Index j = 8; j < kBoundBlock; j += 8) {
            V v;
            std::memcpy(&v, x + c + j, sizeof v);
            m = m > v ? m : v;
        }
        Score best = m[0];
        for (int lane = 1; lane < 8; ++lane) best = std::max(best, m[lane]);
        out[k] = best;
    }
    if (c < p) {
        Score best = x[c];
        for (Index j = c + 1; j < p; ++j) best = std::max(best, x[j]);
        out[k] = best;
    }
}

KNNTUNE_VECTOR_CLONES
Index first_chunk_above(const Score* scores, Index begin, Index p, Score cutoff) {
    static_assert(kScanChunk == 16 && sizeof(Score) == 4);
    // Sixteen floats as two GCC vectors of eight (two SSE or one AVX2 instruction each); the
    // comparisons give −1/0 lanes, and the chunk has a candidate when any lane is set.
    using V = float __attribute__((vector_size(32)));
    using M = std::int32_t __attribute__((vector_size(32)));
    using Words = std::uint64_t __attribute__((vector_size(32)));
    Index c = begin;
    for (; c + kScanChunk <= p; c += kScanChunk) {
        V a, b;
        std::memcpy(&a, scores + c, sizeof a);
        std::memcpy(&b, scores + c + 8, sizeof b);
        const M hit = (a > cutoff) | (b > cutoff);
        // NOTE: memcpy rather than std::bit_cast, which GCC 12 miscompiles for vector types
        // without optimisation (seen in the sanitizer build).
        Words w;
        std::memcpy(&w, &hit, sizeof w);
        if ((w[0] | w[1] | w[2] | w[3]) != 0) return c;
    }
    return c;  // p, or the start of the partial chunk at the end
}

KNNTUNE_VECTOR_CLONES
Score scan_floor(const Score* sc, Index p, Score thr, Index k, std::vector<Score>& maxima) {
    constexpr Score kNone = -std::numeric_limits<Score>::infinity();
    const Index groups = std::min<Index>(2 * k + 7, p / 8) / 8 * 8;
    if (groups < k) return kNone;
    maxima.assign(static_cast<size_t>(groups), kNone);
    Score* __restrict const m = maxima.data();
    // Elementwise selects only, so the loop vectorises; NaN fails `>=` and is never eligible.
    const auto add = [&](const Score* __restrict x, Index n) {
        for (Index j = 0; j < n; ++j) {
            const Score s = x[j];
            const Score v = (s >= thr && s != 0) ? s : kNone;
            m[j] = v > m[j] ? v : m[j];
        }
    };
    Index c = 0;
    for (; c + groups <= p; c += groups) add(sc + c, groups);
    add(sc + c, p - c);
    const auto kth = maxima.begin() + (k - 1);
    std::nth_element(maxima.begin(), kth, maxima.end(), std::greater<>());
    return *kth;
}

}  // namespace knntune::engine::similarity::detail
