#include "tuner/version.hpp"

namespace knntune::tuner {

const char* version() { return KNNTUNE_VERSION; }

}  // namespace knntune::tuner
