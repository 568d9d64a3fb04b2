// The literature variant of p3alpha and rp3beta (measures/p3_variant.hpp) against a dense
// Eigen statement of the evaluation framework's steps, written in that framework's own
// orientation (W: row = the item a user has, column = the item scored; S = Wᵀ), plus its tie
// rule on a case worked out by hand, its parameter rules, and the default variant.

#include <Eigen/Dense>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine/csr.hpp"
#include "engine/error.hpp"
#include "engine/similarity/cooccurrence.hpp"
#include "engine/similarity/registry.hpp"
#include "engine/similarity/similarity.hpp"

using namespace knntune::engine;
using namespace knntune::engine::similarity;
using Eigen::MatrixXd;

namespace {

MatrixXd random_dense(int rows, int cols, double density, bool binary, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    MatrixXd m = MatrixXd::Zero(rows, cols);
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < cols; ++c) {
            if (unit(rng) < density) m(r, c) = binary ? 1.0 : 0.1 + 4.9 * unit(rng);
        }
    }
    return m;
}

CsrMatrix to_csr(const MatrixXd& m) {
    std::vector<Triplet> t;
    for (int r = 0; r < m.rows(); ++r) {
        for (int c = 0; c < m.cols(); ++c) {
            if (m(r, c) != 0) t.push_back({r, c, static_cast<Score>(m(r, c))});
        }
    }
    return csr_from_triplets(static_cast<Index>(m.rows()), static_cast<Index>(m.cols()), t);
}

/// Each row divided by its sum (rows summing to 0 untouched), then each stored value ^ alpha.
MatrixXd l1_rows_pow(MatrixXd m, double alpha) {
    for (int r = 0; r < m.rows(); ++r) {
        const double s = m.row(r).sum();
        if (s == 0) continue;
        for (int c = 0; c < m.cols(); ++c) {
            if (m(r, c) != 0) m(r, c) = std::pow(m(r, c) / s, alpha);
        }
    }
    return m;
}

/// The framework's steps, stated densely; `ambiguous` is set when a cut of either top-k
/// falls between two different values closer than float precision (the kept set then depends
/// on rounding, so such a fixture cannot be compared exactly).
struct Framework {
    double alpha = 1.0;
    std::optional<double> beta{};  ///< rp3beta's penalty; none for p3alpha
    int k = 100;
    bool normalize = false;
    bool ambiguous = false;

    /// Keeps the k largest non-zero values of `v` (a row or column of a matrix; ties: the
    /// lower index), zeroes the rest.
    template <class Line>
    void keep_top_k(Line&& v) {
        std::vector<std::pair<double, int>> nz;
        for (int i = 0; i < v.size(); ++i) {
            if (v(i) != 0) nz.emplace_back(v(i), i);
        }
        std::sort(nz.begin(), nz.end(), [](const auto& x, const auto& y) {
            return x.first > y.first || (x.first == y.first && x.second < y.second);
        });
        const auto kk = static_cast<std::size_t>(k);
        if (nz.size() <= kk) return;
        // An exact tie is resolved by the index on both sides (the tied values come from the
        // same operations on the same inputs, so they tie in float too); a near tie is not.
        const double gap = nz[kk - 1].first - nz[kk].first;
        if (gap > 0 && gap <= 1e-5 * nz[kk - 1].first) ambiguous = true;
        for (std::size_t i = kk; i < nz.size(); ++i) v(nz[i].second) = 0;
    }

    /// W for `m` (users × the compared entities).
    MatrixXd w(const MatrixXd& m) {
        const MatrixXd pattern_t = (m.transpose().array() != 0).cast<double>();
        const MatrixXd p_iu = l1_rows_pow(pattern_t, alpha);
        const MatrixXd p_ui = l1_rows_pow(m, alpha);
        MatrixXd w = p_iu * p_ui;
        if (beta) {
            for (int c = 0; c < w.cols(); ++c) {
                const auto pop = static_cast<double>((m.col(c).array() != 0).count());
                if (pop > 0) w.col(c) *= std::pow(pop, -*beta);
            }
        }
        w.diagonal().setZero();
        for (int r = 0; r < w.rows(); ++r) keep_top_k(w.row(r));
        if (normalize) {
            for (int r = 0; r < w.rows(); ++r) {
                const double s = w.row(r).sum();
                if (s != 0) w.row(r) /= s;
            }
        }
        for (int c = 0; c < w.cols(); ++c) keep_top_k(w.col(c));
        return w;
    }

