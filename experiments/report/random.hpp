#pragma once
/// Deterministic random helpers shared by the report toolkit.
///
/// NOTE: `std::uniform_int_distribution` and `std::normal_distribution` are implementation
/// defined, so results could differ between standard libraries. `std::mt19937_64` output is
/// fixed by the standard; these helpers map it to indices and normals in a fixed way, so a
/// seed gives the same bootstrap and projection everywhere.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>

namespace knntune::exp::report::detail {

/// Uniform index in [0, n), n >= 1, by rejection sampling (no modulo bias).
inline std::uint64_t uniform_index(std::mt19937_64& rng, std::uint64_t n) {
    const std::uint64_t limit = std::mt19937_64::max() - (std::mt19937_64::max() % n);
    std::uint64_t r = rng();
    while (r >= limit) r = rng();
    return r % n;
}

/// Uniform double in (0, 1): 53 random bits, never exactly 0.
inline double uniform_open(std::mt19937_64& rng) {
    return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
}

/// Standard normal draw by the Box–Muller transform (one of the pair is used).
inline double standard_normal(std::mt19937_64& rng) {
    const double u1 = uniform_open(rng);
    const double u2 = uniform_open(rng);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace knntune::exp::report::detail
