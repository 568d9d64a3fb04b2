#pragma once
/// Samplers propose a full configuration for a new trial.
///
/// A sampler is a pure function of (search space, other trials, trial number, fixed values,
/// its settings and seed): it keeps no state between calls. Its random draws come from
/// `Rng(seed, trial number)`. Together with the study's batch-synchronous parallel loop this
/// makes a seed give the same trials whatever the thread count and trial durations.

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/direction.hpp"
#include "tuner/search_space.hpp"
#include "tuner/trial.hpp"

namespace knntune::tuner {

using knntune::Direction;
using knntune::direction_name;

/// Inverse of `direction_name`; throws `SettingsError`.
Direction parse_direction(std::string_view name);

/// What a sampler sees when it proposes trial `number`.
struct SampleContext {
    const SearchSpace& space;
    std::span<const FrozenTrial> history;  ///< all other trials, any state, by trial number
    std::int64_t number;                   ///< number of the trial being sampled
    Direction direction;
    const ParamValues& fixed;  ///< enqueued values to keep (NaN = free), size = space.size()
};

/// Base class of all samplers.
class Sampler {
  public:
    virtual ~Sampler() = default;
    /// Registry name ("random", "grid", "tpe").
    virtual std::string_view name() const = 0;
    /// The resolved settings, seed included, as recorded in the trial log.
    virtual boost::json::object settings() const = 0;
    /// A full assignment for `ctx.number`: every active parameter set and legal (fixed values
    /// kept), every inactive one NaN.
    virtual ParamValues sample(const SampleContext& ctx) const = 0;
    /// True when the sampler has nothing new to propose (grid exhausted).
    virtual bool exhausted(const SearchSpace&, std::span<const FrozenTrial>) const { return false; }
};

/// Names accepted by `make_sampler`.
std::vector<std::string> sampler_names();

/// Builds a sampler from its registry name and JSON settings (unknown keys are errors that
/// list the known ones). `space` is needed by the grid sampler to check its value lists.
std::unique_ptr<Sampler> make_sampler(std::string_view name, const boost::json::object& settings,
                                      std::uint64_t seed, const SearchSpace& space);

}  // namespace knntune::tuner
