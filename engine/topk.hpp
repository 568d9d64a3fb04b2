#pragma once
/// Deterministic top-k selection shared by the similarity kernel and the recommender.
///
/// Order is score descending, then id ascending. Because ids inside one candidate list are
/// distinct, this is a total order: the kept set and its order never depend on the order in
/// which candidates were found, on the thread count or on blocking.

#include <algorithm>
#include <cstddef>
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
    if (cand.size() > k) {
        std::nth_element(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(k), cand.end(),
                         ranks_before);
        cand.resize(k);
    }
    std::sort(cand.begin(), cand.end(), ranks_before);
}

/// Keeps the first `k` entries of every row of a ranked matrix (rows ordered best first, as
/// produced by `compute_similarity` and `recommend`). Lets a caller compute the top-Kmax once
/// and derive every smaller k exactly.
[[nodiscard]] CsrMatrix truncate_rows(const CsrMatrix& ranked, Index k);

}  // namespace knntune::engine
