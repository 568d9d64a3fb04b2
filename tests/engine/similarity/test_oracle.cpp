// The sparse kernel against a dense Eigen computation of the same formulas (spec sections 2-3),
// on random weighted and binary matrices, for every measure, shrink type, threshold and the
// self-pair option.

#include <Eigen/Dense>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "engine/csr.hpp"
#include "engine/similarity/kernel_parts.hpp"
#include "engine/similarity/registry.hpp"
#include "engine/similarity/similarity.hpp"
#include "engine/similarity/weighting.hpp"

using namespace knntune::engine;
using namespace knntune::engine::similarity;
using Eigen::MatrixXd;

namespace {

constexpr double kRtol = 1e-4;

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

MatrixXd l1_rows_pow(MatrixXd m, double alpha) {
    for (int r = 0; r < m.rows(); ++r) {
        const double s = m.row(r).cwiseAbs().sum();
        if (s == 0) continue;
        for (int c = 0; c < m.cols(); ++c) {
            if (m(r, c) != 0) m(r, c) = std::pow(m(r, c) / s, alpha);
        }
    }
    return m;
}

/// All candidates of one row, sorted best first.
using Ranked = std::vector<std::pair<double, int>>;

/// What the dense formula of one measure sees of a pair (r, c).
struct DensePair {
    double xy;            ///< the co-occurrence
    double x2, y2;        ///< X2(r), Y2(c)
    double pop_r, pop_c;  ///< row sums of A at r and at c (before the p3 transform)
    double pop_col;       ///< column sum of B at c (before the p3 transform)
    double h_add;         ///< the additive shrink
};

/// num and den of one measure's formula; `has_den` false when it has no normalisation term.
struct DenseTerms {
    double num;
    double den = 0;
    bool has_den = true;
};

using DenseFormula = DenseTerms (*)(const DensePair&, const SimilarityParams&);

DenseTerms plain(const DensePair& x, const SimilarityParams&) { return {x.xy, 0, false}; }

DenseTerms dense_s_plus(const DensePair& x, const SimilarityParams& q) {
    const SPlusParams& p = own_params<SPlus>(q);
    const double v = x.xy;
    const double t = p.t1 * (x.x2 - v) + p.t2 * (x.y2 - v) + v;
    const double cos = std::pow(x.x2 + x.h_add, p.c1) * std::pow(x.y2 + x.h_add, p.c2);
    const double d1 = p.pop1 == PopMode::Sum ? std::pow(x.pop_r, p.beta1) : 1.0;
    const double d2 = p.pop2 == PopMode::Sum ? std::pow(x.pop_c, p.beta2) : 1.0;
    return {std::pow(v, p.alpha), p.l1 * t + p.l2 * cos + p.l3 * d1 * d2,
            p.l1 != 0 || p.l2 != 0 || p.l3 != 0};
}

/// An independent dense statement of each measure's formula (spec section 3), with the
/// exponent of the p3 transform when the measure has one.
struct Oracle {
    std::string_view measure;
    DenseFormula formula;
    double (*p3_alpha)(const SimilarityParams&) = nullptr;
};

// clang-format off
const Oracle kOracles[] = {
    {"dot_product", &plain},
    {"cosine", [](const DensePair& x, const SimilarityParams&) {
         return DenseTerms{x.xy, std::sqrt(x.x2 + x.h_add) * std::sqrt(x.y2 + x.h_add)}; }},
    {"asymmetric_cosine", [](const DensePair& x, const SimilarityParams& p) {
         const double a = own_params<AsymmetricCosine>(p).alpha;
         return DenseTerms{x.xy, std::pow(x.x2 + x.h_add, a) * std::pow(x.y2 + x.h_add, 1 - a)}; }},
    {"jaccard", [](const DensePair& x, const SimilarityParams&) {
         return DenseTerms{x.xy, x.x2 + x.y2 - x.xy}; }},
    {"dice", [](const DensePair& x, const SimilarityParams&) {
         return DenseTerms{x.xy, 0.5 * x.x2 + 0.5 * x.y2}; }},
    {"tversky", [](const DensePair& x, const SimilarityParams& q) {
         const TverskyParams& p = own_params<Tversky>(q);
         return DenseTerms{x.xy, p.alpha * (x.x2 - x.xy) + p.beta * (x.y2 - x.xy) + x.xy}; }},
    {"p3alpha", &plain, [](const SimilarityParams& p) { return own_params<P3alpha>(p).alpha; }},
    {"rp3beta", [](const DensePair& x, const SimilarityParams& p) {
         return DenseTerms{x.xy, std::pow(x.pop_col, own_params<Rp3beta>(p).beta)}; },
     [](const SimilarityParams& p) { return own_params<Rp3beta>(p).alpha; }},
    {"s_plus", &dense_s_plus},
};
// clang-format on

/// Dense evaluation of the master formula for `oracle` on R (users × items).
std::vector<Ranked> dense_similarity(const MatrixXd& r_in, Orientation o, const Oracle& oracle,
                                     const SimilarityParams& p) {
    MatrixXd a = o == Orientation::Item ? MatrixXd(r_in.transpose()) : r_in;
    // The oracle sees float32 inputs, like the kernel.
    a = a.cast<float>().cast<double>();
    if (p.binary) a = (a.array() != 0).cast<double>();
    MatrixXd b = a.transpose();
    const double h = p.shrink;
    const double h_s = p.shrink_type == ShrinkType::Stabilized ? h : 0;
    const double h_b = p.shrink_type == ShrinkType::Bayesian ? h : 0;
    const double h_add = p.shrink_type == ShrinkType::Additive ? h : 0;
    Eigen::VectorXd pop_col = b.colwise().sum().transpose();  // before the p3 transform
    Eigen::VectorXd pop_row = a.rowwise().sum();
    if (oracle.p3_alpha != nullptr) {
        a = l1_rows_pow(a, oracle.p3_alpha(p));
        b = l1_rows_pow(b, oracle.p3_alpha(p));
    }
    const MatrixXd xy = a * b;
    const MatrixXd support =
        (a.array() != 0).cast<double>().matrix() * (b.array() != 0).cast<double>().matrix();
    const Eigen::VectorXd x2 = a.array().square().rowwise().sum();
    const Eigen::VectorXd y2 = b.array().square().colwise().sum().transpose();

    std::vector<Ranked> rows(static_cast<size_t>(xy.rows()));
    for (int r = 0; r < xy.rows(); ++r) {
        for (int c = 0; c < xy.cols(); ++c) {
            if (support(r, c) == 0) continue;
            if (p.exclude_self && r == c) continue;
            const DenseTerms t = oracle.formula(
                {xy(r, c), x2(r), y2(c), pop_row(r), pop_row(c), pop_col(c), h_add}, p);
            double s;
            if (t.has_den) {
                s = t.den + h_s != 0 ? t.num / (t.den + h_s) : 0;
            } else {
                s = h_s != 0 ? t.num / h_s : t.num;
            }
            if (h_b != 0) s *= t.num / (t.num + h_b);
            if (s >= p.threshold && s != 0) rows[r].emplace_back(s, c);
        }
        std::sort(rows[r].begin(), rows[r].end(), [](const auto& x, const auto& y) {
            return x.first > y.first || (x.first == y.first && x.second < y.second);
        });
    }
    return rows;
}

bool near(double a, double b) {
    return std::abs(a - b) <= kRtol * std::max(std::abs(a), std::abs(b));
}

/// Compares a ranked sparse result with the oracle, tie-insensitively at the k-th place and
/// skipping rows with a score within the tolerance of the threshold.
std::string compare(const CsrMatrix& s, const std::vector<Ranked>& oracle, size_t k,
                    double threshold) {
    for (Index r = 0; r < s.rows; ++r) {
        const Ranked& o = oracle[static_cast<size_t>(r)];
        bool ambiguous = false;
        for (const auto& [score, c] : o) ambiguous = ambiguous || near(score, threshold);
        if (ambiguous) continue;
        const size_t n = std::min(k, o.size());
        if (static_cast<size_t>(s.row_nnz(r)) != n) {
            return "row " + std::to_string(r) + ": expected " + std::to_string(n) +
                   " entries, got " + std::to_string(s.row_nnz(r));
        }
        const auto vals = s.row_values(r);
        const auto cols = s.row_indices(r);
        for (size_t i = 0; i < n; ++i) {
            if (i > 0 &&
                !(vals[i - 1] > vals[i] || (vals[i - 1] == vals[i] && cols[i - 1] < cols[i]))) {
                return "row " + std::to_string(r) + " is not ranked";
            }
            if (!near(vals[i], o[i].first)) {
                return "row " + std::to_string(r) + " rank " + std::to_string(i + 1) +
                       ": expected " + std::to_string(o[i].first) + ", got " +
                       std::to_string(vals[i]);
            }
        }
        // Column sets are defined when the k-th and (k+1)-th scores are apart.
        if (n < o.size() && near(o[n - 1].first, o[n].first)) continue;
        std::vector<int> want;
        for (size_t i = 0; i < n; ++i) want.push_back(o[i].second);
        std::vector<int> got(cols.begin(), cols.end());
        std::sort(want.begin(), want.end());
        std::sort(got.begin(), got.end());
        if (want != got) return "row " + std::to_string(r) + ": column sets differ";
    }
    return {};
}

struct Variant {
    std::string label;
    ParamMap params;
};

std::vector<Variant> variants_for(std::string_view m) {
    std::vector<Variant> v = {
        {"defaults", {}},
        {"stabilized shrink", {{"shrink", 3.0}}},
        {"bayesian shrink", {{"shrink", 2.0}, {"shrink_type", std::string("bayesian")}}},
        {"additive shrink", {{"shrink", 4.0}, {"shrink_type", std::string("additive")}}},
        {"exclude_self and small k", {{"exclude_self", std::string("true")}, {"k", 3.0}}},
        {"binary", {{"binary", std::string("true")}, {"k", 7.0}}},
    };
    if (m == "asymmetric_cosine") v.push_back({"alpha", {{"alpha", 0.2}}});
    if (m == "tversky") v.push_back({"alpha beta", {{"alpha", 0.8}, {"beta", 0.3}}});
    if (m == "p3alpha") v.push_back({"alpha", {{"alpha", 0.6}, {"shrink", 0.5}}});
    if (m == "rp3beta") v.push_back({"alpha beta", {{"alpha", 0.7}, {"beta", 0.4}}});
    if (m == "s_plus") {
        v.push_back({"classic", {{"l", 0.3}, {"c", 0.7}, {"t1", 0.5}, {"t2", 2.0}}});
        v.push_back({"general",
                     {{"l1", 0.3},
                      {"l2", 0.6},
                      {"l3", 0.4},
                      {"t1", 0.7},
                      {"t2", 0.9},
                      {"c1", 0.4},
                      {"c2", 0.6},
                      {"pop1", std::string("sum")},
                      {"pop2", std::string("sum")},
                      {"alpha", 1.5},
                      {"beta1", 0.2},
                      {"beta2", 0.5},
                      {"shrink", 3.0}}});
        v.push_back({"no terms, power", {{"l1", 0.0}, {"l2", 0.0}, {"alpha", 2.0}}});
    }
    return v;
}

}  // namespace

