#pragma once
/// Storages keep the study record and its trials. `InMemoryStorage` lives and dies with the
/// process; `Hdf5Storage` (hdf5_storage.hpp) is the durable trial log. Both pass the same
/// contract test (tests/tuner/test_storage.cpp).

#include <cstdint>
#include <limits>
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

/// One arm of a race (a choice of the raced categorical), as the trial log records it.
struct RaceArm {
    std::string label;
    bool racing = true;
    /// Number of the last finished trial when the arm was stopped; -1 while racing.
    std::int64_t stopped_at = -1;
    std::int64_t n_trials = 0;  ///< the arm's trials at its last test
    /// Strikes: significant tests in a row, up to the last, that found the arm's best
    /// unchanged since its previous test (tuner/race.hpp).
    std::int64_t strikes = 0;
    /// Holm-adjusted p-value of the last test against the leader (NaN: never tested, or it
    /// was the leader).
    double p_value = std::numeric_limits<double>::quiet_NaN();
    double p_raw = std::numeric_limits<double>::quiet_NaN();         ///< the same, unadjusted
    std::string leader;                                              ///< the leader at that test
    double value = std::numeric_limits<double>::quiet_NaN();         ///< arm's best then
    double leader_value = std::numeric_limits<double>::quiet_NaN();  ///< leader's best then
};

/// The state of a race over the choices of one categorical (tuner/race.hpp). Empty (no
/// arms) for studies that are not races.
struct RaceRecord {
    std::string key;   ///< the raced categorical, e.g. "algorithm"
    std::string test;  ///< the test, in words
    double alpha = 0.05;
    std::int64_t min_trials = 0;       ///< trials per arm before the first test
    std::int64_t check_every = 0;      ///< trials per arm between tests
    std::int64_t confirm = 2;          ///< consecutive significant tests that stop an arm
    std::string allocation = "equal";  ///< trials per round: "equal" or "dimension"
    std::int64_t next_check = 0;       ///< per-arm trial count at which the next test runs
    std::int64_t n_tests = 0;          ///< tests run so far
    /// With pruning: the first trial number of the round being evaluated; a pruned trial is
    /// compared with its arm's best among the trials numbered below it. -1: none recorded.
    std::int64_t round_start = -1;
    std::vector<RaceArm> arms;  ///< in choice order
    [[nodiscard]] bool empty() const { return arms.empty(); }
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
    /// Inserts or replaces trials by number. When this returns, the change survives the end
    /// of the process, a kill -9 included (power cuts: see the storage, and docs/run-folder.md
    /// "Durability").
    virtual void write(std::span<const FrozenTrial> trials) = 0;
    /// All trials, by number.
    virtual std::vector<FrozenTrial> trials() const = 0;
    /// Replaces the race record; as durable as `write` when this returns.
    virtual void write_race(const RaceRecord& race) = 0;
    /// The race record (loaded by `open`; empty when the study is not a race).
    virtual RaceRecord race() const = 0;
    /// Human-readable location ("memory", a file path).
    virtual std::string describe() const = 0;
    /// Brings the storage's own file up to date at the end of a study (Hdf5Storage: folds
    /// its journal into the log). Nothing to do by default.
    virtual void flush() {}
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
    void write_race(const RaceRecord& race) override { race_ = race; }
    RaceRecord race() const override { return race_; }
    std::string describe() const override { return "memory"; }

  private:
    bool opened_ = false;
    StudyInfo info_;
    RaceRecord race_;
    std::map<std::int64_t, FrozenTrial> trials_;
};

}  // namespace knntune::tuner
