#pragma once
/// Scalar aliases shared by the whole engine.

#include <cstdint>

namespace knntune::engine {

using UserIndex = std::int32_t;  ///< dense user index, 0 .. n_users-1
using ItemIndex = std::int32_t;  ///< dense item index, 0 .. n_items-1
using Index = std::int32_t;      ///< a row or column index of a sparse matrix
using Offset = std::int64_t;     ///< a position in a CSR value array (nnz may exceed 2^31)
using Score = float;             ///< a matrix value, similarity or recommendation score

}  // namespace knntune::engine
