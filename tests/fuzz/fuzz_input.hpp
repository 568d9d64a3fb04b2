#pragma once
/// Helpers of the fuzz targets: the input bytes as a file (the readers take a path), and the
/// outcome policy (docs/testing.md, "Fuzzing").

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace knntune::fuzz {

/// A scratch folder of this process under the temp dir, created on first use and removed at
/// exit (libFuzzer ends a timed run with exit(), which runs static destructors).
inline const std::filesystem::path& scratch_dir() {
    struct Scratch {
        std::filesystem::path path;
        Scratch()
            : path(std::filesystem::temp_directory_path() /
                   ("knntune-fuzz-" + std::to_string(::getpid()))) {
            std::filesystem::create_directories(path);
        }
        ~Scratch() {
            std::error_code ec;
            std::filesystem::remove_all(path, ec);
        }
        Scratch(const Scratch&) = delete;
        Scratch& operator=(const Scratch&) = delete;
    };
    static const Scratch dir;
    return dir.path;
}

/// Writes `size` bytes to `name` in the scratch folder, replacing it, and returns its path.
/// NOTE: a plain stream, not common/atomic_file.hpp: this is test input in a private folder,
/// rewritten for every execution, and the fewer system calls the more executions per second.
inline std::string write_input(std::string_view name, const std::uint8_t* data, std::size_t size) {
    const std::string path = (scratch_dir() / name).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path;
}

/// Runs `read` on one input. A `knntune::UserError` is a normal outcome: the input was refused
/// with a message. Anything else escapes: libFuzzer reports the uncaught exception (through
/// std::terminate, an abort) as a crash, as it does sanitizer reports, timeouts and memory
/// over the limits (std::bad_alloc included: see docs/testing.md on -malloc_limit_mb).
template <class Read>
int run_reader(Read&& read) {
    try {
        read();
    } catch (const UserError&) {
    }
    return 0;
}

/// The fuzz targets, one per reader; each takes libFuzzer's input and returns 0.
int interactions_csv(const std::uint8_t* data, std::size_t size);
int log_reader(const std::uint8_t* data, std::size_t size);
int config(const std::uint8_t* data, std::size_t size);
int model(const std::uint8_t* data, std::size_t size);
int prepared(const std::uint8_t* data, std::size_t size);
int trial_log(const std::uint8_t* data, std::size_t size);
int trial_journal(const std::uint8_t* data, std::size_t size);

}  // namespace knntune::fuzz
