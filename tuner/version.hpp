#pragma once
/// Version of the tuner library, recorded in every trial log.

namespace knntune::tuner {

/// Semantic version string of this build, e.g. "0.1.0".
const char* version();

}  // namespace knntune::tuner
