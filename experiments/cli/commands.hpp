#pragma once
/// Subcommands of the `knntune` tool. Each is one `Command`, defined in its cmd_*.cpp file and
/// listed once in the table of main.cpp. A command parses its own options
/// (Boost.program_options) through `CommandLine`, prints its help on `--help`, and returns the
/// process exit status; user errors are thrown and turned into a one-line message and status
/// 2 by `main`.

#include <boost/program_options.hpp>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace knntune::cli {

using Args = std::vector<std::string>;  ///< the arguments after the subcommand name

struct Command {
    std::string_view name;
    std::string_view summary;  ///< one line for `knntune --help`
    std::string_view usage;    ///< usage line and description, printed above the options
    int (*run)(const Command& self, const Args& args);
};

// clang-format off
extern const Command kPrepare, kRun, kTune, kTest, kReport, kEvaluate, kSimilar, kRecommendItems,
    kExportEmbeddings, kTrials, kExportOptuna, kSimilarity, kRecommend, kConfigKeys;
// clang-format on

/// One required positional argument: its name for messages and where its value goes.
struct Positional {
    const char* name;
    std::string* value;
};

/// The command line of one command: its documented options (with --help), then parsing.
class CommandLine {
  public:
    explicit CommandLine(const Command& command);
    [[nodiscard]] boost::program_options::options_description& options() { return options_; }
    /// Parses `args`: the options, then `positionals` in order (each required). On --help,
    /// prints the usage, the options and `epilog`, and returns false. Throws UsageError for a
    /// missing positional, boost's errors for bad options.
    bool parse(const Args& args, std::initializer_list<Positional> positionals = {},
               const std::string& epilog = {});

  private:
    const Command* command_;
    boost::program_options::options_description options_;
};

}  // namespace knntune::cli
