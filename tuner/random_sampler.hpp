#pragma once
/// Prior draws: every active parameter drawn independently from its distribution, honouring
/// conditions. Random search (registered as "random", random_sampler.cpp) is exactly these
/// draws; TPE uses them for its start-up trials.

#include "tuner/random.hpp"
#include "tuner/search_space.hpp"

namespace knntune::tuner {

/// One draw from a distribution's prior, external scale: uniform on the internal scale (so
/// log-uniform for log parameters); stepped and int parameters uniform on the half-step-widened
/// domain, then rounded to the grid; categoricals uniform over the choices.
double sample_prior(const Distribution& d, Rng& rng);

/// Fills every active parameter of `values` that is NaN with a prior draw, top-down, keeping
/// values already set (enqueued). Parameters found inactive are reset to NaN.
void fill_from_prior(const SearchSpace& space, ParamValues& values, Rng& rng);

}  // namespace knntune::tuner
