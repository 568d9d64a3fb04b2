#include "common/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace knntune {

namespace fs = std::filesystem;

namespace {

std::atomic<std::uint64_t> g_file_syncs{0};
std::atomic<std::uint64_t> g_folder_syncs{0};

/// The folders whose renames wait for the end of a `FolderSyncBatch`.
struct PendingFolders {
    std::mutex mutex;
    int batches = 0;  ///< alive FolderSyncBatch objects
    std::set<std::string> folders;
};

PendingFolders& pending() {
    static PendingFolders p;
    return p;
}

/// fdatasync of `path` (the data and the size, not the times: all a reader needs), or fsync
/// of a folder; throws IoError naming it.
void sync_one(const fs::path& path, bool is_directory, bool data_only) {
    const int fd =
        ::open(path.c_str(), (is_directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) throw IoError(path.string() + ": cannot open to sync: " + std::strerror(errno));
    const int rc = data_only ? ::fdatasync(fd) : ::fsync(fd);
    const int saved = errno;
    ::close(fd);
    (is_directory ? g_folder_syncs : g_file_syncs).fetch_add(1, std::memory_order_relaxed);
    if (rc != 0) throw IoError(path.string() + ": cannot sync: " + std::strerror(saved));
}

/// Syncs `folder` now, or records it for the batch alive.
void sync_folder_or_defer(const fs::path& folder) {
    {
        PendingFolders& p = pending();
        const std::lock_guard lock(p.mutex);
        if (p.batches > 0) {
            fs::path normal = fs::absolute(folder).lexically_normal();
            if (!normal.has_filename()) normal = normal.parent_path();  // "dir/" is "dir"
            p.folders.insert(normal.string());
            return;
        }
    }
    sync_one(folder, true, false);
}

/// True when no process with this id exists (a signal 0 says so without sending anything).
bool process_gone(long pid) { return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH; }

/// The PID of a temporary's name `NAME.tmp.PID` (NAME not empty, PID all digits), or 0.
long temporary_pid(const std::string& name) {
    constexpr std::string_view kTag = ".tmp.";
    const auto at = name.rfind(kTag);
    if (at == std::string::npos || at == 0) return 0;
    const char* first = name.data() + at + kTag.size();
    const char* last = name.data() + name.size();
    long pid = 0;
    const auto [ptr, err] = std::from_chars(first, last, pid);
    if (err != std::errc() || ptr != last || pid > std::numeric_limits<pid_t>::max()) return 0;
    return pid;
}

/// True when `name` is a file knntune writes into a run folder (docs/run-folder.md) or its
/// figures folder, or `target`, the file being written. Only their temporaries are swept, so
/// that a user's own `X.tmp.123` beside an exported file is never touched.
bool own_file_name(std::string_view name, std::string_view target) {
    const auto starts = [name](std::string_view p) { return name.substr(0, p.size()) == p; };
    const auto ends = [name](std::string_view x) {
        return name.size() >= x.size() && name.substr(name.size() - x.size()) == x;
    };
    if (name == target) return true;
    if (name == "config.resolved.yaml" || name == "prepared.h5" || name == "trials.h5") return true;
    if (name == "trials.h5.journal" || name == "report.md" || name == "report.html") return true;
    return (starts("trials-") && (ends(".h5") || ends(".h5.journal"))) ||
           (starts("model-") && ends(".h5")) || (starts("test-") && ends(".json")) ||
           (starts("figure-") && ends(".svg"));
}

/// Removes the temporaries `NAME.tmp.PID` in the folder of `path` whose process is gone: a
/// kill, a crash or a signal such as SIGXFSZ during an earlier write of `path` or of another
/// file knntune writes there (`own_file_name`). Those of a live process (this one included)
/// are its writes in progress and are kept. Errors are ignored: a leftover that cannot be
/// removed does no harm.
void remove_stale_temporaries(const fs::path& path) {
    const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const long pid = temporary_pid(name);
        if (pid <= 0 || pid == ::getpid()) continue;
        if (!own_file_name(name.substr(0, name.rfind(".tmp.")), path.filename().string())) {
            continue;
        }
        std::error_code type_ec;
        if (!it->is_regular_file(type_ec)) continue;
        if (process_gone(pid)) {
            std::error_code ignored;
            fs::remove(it->path(), ignored);
        }
    }
}

}  // namespace

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(path.string() + ": cannot open");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw IoError(path.string() + ": read failed");
    return text;
}