TEST_CASE("sparse kernel matches a dense Eigen oracle for every measure",
          "[engine][similarity][oracle]") {
    const bool binary_data = GENERATE(false, true);
    const Orientation o = GENERATE(Orientation::Item, Orientation::User);
    const MatrixXd r = random_dense(70, 45, 0.12, binary_data, binary_data ? 5U : 9U);
    const CsrMatrix csr = to_csr(r);
    for (const Oracle& oracle : kOracles) {
        const Measure m = measure_from_name(oracle.measure);
        for (Variant v : variants_for(oracle.measure)) {
            if (!v.params.contains("k")) v.params["k"] = 10.0;
            const SimilarityParams p = parse_params(m, v.params);
            // A threshold at roughly the median score of the unpruned oracle.
            for (const bool with_threshold : {false, true}) {
                SimilarityParams q = p;
                if (with_threshold) {
                    std::vector<double> all;
                    for (const Ranked& row : dense_similarity(r, o, oracle, p)) {
                        for (const auto& e : row) all.push_back(e.first);
                    }
                    REQUIRE(!all.empty());
                    std::nth_element(all.begin(), all.begin() + all.size() / 2, all.end());
                    q.threshold = all[all.size() / 2];
                }
                const auto expected = dense_similarity(r, o, oracle, q);
                const CsrMatrix s = compute_similarity(csr, o, m, q);
                INFO(oracle.measure << " / " << v.label << (with_threshold ? " / threshold" : "")
                                    << (binary_data ? " / binary data" : " / weighted data")
                                    << (o == Orientation::Item ? " / item" : " / user"));
                CHECK(compare(s, expected, static_cast<size_t>(q.k), q.threshold) == "");
            }
        }
    }
}

