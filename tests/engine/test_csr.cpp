#include <catch2/catch.hpp>
#include <vector>

#include "engine/csr.hpp"

using namespace knntune::engine;

TEST_CASE("csr_from_triplets sorts rows and sums duplicates", "[engine][csr]") {
    const std::vector<Triplet> t = {{1, 2, 1.0F}, {0, 1, 2.0F}, {1, 0, 3.0F}, {1, 2, 0.5F}};
    const CsrMatrix m = csr_from_triplets(3, 3, t);
    CHECK(m.indptr == std::vector<Offset>{0, 1, 3, 3});
    CHECK(m.indices == std::vector<Index>{1, 0, 2});
    CHECK(m.values == std::vector<Score>{2.0F, 3.0F, 1.5F});
}

TEST_CASE("transpose is an involution and moves entries", "[engine][csr]") {
    const std::vector<Triplet> t = {{0, 2, 1.0F}, {1, 0, 2.0F}, {2, 1, 3.0F}, {2, 2, 4.0F}};
    const CsrMatrix m = csr_from_triplets(3, 4, t);
    const CsrMatrix mt = transpose(m);
    CHECK(mt.rows == 4);
    CHECK(mt.cols == 3);
    CHECK(mt.indptr == std::vector<Offset>{0, 1, 2, 4, 4});
    CHECK(mt.indices == std::vector<Index>{1, 2, 0, 2});
    CHECK(mt.values == std::vector<Score>{2.0F, 3.0F, 1.0F, 4.0F});
    CHECK(transpose(mt) == m);
    CHECK(column_counts(m) == std::vector<Offset>{1, 1, 2, 0});
}