    /// knntune's S for R (users × items) in orientation `o`: Wᵀ, with Rᵀ in place of R for
    /// user-KNN.
    MatrixXd s(const MatrixXd& r, Orientation o) {
        const MatrixXd m = o == Orientation::Item ? r : MatrixXd(r.transpose());
        return w(m.cast<float>().cast<double>()).transpose();
    }
};

/// Empty when the ranked sparse `s` holds exactly the non-zero entries of `expected` (values
/// within 1e-4 relative) with its rows ranked; else the first difference.
std::string compare(const CsrMatrix& s, const MatrixXd& expected) {
    if (s.rows != expected.rows() || s.cols != expected.cols()) return "shape differs";
    for (Index r = 0; r < s.rows; ++r) {
        std::map<int, double> want;
        for (int c = 0; c < expected.cols(); ++c) {
            if (expected(r, c) != 0) want[c] = expected(r, c);
        }
        const auto cols = s.row_indices(r);
        const auto vals = s.row_values(r);
        const std::string row = "row " + std::to_string(r);
        if (cols.size() != want.size()) {
            return row + ": expected " + std::to_string(want.size()) + " entries, got " +
                   std::to_string(cols.size());
        }
        for (std::size_t i = 0; i < cols.size(); ++i) {
            if (i > 0 &&
                !(vals[i - 1] > vals[i] || (vals[i - 1] == vals[i] && cols[i - 1] < cols[i])))
                return row + " is not ranked";
            const auto it = want.find(cols[i]);
            if (it == want.end()) return row + ": unexpected column " + std::to_string(cols[i]);
            if (std::abs(vals[i] - it->second) > 1e-4 * it->second) {
                return row + ", column " + std::to_string(cols[i]) + ": expected " +
                       std::to_string(it->second) + ", got " + std::to_string(vals[i]);
            }
        }
    }
    return {};
}

ParamMap literature_params(const Framework& f) {
    ParamMap p = {{"variant", std::string("literature")},
                  {"alpha", f.alpha},
                  {"k", static_cast<double>(f.k)},
                  {"normalize_rows", std::string(f.normalize ? "true" : "false")}};
    if (f.beta) p["beta"] = *f.beta;
    return p;
}

Measure measure_for(const Framework& f) {
    return f.beta ? measure_of<Rp3beta>() : measure_of<P3alpha>();
}

/// Row r of a ranked result as column → score.
std::map<Index, Score> row_map(const CsrMatrix& m, Index r) {
    std::map<Index, Score> out;
    for (Offset q = m.indptr[r]; q < m.indptr[r + 1]; ++q) out[m.indices[q]] = m.values[q];
    return out;
}

}  // namespace

TEST_CASE("p3 literature variant matches the framework's steps on weighted data",
          "[engine][similarity][p3_literature]") {
    // α ≠ 1 and β ∉ {0, 1} take the pow paths; k = 1 and 3 cut both top-k steps, k = 1000
    // keeps every pair; weighted values tell the 0/1 first step and the counted popularity
    // from the alternatives.
    const Framework f = GENERATE(Framework{.alpha = 1.0, .k = 3},
                                 Framework{.alpha = 0.6, .k = 1, .normalize = true},
                                 Framework{.alpha = 1.4, .k = 3, .normalize = true},
                                 Framework{.alpha = 1.0, .beta = 1.0, .k = 3},
                                 Framework{.alpha = 1.0, .beta = 1.0, .k = 3, .normalize = true},
                                 Framework{.alpha = 0.6, .beta = 0.5, .k = 1},
                                 Framework{.alpha = 0.8, .beta = 0.0, .k = 4, .normalize = true},
                                 Framework{.alpha = 1.3, .beta = 0.3, .k = 1000},
                                 Framework{.alpha = 1.0, .k = 1000, .normalize = true});
    const Orientation o = GENERATE(Orientation::Item, Orientation::User);
    const MatrixXd r = random_dense(45, 30, 0.15, false, 7U);
    Framework oracle = f;
    const MatrixXd expected = oracle.s(r, o);
    INFO((f.beta ? "rp3beta" : "p3alpha")
         << " alpha=" << f.alpha << " beta=" << f.beta.value_or(-1) << " k=" << f.k
         << " normalize_rows=" << f.normalize << (o == Orientation::Item ? " item" : " user"));
    REQUIRE_FALSE(oracle.ambiguous);
    const Measure m = measure_for(f);
    const CsrMatrix s = compute_similarity(to_csr(r), o, m, parse_params(m, literature_params(f)));
    CHECK(compare(s, expected) == "");
    // The self-pair is dropped and k holds per row.
    for (Index i = 0; i < s.rows; ++i) {
        CHECK(s.row_nnz(i) <= f.k);
        for (Index c : s.row_indices(i)) CHECK(c != i);
    }
}

