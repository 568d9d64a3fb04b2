#pragma once
/// Files replaced atomically: a reader sees the old file, or the complete new one, never a
/// part. Every file knntune writes goes through here (run-folder files, prepared data, model
/// files, the trial log, the report). Also the plain whole-file read.

#include <filesystem>
#include <functional>
#include <string_view>

namespace knntune {

struct AtomicWriteOptions {
    /// fsync the new file before the rename and its folder after it, so that the new
    /// content survives a power cut, not only a crash of the process.
    bool durable = false;
};

/// Writes `path` through the temporary `PATH.tmp.PID` in the same folder: `fill` writes the
/// temporary (by name), which is then renamed over `path`. On any exception (from `fill` or
/// from the rename) the temporary is removed and the old file is untouched. Creates missing
/// parent folders. Temporaries `NAME.tmp.PID` whose process no longer runs (a kill or a crash
/// during an earlier write) are removed first when NAME is `path`'s own name or a file
/// knntune writes into a run folder (config.resolved.yaml, prepared.h5, trials-*.h5,
/// model-*.h5, test-*.json, report.md/html, figure-*.svg); those of a live process never are,
/// nor anybody else's files. Throws IoError naming `path`.
void replace_file(const std::filesystem::path& path,
                  const std::function<void(const std::filesystem::path& tmp)>& fill,
                  AtomicWriteOptions options = {});

/// `replace_file` with `text` as the content.
void write_file_atomic(const std::filesystem::path& path, std::string_view text,
                       AtomicWriteOptions options = {});

/// The whole content of `path`; throws IoError naming it when it cannot be read.
[[nodiscard]] std::string read_file(const std::filesystem::path& path);

/// fsync of one file or folder; throws IoError naming it.
void sync_path(const std::filesystem::path& path, bool is_directory);

}  // namespace knntune
