#pragma once
/// Names of the files of a run folder.

#include "common/atomic_file.hpp"

namespace knntune::exp {

using knntune::write_file_atomic;

/// Names of the files inside a run folder.
inline constexpr const char* kResolvedConfigFile = "config.resolved.yaml";
inline constexpr const char* kPreparedFile = "prepared.h5";

}  // namespace knntune::exp
