#include "tuner/exp_sum.hpp"

#include <cstdint>
#include <cstring>

#include "common/vector_clones.hpp"

// NOTE: GCC warns that passing 32-byte vectors by value would change the ABI of a function
// compiled without AVX. The helpers below take and return vectors, so they are always inlined
// (also without optimisation) into each clone of exp_sum_shifted: no call ever passes a vector.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace knntune::tuner {

namespace {

// Four doubles and four 64-bit integers, as GCC vector types: element-wise arithmetic,
// comparisons giving −1/0 masks, and casts between the two that reinterpret the bits. The
// compiler emits two SSE2 or one AVX2 instruction per operation; the lanes are the same.
using V = double __attribute__((vector_size(32)));
using VI = std::int64_t __attribute__((vector_size(32)));

// The bits of a vector as another vector type of the same size. (std::bit_cast on GCC vector
// types is miscompiled by GCC 12 without optimisation, which the sanitizer build showed.)
template <class To, class From>
[[gnu::always_inline]] inline To same_bits(const From& from) {
    static_assert(sizeof(To) == sizeof(From));
    To to;
    std::memcpy(&to, &from, sizeof to);
    return to;
}

constexpr double kLog2e = 1.4426950408889634;
// ln 2 split in a high part with trailing zero bits (k·kLn2Hi is exact for |k| < 2^11) and
// the remainder.
constexpr double kLn2Hi = 0x1.62e42fefa3800p-1;
constexpr double kLn2Lo = 0x1.ef35793c76730p-45;
// Adding then subtracting 1.5·2^52 rounds a double of magnitude < 2^51 to the nearest integer
// without a rounding instruction (baseline x86-64 has none for doubles).
constexpr double kRoundShift = 0x1.8p52;
constexpr double kSkip = -40.0;

// exp(y) for y in [−40, 0]: y = k·ln2 + r with |r| ≤ ln2/2, exp(r) by its Taylor polynomial of
// degree 12 (truncation error < 3e-16 relative), and 2^k written into the exponent bits.
[[gnu::always_inline]] inline V exp_small(V y) {
    const V t = y * kLog2e + kRoundShift;
    const V k = t - kRoundShift;
    const V r = (y - k * kLn2Hi) - k * kLn2Lo;
    V p = r * (1.0 / 479001600.0) + 1.0 / 39916800.0;  // 1/12!, 1/11!
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    // k is an integer in [−58, 0]; the low bits of t hold it in two's complement.
    const V shift = {kRoundShift, kRoundShift, kRoundShift, kRoundShift};
    const VI ki = same_bits<VI>(t) - same_bits<VI>(shift);
    const VI bits = (ki + 1023) << 52;
    return p * same_bits<V>(bits);
}

// exp(v − m) per lane, 0 where v − m ≤ −40. The clamp keeps skipped terms (and −inf) in the
// polynomial's range; the select then drops them.
[[gnu::always_inline]] inline V shifted_terms(V v, double m) {
    const V y = v - m;
    const VI keep = y > kSkip;
    const V e = exp_small(keep ? y : V{kSkip, kSkip, kSkip, kSkip});
    return keep ? e : V{};
}

}  // namespace

KNNTUNE_VECTOR_CLONES
double exp_sum_shifted(const double* x, std::size_t n, double m) {
    // NOTE: eight partial sums in fixed lanes (term i goes to lane i mod 8) combined in a fixed
    // tree, so the result is the same whichever instruction set runs it.
    constexpr std::size_t kLanes = 8;
    V lo{}, hi{};
    std::size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        V a, b;
        std::memcpy(&a, x + i, sizeof a);
        std::memcpy(&b, x + i + 4, sizeof b);
        lo += shifted_terms(a, m);
        hi += shifted_terms(b, m);
    }
    if (i < n) {
        // The tail padded with terms that are skipped.
        double pad[kLanes];
        for (std::size_t j = 0; j < kLanes; ++j) pad[j] = i + j < n ? x[i + j] : m + 2.0 * kSkip;
        V a, b;
        std::memcpy(&a, pad, sizeof a);
        std::memcpy(&b, pad + 4, sizeof b);
        lo += shifted_terms(a, m);
        hi += shifted_terms(b, m);
    }
    return ((lo[0] + lo[1]) + (lo[2] + lo[3])) + ((hi[0] + hi[1]) + (hi[2] + hi[3]));
}

}  // namespace knntune::tuner
