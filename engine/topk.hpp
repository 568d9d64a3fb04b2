#pragma once
/// Deterministic top-k selection shared by the similarity kernel and the recommender.
///
/// Order is score descending, then id ascending. Because ids inside one candidate list are
/// distinct, this is a total order: the kept set and its order never depend on the order in
/// which candidates were found, on the thread count or on blocking.

#include <algorithm>
#include <cstddef>
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

/// Keeps the best `k` candidates of `cand`, sorted by `ranks_before`; `cand` is resized.
/// NOTE: partial selection (nth_element) then a sort of the kept k; linear in the number of
/// candidates plus k·log k, which beats a bounded heap once candidates outnumber k by far.
inline void select_top_k(std::vector<ScoredIndex>& cand, std::size_t k) {
    const auto before = [](const ScoredIndex& a, const ScoredIndex& b) {
        return ranks_before(a, b);
    };
    if (cand.size() > k) {
        std::nth_element(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(k), cand.end(),
                         before);
        cand.resize(k);
    }
    std::sort(cand.begin(), cand.end(), before);
}

/// Streams candidates and keeps the best k (score descending, then id ascending).
///
/// Candidates are buffered; whenever the buffer holds 2k + 64 of them it is cut back to the
/// best k, and the k-th score becomes a cut-off below which later candidates are rejected
/// without being stored. Equal scores pass the cut-off, so the id tie-break stays exact.
class TopKCollector {
  public:
    /// Starts a new list of at most `k` entries.
    void reset(std::size_t k) {
        k_ = k;
        limit_ = 2 * k + 64;
        buf_.clear();
        buf_.reserve(limit_);
        cutoff_ = -std::numeric_limits<Score>::infinity();
    }
    void push(Score score, Index index) {
        if (score < cutoff_) return;
        buf_.push_back({score, index});
        if (buf_.size() >= limit_) shrink();
    }
    /// False when a candidate with this score cannot enter the list, given that candidates
    /// arrive in ascending id order (a later id loses a tie with every kept entry).
    [[nodiscard]] bool may_accept_ascending(Score score) const { return score > cutoff_; }
    /// Scores at or below this can be rejected when ids arrive in ascending order.
    [[nodiscard]] Score cutoff() const { return cutoff_; }
    /// The kept entries, ranked best first.
    std::vector<ScoredIndex>& finish() {
        select_top_k(buf_, k_);
        return buf_;
    }

  private:
    void shrink() {
        const auto before = [](const ScoredIndex& a, const ScoredIndex& b) {
            return ranks_before(a, b);
        };
        std::nth_element(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(k_ - 1),
                         buf_.end(), before);
        cutoff_ = buf_[k_ - 1].score;
        buf_.resize(k_);
    }

    std::vector<ScoredIndex> buf_;
    std::size_t k_ = 0;
    std::size_t limit_ = 0;
    Score cutoff_ = 0;
};

/// Keeps the first `k` entries of every row of a ranked matrix (rows ordered best first, as
/// produced by `compute_similarity` and `recommend`). Lets a caller compute the top-Kmax once
/// and derive every smaller k exactly.
[[nodiscard]] CsrMatrix truncate_rows(const CsrMatrix& ranked, Index k);

}  // namespace knntune::engine
