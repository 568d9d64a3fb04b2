/// `knntune config-keys [--format text|markdown]`: every key an experiment config may hold,
/// with its type, default, allowed values and meaning (the table of configs/README.md).

#include <boost/program_options.hpp>
#include <iostream>

#include "experiments/cli/commands.hpp"
#include "experiments/config/keys.hpp"
#include "experiments/error.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

int run_config_keys(const Command& self, const Args& args) {
    CommandLine line(self);
    std::string format = "text";
    line.options().add_options()("format", po::value(&format), "text (default) or markdown");
    if (!line.parse(args)) return 0;
    if (format == "markdown") {
        std::cout << exp::config_keys_markdown();
        return 0;
    }
    if (format != "text") {
        throw exp::UsageError("--format takes text or markdown, got '" + format + "'");
    }
    for (const exp::ConfigKey& k : exp::config_keys()) {
        std::string line = std::string(k.key) + "  (" + std::string(k.type);
        if (const std::string d = exp::key_default(k); !d.empty()) line += "; default " + d;
        if (const std::string a = exp::key_allowed(k); !a.empty()) line += "; " + a;
        std::cout << line << ")\n    " << k.help << (k.required ? " (required)" : "") << "\n";
    }
    return 0;
}

const Command kConfigKeys{"config-keys",
                          "every key an experiment config may hold, with defaults and bounds",
                          R"(Usage: knntune config-keys [--format text|markdown]

Lists every key an experiment config may hold, generated from the key table that
also reads and validates configs: type, default, allowed values and meaning.
--format markdown prints the table of configs/README.md.)",
                          run_config_keys};

}  // namespace knntune::cli
