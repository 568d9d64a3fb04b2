// compute_similarity_ab with a Selection (similaripy's target_rows and column selectors):
// each kept row equals the unrestricted full row with the excluded columns removed, then cut
// to k; masked rows are empty; selections that do not fit the shapes are refused.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "engine/csr.hpp"
#include "engine/similarity/params.hpp"
#include "engine/similarity/similarity.hpp"
#include "engine/topk.hpp"

using namespace knntune::engine;
using namespace knntune::engine::similarity;

namespace {

// 6 × 4 A with B = Aᵀ: a small user-user cosine whose scores are all distinct enough.
CsrMatrix sample() {
    const std::vector<Triplet> t = {{0, 0, 1}, {0, 1, 2}, {1, 1, 1}, {1, 2, 3}, {2, 0, 2},
                                    {2, 3, 1}, {3, 0, 1}, {3, 1, 1}, {3, 2, 1}, {4, 2, 2},
                                    {4, 3, 5}, {5, 0, 4}, {5, 3, 1}};
    return csr_from_triplets(6, 4, t);
}

}  // namespace

TEST_CASE("a selection restricts rows and columns before the top-k", "[engine][similarity]") {
    const CsrMatrix a = sample();
    const CsrMatrix b = transpose(a);
    const Measure m = measure_from_name("cosine");
    const CsrMatrix full = compute_similarity_ab(a, b, m, parse_params(m, {{"k", 6.0}}));
    const std::vector<std::uint8_t> mask = {1, 0, 1, 1, 0, 1};
    // Excluded: column 0 everywhere, and column 3 in row 2.
    const std::vector<Triplet> ex = {{0, 0, 1}, {1, 0, 1}, {2, 0, 1}, {2, 3, 1},
                                     {3, 0, 1}, {4, 0, 1}, {5, 0, 1}};
    const CsrMatrix exclude = csr_from_triplets(6, 6, ex);
    Selection sel;
    sel.row_mask = &mask;
    sel.exclude = &exclude;
    const CsrMatrix got = compute_similarity_ab(a, b, m, parse_params(m, {{"k", 2.0}}), sel);
    for (Index r = 0; r < 6; ++r) {
        std::vector<Index> want;
        for (const Index c : full.row_indices(r)) {
            if (c != 0 && !(r == 2 && c == 3) && want.size() < 2) want.push_back(c);
        }
        if (mask[r] == 0) want.clear();
        const auto row = got.row_indices(r);
        CHECK(std::vector<Index>(row.begin(), row.end()) == want);
    }
}

TEST_CASE("a selection that does not fit is refused", "[engine][similarity]") {
    const CsrMatrix a = sample();
    const CsrMatrix b = transpose(a);
    const Measure m = measure_from_name("cosine");
    const SimilarityParams p = parse_params(m, {});
    const std::vector<std::uint8_t> short_mask = {1, 1};
    Selection sel;
    sel.row_mask = &short_mask;
    REQUIRE_THROWS_WITH(compute_similarity_ab(a, b, m, p, sel),
                        "similarity: the row selection has 2 entries but A has 6 rows");
    const CsrMatrix wrong(6, 5);
    Selection shape;
    shape.exclude = &wrong;
    REQUIRE_THROWS_WITH(compute_similarity_ab(a, b, m, p, shape),
                        "similarity: the column selection is 6 × 5 but the result is 6 × 6");
}

TEST_CASE("an unranked selection keeps each row's ranked entries", "[engine][similarity]") {
    // 300 users × 120 items, about 12 items per user: item rows have far more than k
    // candidates, so the kernel's buffered top-k (not its insertion mode) does the cut.
    std::vector<Triplet> t;
    std::uint32_t x = 12345;
    for (Index u = 0; u < 300; ++u) {
        for (int j = 0; j < 12; ++j) {
            x = x * 1664525U + 1013904223U;
            t.push_back({u, static_cast<Index>((x >> 8) % 120), 1});
        }
    }
    const CsrMatrix r = csr_from_triplets(300, 120, t);  // duplicates summed
    for (const char* name : {"cosine", "rp3beta", "p3alpha"}) {
        CAPTURE(name);
        const Measure m = measure_from_name(name);
        const SimilarityParams p = parse_params(m, {{"k", 40.0}});
        const CsrMatrix ranked = compute_similarity(r, Orientation::Item, m, p);
        Selection sel;
        sel.ranked = false;
        const CsrMatrix loose = compute_similarity(r, Orientation::Item, m, p, sel);
        REQUIRE(loose.indptr == ranked.indptr);
        bool reordered = false;
        for (Index i = 0; i < ranked.rows; ++i) {
            std::vector<ScoredIndex> row;
            for (Offset q = loose.indptr[i]; q < loose.indptr[i + 1]; ++q)
                row.push_back({loose.values[q], loose.indices[q]});
            std::vector<ScoredIndex> sorted = row;
            std::sort(sorted.begin(), sorted.end(), ranks_before);
            for (std::size_t q = 0; q < row.size(); ++q) {
                reordered = reordered || row[q].index != sorted[q].index;
                const Offset at = ranked.indptr[i] + static_cast<Offset>(q);
                CHECK(sorted[q].index == ranked.indices[at]);
                CHECK(sorted[q].score == ranked.values[at]);
            }
        }
        // The rows really came out in another order somewhere: the sort was skipped.
        CHECK(reordered);
    }
}
