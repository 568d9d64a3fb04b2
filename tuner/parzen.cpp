#include "tuner/parzen.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <utility>

#include "tuner/error.hpp"

namespace knntune::tuner {

KernelSettings KernelSettings::optuna31() { return KernelSettings{}; }

KernelSettings KernelSettings::optuna31_multivariate() {
    KernelSettings s;
    s.bandwidth = Bandwidth::Scott;
    return s;
}

std::vector<double> ramp_weights(std::size_t n) {
    std::vector<double> w(n, 1.0);
    if (n < 25) return w;
    const std::size_t ramp = n - 25;
    // linspace(1/n, 1, ramp): ramp points from 1/n to 1 inclusive.
    // NOTE: computed as start + i·step with the last point set to 1 exactly, which matches
    // the reference vectors to the last bit.
    const double lo = 1.0 / static_cast<double>(n);
    const double step = ramp > 1 ? (1.0 - lo) / static_cast<double>(ramp - 1) : 0.0;
    for (std::size_t i = 0; i < ramp; ++i) w[i] = static_cast<double>(i) * step + lo;
    if (ramp > 1) w[ramp - 1] = 1.0;
    return w;
}

std::vector<double> observation_weights(WeightScheme scheme, std::size_t n) {
    return scheme == WeightScheme::Ramp ? ramp_weights(n) : std::vector<double>(n, 1.0);
}

std::size_t SplitRule::n_below(std::size_t n) const {
    const double x =
        sqrt ? ratio * std::sqrt(static_cast<double>(n)) : ratio * static_cast<double>(n);
    // NOTE: ceil of a product like 0.1·30 must give 3, not 4; subtract a few ulps first.
    const double c = std::ceil(x - 1e-12 * std::max(1.0, x));
    return std::min(static_cast<std::size_t>(std::max(0.0, c)), cap);
}

namespace {

// ln of the normal mass on [lo, hi] (log_normal_mass), remembered per thread. A mixture is
// refitted at every ask, and most of its kernels keep their centre and width from one ask to
// the next, so most calls are repeats.
// NOTE: a direct-mapped table of 2^17 slots (3 MiB per thread): a key goes to one slot, and a
// miss overwrites it. It holds the values of a pure function, so what it keeps changes only
// the time, never a result. A node-based hash map dropped whenever it reached 2^16 entries
// did the same job, but at a few thousand trials (about 60,000 kernels per ask) it was
// dropped at nearly every ask and spent its time allocating nodes and walking chains.
double log_normal_mass_memo(double lo, double hi) {
    struct Slot {
        double lo = std::numeric_limits<double>::quiet_NaN();  // NaN: empty (never equal)
        double hi = 0;
        double value = 0;
    };
    constexpr unsigned kBits = 17;
    constexpr std::size_t kSlots = std::size_t{1} << kBits;
    thread_local std::vector<Slot> table(kSlots);
    const std::uint64_t a = std::bit_cast<std::uint64_t>(lo);
    const std::uint64_t b = std::bit_cast<std::uint64_t>(hi);
    const std::uint64_t h = (a * 0x9E3779B97F4A7C15ULL) ^ (b * 0xC2B2AE3D27D4EB4FULL);
    Slot& slot = table[static_cast<std::size_t>(h >> (64 - kBits))];
    if (slot.lo == lo && slot.hi == hi) return slot.value;
    slot = {lo, hi, log_normal_mass(lo, hi)};
    return slot.value;
}

}  // namespace

namespace detail {

std::vector<double> neighbour_gaps(std::span<const double> centres, double a, double b,
                                   bool endpoints) {
    const std::size_t m = centres.size();
    std::vector<double> sigma(m);
    if (m == 0) return sigma;
    if (m == 1) {
        sigma[0] = std::max(centres[0] - a, b - centres[0]);
        return sigma;
    }
    // Sorting (value, index) pairs orders ties by index, as a stable sort would.
    std::vector<std::pair<double, std::size_t>> sorted(m);
    for (std::size_t i = 0; i < m; ++i) sorted[i] = {centres[i], i};
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::size_t> order(m);
    for (std::size_t i = 0; i < m; ++i) order[i] = sorted[i].second;
    for (std::size_t r = 0; r < m; ++r) {
        const double left = centres[order[r]] - (r == 0 ? a : centres[order[r - 1]]);
        const double right = (r + 1 == m ? b : centres[order[r + 1]]) - centres[order[r]];
        double s = std::max(left, right);
        if (!endpoints) {
            if (r == 0) s = right;
            if (r + 1 == m) s = left;
        }
        sigma[order[r]] = s;
    }
    return sigma;
}

std::vector<double> neighbour_gaps_floored(std::span<const double> centres, double a, double b,
                                           bool endpoints, double floor) {
    const std::size_t m = centres.size();
    const double range = b - a;
    const double h = 0.5 * floor;
    // NOTE: the buckets are half a floor wide, so two values in one bucket are less than a
    // floor apart even after rounding. Too many buckets for the values: sort instead.
    if (m < 2 || !(h > 0.0) || range / h > 4.0 * static_cast<double>(m) + 64.0) {
        return neighbour_gaps(centres, a, b, endpoints);
    }
    const auto n_buckets = static_cast<std::size_t>(range / h) + 2;
    constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
    // Per bucket: its first element (lowest value, lowest index among ties) and its last
    // (highest value, highest index among ties), as positions in `centres`.
    std::vector<std::size_t> first(n_buckets, kNone), last(n_buckets, kNone);
    for (std::size_t i = 0; i < m; ++i) {
        const double x = centres[i];
        const auto k =
            std::min(static_cast<std::size_t>(std::max(0.0, (x - a) / h)), n_buckets - 1);
        if (first[k] == kNone || x < centres[first[k]]) first[k] = i;
        if (last[k] == kNone || x >= centres[last[k]]) last[k] = i;
    }
    // Every element starts with width 0 (any value below the floor is raised to it by the
    // caller's clamp); only a bucket's first and last elements can have a neighbour a floor or
    // more away, in the previous or next non-empty bucket.
    std::vector<double> sigma(m, 0.0);
    std::size_t prev = kNone;  // the previous non-empty bucket
    std::size_t lowest = kNone, highest = kNone;
    for (std::size_t k = 0; k < n_buckets; ++k) {
        if (first[k] == kNone) continue;
        if (lowest == kNone) lowest = k;
        highest = k;
        if (prev != kNone) {
            // The neighbours across the boundary: last of `prev`, first of `k`.
            const std::size_t l = last[prev], r = first[k];
            const double gap = centres[r] - centres[l];
            sigma[l] = std::max(sigma[l], gap);
            sigma[r] = std::max(sigma[r], gap);
        }
        prev = k;
    }
    // The global first element has no left neighbour and the global last no right one: with
    // `endpoints` the domain edges count as those neighbours, otherwise only the inner side
    // counts, as in the sorted computation.
    const std::size_t g_first = first[lowest], g_last = last[highest];
    if (endpoints) {
        sigma[g_first] = std::max(sigma[g_first], centres[g_first] - a);
        sigma[g_last] = std::max(sigma[g_last], b - centres[g_last]);
    }
    return sigma;
}

}  // namespace detail

NumericKernels::NumericKernels(std::span<const double> centres, double a, double b, double q,
                               const KernelSettings& s, std::size_t n_dims)
    : a_(a), b_(b), q_(q) {
    const std::size_t n = centres.size();
    const double range = b - a;
    const double prior_mu = 0.5 * (a + b);
    mus_.assign(centres.begin(), centres.end());
    mus_.push_back(prior_mu);
    double floor = 1e-12;
    if (s.floor_delta > 0.0) {
        floor = std::max(s.floor_delta, std::pow(static_cast<double>(n) + 1.0, -s.floor_exponent)) *
                range;
    } else if (s.magic_clip) {
        floor = range / std::min(100.0, static_cast<double>(n) + 2.0);
    }
    // Gaps below the floor may come back as any smaller value: the clamp below raises them.
    const double clamp_low = std::min(floor, range);
    if (s.bandwidth == Bandwidth::Scott) {
        const double w = 0.2 *
                         std::pow(static_cast<double>(std::max<std::size_t>(n, 1)),
                                  -1.0 / (static_cast<double>(n_dims) + 4.0)) *
                         range;
        sigmas_.assign(n + 1, w);
    } else if (s.prior_in_gaps) {
        sigmas_ = detail::neighbour_gaps_floored(mus_, a, b, s.consider_endpoints, clamp_low);
    } else {
        sigmas_ = detail::neighbour_gaps_floored(centres, a, b, s.consider_endpoints, clamp_low);
        sigmas_.push_back(range);
    }
    for (double& sg : sigmas_) sg = std::clamp(sg, clamp_low, range);
    sigmas_.back() = range;

    log_norm_.resize(n + 1);
    inv_sigmas_.resize(n + 1);
    for (std::size_t i = 0; i <= n; ++i) {
        inv_sigmas_[i] = 1.0 / sigmas_[i];
        const double mass =
            log_normal_mass_memo((a - mus_[i]) / sigmas_[i], (b - mus_[i]) / sigmas_[i]);
        log_norm_[i] =
            q_ > 0.0 ? mass : mass + kLogSqrt2Pi + (s.normalized ? std::log(sigmas_[i]) : 0.0);
    }
}

double NumericKernels::log_kernel(std::size_t i, double u) const {
    const double mu = mus_[i], sg = sigmas_[i];
    if (q_ > 0.0) {
        const double lo = std::max(u - 0.5 * q_, a_);
        const double hi = std::min(u + 0.5 * q_, b_);
        return log_normal_mass((lo - mu) / sg, (hi - mu) / sg) - log_norm_[i];
    }
    const double z = (u - mu) / sg;
    return -0.5 * z * z - log_norm_[i];
}

void NumericKernels::add_log_kernels(double u, std::span<double> out) const {
    if (q_ > 0.0) {
        for (std::size_t i = 0; i < mus_.size(); ++i) out[i] += log_kernel(i, u);
        return;
    }
    const std::size_t n = mus_.size();
    const double* mu = mus_.data();
    const double* inv = inv_sigmas_.data();
    const double* ln = log_norm_.data();
    double* o = out.data();
    for (std::size_t i = 0; i < n; ++i) {
        const double z = (u - mu[i]) * inv[i];
        o[i] += -0.5 * z * z - ln[i];
    }
}

double NumericKernels::sample(std::size_t i, Rng& rng) const {
    const double mu = mus_[i], sg = sigmas_[i];
    const double z = truncated_normal((a_ - mu) / sg, (b_ - mu) / sg, rng);
    return std::clamp(mu + sg * z, a_, b_);
}

CategoricalKernels::CategoricalKernels(std::span<const double> observed, std::size_t n_choices,
                                       double prior_weight)
    : n_rows_(observed.size() + 1), n_choices_(n_choices) {
    KNNTUNE_ASSERT(n_choices > 0);
    const double n = static_cast<double>(observed.size());
    const double base = prior_weight / (n + 1.0);
    const double sum = 1.0 + base * static_cast<double>(n_choices_);
    p_hit_ = (base + 1.0) / sum;
    p_miss_ = base / sum;
    log_hit_ = std::log(p_hit_);
    log_miss_ = std::log(p_miss_);
    log_uniform_ = -std::log(static_cast<double>(n_choices_));
    observed_.resize(observed.size());
    for (std::size_t i = 0; i < observed.size(); ++i) {
        observed_[i] = static_cast<std::size_t>(observed[i]);
        KNNTUNE_ASSERT(observed_[i] < n_choices_);
    }
}

double CategoricalKernels::probability(std::size_t i, std::size_t c) const {
    if (i + 1 == n_rows_) return 1.0 / static_cast<double>(n_choices_);
    return observed_[i] == c ? p_hit_ : p_miss_;
}

double CategoricalKernels::log_kernel(std::size_t i, double c) const {
    if (i + 1 == n_rows_) return log_uniform_;
    return observed_[i] == static_cast<std::size_t>(c) ? log_hit_ : log_miss_;
}

void CategoricalKernels::add_log_kernels(double c, std::span<double> out) const {
    const auto ci = static_cast<std::size_t>(c);
    for (std::size_t i = 0; i + 1 < n_rows_; ++i)
        out[i] += observed_[i] == ci ? log_hit_ : log_miss_;
    out[n_rows_ - 1] += log_uniform_;
}

double CategoricalKernels::sample(std::size_t i, Rng& rng) const {
    std::vector<double> row(n_choices_);
    for (std::size_t c = 0; c < n_choices_; ++c) row[c] = probability(i, c);
    return static_cast<double>(rng.choose(row));
}

ParamKernels::ParamKernels(const Distribution& d, std::span<const double> external_obs,
                           const KernelSettings& s, std::size_t n_dims) {
    if (d.is_categorical()) {
        k_ = CategoricalKernels(external_obs, d.n_choices(), s.prior_weight);
        return;
    }
    std::vector<double> internal(external_obs.size());
    for (std::size_t i = 0; i < internal.size(); ++i) internal[i] = d.to_internal(external_obs[i]);
    // NOTE: as in Optuna 3.1, a log-int keeps a continuous density in log space; plain ints and
    // stepped floats use the mass of their grid cell when `cell_mass` is on.
    const bool cell = s.cell_mass && d.is_stepped() && !d.log;
    k_ = NumericKernels(internal, d.internal_low(), d.internal_high(), cell ? d.step : 0.0, s,
                        n_dims);
}

double ParamKernels::log_kernel(std::size_t i, double internal) const {
    if (auto* c = std::get_if<CategoricalKernels>(&k_)) return c->log_kernel(i, internal);
    return std::get<NumericKernels>(k_).log_kernel(i, internal);
}

void ParamKernels::add_log_kernels(double internal, std::span<double> out) const {
    if (auto* c = std::get_if<CategoricalKernels>(&k_)) {
        c->add_log_kernels(internal, out);
    } else {
        std::get<NumericKernels>(k_).add_log_kernels(internal, out);
    }
}

double ParamKernels::sample(std::size_t i, Rng& rng) const {
    if (auto* c = std::get_if<CategoricalKernels>(&k_)) return c->sample(i, rng);
    return std::get<NumericKernels>(k_).sample(i, rng);
}

ParzenEstimator::ParzenEstimator(std::vector<Distribution> dims,
                                 const std::vector<std::vector<double>>& observations,
                                 std::span<const double> raw_weights, const KernelSettings& s)
    : dims_(std::move(dims)) {
    KNNTUNE_ASSERT(observations.size() == dims_.size());
    const std::size_t n = raw_weights.size();
    for (std::size_t d = 0; d < dims_.size(); ++d) {
        KNNTUNE_ASSERT(observations[d].size() == n);
        kernels_.emplace_back(dims_[d], observations[d], s, dims_.size());
    }
    weights_.assign(raw_weights.begin(), raw_weights.end());
    weights_.push_back(s.prior_weight);
    const double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
    for (double& w : weights_) w /= total;
    log_weights_.resize(weights_.size());
    for (std::size_t i = 0; i < weights_.size(); ++i) log_weights_[i] = std::log(weights_[i]);
}

double ParzenEstimator::log_pdf(std::span<const double> external) const {
    std::vector<double> internal(dims_.size());
    for (std::size_t d = 0; d < dims_.size(); ++d) internal[d] = dims_[d].to_internal(external[d]);
    std::vector<double> terms(weights_.size());
    for (std::size_t i = 0; i < weights_.size(); ++i) {
        double t = log_weights_[i];
        for (std::size_t d = 0; d < dims_.size(); ++d) t += kernels_[d].log_kernel(i, internal[d]);
        terms[i] = t;
    }
    return log_sum_exp(terms);
}

void ParzenEstimator::sample(Rng& rng, std::span<double> out) const {
    const std::size_t i = rng.choose(weights_);
    for (std::size_t d = 0; d < dims_.size(); ++d) {
        out[d] = dims_[d].to_external(kernels_[d].sample(i, rng));
    }
}

double log_sum_exp(std::span<const double> x) {
    KNNTUNE_ASSERT(!x.empty());
    const double m = *std::max_element(x.begin(), x.end());
    if (!std::isfinite(m)) return m;
    double s = 0.0;
    for (double v : x) s += std::exp(v - m);
    return m + std::log(s);
}

}  // namespace knntune::tuner
