#include <iostream>

#include "experiments/cli/commands.hpp"
#include "experiments/error.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

CommandLine::CommandLine(const Command& command)
    : command_(&command), options_(std::string(command.usage) + "\n\nOptions") {
    options_.add_options()("help,h", "show this help");
}

bool CommandLine::parse(const Args& args, std::initializer_list<Positional> positionals,
                        const std::string& epilog) {
    po::options_description all;
    all.add(options_);
    po::positional_options_description order;
    for (const Positional& p : positionals) {
        all.add_options()(p.name, po::value(p.value));
        order.add(p.name, 1);
    }
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(all).positional(order).run(), vm);
    if (vm.count("help") != 0U) {
        std::cout << options_ << "\n" << epilog;
        return false;
    }
    po::notify(vm);
    for (const Positional& p : positionals) {
        if (p.value->empty()) {
            throw exp::UsageError("missing " + std::string(p.name) + " argument (see 'knntune " +
                                  std::string(command_->name) + " --help')");
        }
    }
    return true;
}

}  // namespace knntune::cli
