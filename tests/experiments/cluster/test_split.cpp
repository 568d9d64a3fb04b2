// The row split of a similarity across ranks (experiments/cluster/split.*) as far as one
// process can check it: the cost model against hand counts, the blocks' boundaries, the byte
// layout of messages, and the property the split rests on, that a row kept by a row mask is
// exactly the unrestricted row, for every measure. The multi-rank runs are in tests/mpi/.

#include <catch2/catch.hpp>
#include <numeric>
#include <random>
#include <stdexcept>

#include "engine/random_matrix.hpp"
#include "engine/similarity/params.hpp"
#include "engine/similarity/similarity.hpp"
#include "experiments/cluster/split.hpp"
#include "experiments/cluster/wire.hpp"

using namespace knntune;
using engine::CsrMatrix;
using engine::Index;
using engine::Triplet;
namespace sim = engine::similarity;
namespace cl = exp::cluster;

namespace {

// Users × items: u0 {0, 1}, u1 {1, 2}, u2 {1}.
CsrMatrix three_by_three() {
    const std::vector<Triplet> t = {{0, 0, 1}, {0, 1, 1}, {1, 1, 1}, {1, 2, 1}, {2, 1, 1}};
    return engine::csr_from_triplets(3, 3, t);
}

CsrMatrix rows_of(const CsrMatrix& s, Index begin, Index end) {
    CsrMatrix out(s.rows, s.cols);
    for (Index r = 0; r < s.rows; ++r) {
        const bool keep = r >= begin && r < end;
        out.indptr[r + 1] = out.indptr[r] + (keep ? s.row_nnz(r) : 0);
        if (!keep) continue;
        out.indices.insert(out.indices.end(), s.row_indices(r).begin(), s.row_indices(r).end());
        out.values.insert(out.values.end(), s.row_values(r).begin(), s.row_values(r).end());
    }
    return out;
}

}  // namespace

TEST_CASE("row costs count the multiply-adds of each row of S", "[cluster]") {
    const CsrMatrix r = three_by_three();
    // Item i: 1 + the summed degrees of its users; user u: 1 + the summed degrees of its items.
    CHECK(cl::row_costs(r, sim::Orientation::Item) == std::vector<double>{3, 6, 3});
    CHECK(cl::row_costs(r, sim::Orientation::User) == std::vector<double>{5, 5, 4});
    // Without the 1 per row, item costs add up to Σ_u deg(u)² (4 + 4 + 1).
    const auto c = cl::row_costs(r, sim::Orientation::Item);
    CHECK(std::accumulate(c.begin(), c.end(), 0.0) - 3 == 9);
}

TEST_CASE("balanced blocks split the cost as evenly as whole rows allow", "[cluster]") {
    const std::vector<double> even = {1, 1, 1, 1};
    CHECK(cl::balanced_blocks(even, 2) == std::vector<Index>{0, 2, 4});
    CHECK(cl::balanced_blocks(even, 1) == std::vector<Index>{0, 4});
    // One heavy row is a block of its own.
    const std::vector<double> heavy = {10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    CHECK(cl::balanced_blocks(heavy, 2) == std::vector<Index>{0, 1, 11});
    // More parts than rows: empty blocks, still ordered and covering every row.
    const std::vector<double> two = {1, 1};
    const auto b = cl::balanced_blocks(two, 4);
    REQUIRE(b.size() == 5);
    CHECK(b.front() == 0);
    CHECK(b.back() == 2);
    CHECK(std::is_sorted(b.begin(), b.end()));
    // The row that crosses the goal (4 of 8) goes to the side with the smaller gap: 2 3 | 1 1 1
    // (5 against 3) rather than 2 | 3 1 1 1 (2 against 6); 3 | 3 1 1 stays so.
    const std::vector<double> left = {2, 3, 1, 1, 1};
    CHECK(cl::balanced_blocks(left, 2) == std::vector<Index>{0, 2, 5});
    const std::vector<double> right = {3, 3, 1, 1};
    CHECK(cl::balanced_blocks(right, 2) == std::vector<Index>{0, 1, 4});
}

TEST_CASE("a row mask keeps each row exactly as the full computation has it",
          "[cluster][engine][similarity]") {
    std::mt19937 rng(11);
    const CsrMatrix r = test::random_sparse(
        60, 45, rng, [](Index u, Index i) { return (u * 7 + i * 3) % 11 == 0 ? 0.5 : 0.12; },
        [] { return 1.0f; });
    for (const std::string_view name : sim::measure_names()) {
        for (const auto o : {sim::Orientation::Item, sim::Orientation::User}) {
            const sim::Measure m = sim::measure_from_name(name);
            const sim::SimilarityParams p = sim::parse_params(m, {{"k", 7.0}, {"shrink", 2.0}});
            const CsrMatrix full = sim::compute_similarity(r, o, m, p);
            const Index n = full.rows;
            const Index a = n / 3;
            const Index b = 2 * n / 3 + 1;
            std::vector<std::uint8_t> mask(static_cast<std::size_t>(n), 0);
            std::fill(mask.begin() + a, mask.begin() + b, std::uint8_t{1});
            sim::Selection sel;
            sel.row_mask = &mask;
            INFO(name << (o == sim::Orientation::Item ? " item" : " user"));
            CHECK(sim::compute_similarity(r, o, m, p, sel) == rows_of(full, a, b));
            // One rank: the split is the plain computation.
            cl::SplitReport report;
            CHECK(cl::split_similarity(r, o, m, p, &report) == full);
            CHECK(report.bounds == std::vector<Index>{0, n});
        }
    }
    // The literature variant takes no selection, and says so.
    const sim::Measure rp3 = sim::measure_from_name("rp3beta");
    const sim::SimilarityParams lit =
        sim::parse_params(rp3, {{"variant", std::string("literature")}});
    CHECK_FALSE(sim::takes_selection(rp3, lit));
    CHECK(sim::takes_selection(rp3, sim::parse_params(rp3, {})));
    std::vector<std::uint8_t> mask(45, 1);
    sim::Selection sel;
    sel.row_mask = &mask;
    CHECK_THROWS_WITH(sim::compute_similarity(r, sim::Orientation::Item, rp3, lit, sel),
                      Catch::Contains("literature"));
}

TEST_CASE("messages between ranks read back what was written, and refuse to read past the end",
          "[cluster]") {
    cl::Writer w;
    w.put<std::int32_t>(-7).put_string("précision@10").put_vector(std::vector<double>{1.5, -2});
    w.put<std::uint8_t>(1);
    const std::string bytes = w.bytes();
    cl::Reader r(bytes);
    CHECK(r.get<std::int32_t>() == -7);
    CHECK(r.get_string() == "précision@10");
    CHECK(r.get_vector<double>() == std::vector<double>{1.5, -2});
    CHECK(r.get<std::uint8_t>() == 1);
    CHECK(r.done());
    CHECK_THROWS_AS(r.get<std::uint8_t>(), std::logic_error);
    // A length that claims more than the message holds.
    cl::Reader cut(std::string_view(bytes).substr(0, 6));
    (void)cut.get<std::int32_t>();
    CHECK_THROWS_AS(cut.get_string(), std::logic_error);
    cl::Writer huge;
    huge.put<std::uint64_t>(std::uint64_t{1} << 60);
    const std::string h = huge.bytes();
    cl::Reader rh(h);
    CHECK_THROWS_AS(rh.get_vector<double>(), std::logic_error);
}
