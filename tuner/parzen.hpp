#pragma once
/// Parzen estimators of the Tree-structured Parzen Estimator (TPE; Bergstra et al. 2011,
/// "Algorithms for Hyper-Parameter Optimization", NeurIPS).
///
/// A mixture has one kernel per observation plus one prior kernel (always last). Numerical
/// kernels are normals truncated to the internal domain [a, b]; categorical kernels are
/// probability rows. The settings reproduce Optuna 3.1's estimator exactly
/// (`KernelSettings::optuna31()`, checked against ../shared/reference/tpe) or the variant used
/// by the joint tree sampler (`KernelSettings::joint()`).

#include <cstddef>
#include <span>
#include <variant>
#include <vector>

#include "tuner/distribution.hpp"
#include "tuner/random.hpp"

namespace knntune::tuner {

/// How kernel widths are chosen.
enum class Bandwidth {
    NeighbourGap,  ///< max gap to the sorted neighbours (hyperopt / Optuna univariate)
    Scott,  ///< 0.2·max(N,1)^(−1/(D+4))·(b − a) for every kernel (Optuna 3.1 multivariate)
};

/// Weights of the observations of one side, oldest first.
enum class WeightScheme {
    Ramp,  ///< Optuna's default: ones when N < 25, else a ramp 1/N → 1 over the N − 25 oldest
    Uniform,  ///< all ones
};

/// Knobs of the kernel construction.
struct KernelSettings {
    double prior_weight = 1.0;  ///< raw weight of the prior kernel, relative to 1 per obs
    Bandwidth bandwidth = Bandwidth::NeighbourGap;
    bool prior_in_gaps = true;        ///< the prior centre counts as a neighbour (Optuna ≤ 4.8)
    bool consider_endpoints = false;  ///< outermost kernels also see the domain edges
    bool magic_clip = true;           ///< floor widths at (b − a)/min(100, N + 2)
    double floor_delta = 0.0;         ///< if > 0: floor max(Δ, (N+1)^−floor_exponent)·(b − a)
    double floor_exponent = 2.0;      ///< exponent of the floor above
    bool normalized = false;          ///< continuous kernels integrate to 1 (Optuna 3.1: no)
    bool cell_mass = true;            ///< int/stepped params: mass of the grid cell (not log-int)

    /// Optuna 3.1.0 `TPESampler()` univariate estimator (README "How Optuna 3.1.0 builds…").
    static KernelSettings optuna31();
    /// Optuna 3.1.0 estimator with `multivariate=True` (Scott bandwidth).
    static KernelSettings optuna31_multivariate();
};

/// Optuna's `default_weights(n)`: ones for n < 25, else a linear ramp from 1/n to 1 over the
/// n − 25 oldest observations followed by 25 ones.
std::vector<double> ramp_weights(std::size_t n);
/// Raw weights of n observations under `scheme`.
std::vector<double> observation_weights(WeightScheme scheme, std::size_t n);

/// Size of the "good" set for n finished trials: min(ceil(ratio·n), cap), or with `sqrt`
/// min(ceil(ratio·√n), cap) (hyperopt: ratio 0.25).
struct SplitRule {
    double ratio = 0.1;
    std::size_t cap = 25;
    bool sqrt = false;
    std::size_t n_below(std::size_t n) const;
};

/// Truncated-normal kernels of one numerical parameter, on its internal scale.
class NumericKernels {
  public:
    NumericKernels() = default;
    /// `centres`: internal observation values (N); `a`, `b`: internal domain; `q`: grid cell
    /// width for cell-mass kernels (0: continuous); `n_dims`: dimensions of the estimator
    /// (Scott rule only). The prior kernel is appended last.
    NumericKernels(std::span<const double> centres, double a, double b, double q,
                   const KernelSettings& s, std::size_t n_dims);

    std::size_t size() const { return mus_.size(); }
    const std::vector<double>& mus() const { return mus_; }
    const std::vector<double>& sigmas() const { return sigmas_; }
    double low() const { return a_; }
    double high() const { return b_; }
    double cell() const { return q_; }
    /// ln K_i(u) at an internal value u.
    double log_kernel(std::size_t i, double u) const;
    /// out[i] += ln K_i(u) for every kernel i (out has size() entries).
    void add_log_kernels(double u, std::span<double> out) const;
    /// A draw from kernel i, internal scale, in [a, b].
    double sample(std::size_t i, Rng& rng) const;

