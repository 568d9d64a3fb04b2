#pragma once
/// The HDF5 trial log: one file per study, layout documented in docs/trial-log.md.
///
/// Each event (trials asked, a trial told, a race record) is appended to the journal
/// `PATH.journal` as one checksummed record in one write() call (tuner/trial_journal.hpp), so
/// its cost does not grow with the study. The journal is folded into `PATH` (compaction) when
/// it holds at least max(64, trials / 2) records, when the study opens and when it ends: the
/// complete log and its checksum block are written to `PATH.tmp.PID`, flushed to disk (one
/// fdatasync; the folder is synced once per command, docs/run-folder.md "Durability") and
/// renamed over `PATH`, then the journal is replaced by an empty one. The amortised cost
/// per event is constant. `read_trial_log` reads `PATH` and merges the journal's newer records,
/// so every reader sees every event that was written, also after a kill -9 at any moment.
///
/// NOTE: HDF5's SWMR mode was not chosen: it needs the 1.10 file format with its superblock
/// status flags, a writer killed mid-study leaves the file marked "open for writing" (it must be
/// cleared with h5clear before it can be reopened), and it does not allow new datasets (a new
/// metric column) while in SWMR mode.
///
/// A second writer is refused: the log holds an exclusive `flock` on `PATH.lock` for its
/// lifetime; the kernel drops it when the process dies, so a crash never leaves a stale lock.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/atomic_file.hpp"
#include "tuner/storage.hpp"

namespace knntune::tuner {

/// Everything a trial log file holds.
struct TrialLog {
    StudyInfo info;
    SearchSpace space;
    std::vector<FrozenTrial> trials;        ///< by number
    std::vector<std::string> metric_names;  ///< sorted
    RaceRecord race;                        ///< empty unless the study is a race
    std::string log_id;          ///< identity shared with its journal; empty in older logs
    std::uint64_t sequence = 0;  ///< number of the last event it holds (its journal's included)
};

/// Identity and last event of a log file, recorded with it so that its journal can be matched.
struct LogMark {
    std::string log_id;
    std::uint64_t sequence = 0;
};

/// The journal beside the trial log `path`: `PATH.journal`.
[[nodiscard]] std::string journal_path(const std::string& path);

/// Reads a trial log (read-only, no lock) and merges the newer records of its journal when
/// there is one. Throws `StorageError` naming the file (the journal's record offset for a
/// damaged record; a journal of another log or newer than a replaced log is refused).
TrialLog read_trial_log(const std::string& path);

/// Writes a complete trial log to `path` directly, then its checksum block (not atomic; used
/// through `Hdf5Storage`). Throws `StorageError` naming the file.
void write_trial_log(const std::string& path, const StudyInfo& info, const SearchSpace& space,
                     std::span<const FrozenTrial> trials, const RaceRecord& race = {},
                     const LogMark& mark = {});

/// Options of the HDF5 storage.
struct Hdf5Options {
    bool fsync = true;  ///< fdatasync each compaction and the journal (survive a power cut)
    /// Seconds between two fdatasync of the journal, at the first event after them.
    double sync_interval_seconds = 1.0;
    /// Compaction when the journal holds max(this, trials / divisor) records (two per trial:
    /// asked and told), so the log grows by a quarter at each with the defaults.
    std::size_t compact_min_records = 64;
    std::size_t compact_divisor = 2;
};

/// Durable storage in one HDF5 file.
class Hdf5Storage final : public Storage {
  public:
    explicit Hdf5Storage(std::string path, Hdf5Options options = {});
    ~Hdf5Storage() override;
    Hdf5Storage(const Hdf5Storage&) = delete;
    Hdf5Storage& operator=(const Hdf5Storage&) = delete;

    std::vector<FrozenTrial> open(const StudyInfo& info, const SearchSpace& space,
                                  OpenMode mode) override;
    void write(std::span<const FrozenTrial> trials) override;
    std::vector<FrozenTrial> trials() const override;
    void write_race(const RaceRecord& race) override;
    RaceRecord race() const override { return race_; }
    std::string describe() const override { return path_; }
    /// Folds the journal into the log file, so that `PATH` alone is current.
    void flush() override;
    const std::string& path() const { return path_; }
    /// Compactions so far (the one of `open` included).
    [[nodiscard]] std::size_t compactions() const { return compactions_; }

  private:
    void append(const std::vector<unsigned char>& record);
    void compact();
    std::string path_;
    Hdf5Options options_;
    int lock_fd_ = -1;
    bool opened_ = false;
    StudyInfo info_;
    SearchSpace space_;
    std::map<std::int64_t, FrozenTrial> trials_;
    RaceRecord race_;
    LogMark mark_;             ///< the log's identity and its last event
    std::size_t pending_ = 0;  ///< journal records since the last compaction
    std::size_t compactions_ = 0;
    std::unique_ptr<AppendFile> journal_;
    std::chrono::steady_clock::time_point last_sync_;
};

}  // namespace knntune::tuner
