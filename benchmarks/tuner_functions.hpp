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

/// f_F(x) for F in 1..5; `v` holds external values in the order above (NaN when inactive).
inline double benchmark_function(int f, const std::vector<double>& v) {
    static constexpr double kFloor[5][9] = {{0.40, 0.25, 0.30, 0.30, 0.15, 0.10, 0.20, 0.00, 0.05},
                                            {0.30, 0.10, 0.18, 0.18, 0.08, 0.00, 0.12, 0.06, 0.08},
                                            {0.35, 0.20, 0.25, 0.25, 0.15, 0.04, 0.18, 0.00, 0.10},
                                            {0.30, 0.05, 0.20, 0.20, 0.12, 0.00, 0.15, 0.10, 0.10},
                                            {0.30, 0.15, 0.20, 0.20, 0.10, 0.08, 0.00, 0.03, 0.06}};
    const int a = static_cast<int>(v[0]);
    const double l = std::log10(v[1]);
    const double shrink = v[2];
    const double s = shrink / 1000.0;
    const auto sq = [](double x) { return x * x; };
    // Branch parameters of the chosen branch.
    double alpha = 0, beta = 0, lambda = 0, c = 0;
    switch (a) {
        case kAsymmetric:
            alpha = v[3];
            break;
        case kTversky:
            alpha = v[4];
            beta = v[5];
            break;
        case kP3alpha:
            alpha = v[6];
            break;
        case kRp3beta:
            alpha = v[7];
            beta = v[8];
            break;
        case kSplus:
            lambda = v[9];
            c = v[10];
            break;
        default:
            break;
    }
    const auto standard = [&](double w) {
        switch (a) {
            case kAsymmetric:
                return w * sq(alpha - 1.0);
            case kTversky:
                return w * sq(alpha - 0.6) + w * sq(beta - 1.2);
            case kP3alpha:
                return w * sq(alpha - 0.8);
            case kRp3beta:
                return w * sq(alpha - 0.7) + w * sq(beta - 0.35);
            case kSplus:
                return w * sq(lambda - 0.5) + w * sq(c - 0.25);
            default:
                return 0.0;
        }
    };
    double u = 0.0, p = 0.0;
    switch (f) {
        case 1:
            u = 0.10 * sq(l - std::log10(50.0)) + 0.30 * sq(s - 0.20);
            if (a == kRp3beta) {
                p = 0.30 * sq(alpha - 0.7) + 0.30 * sq(beta - 0.35);
            } else if (a == kSplus) {
                p = 0.30 * sq(lambda - 0.5) + 0.30 * sq(c - 0.25);
            } else {
                p = standard(0.20);
            }
            break;
        case 2: {
            static constexpr double kstar[9] = {300, 200, 150, 150, 200, 20, 400, 250, 200};
            static constexpr double sstar[9] = {0.50, 0.60, 0.40, 0.40, 0.50,
                                                0.10, 0.30, 0.50, 0.40};
            u = 0.10 * sq(l - std::log10(kstar[a])) + 0.25 * sq(s - sstar[a]);
            p = a == kTversky ? 0.20 * sq(alpha - 0.3) + 0.20 * sq(beta - 1.6) : standard(0.20);
            break;
        }
        case 3:
            u = 0.10 * sq(l - 2.0) + 0.30 * sq(s - 0.10);
            if (a == kRp3beta) {
                p = sq(beta - 0.5 - 0.8 * (alpha - 1.0) - 0.25 * (l - 2.0)) +
                    0.20 * sq(alpha - 1.0);
            } else if (a == kTversky) {
                p = sq(alpha + beta - 1.5) + 0.10 * sq(alpha - beta);
            } else if (a == kSplus) {
                p = 0.30 * sq(lambda - 0.5) + 0.30 * sq(c - 0.25);
            } else {
                p = standard(0.20);
            }
            break;
        case 4:
            u = 0.10 * sq(l - std::log10(80.0)) + 0.30 * sq(s - 0.30);
            if (a == kTversky) {
                const double d2 = sq(alpha - 1.4) + sq(beta - 0.4);
                p = 0.08 * d2 + 0.20 * (1.0 - std::exp(-d2 / 0.32));
            } else {
                p = standard(0.20);
            }
            break;
        case 5:
            u = 0.08 * sq(l - 3.0) + 0.15 * (1.0 - std::exp(-shrink / 200.0));
            if (a == kP3alpha) {
                p = 0.25 * sq(alpha - 2.0);
            } else if (a == kRp3beta) {
                p = 0.20 * sq(alpha - 2.0) + 0.20 * sq(beta);
            } else {
                p = standard(0.20);
            }
            break;
        default:
            return std::nan("");
    }
    return kFloor[f - 1][a] + u + p;
}

}  // namespace knntune::bench
