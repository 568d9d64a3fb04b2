#pragma once
/// Deterministic top-k selection shared by the similarity kernel and the recommender.
///
/// Order is score descending, then id ascending. Because ids inside one candidate list are
/// distinct, this is a total order: the kept set and its order never depend on the order in
/// which candidates were found, on the thread count or on blocking.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "engine/csr.hpp"
#include "engine/types.hpp"

namespace knntune::engine {

/// One candidate of a top-k list: a column (item, neighbour) and its score.
struct ScoredIndex {
    Score score;  ///< similarity or recommendation score
    Index index;  ///< column id
};

/// True when `a` ranks before `b`: higher score first, then smaller id.
[[nodiscard]] inline bool ranks_before(const ScoredIndex& a, const ScoredIndex& b) {
    return a.score > b.score || (a.score == b.score && a.index < b.index);
}

/// A 64-bit key whose ascending order is `ranks_before`: the score's bits mapped to an
/// order-preserving unsigned integer and inverted (higher score first) in the high half, the
/// id in the low half. Valid for every non-NaN score and non-negative id.
[[nodiscard]] inline std::uint64_t rank_key(const ScoredIndex& e) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &e.score, sizeof bits);
    // Negative scores have all bits flipped, the others only the sign bit: bits ^ mask, with
    // the mask built from the sign without a branch.
    const std::uint32_t mask = (0U - (bits >> 31)) | 0x80000000U;
    const std::uint32_t ordered = bits ^ mask;
    return (static_cast<std::uint64_t>(~ordered) << 32) | static_cast<std::uint32_t>(e.index);
}

/// Inverse of `rank_key`.
[[nodiscard]] inline ScoredIndex from_rank_key(std::uint64_t key) {
    const auto ordered = ~static_cast<std::uint32_t>(key >> 32);
    const std::uint32_t bits = (ordered & 0x80000000U) != 0 ? (ordered ^ 0x80000000U) : ~ordered;
    ScoredIndex e{};
    std::memcpy(&e.score, &bits, sizeof bits);
    e.index = static_cast<Index>(static_cast<std::uint32_t>(key));
    return e;
}

/// Candidates below which `keep_smallest_keys` leaves the work to nth_element.
constexpr std::size_t kRadixSelectMin = 256;

/// Cuts `keys` down to its `k` smallest values, in an unspecified order (the same for the same
/// input). The set kept is the one nth_element keeps, since distinct keys have one such set.
/// NOTE: a histogram select on the high 32 bits (the score of a `rank_key`): one pass finds
/// their range, one counts the keys in up to 2048 buckets over it, one moves the keys of the
/// buckets wholly inside the k to the front; only the bucket that holds the k-th key is
/// selected further (by the same steps on a range 2048 times narrower, or by nth_element
/// when it is short or all its keys share their high half). Scores spread over their range,
/// so the passes are branch-light and about twice as fast as nth_element on long lists.
void keep_smallest_keys(std::vector<std::uint64_t>& keys, std::size_t k);

/// Keeps the best `k` candidates of `cand`, sorted by `ranks_before` (with `ranked` false: the
/// same candidates in an unspecified but deterministic order); `cand` is resized.
/// NOTE: partial selection (`keep_smallest_keys`) then a sort of the kept k; linear in the
/// number of candidates plus k·log k, which beats a bounded heap once candidates outnumber k
/// by far.
/// Both run on `rank_key` integers, which sort about twice as fast as the two-field compare.
inline void select_top_k(std::vector<ScoredIndex>& cand, std::size_t k, bool ranked = true) {
    thread_local std::vector<std::uint64_t> keys;
    keys.resize(cand.size());
    for (std::size_t i = 0; i < cand.size(); ++i) keys[i] = rank_key(cand[i]);
    keep_smallest_keys(keys, k);
    if (ranked) std::sort(keys.begin(), keys.end());
    cand.resize(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) cand[i] = from_rank_key(keys[i]);
}

