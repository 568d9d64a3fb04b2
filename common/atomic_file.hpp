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
    /// Flush the new file's data to the disk (one `fdatasync`) before the rename, and sync its
    /// folder after it: at once, or once per folder when the enclosing `FolderSyncBatch`
    /// ends. Then a power cut leaves the old file or the complete new one under the name, as a
    /// kill does; without it only a kill is covered. Docs: docs/run-folder.md, "Durability".
    bool durable = true;
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

/// Waits on the disk made by this process so far, in all threads: the figure a test or a
/// benchmark compares before and after a write.
struct SyncCounts {
    std::uint64_t files = 0;    ///< fdatasync/fsync of a file
    std::uint64_t folders = 0;  ///< fsync of a folder
};

/// The counts so far (atomic counters, safe to read while other threads write).
[[nodiscard]] SyncCounts sync_counts();

/// While one is alive, a durable write syncs its file only and records its folder; `sync`
/// then syncs each recorded folder once. So a command writing F files into one folder waits
/// F + 1 times, not 2F. Batches nest: writes defer while any is alive, and any `sync` syncs
/// every folder recorded so far. Thread-safe.
class FolderSyncBatch {
  public:
    FolderSyncBatch();
    /// Syncs the folders still recorded, ignoring errors: the path of a command that failed.
    ~FolderSyncBatch();
    FolderSyncBatch(const FolderSyncBatch&) = delete;
    FolderSyncBatch& operator=(const FolderSyncBatch&) = delete;

    /// fsyncs each folder recorded since the last `sync` once; throws IoError naming the first
    /// one that cannot be synced (the others are still synced).
    void sync();
};

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
