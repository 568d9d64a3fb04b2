// The benchmark programs read one period of a prepared.h5 as similaripy_prep.py does: the same
// shape and entries, every value 1.

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "benchmarks/bench_input.hpp"
#include "engine/data/prepared_io.hpp"
#include "engine/error.hpp"
#include "support/temp_dir.hpp"

using namespace knntune;
using engine::Triplet;

TEST_CASE("bench input: a prepared.h5 period is read whole and binarised", "[bench]") {
    test::TempDir dir;
    engine::PreparedData d;
    d.user_keys = {"u1", "u2", "u3"};
    d.item_keys = {"A", "B", "C", "D"};
    d.item_names = d.item_keys;
    for (int p = 0; p < 4; ++p) {
        const auto last = static_cast<engine::Index>(p % 3);
        const std::vector<Triplet> t = {{0, 0, 1}, {1, 2, 3}, {2, last, 0.5F}, {2, 3, 2}};
        d.matrices[p] = engine::csr_from_triplets(3, 4, t);
        d.stats[p] = engine::compute_period_stats(d.matrices[p]);
    }
    const std::string path = (dir.path() / "prepared.h5").string();
    engine::save_prepared(d, {"log.csv", "data: {}"}, path);

    const engine::CsrMatrix valid = bench::load_bench_input(path + ":valid");
    const engine::CsrMatrix& want = d.matrix(engine::Period::Valid);
    CHECK(valid.rows == 3);
    CHECK(valid.cols == 4);
    CHECK(valid.indptr == want.indptr);
    CHECK(valid.indices == want.indices);  // row 2 holds items 1 and 3
    CHECK(valid.values == std::vector<engine::Score>(want.nnz(), 1.0F));
    CHECK(bench::load_bench_input(path + ":train_val").indices ==
          d.matrix(engine::Period::TrainVal).indices);

    CHECK_THROWS_WITH(bench::load_bench_input(path + ":bogus"),
                      path + ":bogus: unknown period 'bogus' (train_val, valid, train or test)");
    CHECK_THROWS_AS(bench::load_bench_input((dir.path() / "none.h5").string() + ":valid"),
                    engine::InputError);
}
