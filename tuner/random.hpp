#pragma once
/// Portable random numbers and normal-distribution helpers for the samplers.
///
/// Nothing here uses `<random>` distributions: their algorithms differ between standard
/// libraries, and a seed must give the same trials everywhere. The generator is xoshiro256**
/// (Blackman & Vigna 2018) seeded through splitmix64.

#include <cstdint>
#include <span>

namespace knntune::tuner {

/// A deterministic generator for one (seed, stream) pair. Samplers use stream = trial number,
/// so a trial's draws do not depend on how many trials were sampled before it, or by whom.
class Rng {
  public:
    Rng(std::uint64_t seed, std::uint64_t stream);
    /// Next 64 random bits.
    std::uint64_t next();
    /// Uniform double in [0, 1), 53 random bits.
    double uniform();
    /// Uniform double in [lo, hi).
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Index i with probability weights[i] / sum(weights); weights ≥ 0, sum > 0.
    std::size_t choose(std::span<const double> weights);

  private:
    std::uint64_t s_[4];
};

/// Standard normal CDF Φ(z).
double normal_cdf(double z);
/// ln Φ(z), accurate in the lower tail (asymptotic series below z = −20).
double log_normal_cdf(double z);
/// ln(Φ(hi) − Φ(lo)) for lo ≤ hi, accurate in both tails; −inf when lo == hi.
double log_normal_mass(double lo, double hi);
/// Φ⁻¹(p) for p in (0, 1); ±inf at 0 and 1. Relative error ≈ 1e-15 after one Halley step.
double normal_quantile(double p);
/// A draw from the standard normal truncated to [lo, hi] (standardised bounds), by inversion,
/// consuming exactly one uniform.
double truncated_normal(double lo, double hi, Rng& rng);

inline constexpr double kLogSqrt2Pi = 0.91893853320467274178;  ///< ln √(2π)

}  // namespace knntune::tuner
