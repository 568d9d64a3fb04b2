#pragma once
/// Saving and loading prepared data as HDF5 (layout in docs/prepared-data.md).

#include <string>

#include "engine/data/prepare.hpp"

namespace knntune::engine {

/// Extra text attributes stored with the data (e.g. the config that produced it).
struct PreparedMeta {
    std::string source;       ///< path of the raw log
    std::string config_text;  ///< resolved configuration, YAML
};

/// Writes `data` to `path` atomically: a temporary file next to it is written, flushed and
/// renamed over `path`, so a crash never leaves a half-written file. Throws InputError when
/// the folder is not writable.
void save_prepared(const PreparedData& data, const PreparedMeta& meta, const std::string& path);

/// Reads a file written by `save_prepared`. Throws InputError when it is missing or not a
/// knntune prepared-data file.
[[nodiscard]] PreparedData load_prepared(const std::string& path, PreparedMeta* meta = nullptr);

}  // namespace knntune::engine
