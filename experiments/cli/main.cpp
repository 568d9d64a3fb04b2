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
using knntune::cli::Command;

// NOTE: one explicit table, in the order of `knntune --help`; adding a subcommand is its
// cmd_*.cpp file, its name in commands.hpp and its entry here.
namespace cli = knntune::cli;
const Command* const kCommands[] = {
    &cli::kPrepare,          &cli::kRun,      &cli::kTune,       &cli::kTest,
    &cli::kReport,           &cli::kEvaluate, &cli::kSimilar,    &cli::kRecommendItems,
    &cli::kExportEmbeddings, &cli::kTrials,   &cli::kSimilarity, &cli::kRecommend,
    &cli::kConfigKeys,
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
    for (const Command* c : kCommands) {
        out << "  " << c->name << std::string(18 - std::min<size_t>(17, c->name.size()), ' ')
            << c->summary << "\n";
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
    for (const Command* c : kCommands) {
        if (c->name != name) continue;
        try {
            return c->run(*c, args);
        } catch (...) {
            return exit_status(name, std::current_exception());
        }
    }
    std::cerr << "knntune: unknown command '" << name << "'\n\n";
    print_usage(std::cerr);
    return 2;
}
