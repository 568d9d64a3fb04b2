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
#include "tuner/settings_table.hpp"
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

/// One entry of the sampler registry: everything `make_sampler`, help text and the docs know
/// of a sampler. Each sampler's source file defines its entry; `sampler.cpp` lists them.
struct SamplerEntry {
    std::string_view name;     ///< registry name, e.g. "tpe"
    std::string_view summary;  ///< one line for listings
    SettingsTable settings;    ///< declared settings: validation, help text, docs
    /// Builds the sampler from settings already checked against `settings`; throws
    /// `SettingsError` for what only the search space can tell (a grid value list).
    std::unique_ptr<Sampler> (*make)(const CheckedSettings& settings, std::uint64_t seed,
                                     const SearchSpace& space);
};

/// The registered samplers, in listing order.
std::span<const SamplerEntry* const> sampler_entries();

/// The entry called `name`; throws `SettingsError` listing the known names (with a suggestion
/// when one is close).
const SamplerEntry& find_sampler(std::string_view name);

/// Names accepted by `make_sampler`, in listing order.
std::vector<std::string> sampler_names();

/// Builds a sampler from its registry name and JSON settings. All validation happens here:
/// unknown names are errors that list the known ones, values of the wrong JSON type or out of
/// bounds are errors that give the bounds, and `space` is checked by samplers that depend on
/// it (the grid's value lists). Throws `SettingsError`.
std::unique_ptr<Sampler> make_sampler(std::string_view name, const boost::json::object& settings,
                                      std::uint64_t seed, const SearchSpace& space);

/// The settings of sampler `name`, one entry per setting with its default, bounds and help,
/// generated from its table (see `settings_help`). Throws `SettingsError` for an unknown name.
std::string sampler_settings_help(std::string_view name);

/// One line per registered sampler: its name and summary.
std::string samplers_help();

/// The Markdown reference of every registered sampler and its settings (docs/samplers.md).
std::string samplers_markdown();

}  // namespace knntune::tuner