/// Streams candidates and keeps the best k (score descending, then id ascending).
///
/// Candidates are buffered; whenever the buffer holds 2k + 64 of them it is cut back to the
/// best k, and the k-th score becomes a cut-off below which later candidates are rejected
/// without being stored. Equal scores pass the cut-off, so the id tie-break stays exact.
///
/// Short lists (k ≤ kInsertK, such as a top-10 recommendation) are instead kept ranked by
/// insertion, so the cut-off is always the exact k-th score.
class TopKCollector {
  public:
    static constexpr std::size_t kInsertK = 16;

    /// Starts a new list of at most `k` entries.
    void reset(std::size_t k) {
        k_ = k;
        insert_ = k <= kInsertK;
        limit_ = insert_ ? k : 2 * k + 64;
        buf_.clear();
        buf_.reserve(limit_ + 1);
        cutoff_ = -std::numeric_limits<Score>::infinity();
        tight_ = insert_;
    }
    void push(Score score, Index index) {
        if (score < cutoff_) return;
        if (insert_) {
            insert({score, index});
            return;
        }
        tight_ = false;
        buf_.push_back({score, index});
        if (buf_.size() >= limit_) shrink();
    }
    /// False when a candidate with this score cannot enter the list, given that candidates
    /// arrive in ascending id order (a later id loses a tie with every kept entry).
    [[nodiscard]] bool may_accept_ascending(Score score) const { return score > cutoff_; }
    /// Before the first push: rejects every later candidate scoring at or below `floor`, as if
    /// a kept entry scored `floor` (for scans in ascending id order that know that at least k
    /// candidates score above it).
    void set_floor(Score floor) { cutoff_ = floor; }
    /// Scores at or below this can be rejected when ids arrive in ascending order.
    [[nodiscard]] Score cutoff() const { return cutoff_; }
    /// The k-th best score pushed so far (−∞ while fewer than k were pushed): a candidate
    /// below it cannot enter the list, whatever its id. Cuts the buffer back to k entries.
    Score tight_cutoff() {
        if (!tight_ && buf_.size() >= k_) shrink();
        return cutoff_;
    }
    /// The best k, ranked best first; with `ranked` false, the same entries in an unspecified but
    /// deterministic order (short lists stay ranked).
    std::vector<ScoredIndex>& finish(bool ranked = true) {
        if (!insert_) select_top_k(buf_, k_, ranked);
        return buf_;
    }

  private:
    /// Insertion mode: places `e` in the ranked list, dropping the k+1-th.
    void insert(const ScoredIndex& e) {
        if (k_ == 0) return;
        if (buf_.size() == k_) {
            if (!ranks_before(e, buf_.back())) return;
            buf_.pop_back();
        }
        std::size_t pos = buf_.size();
        buf_.push_back(e);
        while (pos > 0 && ranks_before(e, buf_[pos - 1])) {
            buf_[pos] = buf_[pos - 1];
            --pos;
        }
        buf_[pos] = e;
        if (buf_.size() == k_) cutoff_ = buf_.back().score;
    }

    void shrink() {
        thread_local std::vector<std::uint64_t> keys;
        keys.resize(buf_.size());
        for (std::size_t i = 0; i < buf_.size(); ++i) keys[i] = rank_key(buf_[i]);
        keep_smallest_keys(keys, k_);
        buf_.resize(k_);
        for (std::size_t i = 0; i < k_; ++i) buf_[i] = from_rank_key(keys[i]);
        // The k-th best kept entry is the largest kept key.
        cutoff_ = from_rank_key(*std::max_element(keys.begin(), keys.end())).score;
        tight_ = true;
    }

    std::vector<ScoredIndex> buf_;
    std::size_t k_ = 0;
    std::size_t limit_ = 0;
    Score cutoff_ = 0;
    bool tight_ = false;   ///< buf_ holds exactly the best k since the last push
    bool insert_ = false;  ///< insertion mode (k ≤ kInsertK)
};

/// Keeps the first `k` entries of every row of a ranked matrix (rows ordered best first, as
/// produced by `compute_similarity` and `recommend`). Lets a caller compute the top-Kmax once
/// and derive every smaller k exactly.
[[nodiscard]] CsrMatrix truncate_rows(const CsrMatrix& ranked, Index k);

}  // namespace knntune::engine
