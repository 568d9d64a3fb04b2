// Recommendation step on a hand-computed fixture, in both orientations.

#include <catch2/catch.hpp>
#include <vector>

#include "engine/recommend.hpp"

using namespace knntune::engine;
using knntune::engine::similarity::Orientation;

namespace {

CsrMatrix from_dense(const std::vector<std::vector<float>>& d) {
    std::vector<Triplet> t;
    for (size_t r = 0; r < d.size(); ++r) {
        for (size_t c = 0; c < d[r].size(); ++c) {
            if (d[r][c] != 0) t.push_back({static_cast<Index>(r), static_cast<Index>(c), d[r][c]});
        }
    }
    return csr_from_triplets(static_cast<Index>(d.size()), static_cast<Index>(d[0].size()), t);
}

std::vector<std::pair<Index, float>> row(const CsrMatrix& m, Index r) {
    std::vector<std::pair<Index, float>> out;
    for (Offset q = m.indptr[r]; q < m.indptr[r + 1]; ++q)
        out.emplace_back(m.indices[q], m.values[q]);
    return out;
}

}  // namespace

TEST_CASE("item-KNN scores are R·Sᵀ with seen items excluded", "[engine][recommend]") {
    // 2 users × 4 items.
    const CsrMatrix r = from_dense({{1, 0, 2, 0}, {0, 1, 0, 0}});
    // S[j, i]: item j's neighbours (not symmetric on purpose).
    const CsrMatrix s =
        from_dense({{1, 0.5F, 0, 0}, {0.5F, 1, 0.25F, 0}, {0, 0, 1, 0}, {0.5F, 0, 0.25F, 1}});
    RecommendParams p;
    p.top_n = 3;
    const CsrMatrix rec = recommend(r, s, Orientation::Item, p);
    // user 0: j=1: R[0,0]S[1,0] + R[0,2]S[1,2] = 0.5 + 0.5 = 1; j=3: 0.5 + 0.5 = 1; tie → id.
    CHECK(row(rec, 0) == std::vector<std::pair<Index, float>>{{1, 1.0F}, {3, 1.0F}});
    // user 1 (item 1): j=0: S[0,1] = 0.5; j=2, j=3: 0.
    CHECK(row(rec, 1) == std::vector<std::pair<Index, float>>{{0, 0.5F}});

    p.top_n = 1;
    const CsrMatrix top1 = recommend(r, s, Orientation::Item, p);
    CHECK(row(top1, 0) == std::vector<std::pair<Index, float>>{{1, 1.0F}});

    p.exclude_seen = false;
    p.top_n = 4;
    const CsrMatrix all = recommend(r, s, Orientation::Item, p);
    // Seen item 2: R[0,2]·S[2,2] = 2; seen item 0: S[0,0] = 1; then the tie at 1 by id.
    CHECK(row(all, 0) ==
          std::vector<std::pair<Index, float>>{{2, 2.0F}, {0, 1.0F}, {1, 1.0F}, {3, 1.0F}});
}

TEST_CASE("user-KNN scores are S·R", "[engine][recommend]") {
    const CsrMatrix r = from_dense({{1, 0, 0}, {1, 1, 0}, {0, 0, 3}});
    const CsrMatrix s = from_dense({{1, 0.5F, 0.25F}, {0.5F, 1, 0}, {0, 0.1F, 1}});
    RecommendParams p;
    p.top_n = 5;
    const CsrMatrix rec = recommend(r, s, Orientation::User, p);
    // user 0: j=1: S[0,1]·R[1,1] = 0.5; j=2: S[0,2]·R[2,2] = 0.75.
    CHECK(row(rec, 0) == std::vector<std::pair<Index, float>>{{2, 0.75F}, {1, 0.5F}});
    // user 1: everything reachable is seen.
    CHECK(row(rec, 1).empty());
    // user 2: j=0: 0.1 + 0 = 0.1 (S[2,1]·R[1,0]); j=1: 0.1.
    CHECK(row(rec, 2) == std::vector<std::pair<Index, float>>{{0, 0.1F}, {1, 0.1F}});

    p.user_mask = {1, 0, 0};
    const CsrMatrix masked = recommend(r, s, Orientation::User, p);
    CHECK(masked.row_nnz(0) == 2);
    CHECK(masked.nnz() == 2);
}

TEST_CASE("recommend drops non-positive scores and validates shapes", "[engine][recommend]") {
    const CsrMatrix r = from_dense({{1, 0, 0}});
    const CsrMatrix s = from_dense({{1, 0, 0}, {-0.5F, 1, 0}, {0.25F, 0, 1}});
    const CsrMatrix rec = recommend(r, s, Orientation::Item, {});
    CHECK(row(rec, 0) == std::vector<std::pair<Index, float>>{{2, 0.25F}});
    REQUIRE_THROWS_WITH(recommend(r, s, Orientation::User, {}),
                        "recommend: similarity is 3 × 3 but the users of a 1 × 3 matrix need "
                        "1 × 1");
    RecommendParams bad;
    bad.top_n = 0;
    REQUIRE_THROWS_WITH(recommend(r, s, Orientation::Item, bad),
                        "top_n = 0 is out of range [1, inf)");
}
