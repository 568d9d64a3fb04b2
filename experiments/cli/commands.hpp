#pragma once
/// Subcommands of the `knntune` tool. Each one parses its own options (Boost.program_options),
/// prints its help on `--help`, and returns the process exit status. User errors are thrown
/// and turned into a one-line message and status 2 by `main`.

#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace knntune::cli {

using Args = std::vector<std::string>;  ///< the arguments after the subcommand name

/// Parses `args` against the documented `options` plus positional arguments stored as hidden
/// options (`positionals`: name and how many values, -1 for the rest). Prints the options and
/// returns false on `--help` (declare "help,h" in `options`), printing `epilog` after the
/// options; otherwise fills `vm` and notifies.
bool parse_command(const Args& args, const boost::program_options::options_description& options,
                   const boost::program_options::options_description& positionals,
                   const std::vector<std::pair<const char*, int>>& order,
                   boost::program_options::variables_map& vm, const std::string& epilog = {});

int cmd_prepare(const Args& args);
int cmd_run(const Args& args);
int cmd_tune(const Args& args);
int cmd_test(const Args& args);
int cmd_report(const Args& args);
int cmd_config_keys(const Args& args);
int cmd_evaluate(const Args& args);
int cmd_similar(const Args& args);
int cmd_recommend_items(const Args& args);
int cmd_export_embeddings(const Args& args);
int cmd_trials(const Args& args);
int cmd_similarity(const Args& args);
int cmd_recommend(const Args& args);

}  // namespace knntune::cli
