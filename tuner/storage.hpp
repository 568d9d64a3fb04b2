#pragma once
/// Storages keep the study record and its trials. `InMemoryStorage` lives and dies with the
/// process; `Hdf5Storage` (hdf5_storage.hpp) is the durable trial log. Both pass the same
/// contract test (tests/tuner/test_storage.cpp).

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "tuner/sampler.hpp"
#include "tuner/search_space.hpp"
#include "tuner/trial.hpp"

namespace knntune::tuner {

/// Study-level attributes recorded with the trials.
struct StudyInfo {
    std::string name = "study";
    Direction direction = Direction::Minimize;
    std::uint64_t seed = 0;
    std::string search_space;      ///< canonical JSON text of the space
    std::string sampler;           ///< sampler registry name
    std::string sampler_settings;  ///< JSON text of the resolved sampler settings
    std::string config;            ///< resolved configuration text of the run (free form)
    std::string data_fingerprint;  ///< fingerprint of the prepared data (free form)
    std::string software_version;  ///< knntune version that wrote the log
};

/// How `Storage::open` treats an existing record.
struct OpenMode {
    bool resume = false;  ///< load an existing record instead of refusing it
    bool force = false;   ///< resume even when the space, seed or direction changed
};

/// Interface of trial storages.
class Storage {
  public:
    virtual ~Storage() = default;
    /// Starts a record for `info`, or with `mode.resume` loads the existing one (a missing one
    /// is created). Resuming is refused when the stored search space, seed or direction differ
    /// from `info`, unless `mode.force`. Returns the stored trials by number.
    virtual std::vector<FrozenTrial> open(const StudyInfo& info, const SearchSpace& space,
                                          OpenMode mode) = 0;
    /// Inserts or replaces trials by number. The change is durable when this returns.
    virtual void write(std::span<const FrozenTrial> trials) = 0;
    /// All trials, by number.
    virtual std::vector<FrozenTrial> trials() const = 0;
    /// Human-readable location ("memory", a file path).
    virtual std::string describe() const = 0;
};

/// Throws `StorageError` when a stored study cannot be resumed as `info` (space, seed,
/// direction differ) and `force` is off. `where` names the log in the message.
void check_resumable(const StudyInfo& stored, const StudyInfo& info, bool force,
                     const std::string& where);

/// A storage that keeps everything in memory.
class InMemoryStorage final : public Storage {
  public:
    std::vector<FrozenTrial> open(const StudyInfo& info, const SearchSpace& space,
                                  OpenMode mode) override;
    void write(std::span<const FrozenTrial> trials) override;
    std::vector<FrozenTrial> trials() const override;
    std::string describe() const override { return "memory"; }

  private:
    bool opened_ = false;
    StudyInfo info_;
    std::map<std::int64_t, FrozenTrial> trials_;
};

}  // namespace knntune::tuner