TEST_CASE("p3 literature variant on binary data, and binary=true on weighted data",
          "[engine][similarity][p3_literature]") {
    // Binary data ties often, so k keeps every pair here (the tie rule has its own test).
    const MatrixXd r = random_dense(40, 25, 0.2, true, 11U);
    const MatrixXd weighted = r.cwiseProduct(random_dense(40, 25, 1.0, false, 12U));
    for (const Framework& f :
         {Framework{.alpha = 1.0, .k = 1000}, Framework{.alpha = 0.7, .k = 1000, .normalize = true},
          Framework{.alpha = 1.0, .beta = 0.6, .k = 1000, .normalize = true}}) {
        for (const Orientation o : {Orientation::Item, Orientation::User}) {
            INFO((f.beta ? "rp3beta" : "p3alpha")
                 << " alpha=" << f.alpha << (o == Orientation::Item ? " item" : " user"));
            Framework oracle = f;
            const MatrixXd expected = oracle.s(r, o);
            const Measure m = measure_for(f);
            ParamMap p = literature_params(f);
            CHECK(compare(compute_similarity(to_csr(r), o, m, parse_params(m, p)), expected) == "");
            p["binary"] = std::string("true");
            CHECK(compare(compute_similarity(to_csr(weighted), o, m, parse_params(m, p)),
                          expected) == "");
        }
    }
}

TEST_CASE("p3 literature variant: ties keep the lower index in both top-k steps",
          "[engine][similarity][p3_literature]") {
    // Users u0 = {i0, i1}, u1 = {i0, i2}. In W (row = the item a user has): W[0,1] = W[0,2] =
    // 1/2·1/2 = 1/4, W[1,0] = W[2,0] = 1·1/2 = 1/2, all else 0; every value is exact in float.
    // k = 1: row 0 of W ties and keeps column 1; column 0 then holds W[1,0] and W[2,0], ties,
    // and keeps row 1. So S = Wᵀ is {0: (1, 1/2)}, {1: (0, 1/4)}, {2: empty}. rp3beta with β = 1
    // divides column 0 by pop = 2 and the others by 1: the same ties, S[0,1] = 1/4.
    const CsrMatrix r =
        csr_from_triplets(2, 3, std::vector<Triplet>{{0, 0, 1}, {0, 1, 1}, {1, 0, 1}, {1, 2, 1}});
    const auto expect = [](const CsrMatrix& s, Score s01, Score s10) {
        REQUIRE(s.rows == 3);
        CHECK(row_map(s, 0) == std::map<Index, Score>{{1, s01}});
        CHECK(row_map(s, 1) == std::map<Index, Score>{{0, s10}});
        CHECK(s.row_nnz(2) == 0);
    };
    const ParamMap lit = {{"variant", std::string("literature")}, {"k", 1.0}};
    expect(compute_similarity(r, Orientation::Item, measure_of<P3alpha>(),
                              parse_params(measure_of<P3alpha>(), lit)),
           0.5F, 0.25F);
    expect(compute_similarity(r, Orientation::Item, measure_of<Rp3beta>(),
                              parse_params(measure_of<Rp3beta>(), lit)),
           0.25F, 0.25F);
    // User-KNN is item-KNN on Rᵀ.
    const CsrMatrix rt = transpose(r);
    CHECK(compute_similarity(rt, Orientation::User, measure_of<P3alpha>(),
                             parse_params(measure_of<P3alpha>(), lit)) ==
          compute_similarity(r, Orientation::Item, measure_of<P3alpha>(),
                             parse_params(measure_of<P3alpha>(), lit)));
}

