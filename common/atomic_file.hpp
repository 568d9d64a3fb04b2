#pragma once
/// Files replaced atomically: a reader sees the old file, or the complete new one, never a
/// part. Every file knntune writes goes through here (run-folder files, prepared data, model
/// files, the trial log, the report), and the one file that grows by appends, the trial log's
/// journal (`AppendFile`). Also the plain whole-file read.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
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
/// knntune writes into a run folder (config.resolved.yaml, prepared.h5, trials-*.h5 and their
/// journals, model-*.h5, test-*.json, report.md/html, figure-*.svg); those of a live process never
/// are, nor anybody else's files. Throws IoError naming `path`.
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

/// An existing file opened for appending whole records (the trial log's journal). Each
/// `append` is one `write()` call at the end of the file, so a process killed during it leaves
/// a prefix of the record at the end, never bytes between two records; a failed or short
/// append is cut off again, so the file ends with a whole record whenever `append` returns or
/// throws. The data reach the page cache (they survive a killed process) but the device only
/// at `sync` (a power cut).
class AppendFile {
  public:
    /// Opens `path`, which must exist. Throws IoError naming it.
    explicit AppendFile(std::filesystem::path path);
    ~AppendFile();
    AppendFile(const AppendFile&) = delete;
    AppendFile& operator=(const AppendFile&) = delete;

    /// Appends `bytes`; throws IoError naming the file (a full disk, a file size limit).
    void append(std::span<const unsigned char> bytes);
    /// fdatasync: what was appended survives a power cut. Throws IoError naming the file.
    void sync();
    /// Bytes in the file after the last whole append.
    [[nodiscard]] std::uint64_t size() const { return size_; }

  private:
    std::filesystem::path path_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

}  // namespace knntune
