#pragma once
/// One similarity matrix split across the ranks of a job by rows: rows of S (items for
/// item-KNN, users for user-KNN) go to contiguous blocks of near-equal multiply-add count,
/// each rank computes its block's top-k rows from the whole (replicated) input, and rank 0
/// gathers the blocks. Each kept row is computed exactly as in one process, so the gathered
/// matrix equals `compute_similarity`'s.

#include <span>
#include <vector>

#include "engine/csr.hpp"
#include "engine/similarity/params.hpp"

namespace knntune::exp::cluster {

/// The work of each row of S: item i costs Σ over its users u of |R_u| multiply-adds, user u
/// costs Σ over its items i of |Rᵀ_i|; each row adds 1 (its top-k selection).
[[nodiscard]] std::vector<double> row_costs(const engine::CsrMatrix& user_item,
                                            engine::similarity::Orientation orientation);

/// `parts + 1` row boundaries (0 first, `costs.size()` last) of contiguous blocks whose costs
/// are as near to equal as whole rows allow: block b ends at the first row where the running
/// cost reaches (b + 1) / parts of the total.
[[nodiscard]] std::vector<engine::Index> balanced_blocks(std::span<const double> costs, int parts);

/// How a split ran: each rank's block and its compute seconds.
struct SplitReport {
    std::vector<engine::Index> bounds;  ///< ranks + 1 boundaries
    std::vector<double> seconds;        ///< per rank, wall-clock of its compute
    /// Slowest rank's seconds over the mean (1 = perfect).
    [[nodiscard]] double balance() const;
    /// "2 ranks: rows 0..1203 1203..2282; seconds 0.41 0.39; slowest/mean 1.03".
    [[nodiscard]] std::string describe() const;
};

/// Collective: every rank calls it with the same arguments. Returns the whole of
/// `compute_similarity(user_item, orientation, measure, params)` on rank 0 and an empty
/// matrix elsewhere; with one rank it is that call. A configuration that takes no row
/// selection (p3alpha/rp3beta `variant = literature`) is computed whole on rank 0.
/// `report` (rank 0) receives the split's figures.
[[nodiscard]] engine::CsrMatrix split_similarity(const engine::CsrMatrix& user_item,
                                                 engine::similarity::Orientation orientation,
                                                 engine::similarity::Measure measure,
                                                 const engine::similarity::SimilarityParams& params,
                                                 SplitReport* report = nullptr);

}  // namespace knntune::exp::cluster