  private:
    double a_ = 0.0, b_ = 1.0, q_ = 0.0;
    std::vector<double> mus_, sigmas_, inv_sigmas_;
    std::vector<double> log_norm_;  ///< per kernel: the constant subtracted from −z²/2
};

/// Probability-row kernels of one categorical parameter.
class CategoricalKernels {
  public:
    CategoricalKernels() = default;
    /// `observed`: choice indices (N). Row i starts at prior_weight/(N + 1) per choice, gets +1
    /// at its observation and is normalised; the prior row (last) is uniform.
    CategoricalKernels(std::span<const double> observed, std::size_t n_choices,
                       double prior_weight);

    std::size_t size() const { return n_rows_; }
    std::size_t n_choices() const { return n_choices_; }
    double probability(std::size_t i, std::size_t c) const;
    double log_kernel(std::size_t i, double c) const;
    /// out[i] += ln K_i(c) for every kernel i.
    void add_log_kernels(double c, std::span<double> out) const;
    double sample(std::size_t i, Rng& rng) const;

  private:
    // NOTE: every observation row holds the same two values (its own choice and the rest), so
    // a row is stored as its observed index; only the prior row is uniform.
    std::size_t n_rows_ = 0, n_choices_ = 0;
    std::vector<std::size_t> observed_;
    double p_hit_ = 0.0, p_miss_ = 0.0, log_hit_ = 0.0, log_miss_ = 0.0, log_uniform_ = 0.0;
};

/// The kernels of one parameter, numeric or categorical.
class ParamKernels {
  public:
    ParamKernels() = default;
    /// Fits kernels on external observation values of a parameter with distribution `d`.
    ParamKernels(const Distribution& d, std::span<const double> external_obs,
                 const KernelSettings& s, std::size_t n_dims);

    bool categorical() const { return std::holds_alternative<CategoricalKernels>(k_); }
    const NumericKernels& numeric() const { return std::get<NumericKernels>(k_); }
    const CategoricalKernels& cat() const { return std::get<CategoricalKernels>(k_); }
    /// ln K_i at an internal value.
    double log_kernel(std::size_t i, double internal) const;
    /// out[i] += ln K_i(internal) for every kernel i.
    void add_log_kernels(double internal, std::span<double> out) const;
    /// A draw from kernel i, internal scale.
    double sample(std::size_t i, Rng& rng) const;

  private:
    std::variant<NumericKernels, CategoricalKernels> k_;
};

/// A product-kernel mixture over D parameters with one weight per kernel shared by all
/// dimensions: p(x) = Σ_i w_i Π_d K_{i,d}(x_d). With D = 1 this is the univariate estimator.
class ParzenEstimator {
  public:
    /// `observations[d]` holds the N external values of dimension d (oldest first);
    /// `raw_weights` the N observation weights (the prior weight is appended, then all are
    /// normalised).
    ParzenEstimator(std::vector<Distribution> dims,
                    const std::vector<std::vector<double>>& observations,
                    std::span<const double> raw_weights, const KernelSettings& s);

    std::size_t n_dims() const { return dims_.size(); }
    std::size_t n_kernels() const { return weights_.size(); }
    const std::vector<double>& weights() const { return weights_; }
    const ParamKernels& kernels(std::size_t d) const { return kernels_[d]; }
    /// ln p(x) at an external point (one value per dimension).
    double log_pdf(std::span<const double> external) const;
    /// A draw, written as external values into `out` (size D).
    void sample(Rng& rng, std::span<double> out) const;

  private:
    std::vector<Distribution> dims_;
    std::vector<ParamKernels> kernels_;
    std::vector<double> weights_, log_weights_;
};

/// ln Σ exp(x_i) over a non-empty span, stable.
double log_sum_exp(std::span<const double> x);

namespace detail {

/// Neighbour-gap widths of `centres` (any order), indexed like `centres`: the larger of the
/// gaps to the previous and next value in sorted order, ties ordered by index. The outermost
/// values see the domain edges a, b only with `endpoints`; otherwise only their inner gap.
std::vector<double> neighbour_gaps(std::span<const double> centres, double a, double b,
                                   bool endpoints);

/// The same widths where they are ≥ `floor`; widths below `floor` may come back as any value
/// below it. Runs in O(m + (b − a)/floor) without sorting (values are put in buckets half a
/// floor wide: only a bucket's first and last value can be a floor or more from a
/// neighbour); falls back to the sort when the buckets would outnumber the values.
std::vector<double> neighbour_gaps_floored(std::span<const double> centres, double a, double b,
                                           bool endpoints, double floor);

}  // namespace detail

}  // namespace knntune::tuner
