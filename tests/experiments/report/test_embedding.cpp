#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <vector>

#include "experiments/report/embedding.hpp"
#include "experiments/report/error.hpp"

using namespace knntune::exp::report;
using Catch::Matchers::Contains;

namespace {

/// A CSR matrix with its arrays owned, plus the same matrix dense for the oracle.
struct Fixture {
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::vector<std::int64_t> indptr;
    std::vector<std::int32_t> indices;
    std::vector<float> values;
    Eigen::MatrixXd dense;

    CsrView view() const { return {rows, cols, indptr, indices, values}; }
};

Fixture from_dense(const Eigen::MatrixXd& d) {
    Fixture f;
    f.rows = d.rows();
    f.cols = d.cols();
    f.dense = Eigen::MatrixXd::Zero(d.rows(), d.cols());
    f.indptr.push_back(0);
    for (Eigen::Index r = 0; r < d.rows(); ++r) {
        for (Eigen::Index c = 0; c < d.cols(); ++c) {
            if (d(r, c) != 0.0) {
                f.indices.push_back(static_cast<std::int32_t>(c));
                f.values.push_back(static_cast<float>(d(r, c)));
                f.dense(r, c) = static_cast<double>(f.values.back());  // float-rounded
            }
        }
        f.indptr.push_back(static_cast<std::int64_t>(f.indices.size()));
    }
    return f;
}

/// Sparse random matrix, `density` of the entries uniform in (0, 1).
Eigen::MatrixXd random_sparse(int rows, int cols, double density, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Eigen::MatrixXd d = Eigen::MatrixXd::Zero(rows, cols);
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < cols; ++c) {
            if (u(rng) < density) d(r, c) = u(rng);
        }
    }
    return d;
}

/// Dense oracle: PCA coordinates of the columns, V_k·S_k of the centred matrix's SVD.
Eigen::MatrixXd dense_pca(const Eigen::MatrixXd& a, int k, Eigen::VectorXd* sv) {
    const Eigen::VectorXd mean_col = a.rowwise().mean();
    const Eigen::MatrixXd c = a.colwise() - mean_col;
    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(c, Eigen::ComputeThinV);
    *sv = svd.singularValues();
    return svd.matrixV().leftCols(k) * svd.singularValues().head(k).asDiagonal();
}

/// Largest relative error between the axes of `got` and `ref`, each axis up to sign.
double axis_error(const Eigen::MatrixXd& got, const Eigen::MatrixXd& ref) {
    double worst = 0.0;
    for (Eigen::Index a = 0; a < ref.cols(); ++a) {
        const double s = got.col(a).dot(ref.col(a)) >= 0.0 ? 1.0 : -1.0;
        worst = std::max(worst, (got.col(a) - s * ref.col(a)).norm() / ref.col(a).norm());
    }
    return worst;
}

}  // namespace

TEST_CASE("embedding matches dense SVD when the sketch spans everything", "[report][embedding]") {
    const Fixture f = from_dense(random_sparse(40, 30, 0.3, 11));
    // l = min(k + oversampling, 30) = 30: the randomized SVD is exact up to rounding.
    const Embedding e = embed_columns(f.view(), {.n_components = 3, .oversampling = 40});
    Eigen::VectorXd sv;
    const Eigen::MatrixXd ref = dense_pca(f.dense, 3, &sv);
    REQUIRE(e.coords.rows() == 30);
    REQUIRE(e.coords.cols() == 3);
    CHECK(axis_error(e.coords, ref) < 1e-9);
    for (int a = 0; a < 3; ++a) {
        CHECK_THAT(e.singular_values(a), Catch::Matchers::WithinRel(sv(a), 1e-10));
        CHECK_THAT(e.explained_variance_ratio(a),
                   Catch::Matchers::WithinRel(sv(a) * sv(a) / sv.squaredNorm(), 1e-10));
    }
}

TEST_CASE("embedding recovers a low-rank structure with default parameters",
          "[report][embedding]") {
    // Rank-3 non-negative signal plus sparse noise, 120 × 200: the default sketch
    // (l = 12, 4 power iterations) must find the leading 2-D subspace of the dense oracle.
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Eigen::MatrixXd left(120, 3);
    Eigen::MatrixXd right(3, 200);
    for (Eigen::Index i = 0; i < left.size(); ++i) left(i) = u(rng) < 0.5 ? 0.0 : u(rng);
    for (Eigen::Index i = 0; i < right.size(); ++i) right(i) = u(rng) < 0.5 ? 0.0 : 3.0 * u(rng);
    Eigen::MatrixXd d = left * right + 0.05 * random_sparse(120, 200, 0.05, 9);
    const Fixture f = from_dense(d);

    const Embedding e = embed_columns(f.view(), {.seed = 3});
    Eigen::VectorXd sv;
    const Eigen::MatrixXd ref = dense_pca(f.dense, 2, &sv);
    CHECK(axis_error(e.coords, ref) < 1e-6);
    CHECK_THAT(e.singular_values(0), Catch::Matchers::WithinRel(sv(0), 1e-9));
    CHECK_THAT(e.singular_values(1), Catch::Matchers::WithinRel(sv(1), 1e-9));
    CHECK(e.explained_variance_ratio.sum() <= 1.0 + 1e-12);

    // Deterministic for a seed, and the sign convention holds: each axis's largest-magnitude
    // entry is positive.
    const Embedding again = embed_columns(f.view(), {.seed = 3});
    CHECK(again.coords == e.coords);
    for (int a = 0; a < 2; ++a) {
        Eigen::Index arg = 0;
        e.coords.col(a).cwiseAbs().maxCoeff(&arg);
        CHECK(e.coords(arg, a) > 0.0);
    }
}

TEST_CASE("embedding rejects malformed CSR input", "[report][embedding]") {
    Fixture f = from_dense(random_sparse(5, 4, 0.5, 2));
    REQUIRE(!f.indices.empty());
    f.indices[0] = 7;
    REQUIRE_THROWS_AS(embed_columns(f.view()), ReportError);
    REQUIRE_THROWS_WITH(embed_columns(f.view()), "embed_columns: indices[0] = 7 is outside [0, 4)");
    Fixture g = from_dense(random_sparse(5, 4, 0.5, 2));
    g.indptr.pop_back();
    REQUIRE_THROWS_WITH(embed_columns(g.view()), Contains("indptr has 5 entries"));
    const Fixture h = from_dense(random_sparse(5, 4, 0.5, 2));
    REQUIRE_THROWS_WITH(embed_columns(h.view(), {.n_components = 5}),
                        Contains("n_components must be in [1, 4]"));
}

TEST_CASE("embedding of an all-zero matrix is all zeros", "[report][embedding]") {
    const Fixture f = from_dense(Eigen::MatrixXd::Zero(3, 6));
    const Embedding e = embed_columns(f.view());
    CHECK(e.coords.isZero());
    CHECK(e.explained_variance_ratio.isZero());
}
