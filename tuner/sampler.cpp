#include "tuner/sampler.hpp"

#include "common/text.hpp"
#include "tuner/error.hpp"

namespace knntune::tuner {

Direction parse_direction(std::string_view name) {
    if (name == "minimize") return Direction::Minimize;
    if (name == "maximize") return Direction::Maximize;
    throw SettingsError("direction '" + std::string(name) +
                        "' is not one of 'minimize', 'maximize'");
}

// The entries, each defined in its sampler's source file.
extern const SamplerEntry kTpeSampler, kRandomSampler, kGridSampler;

namespace {

// NOTE: one explicit table (duckdb's settings table), not static self-registration; adding a
// sampler is its source file, its name in the two lines here and its line in CMakeLists.txt.
constexpr const SamplerEntry* kSamplers[] = {&kTpeSampler, &kRandomSampler, &kGridSampler};

}  // namespace

std::span<const SamplerEntry* const> sampler_entries() { return kSamplers; }

const SamplerEntry& find_sampler(std::string_view name) {
    std::vector<std::string_view> known;
    for (const SamplerEntry* e : kSamplers) {
        if (e->name == name) return *e;
        known.push_back(e->name);
    }
    std::string message = "unknown sampler '" + std::string(name) + "' (";
    if (const auto near = nearest_name(known, name)) {
        message += "did you mean '" + std::string(*near) + "'? ";
    }
    throw SettingsError(message + "known: " + join(known) + ")");
}

std::vector<std::string> sampler_names() {
    std::vector<std::string> out;
    for (const SamplerEntry* e : kSamplers) out.emplace_back(e->name);
    return out;
}

std::unique_ptr<Sampler> make_sampler(std::string_view name, const boost::json::object& settings,
                                      std::uint64_t seed, const SearchSpace& space) {
    const SamplerEntry& entry = find_sampler(name);
    return entry.make(check_settings(entry.settings, settings, entry.name), seed, space);
}

std::string sampler_settings_help(std::string_view name) {
    return settings_help(find_sampler(name).settings);
}

std::string samplers_help() {
    std::string out;
    for (const SamplerEntry* e : kSamplers) {
        std::string head = "  " + std::string(e->name);
        if (head.size() < 12) head.resize(12, ' ');
        out += head + ' ' + std::string(e->summary) + "\n";
    }
    return out;
}

std::string samplers_markdown() {
    std::string out;
    for (const SamplerEntry* e : kSamplers) {
        out += "## `" + std::string(e->name) + "`\n\n" + std::string(e->summary) + "\n\n";
        out += "| setting | default | bounds | meaning |\n|---|---|---|---|\n";
        out += settings_markdown(e->settings) + "\n";
    }
    return out;
}

}  // namespace knntune::tuner
