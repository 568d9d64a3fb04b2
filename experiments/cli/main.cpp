/// Entry point of the `knntune` command-line tool: dispatches to one subcommand.

#include <boost/program_options/errors.hpp>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "experiments/cli/commands.hpp"

namespace {

using knntune::cli::Args;

struct Command {
    std::string_view name;
    std::string_view summary;
    int (*run)(const Args&);
};

// NOTE: one explicit table; adding a subcommand is one line here plus its cmd_*.cpp file.
constexpr Command kCommands[] = {
    {"prepare", "read, split, filter and map an interaction log; print period statistics",
     knntune::cli::cmd_prepare},
    {"run", "the whole experiment: prepare, tune, test, report", knntune::cli::cmd_run},
    {"tune", "tune every model of a config; --resume continues a log", knntune::cli::cmd_tune},
    {"test", "retrain each measure's best on train and score test", knntune::cli::cmd_test},
    {"report", "write report.md and report.html of a run folder", knntune::cli::cmd_report},
    {"evaluate", "score one configuration and print its metrics as JSON", knntune::cli::cmd_evaluate},
    {"similar", "items most similar to an item, by name", knntune::cli::cmd_similar},
    {"recommend-items", "recommendations for a new user from a few items", knntune::cli::cmd_recommend_items},
    {"export-embeddings", "write item embeddings of a model as CSV", knntune::cli::cmd_export_embeddings},
    {"trials", "print the trial table of a study's trial log (table or CSV)", knntune::cli::cmd_trials},
    {"similarity", "top-k item-item or user-user similarity of an interaction file", knntune::cli::cmd_similarity},
    {"recommend", "top-N KNN recommendations for every user of an interaction file", knntune::cli::cmd_recommend},
    {"config-keys", "every key an experiment config may hold, with defaults and bounds", knntune::cli::cmd_config_keys},
};

/// The one mapping from an exception to an exit status: a user error (bad input, bad
/// configuration, a condition of the machine the user can fix) is 2, anything else 1. Prints
/// the one-line message.
int exit_status(std::string_view command, const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const knntune::UserError& e) {
        std::cerr << "knntune " << command << ": error: " << e.what() << "\n";
        return 2;
    } catch (const boost::program_options::error& e) {
        std::cerr << "knntune " << command << ": error: " << e.what() << " (see 'knntune "
                  << command << " --help')\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "knntune " << command << ": internal error: " << e.what() << "\n";
        return 1;
    }
}

void print_usage(std::ostream& out) {
    out << "knntune " << KNNTUNE_VERSION << " — tuning of KNN recommenders\n\n"
        << "Usage: knntune COMMAND [OPTIONS]...\n\nCommands:\n";
    for (const Command& c : kCommands) {
        out << "  " << c.name << std::string(16 - std::min<size_t>(15, c.name.size()), ' ')
            << c.summary << "\n";
    }
    out << "\nRun 'knntune COMMAND --help' for the options of one command.\n"
        << "Exit status: 0 success, 2 bad input or configuration, 1 internal failure.\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        print_usage(std::cerr);
        return 2;
    }
    const std::string_view name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        print_usage(std::cout);
        return 0;
    }
    if (name == "--version") {
        std::cout << "knntune " << KNNTUNE_VERSION << "\n";
        return 0;
    }
    const Args args(argv + 2, argv + argc);
    for (const Command& c : kCommands) {
        if (c.name != name) continue;
        try {
            return c.run(args);
        } catch (...) {
            return exit_status(name, std::current_exception());
        }
    }
    std::cerr << "knntune: unknown command '" << name << "'\n\n";
    print_usage(std::cerr);
    return 2;
}
