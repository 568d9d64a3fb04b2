#pragma once
/// The random numbers of knntune: fully specified generators, so that a seed gives the same
/// split, trials, bootstrap and projections on every platform and standard library.
///
/// NOTE: nothing uses `<random>` distributions: their algorithms are implementation defined.

#include <cstdint>
#include <span>

namespace knntune {

/// splitmix64 (Steele, Lea & Flood 2014): a 64-bit state advanced by a constant and mixed.
/// Seeds `Rng`, and drives the per-user random holdout of the data split.
struct SplitMix64 {
    std::uint64_t state;
    /// Next 64 random bits.
    std::uint64_t next();
    /// Uniform integer in [0, n) by a 128-bit multiply and shift (n ≥ 1).
    std::uint64_t below(std::uint64_t n);
};

/// xoshiro256** (Blackman & Vigna 2018) for one (seed, stream) pair, seeded through
/// splitmix64. The tuner uses stream = trial number, so a trial's draws do not depend on how
/// many trials were sampled before it, or by whom.
class Rng {
  public:
    explicit Rng(std::uint64_t seed, std::uint64_t stream = 0);
    /// Next 64 random bits.
    std::uint64_t next();
    /// Uniform double in [0, 1), 53 random bits.
    double uniform();
    /// Uniform double in [lo, hi).
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Uniform double in (0, 1): 53 random bits, never exactly 0.
    double uniform_open();
    /// Uniform integer in [0, n), n ≥ 1, without modulo bias (rejection of the top values).
    std::uint64_t below(std::uint64_t n);
    /// Standard normal draw by the Box–Muller transform (one of the pair is used).
    double normal();
    /// Index i with probability weights[i] / sum(weights); weights ≥ 0, sum > 0.
    std::size_t choose(std::span<const double> weights);

  private:
    std::uint64_t s_[4];
};

}  // namespace knntune
