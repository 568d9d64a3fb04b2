#include "tuner/sampler.hpp"

#include <boost/json.hpp>

#include "tuner/error.hpp"
#include "tuner/grid_sampler.hpp"
#include "tuner/random_sampler.hpp"
#include "tuner/tpe_sampler.hpp"

namespace knntune::tuner {

Direction parse_direction(std::string_view name) {
    if (name == "minimize") return Direction::Minimize;
    if (name == "maximize") return Direction::Maximize;
    throw SettingsError("direction '" + std::string(name) +
                        "' is not one of 'minimize', 'maximize'");
}

namespace {

using Factory = std::unique_ptr<Sampler> (*)(const boost::json::object&, std::uint64_t,
                                             const SearchSpace&);

struct SamplerEntry {
    std::string_view name;
    Factory make;
};

std::unique_ptr<Sampler> make_random(const boost::json::object& o, std::uint64_t seed,
                                     const SearchSpace&) {
    for (const auto& kv : o) {
        if (kv.key() != "seed") {
            throw SettingsError("unknown random sampler setting '" + std::string(kv.key()) +
                                "' (it has none)");
        }
    }
    return std::make_unique<RandomSampler>(seed);
}

std::unique_ptr<Sampler> make_grid(const boost::json::object& o, std::uint64_t,
                                   const SearchSpace& space) {
    std::map<std::string, std::vector<double>> values;
    for (const auto& kv : o) {
        if (kv.key() == "n_points") continue;
        if (kv.key() != "values" || !kv.value().is_object()) {
            throw SettingsError("grid sampler setting '" + std::string(kv.key()) +
                                "' unknown (known: values: {key: [v, ...]})");
        }
        for (const auto& pv : kv.value().as_object()) {
            const std::string key(pv.key());
            const std::size_t i = space.index_of(key);
            const Distribution& d = space.param(i).distribution;
            if (!pv.value().is_array()) {
                throw SettingsError("grid values of '" + key + "' must be an array");
            }
            for (const boost::json::value& v : pv.value().as_array()) {
                if (d.is_categorical() && v.is_string()) {
                    auto it = std::find(d.choices.begin(), d.choices.end(), v.as_string());
                    if (it == d.choices.end()) {
                        throw SettingsError("grid value '" + std::string(v.as_string()) + "' of '" +
                                            key + "' is not a choice");
                    }
                    values[key].push_back(static_cast<double>(it - d.choices.begin()));
                } else if (v.is_number()) {
                    values[key].push_back(boost::json::value_to<double>(v));
                } else {
                    throw SettingsError("grid values of '" + key + "' must be numbers or labels");
                }
            }
        }
    }
    return std::make_unique<GridSampler>(space, std::move(values));
}

std::unique_ptr<Sampler> make_tpe(const boost::json::object& o, std::uint64_t seed,
                                  const SearchSpace&) {
    return std::make_unique<TpeSampler>(TpeSettings::from_json(o, seed));
}

// NOTE: one explicit table; adding a sampler is one line here.
constexpr SamplerEntry kSamplers[] = {
    {"tpe", make_tpe},
    {"random", make_random},
    {"grid", make_grid},
};

}  // namespace

std::vector<std::string> sampler_names() {
    std::vector<std::string> out;
    for (const SamplerEntry& e : kSamplers) out.emplace_back(e.name);
    return out;
}

std::unique_ptr<Sampler> make_sampler(std::string_view name, const boost::json::object& settings,
                                      std::uint64_t seed, const SearchSpace& space) {
    for (const SamplerEntry& e : kSamplers) {
        if (e.name == name) return e.make(settings, seed, space);
    }
    std::string known;
    for (const SamplerEntry& e : kSamplers)
        known += (known.empty() ? "" : ", ") + std::string(e.name);
    throw SettingsError("unknown sampler '" + std::string(name) + "' (known: " + known + ")");
}

}  // namespace knntune::tuner
