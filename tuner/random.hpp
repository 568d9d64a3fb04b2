#pragma once
/// The samplers' random numbers (knntune::Rng, common/random.hpp) and normal-distribution
/// helpers.
///
/// Nothing here uses `<random>` distributions: their algorithms differ between standard
/// libraries, and a seed must give the same trials everywhere. The generator is xoshiro256**
/// (Blackman & Vigna 2018) seeded through splitmix64.

#include <cstdint>
#include <span>

#include "common/random.hpp"

namespace knntune::tuner {

using knntune::Rng;

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
