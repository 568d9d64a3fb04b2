#pragma once
/// Random search: every active parameter drawn independently, honouring conditions.

#include "tuner/random.hpp"
#include "tuner/sampler.hpp"

namespace knntune::tuner {

/// One draw from a distribution's prior, external scale: uniform on the internal scale (so
/// log-uniform for log parameters); stepped and int parameters uniform on the half-step-widened
/// domain, then rounded to the grid; categoricals uniform over the choices.
double sample_prior(const Distribution& d, Rng& rng);

/// Fills every active parameter of `values` that is NaN with a prior draw, top-down, keeping
/// values already set (enqueued). Parameters found inactive are reset to NaN.
void fill_from_prior(const SearchSpace& space, ParamValues& values, Rng& rng);

/// Uniform random search.
class RandomSampler final : public Sampler {
  public:
    explicit RandomSampler(std::uint64_t seed) : seed_(seed) {}
    std::string_view name() const override { return "random"; }
    boost::json::object settings() const override;
    ParamValues sample(const SampleContext& ctx) const override;

  private:
    std::uint64_t seed_;
};

}  // namespace knntune::tuner
