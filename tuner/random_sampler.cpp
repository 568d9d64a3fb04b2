#include "tuner/random_sampler.hpp"

#include <cmath>

#include "tuner/sampler.hpp"

namespace knntune::tuner {

double sample_prior(const Distribution& d, Rng& rng) {
    if (d.is_categorical()) {
        const auto c = static_cast<double>(d.n_choices());
        return std::min(std::floor(rng.uniform() * c), c - 1.0);
    }
    return d.to_external(rng.uniform(d.internal_low(), d.internal_high()));
}

void fill_from_prior(const SearchSpace& space, ParamValues& values, Rng& rng) {
    for (std::size_t i = 0; i < space.size(); ++i) {
        if (!space.is_active(i, values)) {
            values[i] = kInactive;
        } else if (std::isnan(values[i])) {
            values[i] = sample_prior(space.param(i).distribution, rng);
        }
    }
}

namespace {

/// Uniform random search: each trial's draws come from `Rng(seed, trial number)`.
class RandomSampler final : public Sampler {
  public:
    explicit RandomSampler(std::uint64_t seed) : seed_(seed) {}
    std::string_view name() const override { return "random"; }
    boost::json::object settings() const override { return {{"seed", seed_}}; }
    ParamValues sample(const SampleContext& ctx) const override {
        Rng rng(seed_, static_cast<std::uint64_t>(ctx.number));
        ParamValues v = ctx.fixed;
        fill_from_prior(ctx.space, v, rng);
        return v;
    }

  private:
    std::uint64_t seed_;
};

}  // namespace

extern constinit const SamplerEntry kRandomSampler = {
    "random",
    "Uniform random search: every active parameter drawn from its prior",
    {},
    [](const CheckedSettings&, std::uint64_t seed, const SearchSpace&) -> std::unique_ptr<Sampler> {
        return std::make_unique<RandomSampler>(seed);
    },
};

}  // namespace knntune::tuner
