#pragma once
// The five conditional test functions F1..F5 of ../shared/reference/tpe/BENCHMARK.md, on the
// KNN-shaped space (parameter order: algorithm, k, shrink, asymmetric.alpha, tversky.alpha,
// tversky.beta, p3alpha.alpha, rp3beta.alpha, rp3beta.beta, splus.lambda, splus.c).
// Each has its minimum 0, so the best value found is the regret.

#include <array>
#include <cmath>
#include <vector>

namespace knntune::bench {

/// JSON form of the benchmark search space.
inline const char* kBenchmarkSpaceJson = R"({"params": [
  {"name": "algorithm", "type": "categorical",
   "choices": ["dot", "cosine", "jaccard", "dice", "asymmetric", "tversky", "p3alpha",
               "rp3beta", "splus"]},
  {"name": "k", "type": "int", "low": 5, "high": 1000, "log": true},
  {"name": "shrink", "type": "float", "low": 0, "high": 1000},
  {"name": "alpha", "type": "float", "low": 0, "high": 2, "parent": "algorithm", "when": ["asymmetric"]},
  {"name": "alpha", "type": "float", "low": 0, "high": 2, "parent": "algorithm", "when": ["tversky"]},
  {"name": "beta", "type": "float", "low": 0, "high": 2, "parent": "algorithm", "when": ["tversky"]},
  {"name": "alpha", "type": "float", "low": 0, "high": 2, "parent": "algorithm", "when": ["p3alpha"]},
  {"name": "alpha", "type": "float", "low": 0, "high": 2, "parent": "algorithm", "when": ["rp3beta"]},
  {"name": "beta", "type": "float", "low": 0, "high": 2, "parent": "algorithm", "when": ["rp3beta"]},
  {"name": "lambda", "type": "float", "low": 0, "high": 1, "parent": "algorithm", "when": ["splus"]},
  {"name": "c", "type": "float", "low": 0, "high": 1, "parent": "algorithm", "when": ["splus"]}
]})";

enum Algo { kDot, kCosine, kJaccard, kDice, kAsymmetric, kTversky, kP3alpha, kRp3beta, kSplus };

/// Optimal branch of each function, and the value of the runner-up branch.
inline constexpr std::array<int, 5> kOptimalBranch = {kRp3beta, kTversky, kRp3beta, kTversky,
                                                      kP3alpha};
inline constexpr std::array<double, 5> kRunnerUp = {0.05, 0.06, 0.04, 0.05, 0.03};

namespace detail {

inline double sq(double x) { return x * x; }

/// The branch a configuration runs, with its own parameters.
struct Branch {
    int algo = kDot;
    double alpha = 0.0;               ///< first branch parameter (lambda for splus), 0 when none
    double beta = 0.0;                ///< second branch parameter (c for splus), 0 when none
    int count = 0;                    ///< number of branch parameters, 0 to 2
    const double* optimum = nullptr;  ///< their optima in the standard penalty

    /// The standard penalty w·Σ (x − optimum)² over the branch parameters.
    double standard(double w) const {
        double penalty = 0.0;
        for (int j = 0; j < count; ++j) penalty += w * sq((j == 0 ? alpha : beta) - optimum[j]);
        return penalty;
    }
};

/// The branch of `v`, in the parameter order of `kBenchmarkSpaceJson`.
inline Branch branch_of(const std::vector<double>& v) {
    // Per branch (index = Algo): position in `v` of its first parameter, how many it has, and
    // their optima in the standard penalty.
    struct Layout {
        std::size_t first;
        int count;
        double optimum[2];
    };
    static constexpr Layout kLayout[9] = {
        {0, 0, {}},       {0, 0, {}},          {0, 0, {}},
        {0, 0, {}},       {3, 1, {1.0, 0}},    {4, 2, {0.6, 1.2}},
        {6, 1, {0.8, 0}}, {7, 2, {0.7, 0.35}}, {9, 2, {0.5, 0.25}},
    };
    Branch b;
    b.algo = static_cast<int>(v[0]);
    const Layout& layout = kLayout[b.algo];
    b.count = layout.count;
    b.optimum = layout.optimum;
    if (b.count > 0) b.alpha = v[layout.first];
    if (b.count > 1) b.beta = v[layout.first + 1];
    return b;
}

}  // namespace detail

/// f_F(x) for F in 1..5; `v` holds external values in the order above (NaN when inactive).
inline double benchmark_function(int f, const std::vector<double>& v) {
    using detail::sq;
    static constexpr double kFloor[5][9] = {{0.40, 0.25, 0.30, 0.30, 0.15, 0.10, 0.20, 0.00, 0.05},
                                            {0.30, 0.10, 0.18, 0.18, 0.08, 0.00, 0.12, 0.06, 0.08},
                                            {0.35, 0.20, 0.25, 0.25, 0.15, 0.04, 0.18, 0.00, 0.10},
                                            {0.30, 0.05, 0.20, 0.20, 0.12, 0.00, 0.15, 0.10, 0.10},
                                            {0.30, 0.15, 0.20, 0.20, 0.10, 0.08, 0.00, 0.03, 0.06}};
    const detail::Branch b = detail::branch_of(v);
    const int a = b.algo;
    const double alpha = b.alpha, beta = b.beta;
    const double l = std::log10(v[1]);
    const double shrink = v[2];
    const double s = shrink / 1000.0;
    double u = 0.0, p = 0.0;
    switch (f) {
        case 1:
            u = 0.10 * sq(l - std::log10(50.0)) + 0.30 * sq(s - 0.20);
            p = b.standard(a == kRp3beta || a == kSplus ? 0.30 : 0.20);
            break;
        case 2: {
            static constexpr double kstar[9] = {300, 200, 150, 150, 200, 20, 400, 250, 200};
            static constexpr double sstar[9] = {0.50, 0.60, 0.40, 0.40, 0.50,
                                                0.10, 0.30, 0.50, 0.40};
            u = 0.10 * sq(l - std::log10(kstar[a])) + 0.25 * sq(s - sstar[a]);
            p = a == kTversky ? 0.20 * sq(alpha - 0.3) + 0.20 * sq(beta - 1.6) : b.standard(0.20);
            break;
        }
        case 3:
            u = 0.10 * sq(l - 2.0) + 0.30 * sq(s - 0.10);
            if (a == kRp3beta) {
                p = sq(beta - 0.5 - 0.8 * (alpha - 1.0) - 0.25 * (l - 2.0)) +
                    0.20 * sq(alpha - 1.0);
            } else if (a == kTversky) {
                p = sq(alpha + beta - 1.5) + 0.10 * sq(alpha - beta);
            } else {
                p = b.standard(a == kSplus ? 0.30 : 0.20);
            }
            break;
        case 4:
            u = 0.10 * sq(l - std::log10(80.0)) + 0.30 * sq(s - 0.30);
            if (a == kTversky) {
                const double d2 = sq(alpha - 1.4) + sq(beta - 0.4);
                p = 0.08 * d2 + 0.20 * (1.0 - std::exp(-d2 / 0.32));
            } else {
                p = b.standard(0.20);
            }
            break;
        case 5:
            u = 0.08 * sq(l - 3.0) + 0.15 * (1.0 - std::exp(-shrink / 200.0));
            if (a == kP3alpha) {
                p = 0.25 * sq(alpha - 2.0);
            } else if (a == kRp3beta) {
                p = 0.20 * sq(alpha - 2.0) + 0.20 * sq(beta);
            } else {
                p = b.standard(0.20);
            }
            break;
        default:
            return std::nan("");
    }
    return kFloor[f - 1][a] + u + p;
}

}  // namespace knntune::bench