TEST_CASE("p3 literature variant: what normalize_rows and the second top-k change",
          "[engine][similarity][p3_literature]") {
    const CsrMatrix r = to_csr(random_dense(60, 40, 0.12, false, 5U));
    const Measure m = measure_of<Rp3beta>();
    const auto run = [&](double k, bool normalize) {
        return compute_similarity(
            r, Orientation::Item, m,
            parse_params(m, {{"variant", std::string("literature")},
                             {"beta", 0.5},
                             {"k", k},
                             {"normalize_rows", std::string(normalize ? "true" : "false")}}));
    };
    // With every pair kept, normalize_rows divides each column c of S (row c of W) by its sum.
    const CsrMatrix all = run(1000, false);
    const CsrMatrix all_norm = run(1000, true);
    std::vector<double> col_sum(static_cast<std::size_t>(all.cols), 0.0);
    for (Offset q = 0; q < all.nnz(); ++q) col_sum[all.indices[q]] += all.values[q];
    REQUIRE(all.nnz() == all_norm.nnz());
    for (Index i = 0; i < all.rows; ++i) {
        const auto plain = row_map(all, i);
        for (const auto& [c, v] : row_map(all_norm, i)) {
            REQUIRE(plain.contains(c));
            CHECK_THAT(v, Catch::Matchers::WithinRel(plain.at(c) / col_sum[c], 1e-5));
        }
    }
    // With k = 2 the second top-k compares values divided by different sums, so it keeps
    // other neighbours than without normalize_rows in some rows; and it cuts: some item is
    // among more than k first-step lists, yet no row of S holds more than k.
    const CsrMatrix cut = run(2, false);
    const CsrMatrix cut_norm = run(2, true);
    bool differs = false;
    for (Index i = 0; i < cut.rows; ++i) {
        std::vector<Index> a(cut.row_indices(i).begin(), cut.row_indices(i).end());
        std::vector<Index> b(cut_norm.row_indices(i).begin(), cut_norm.row_indices(i).end());
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        differs = differs || a != b;
    }
    CHECK(differs);
    const CsrMatrix first_step = compute_similarity(
        r, Orientation::Item, m,
        parse_params(m, {{"beta", 0.5}, {"k", 2.0}, {"exclude_self", std::string("true")}}));
    const auto in_lists = column_counts(first_step);
    CHECK(*std::max_element(in_lists.begin(), in_lists.end()) > 2);
}

TEST_CASE("p3 default variant is standard and unchanged by the literature option",
          "[engine][similarity][p3_literature]") {
    const MatrixXd dense = random_dense(50, 30, 0.15, true, 3U);
    const CsrMatrix r = to_csr(dense);
    for (const Measure m : {measure_of<P3alpha>(), measure_of<Rp3beta>()}) {
        INFO(measure_name(m));
        CHECK(key_default_text(m, "variant") == "standard");
        CHECK(key_default_text(m, "normalize_rows") == "false");
        for (const Orientation o : {Orientation::Item, Orientation::User}) {
            const CsrMatrix def = compute_similarity(r, o, m, parse_params(m, {{"k", 1000.0}}));
            CHECK(compute_similarity(
                      r, o, m,
                      parse_params(m, {{"k", 1000.0}, {"variant", std::string("standard")}})) ==
                  def);
            // On binary data the literature W with every pair kept is the standard result
            // without the self-pair, and S is its transpose, bit for bit.
            const CsrMatrix standard_w = compute_similarity(
                r, o, m, parse_params(m, {{"k", 1000.0}, {"exclude_self", std::string("true")}}));
            const CsrMatrix lit = compute_similarity(
                r, o, m, parse_params(m, {{"k", 1000.0}, {"variant", std::string("literature")}}));
            const CsrMatrix standard_t = transpose(standard_w);
            REQUIRE(lit.rows == standard_t.rows);
            for (Index i = 0; i < lit.rows; ++i) CHECK(row_map(lit, i) == row_map(standard_t, i));
            CHECK_FALSE(lit == def);
        }
    }
}

