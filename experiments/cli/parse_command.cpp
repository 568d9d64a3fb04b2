#include <iostream>

#include "experiments/cli/commands.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

bool parse_command(const Args& args, const po::options_description& options,
                   const po::options_description& positionals,
                   const std::vector<std::pair<const char*, int>>& order, po::variables_map& vm,
                   const std::string& epilog) {
    po::options_description all;
    all.add(options).add(positionals);
    po::positional_options_description pos;
    for (const auto& [name, count] : order) pos.add(name, count);
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    if (vm.count("help") != 0U) {
        std::cout << options << "\n" << epilog;
        return false;
    }
    po::notify(vm);
    return true;
}

}  // namespace knntune::cli
