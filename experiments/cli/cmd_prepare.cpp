#include <iostream>

#include "experiments/cli/commands.hpp"

namespace knntune::cli {

int cmd_prepare(const Args&) {
    std::cout << "prepare: not yet implemented\n";
    return 1;
}

}  // namespace knntune::cli