TEST_CASE("p3 variant parameters: errors and the co-occurrence cache",
          "[engine][similarity][p3_literature][params]") {
    const Measure p3 = measure_of<P3alpha>();
    const Measure rp3 = measure_of<Rp3beta>();
    const std::string lit = "literature";
    REQUIRE_THROWS_WITH(parse_params(p3, {{"normalize_rows", std::string("true")}}),
                        "parameter 'normalize_rows' of p3alpha needs variant = literature");
    REQUIRE_THROWS_WITH(
        parse_params(rp3, {{"variant", std::string("standard")}, {"normalize_rows", 1.0}}),
        "parameter 'normalize_rows' of rp3beta needs variant = literature");
    CHECK_NOTHROW(parse_params(rp3, {{"normalize_rows", std::string("false")}}));
    REQUIRE_THROWS_WITH(parse_params(rp3, {{"variant", std::string("literatur")}}),
                        "parameter 'variant' of rp3beta: expected one of standard, literature");
    REQUIRE_THROWS_WITH(parse_params(p3, {{"variant", lit}, {"weighting", std::string("tfidf")}}),
                        "p3alpha: variant = literature needs weighting = none");
    REQUIRE_THROWS_WITH(parse_params(rp3, {{"variant", lit}, {"normalize", std::string("l2")}}),
                        "rp3beta: variant = literature needs normalize = none");
    REQUIRE_THROWS_WITH(parse_params(measure_of<Cosine>(), {{"variant", lit}}),
                        Catch::StartsWith("parameter 'variant' does not apply to cosine"));

    const CsrMatrix r = to_csr(random_dense(20, 12, 0.3, true, 2U));
    // Parameters edited in code are held to the same rule.
    SimilarityParams edited = parse_params(rp3, {});
    std::get<kMeasureIndex<Rp3beta>>(edited.own).normalize_rows = true;
    CHECK_THROWS_WITH(compute_similarity(r, Orientation::Item, rp3, edited),
                      "parameter 'normalize_rows' of rp3beta needs variant = literature");
    // The kernel on explicit inputs needs a square result, as the diagonal is dropped.
    const CsrMatrix a = to_csr(random_dense(6, 20, 0.3, true, 4U));
    CHECK_THROWS_WITH(compute_similarity_ab(a, r, p3, parse_params(p3, {{"variant", lit}})),
                      "variant = literature needs a square result");
    // Neither variant is re-scored from co-occurrence counts.
    const auto cache = CooccurrenceCache::build(r, Orientation::Item, 1U << 20);
    REQUIRE(cache.has_value());
    CHECK_FALSE(cache->supports(p3, parse_params(p3, {{"variant", lit}})));
    CHECK_FALSE(cache->supports(rp3, parse_params(rp3, {{"variant", lit}})));
    CHECK(cache->supports(measure_of<Cosine>(), parse_params(measure_of<Cosine>(), {})));
}

TEST_CASE("p3 on binary data: the unit-value kernel path gives the general path's bits",
          "[engine][similarity][p3_literature]") {
    // On binary data every row of B holds one value after the p3 transform, so the engine
    // moves it into A and runs the unit-value kernel. The same A and B with one more B row
    // that holds two values (an extra user no item of A touches, rating two extra items)
    // force the general path; the products, sums and ranks must be the same to the bit.
    const MatrixXd dense = random_dense(60, 40, 0.2, true, 11U);  // users × items
    const Index users = 60;
    const Index items = 40;
    const CsrMatrix a = to_csr(dense.transpose());  // items × users
    const CsrMatrix b = to_csr(dense);              // users × items
    MatrixXd a_wide = MatrixXd::Zero(items + 2, users + 1);
    a_wide.topLeftCorner(items, users) = dense.transpose();
    MatrixXd b_wide = MatrixXd::Zero(users + 1, items + 2);
    b_wide.topLeftCorner(users, items) = dense;
    b_wide(users, items) = 1.0;
    b_wide(users, items + 1) = 3.0;
    const CsrMatrix a2 = to_csr(a_wide);
    const CsrMatrix b2 = to_csr(b_wide);
    for (const Measure m : {measure_of<P3alpha>(), measure_of<Rp3beta>()}) {
        for (const std::string variant : {"standard", "literature"}) {
            for (const double alpha : {1.0, 0.7}) {
                INFO(measure_name(m) << " " << variant << " alpha " << alpha);
                const SimilarityParams p =
                    parse_params(m, {{"k", 7.0}, {"alpha", alpha}, {"variant", variant}});
                const CsrMatrix unit = compute_similarity_ab(a, b, m, p);
                const CsrMatrix general = compute_similarity_ab(a2, b2, m, p);
                REQUIRE(general.rows == items + 2);
                REQUIRE(unit.nnz() > 0);
                CHECK(general.indptr[items + 2] == general.indptr[items]);  // extra rows empty
                for (Index i = 0; i < items; ++i) {
                    INFO("row " << i);
                    const std::vector<Index> ui(unit.indices.begin() + unit.indptr[i],
                                                unit.indices.begin() + unit.indptr[i + 1]);
                    const std::vector<Index> gi(general.indices.begin() + general.indptr[i],
                                                general.indices.begin() + general.indptr[i + 1]);
                    const std::vector<Score> uv(unit.values.begin() + unit.indptr[i],
                                                unit.values.begin() + unit.indptr[i + 1]);
                    const std::vector<Score> gv(general.values.begin() + general.indptr[i],
                                                general.values.begin() + general.indptr[i + 1]);
                    CHECK(ui == gi);
                    CHECK(uv == gv);
                }
            }
        }
    }
}
