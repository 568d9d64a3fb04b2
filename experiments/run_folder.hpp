#pragma once
/// Files of a run folder, written atomically.

#include <string>

namespace knntune::exp {

/// Writes `text` to `path` through a temporary file in the same folder and a rename, so the
/// file is either absent, the old version, or complete. Creates parent folders.
void write_file_atomic(const std::string& path, const std::string& text);

/// Names of the files inside a run folder.
inline constexpr const char* kResolvedConfigFile = "config.resolved.yaml";
inline constexpr const char* kPreparedFile = "prepared.h5";

}  // namespace knntune::exp
