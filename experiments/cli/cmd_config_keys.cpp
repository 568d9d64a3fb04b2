/// `knntune config-keys [--format text|markdown]`: every key an experiment config may hold,
/// with its type, default, allowed values and meaning (the table of configs/README.md).

#include <boost/program_options.hpp>
#include <iostream>

#include "experiments/cli/commands.hpp"
#include "experiments/config/keys.hpp"
#include "experiments/error.hpp"
#include "tuner/sampler.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

namespace {

void print_keys() {
    for (const exp::ConfigKey& k : exp::config_keys()) {
        std::string text = std::string(k.key) + "  (" + std::string(k.type);
        if (const std::string d = exp::key_default(k); !d.empty()) text += "; default " + d;
        if (const std::string a = exp::key_allowed(k); !a.empty()) text += "; " + a;
        std::cout << text << ")\n    " << k.help << (k.required ? " (required)" : "") << "\n";
    }
    std::cout << "\nSamplers (tuner.sampler; their settings: --sampler NAME):\n"
              << tuner::samplers_help();
}

}  // namespace

int run_config_keys(const Command& self, const Args& args) {
    CommandLine line(self);
    std::string format = "text";
    std::string sampler;
    bool samplers = false;
    line.options().add_options()("format", po::value(&format), "text (default) or markdown")(
        "sampler", po::value(&sampler), "list the settings of one sampler (tuner.settings)")(
        "samplers", po::bool_switch(&samplers),
        "every sampler with its settings (markdown: the reference of docs/samplers.md)");
    if (!line.parse(args)) return 0;
    if (format != "text" && format != "markdown") {
        throw exp::UsageError("--format takes text or markdown, got '" + format + "'");
    }
    if (samplers) {
        std::cout << (format == "markdown" ? tuner::samplers_markdown() : tuner::samplers_help());
    } else if (!sampler.empty()) {
        std::cout << tuner::sampler_settings_help(sampler);
    } else if (format == "markdown") {
        std::cout << exp::config_keys_markdown();
    } else {
        print_keys();
    }
    return 0;
}

const Command kConfigKeys{
    "config-keys", "every key an experiment config may hold, with defaults and bounds",
    R"(Usage: knntune config-keys [--format text|markdown] [--sampler NAME | --samplers]

Lists every key an experiment config may hold, generated from the key table that
also reads and validates configs: type, default, allowed values and meaning, then the
samplers. --format markdown prints the table of configs/README.md; --sampler NAME lists
the settings that sampler takes under tuner.settings; --samplers lists every sampler
(with --format markdown, the reference part of docs/samplers.md).)",
    run_config_keys};

}  // namespace knntune::cli
