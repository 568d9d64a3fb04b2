#pragma once
// Random sparse fixtures shared by the engine tests.

#include <random>
#include <vector>

#include "engine/csr.hpp"

namespace knntune::test {

/// A rows × cols matrix, visited row by row: entry (r, c) is stored, with value `value()`,
/// when a uniform draw in [0, 1) from `rng` is below `density(r, c)`.
template <class Density, class MakeValue>
engine::CsrMatrix random_sparse(engine::Index rows, engine::Index cols, std::mt19937& rng,
                                Density density, MakeValue value) {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::vector<engine::Triplet> t;
    for (engine::Index r = 0; r < rows; ++r) {
        for (engine::Index c = 0; c < cols; ++c) {
            if (unit(rng) < density(r, c)) t.push_back({r, c, value()});
        }
    }
    return engine::csr_from_triplets(rows, cols, t);
}

}  // namespace knntune::test
