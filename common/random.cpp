#include "common/random.hpp"

#include <cmath>
#include <numbers>

#include "common/assert.hpp"

namespace knntune {

namespace {

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

std::uint64_t SplitMix64::next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t SplitMix64::below(std::uint64_t n) {
    __extension__ using U128 = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<U128>(next()) * n) >> 64);
}

Rng::Rng(std::uint64_t seed, std::uint64_t stream) {
    SplitMix64 mix{seed};
    mix.state = mix.next() ^ (stream * 0xD1B54A32D192ED03ULL);
    for (std::uint64_t& s : s_) s = mix.next();
}

std::uint64_t Rng::next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Rng::uniform_open() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }

std::uint64_t Rng::below(std::uint64_t n) {
    KNNTUNE_ASSERT(n >= 1);
    const std::uint64_t max = ~std::uint64_t{0};
    const std::uint64_t limit = max - (max % n);
    std::uint64_t r = next();
    while (r >= limit) r = next();
    return r % n;
}

double Rng::normal() {
    const double u1 = uniform_open();
    const double u2 = uniform_open();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::size_t Rng::choose(std::span<const double> weights) {
    KNNTUNE_ASSERT(!weights.empty());
    double total = 0.0;
    for (double w : weights) total += w;
    const double u = uniform() * total;
    double acc = 0.0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        acc += weights[i];
        if (u < acc) return i;
    }
    // Rounding can leave u ≥ acc; return the last index with positive weight.
    for (std::size_t i = weights.size(); i-- > 0;) {
        if (weights[i] > 0.0) return i;
    }
    return weights.size() - 1;
}

}  // namespace knntune
