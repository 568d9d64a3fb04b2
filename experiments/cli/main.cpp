/// Entry point of the `knntune` command-line tool: dispatches to one subcommand.

#include <hdf5.h>

#include <boost/program_options/errors.hpp>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <memory>
#include <new>
#include <string>
#include <string_view>

#include "common/atomic_file.hpp"
#include "common/error.hpp"
#include "common/text.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/cluster/comm.hpp"
#include "experiments/cluster/ranks.hpp"

namespace {

using knntune::cli::Args;
using knntune::cli::Command;

// NOTE: one explicit table, in the order of `knntune --help`; adding a subcommand is its
// cmd_*.cpp file, its name in commands.hpp and its entry here.
namespace cli = knntune::cli;
const Command* const kCommands[] = {
    &cli::kPrepare,          &cli::kRun,        &cli::kTune,         &cli::kTest,
    &cli::kReport,           &cli::kEvaluate,   &cli::kSimilar,      &cli::kRecommendItems,
    &cli::kExportEmbeddings, &cli::kTrials,     &cli::kExportOptuna, &cli::kSimilarity,
    &cli::kRecommend,        &cli::kConfigKeys,
};

/// Exit statuses (README "Commands", `knntune --help`).
constexpr int kExitInternal = 1;
constexpr int kExitUser = 2;
constexpr int kExitOutOfMemory = 3;

/// Longest message printed, in bytes: a message quoting a huge input stays readable.
constexpr std::size_t kMaxMessageBytes = 2000;

/// Prints "knntune COMMAND: KIND: MESSAGE" as one line: a control character or a byte that is
/// not UTF-8 in the message (input echoed by a message) is escaped, never printed raw.
void print_error(std::string_view command, std::string_view kind, std::string_view message) {
    namespace cluster = knntune::exp::cluster;
    std::cerr << "knntune " << command << ": " << kind << ": "
              << (cluster::rank() > 0 ? "rank " + std::to_string(cluster::rank()) + ": " : "")
              << knntune::printable(message, kMaxMessageBytes) << "\n";
}

/// The one mapping from an exception to an exit status: a user error (bad input, bad
/// configuration, a condition of the machine the user can fix: a full disk, a folder that
/// cannot be written) is 2, running out of memory 3, anything else 1. Prints the one-line
/// message.
int exit_status(std::string_view command, const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const knntune::UserError& e) {
        print_error(command, "error", e.what());
        return kExitUser;
    } catch (const boost::program_options::error& e) {
        print_error(command, "error",
                    std::string(e.what()) + " (see 'knntune " + std::string(command) + " --help')");
        return kExitUser;
    } catch (const std::bad_alloc&) {
        // NOTE: no allocation here: the memory is short.
        std::fputs("knntune ", stderr);
        std::fwrite(command.data(), 1, command.size(), stderr);
        std::fputs(
            ": error: out of memory (a smaller data set, fewer parallel trials or more "
            "memory may help)\n",
            stderr);
        return kExitOutOfMemory;
    } catch (const std::filesystem::filesystem_error& e) {
        // NOTE: a failed file-system call (a path that is a file, no permission, a full or
        // read-only disk) is a condition of the user's machine; its message names the path.
        print_error(command, "error", e.what());
        return kExitUser;
    } catch (const std::exception& e) {
        print_error(command, "internal error", e.what());
        return kExitInternal;
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
        << "Exit status: 0 success, 2 bad input or configuration or a condition of the machine\n"
        << "(a full disk, a folder that cannot be written), 3 out of memory, 1 internal failure.\n";
}

}  // namespace

int main(int argc, char** argv) {
    // NOTE: HDF5 1.10 leaves a file whose H5Fclose failed (a full disk, a failing device)
    // half-closed, and its exit handler then crashes on it (SIGSEGV after the one-line error).
    // Every file knntune opens is closed by its owner before exit, so the handler has nothing
    // to do; it is not installed.
    H5dont_atexit();
    namespace cluster = knntune::exp::cluster;
    std::unique_ptr<cluster::Session> mpi;
    try {
        mpi = std::make_unique<cluster::Session>(&argc, &argv);
    } catch (const std::exception& e) {
        std::cerr << "knntune: internal error: " << e.what() << "\n";
        return kExitInternal;
    }
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
            // NOTE: every file the command writes syncs its data once; the folders are synced
            // once each here, at the end (docs/run-folder.md, "Durability").
            knntune::FolderSyncBatch folders;
            const int status = c->run(*c, args);
            folders.sync();
            return status;
        } catch (...) {
            const int status = exit_status(name, std::current_exception());
            // NOTE: in a distributed run, a rank that fails while others may wait for it ends
            // the job; only rank 0, once it has stopped its workers, ends normally.
            if (cluster::distributed() && !(cluster::rank() == 0 && cluster::workers_stopped())) {
                cluster::abort_all(status);
            }
            return status;
        }
    }
    std::cerr << "knntune: unknown command '" << name << "'\n\n";
    print_usage(std::cerr);
    return 2;
}