TEST_CASE("weighting and row normalisation match dense formulas", "[engine][similarity][oracle]") {
    const MatrixXd x = random_dense(30, 20, 0.2, false, 3U);
    const int n = static_cast<int>(x.rows());
    Eigen::VectorXd df = Eigen::VectorXd::Zero(x.cols());
    Eigen::VectorXd dl = x.rowwise().sum();
    for (int c = 0; c < x.cols(); ++c) df(c) = (x.col(c).array() > 0).count();
    const double avgdl = dl.mean();

    SECTION("tfidf: sqrt tf, smooth idf") {
        CsrMatrix m = to_csr(x);
        WeightingParams w;
        w.weighting = Weighting::Tfidf;
        apply_weighting(m, w);
        for (Index r = 0; r < m.rows; ++r) {
            for (Offset q = m.indptr[r]; q < m.indptr[r + 1]; ++q) {
                const int c = m.indices[q];
                const double want =
                    std::sqrt(double{static_cast<float>(x(r, c))}) * std::log(n / (1.0 + df(c)));
                CHECK_THAT(m.values[q], Catch::Matchers::WithinAbs(want, 1e-5));
            }
        }
    }
    SECTION("bm25plus: raw tf, bm25 idf, base 2") {
        CsrMatrix m = to_csr(x);
        WeightingParams w;
        w.weighting = Weighting::Bm25Plus;
        w.logbase = 2.0;
        w.k1 = 1.5;
        w.b = 0.6;
        w.delta = 0.7;
        apply_weighting(m, w);
        for (Index r = 0; r < m.rows; ++r) {
            for (Offset q = m.indptr[r]; q < m.indptr[r + 1]; ++q) {
                const int c = m.indices[q];
                const double tf = static_cast<float>(x(r, c));
                const double idf = std::log2((n - df(c) + 0.5) / (df(c) + 0.5));
                const double want =
                    idf * (tf * 2.5 / (tf + 1.5 * (0.4 + 0.6 * dl(r) / avgdl)) + 0.7);
                CHECK_THAT(m.values[q], Catch::Matchers::WithinAbs(want, 1e-4));
            }
        }
    }
    SECTION("l2 and max row normalisation") {
        CsrMatrix l2 = to_csr(x);
        normalize_rows(l2, RowNorm::L2);
        CsrMatrix mx = to_csr(x);
        normalize_rows(mx, RowNorm::Max);
        for (Index r = 0; r < l2.rows; ++r) {
            const double norm = x.row(r).norm();
            const double max = x.row(r).maxCoeff();
            for (Offset q = l2.indptr[r]; q < l2.indptr[r + 1]; ++q) {
                const int c = l2.indices[q];
                CHECK_THAT(l2.values[q], Catch::Matchers::WithinRel(x(r, c) / norm, 1e-5));
                CHECK_THAT(mx.values[q], Catch::Matchers::WithinRel(x(r, c) / max, 1e-5));
            }
        }
    }
}

