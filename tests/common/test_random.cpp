// The shared generators against independent implementations of their published algorithms,
// and the distributions drawn from them.

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <vector>

#include "common/random.hpp"

namespace {

// splitmix64 and xoshiro256** as published (Steele et al. 2014; Blackman & Vigna 2018),
// written out again here so the test does not share code with the library.
std::uint64_t reference_splitmix(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

std::vector<std::uint64_t> reference_xoshiro(std::uint64_t seed, std::uint64_t stream, int n) {
    std::uint64_t x = seed;
    x = reference_splitmix(x) ^ (stream * 0xD1B54A32D192ED03ULL);
    std::uint64_t s[4];
    for (std::uint64_t& v : s) v = reference_splitmix(x);
    std::vector<std::uint64_t> out;
    for (int i = 0; i < n; ++i) {
        out.push_back(rotl(s[1] * 5, 7) * 9);
        const std::uint64_t t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
    }
    return out;
}

}  // namespace

TEST_CASE("SplitMix64 and Rng follow the published algorithms", "[common]") {
    knntune::SplitMix64 mix{0};
    CHECK(mix.next() == 0xE220A8397B1DCDAFULL);  // the published first output for seed 0
    std::uint64_t x = 12345;
    knntune::SplitMix64 again{12345};
    for (int i = 0; i < 5; ++i) CHECK(again.next() == reference_splitmix(x));

    for (const std::uint64_t stream : {0ULL, 1ULL, 977ULL}) {
        knntune::Rng rng(42, stream);
        for (const std::uint64_t v : reference_xoshiro(42, stream, 20)) CHECK(rng.next() == v);
    }
    knntune::Rng a(7, 1);
    knntune::Rng b(7, 2);
    CHECK(a.next() != b.next());  // streams differ
}

TEST_CASE("Rng draws lie in their ranges with the right frequencies", "[common]") {
    knntune::Rng rng(2024, 0);
    const int n = 200000;
    std::vector<int> counts(5, 0);
    double sum = 0;
    double sum2 = 0;
    for (int i = 0; i < n; ++i) {
        const double u = rng.uniform();
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
        REQUIRE(rng.uniform_open() > 0.0);
        ++counts[rng.below(5)];
        const double z = rng.normal();
        sum += z;
        sum2 += z * z;
    }
    for (int c : counts) CHECK(std::abs(c - n / 5) < 5 * std::sqrt(n * 0.2 * 0.8));
    CHECK(std::abs(sum / n) < 0.02);
    CHECK(std::abs(sum2 / n - 1.0) < 0.02);
    const double weights[] = {0.0, 3.0, 1.0};
    int ones = 0;
    for (int i = 0; i < 40000; ++i) {
        const std::size_t c = rng.choose(weights);
        REQUIRE(c != 0);  // zero weight: never chosen
        ones += c == 1 ? 1 : 0;
    }
    CHECK(std::abs(ones / 40000.0 - 0.75) < 0.015);
}
