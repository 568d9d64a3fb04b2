#pragma once
/// The HDF5 trial log: one file per study, layout documented in docs/trial-log.md.
///
/// Crash safety is copy-on-write: every change writes the complete log, then its checksum
/// block, to `PATH.tmp.PID`, flushes its data to disk (one fdatasync; the folder is synced once
/// at the end of the command, docs/run-folder.md "Durability") and renames it over `PATH`. A rename
/// is atomic, so whenever the process dies (kill -9 included) `PATH` is either the previous or the
/// new complete file, never a torn one, and readers (`knntune trials`, h5py) always see a
/// consistent snapshot. The cost is O(trials) per event, a few milliseconds at 1000 trials, small
/// next to a trial.
///
/// NOTE: HDF5's SWMR mode was not chosen: it needs the 1.10 file format with its superblock
/// status flags, a writer killed mid-study leaves the file marked "open for writing" (it must be
/// cleared with h5clear before it can be reopened), and it does not allow new datasets (a new
/// metric column) while in SWMR mode.
///
/// A second writer is refused: the log holds an exclusive `flock` on `PATH.lock` for its
/// lifetime; the kernel drops it when the process dies, so a crash never leaves a stale lock.

#include <memory>
#include <string>

#include "tuner/storage.hpp"

namespace knntune::tuner {

/// Everything a trial log file holds.
struct TrialLog {
    StudyInfo info;
    SearchSpace space;
    std::vector<FrozenTrial> trials;        ///< by number
    std::vector<std::string> metric_names;  ///< sorted
    RaceRecord race;                        ///< empty unless the study is a race
};

/// Reads a trial log (read-only, no lock). Throws `StorageError` naming the file.
TrialLog read_trial_log(const std::string& path);

/// Writes a complete trial log to `path` directly, then its checksum block (not atomic; used
/// through `Hdf5Storage`). Throws `StorageError` naming the file.
void write_trial_log(const std::string& path, const StudyInfo& info, const SearchSpace& space,
                     std::span<const FrozenTrial> trials, const RaceRecord& race = {});

/// Options of the HDF5 storage.
struct Hdf5Options {
    bool fsync = true;  ///< flush the data to the device before the rename (power cuts)
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
    const std::string& path() const { return path_; }

  private:
    void checkpoint();
    std::string path_;
    Hdf5Options options_;
    int lock_fd_ = -1;
    bool opened_ = false;
    StudyInfo info_;
    SearchSpace space_;
    std::map<std::int64_t, FrozenTrial> trials_;
    RaceRecord race_;
};

}  // namespace knntune::tuner