TEST_CASE("weighted similarity equals the kernel on pre-weighted input",
          "[engine][similarity][oracle]") {
    // bm25 on the item rows for item-KNN, then cosine, equals cosine of the weighted matrix.
    const MatrixXd r = random_dense(50, 30, 0.15, true, 21U);
    const CsrMatrix csr = to_csr(r);
    const Measure cosine = measure_of<Cosine>();
    const SimilarityParams p = parse_params(
        cosine, {{"weighting", std::string("bm25")}, {"normalize", std::string("l2")}, {"k", 8.0}});
    CsrMatrix items = transpose(csr);
    WeightingParams w;
    w.weighting = Weighting::Bm25;
    apply_weighting(items, w);
    normalize_rows(items, RowNorm::L2);
    const CsrMatrix direct = compute_similarity(csr, Orientation::Item, cosine, p);
    SimilarityParams plain = p;
    plain.weighting = Weighting::None;
    plain.normalize = RowNorm::None;
    const CsrMatrix manual = compute_similarity(transpose(items), Orientation::Item, cosine, plain);
    CHECK(direct == manual);
}

TEST_CASE("scan floor: never above a row's k-th eligible score, and set when it can be",
          "[engine][similarity]") {
    std::mt19937 rng(17);
    std::uniform_real_distribution<float> unit(-1.0F, 3.0F);
    const Index p = 1000;
    std::vector<Score> sc(static_cast<size_t>(p));
    for (Score& s : sc) {
        const unsigned kind = rng() % 10;
        s = kind == 0 ? std::numeric_limits<Score>::quiet_NaN() : kind <= 2 ? 0.0F : unit(rng);
    }
    const Score thr = -0.5F;
    std::vector<Score> eligible;
    for (Score s : sc) {
        if (s >= thr && s != 0) eligible.push_back(s);
    }
    std::sort(eligible.begin(), eligible.end(), std::greater<>());
    std::vector<Score> maxima;
    for (const Index k : {1, 7, 50, 120}) {
        const Score floor = detail::scan_floor(sc.data(), p, thr, k, maxima);
        INFO("k = " << k);
        CHECK(floor > -std::numeric_limits<Score>::infinity());
        CHECK(floor <= eligible[static_cast<size_t>(k - 1)]);
        CHECK(floor >= thr);
    }
    // More groups needed than p / 8 allows: no floor.
    CHECK(detail::scan_floor(sc.data(), p, thr, 126, maxima) ==
          -std::numeric_limits<Score>::infinity());
    // Fewer eligible scores than k: no floor.
    std::vector<Score> sparse(static_cast<size_t>(p), 0.0F);
    for (Index c = 0; c < 5; ++c) sparse[static_cast<size_t>(c * 97)] = 1.0F;
    CHECK(detail::scan_floor(sparse.data(), p, thr, 7, maxima) ==
          -std::numeric_limits<Score>::infinity());
}

