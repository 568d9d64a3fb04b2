#pragma once
/// The trial logs a command argument names: the logs of a run folder, or the file itself.

#include <filesystem>
#include <string>
#include <vector>

#include "experiments/run/run_folder.hpp"
#include "tuner/error.hpp"

namespace knntune::cli {

/// A run folder holds one log per study (all of them, in `RunFolder::trial_logs` order); any
/// other path is taken as the log itself. Throws `StorageError` for a missing path or a
/// folder without a log.
inline std::vector<std::string> resolve_trial_logs(const std::string& arg) {
    namespace fs = std::filesystem;
    if (!fs::exists(arg)) throw tuner::StorageError("'" + arg + "' does not exist");
    if (!fs::is_directory(arg)) return {arg};
    std::vector<std::string> logs;
    for (const fs::path& p : exp::RunFolder(arg).trial_logs()) logs.push_back(p.string());
    if (logs.empty()) {
        throw tuner::StorageError("run folder '" + arg + "' has no trial log (trials*.h5)");
    }
    return logs;
}

}  // namespace knntune::cli
