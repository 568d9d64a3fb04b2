#include "engine/topk.hpp"

#include "engine/error.hpp"

namespace knntune::engine {

namespace {

/// keep_smallest_keys on keys[0, n): moves the min(k, n) smallest to the front and returns
/// their count. `spill` is scratch space.
std::size_t keep_smallest(std::uint64_t* keys, std::size_t n, std::size_t k,
                          std::vector<std::uint64_t>& spill) {
    thread_local std::vector<std::uint32_t> counts;
    std::size_t kept = 0;  // keys[0, kept) are among the k smallest
    std::uint64_t* cur = keys;
    std::size_t m = n;     // cur[0, m) is still undecided
    std::size_t need = k;  // how many of cur[0, m) to keep
    while (true) {
        if (m <= need) return kept + m;
        if (need == 0) return kept;
        std::uint32_t lo = ~std::uint32_t{0}, hi = 0;
        if (m >= kRadixSelectMin) {
            for (std::size_t i = 0; i < m; ++i) {
                const auto h = static_cast<std::uint32_t>(cur[i] >> 32);
                lo = std::min(lo, h);
                hi = std::max(hi, h);
            }
        }
        if (m < kRadixSelectMin || lo == hi) {
            std::nth_element(cur, cur + need, cur + m);
            return kept + need;
        }
        // About m / 2 buckets, from 16 to 2048, over [lo, hi].
        const auto bits =
            static_cast<unsigned>(std::clamp<int>(static_cast<int>(std::bit_width(m)) - 1, 4, 11));
        const auto width = static_cast<unsigned>(std::bit_width(hi - lo));
        const unsigned shift = width > bits ? width - bits : 0;
        const std::size_t n_buckets = static_cast<std::size_t>((hi - lo) >> shift) + 1;
        counts.assign(n_buckets, 0);
        for (std::size_t i = 0; i < m; ++i)
            ++counts[(static_cast<std::uint32_t>(cur[i] >> 32) - lo) >> shift];
        // The bucket `b` that holds the need-th smallest key; `below` keys come before it.
        std::size_t b = 0, below = 0;
        while (below + counts[b] < need) below += counts[b++];
        // Keys of the buckets before b move to the front (a key is written at or before the
        // place it was read from), those of b to `spill`, which then follows them.
        if (spill.size() < m) spill.resize(m);
        std::size_t w = 0, s = 0;
        // NOTE: the two counts advance by the sign bit of bucket − b and of (bucket ^ b) − 1
        // (both below 2^12, so the sign is the comparison): GCC turns `bucket < b ? 1 : 0`
        // into a branch, which mispredicts on about every other key when k is half the list.
        for (std::size_t i = 0; i < m; ++i) {
            const std::uint64_t key = cur[i];
            const std::uint64_t bucket = (static_cast<std::uint32_t>(key >> 32) - lo) >> shift;
            cur[w] = key;
            w += (bucket - b) >> 63;
            spill[s] = key;
            s += ((bucket ^ b) - 1) >> 63;
        }
        KNNTUNE_ASSERT(w == below && s == counts[b]);
        std::copy_n(spill.begin(), s, cur + w);
        kept += w;
        cur += w;
        need -= w;
        m = s;
    }
}

}  // namespace

void keep_smallest_keys(std::vector<std::uint64_t>& keys, std::size_t k) {
    if (keys.size() <= k) return;
    thread_local std::vector<std::uint64_t> spill;
    keys.resize(keep_smallest(keys.data(), keys.size(), k, spill));
}

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