void sync_path(const fs::path& path, bool is_directory) { sync_one(path, is_directory, false); }

SyncCounts sync_counts() {
    return {g_file_syncs.load(std::memory_order_relaxed),
            g_folder_syncs.load(std::memory_order_relaxed)};
}

FolderSyncBatch::FolderSyncBatch() {
    PendingFolders& p = pending();
    const std::lock_guard lock(p.mutex);
    ++p.batches;
}

FolderSyncBatch::~FolderSyncBatch() {
    try {
        sync();
    } catch (...) {
        // NOTE: the path of a failed command, whose own error is the one reported; a
        // destructor must not throw.
    }
    PendingFolders& p = pending();
    const std::lock_guard lock(p.mutex);
    --p.batches;
}

void FolderSyncBatch::sync() {
    std::set<std::string> folders;
    {
        PendingFolders& p = pending();
        const std::lock_guard lock(p.mutex);
        folders.swap(p.folders);
    }
    std::string first_error;
    for (const std::string& folder : folders) {
        try {
            sync_one(folder, true, false);
        } catch (const IoError& e) {
            if (first_error.empty()) first_error = e.what();
        }
    }
    if (!first_error.empty()) throw IoError(first_error);
}

void replace_file(const fs::path& path, const std::function<void(const fs::path& tmp)>& fill,
                  AtomicWriteOptions options) {
    std::error_code ec;
    if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
    if (ec) throw IoError(path.string() + ": cannot create folder: " + ec.message());
    remove_stale_temporaries(path);
    const fs::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
    try {
        fill(tmp);
        // NOTE: fdatasync, not fsync: the data and the size are what the renamed file needs;
        // the times are not worth a second journal write.
        if (options.durable) sync_one(tmp, false, true);
        fs::rename(tmp, path, ec);
        if (ec) throw IoError(path.string() + ": cannot rename temporary file: " + ec.message());
    } catch (...) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        throw;
    }
    if (options.durable) {
        sync_folder_or_defer(path.has_parent_path() ? path.parent_path() : fs::path("."));
    }
}

namespace {

/// Writes `text` to the new file `tmp` with POSIX calls, so that a failure says why (errno):
/// "No space left on device", "File too large", "Read-only file system", ...
void write_new_file(const fs::path& tmp, const fs::path& path, std::string_view text) {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) throw IoError(path.string() + ": cannot write: " + std::strerror(errno));
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int saved = n < 0 ? errno : EIO;
            ::close(fd);
            throw IoError(path.string() + ": write failed: " + std::strerror(saved));
        }
        done += static_cast<std::size_t>(n);
    }
    // NOTE: a network or quota file system may report a failed write only at close.
    if (::close(fd) != 0) throw IoError(path.string() + ": write failed: " + std::strerror(errno));
}

}  // namespace

void write_file_atomic(const fs::path& path, std::string_view text, AtomicWriteOptions options) {
    replace_file(
        path, [&](const fs::path& tmp) { write_new_file(tmp, path, text); }, options);
}

AppendFile::AppendFile(fs::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd_ < 0) throw IoError(path_.string() + ": cannot open to append: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        const int saved = errno;
        ::close(fd_);
        throw IoError(path_.string() + ": cannot read its size: " + std::strerror(saved));
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
}

AppendFile::~AppendFile() {
    if (fd_ >= 0) ::close(fd_);
}

void AppendFile::append(std::span<const unsigned char> bytes) {
    if (fd_ < 0) {
        throw IoError(path_.string() + ": an earlier append failed and could not be cut off");
    }
    // NOTE: one write() per record; the loop only continues a write cut short by a signal.
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int saved = n < 0 ? errno : EIO;
            // The record is cut off again so that the next one follows a whole record.
            if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
                ::close(fd_);
                fd_ = -1;
            }
            throw IoError(path_.string() + ": append failed: " + std::strerror(saved));
        }
        done += static_cast<std::size_t>(n);
    }
    size_ += bytes.size();
}

void AppendFile::sync() {
    const int rc = fd_ < 0 ? -1 : ::fdatasync(fd_);
    const int saved = fd_ < 0 ? EBADF : errno;
    if (fd_ >= 0) g_file_syncs.fetch_add(1, std::memory_order_relaxed);
    if (rc != 0) throw IoError(path_.string() + ": cannot sync: " + std::strerror(saved));
}

}  // namespace knntune
