#pragma once
/// Trial logs as an Optuna journal: the line-per-operation JSON file that Optuna 3.1 reads
/// with `JournalStorage(JournalFileStorage(FILE))` (docs/optuna.md gives the mapping).
///
/// Each log becomes one study, named after the log's study. The journal holds, per study, one
/// CREATE_STUDY operation (op code 0) with the study's direction, one SET_STUDY_USER_ATTR
/// (op code 2) per study attribute (sampler, seed, search space, race record, ...), then one
/// CREATE_TRIAL (op code 4) per trial in trial-number order, each carrying the whole trial:
/// state, value, times, the active parameters with their distributions, and the extra metrics
/// as user attributes. Optuna numbers a study's trials in the order they are created, so the
/// Optuna number equals the knntune number.

#include <span>
#include <string>
#include <string_view>

#include "tuner/hdf5_storage.hpp"

namespace knntune::tuner {

/// Optuna's `distribution_to_json` text of `d`: FloatDistribution, IntDistribution or
/// CategoricalDistribution with their attributes (a float's step null when continuous).
[[nodiscard]] std::string optuna_distribution_json(const Distribution& d);

/// A time in seconds since the Unix epoch as Optuna stores a datetime: ISO 8601 local time
/// without a zone, to the microsecond ("2026-12-02T05:01:00.123456").
[[nodiscard]] std::string optuna_datetime(double epoch_seconds);

/// The journal of `logs`, one study each, in order: one JSON object per line, each line ended
/// by '\n'. Doubles are written in their shortest round-tripping form, so Optuna reads the
/// values of the log bit for bit. Throws `StorageError` when two logs have one study name or
/// a log's trial numbers are not 0, 1, 2, ... in order.
[[nodiscard]] std::string optuna_journal(std::span<const TrialLog> logs);

}  // namespace knntune::tuner
