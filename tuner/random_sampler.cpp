#include "tuner/random_sampler.hpp"

#include <cmath>

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

boost::json::object RandomSampler::settings() const {
    boost::json::object o;
    o["seed"] = seed_;
    return o;
}

ParamValues RandomSampler::sample(const SampleContext& ctx) const {
    Rng rng(seed_, static_cast<std::uint64_t>(ctx.number));
    ParamValues v = ctx.fixed;
    fill_from_prior(ctx.space, v, rng);
    return v;
}

}  // namespace knntune::tuner