namespace {

/// Every `measures` entry at each k, with and without exclude_self, against the dense oracle.
void check_measures(const MatrixXd& r, Orientation o, bool binary_data,
                    const std::vector<std::string>& measures, const std::vector<double>& ks) {
    const CsrMatrix csr = to_csr(r);
    for (const Oracle& oracle : kOracles) {
        if (std::find(measures.begin(), measures.end(), oracle.measure) == measures.end()) continue;
        const Measure m = measure_from_name(oracle.measure);
        for (const double k : ks) {
            for (const bool self : {false, true}) {
                SimilarityParams q = parse_params(
                    m, {{"k", k}, {"exclude_self", std::string(self ? "true" : "false")}});
                const auto expected = dense_similarity(r, o, oracle, q);
                const CsrMatrix s = compute_similarity(csr, o, m, q);
                INFO(oracle.measure << " k " << k << (self ? " exclude_self" : "")
                                    << (binary_data ? " / binary data" : " / weighted data")
                                    << (o == Orientation::Item ? " / item" : " / user"));
                CHECK(compare(s, expected, static_cast<size_t>(q.k), q.threshold) == "");
            }
        }
    }
}

}  // namespace

TEST_CASE("wide rows (the scan path and its floor) keep the oracle's top-k",
          "[engine][similarity][oracle]") {
    const bool binary_data = GENERATE(false, true);
    const Orientation o = GENERATE(Orientation::Item, Orientation::User);
    // Dense enough that every row touches most columns, wide enough that p / 8 ≥ k.
    const MatrixXd r = random_dense(300, 220, 0.3, binary_data, binary_data ? 31U : 37U);
    check_measures(r, o, binary_data, {"dot_product", "cosine", "jaccard", "rp3beta"},
                   {1.0, 4.0, 16.0, 25.0});
}

TEST_CASE("sparse wide rows (the touched-column path) keep the oracle's top-k",
          "[engine][similarity][oracle]") {
    const bool binary_data = GENERATE(false, true);
    const Orientation o = GENERATE(Orientation::Item, Orientation::User);
    // About one and a half entries per user over 400 items: a row's multiply-adds are far fewer
    // than a sixteenth of its columns, so it records the columns it visits instead of scanning.
    // (Small enough for the dense oracle in the sanitizer build.)
    const MatrixXd r = random_dense(250, 400, 0.004, binary_data, binary_data ? 41U : 43U);
    const CsrMatrix csr = to_csr(r);
    const CsrMatrix a = o == Orientation::Item ? transpose(csr) : csr;
    const CsrMatrix b = o == Orientation::Item ? csr : transpose(csr);
    const auto packed = detail::pack_rows<std::uint16_t>(b, 0, 4, false);
    Index touched_rows = 0;
    for (Index row = 0; row < a.rows; ++row) {
        if (a.row_nnz(row) > 0 && !detail::takes_scan_path(a, packed, b.cols, row)) ++touched_rows;
    }
    REQUIRE(touched_rows * 2 > a.rows);  // most rows take that path
    check_measures(r, o, binary_data, {"dot_product", "cosine", "tversky", "rp3beta"}, {1.0, 50.0});
}
