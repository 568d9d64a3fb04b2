#pragma once
/// From a raw log to the four period matrices: dedup, split, filters, cold-start removal,
/// global id maps.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/csr.hpp"
#include "engine/data/log_reader.hpp"
#include "engine/data/timestamp.hpp"

namespace knntune::engine {

/// The four periods, in the order they appear in every table and file.
enum class Period { TrainVal = 0, Valid = 1, Train = 2, Test = 3 };
inline constexpr std::array<Period, 4> kPeriods = {Period::TrainVal, Period::Valid, Period::Train,
                                                   Period::Test};
/// "train_val", "valid", "train", "test".
[[nodiscard]] const char* period_name(Period p);

/// A half-open time window [start, end).
struct Window {
    Timestamp start = 0;
    Timestamp end = 0;
};

enum class SplitMethod {
    Chronological,  ///< date windows; needs timestamps
    RandomHoldout,  ///< seeded per-user holdout; for logs without timestamps
};

/// How the log is cut into periods.
///
/// Chronological layout (all windows half-open, start inclusive, end exclusive):
///   test      = [end − test_window, end)
///   valid     = [test.start − valid_window, test.start)
///   train     = valid's window (the same dates; filtered on its own, every user/item kept)
///   train_val = [valid.start − train_val_window, valid.start)
/// Any period's window may be given explicitly instead.
///
/// Random holdout: each user's interactions are shuffled (seeded); round(test_fraction·n)
/// go to test, and the rest form train; of train, round(valid_fraction·|train|) go to valid
/// and the rest form train_val. So train = train_val ∪ valid.
struct SplitSpec {
    SplitMethod method = SplitMethod::Chronological;
    std::optional<Timestamp>
        end;  ///< exclusive end of test; default: midnight after the last event
    Duration train_val_window{3, 0};
    Duration valid_window{3, 0};
    Duration test_window{3, 0};
    std::array<std::optional<Window>, 4> explicit_windows;  ///< per Period, overrides the layout
    double valid_fraction = 0.1;                            ///< random holdout, in [0, 1)
    double test_fraction = 0.1;                             ///< random holdout, in [0, 1)
    std::uint64_t seed = 42;                                ///< random holdout
    std::string origin;  ///< where the split was configured, quoted in errors
};

/// Minimum-interaction filters, applied within each training period (train_val, train).
struct FilterSpec {
    std::int64_t min_user_interactions = 1;
    std::int64_t min_item_interactions = 1;
    bool k_core = false;  ///< repeat both filters until nothing changes
    bool remove_cold_start =
        true;            ///< drop valid/test users and items unseen in their training period
    std::string origin;  ///< where the filters were configured, quoted in errors
};

/// What a matrix value holds.
enum class Feedback {
    Binary,  ///< 1 for every kept (user, item) pair
    Count,   ///< number of the pair's events inside the window of its first event
    Value,   ///< sum of the value column over those events
};

struct PrepareSpec {
    SplitSpec split;
    FilterSpec filter;
    Feedback feedback = Feedback::Binary;
};

/// Statistics of one period, as printed in the table.
struct PeriodStats {
    std::optional<Window> window;  ///< none for a random holdout
    std::int64_t rows = 0;         ///< interactions (stored entries)
    std::int64_t users = 0;        ///< users with at least one interaction
    std::int64_t items = 0;        ///< items with at least one interaction
    [[nodiscard]] double density() const;
};

/// The prepared data: four users × items CSR matrices over one global id space.
///
/// Row u is the same user in every matrix, column i the same item. Global ids are assigned
/// to every user and item that appears in at least one period after filtering, in
/// lexicographic (byte) order of their keys.
struct PreparedData {
    std::vector<std::string> user_keys;
    std::vector<std::string> item_keys;
    std::vector<std::string> item_names;       ///< per item; empty when unknown
    std::vector<std::string> item_attributes;  ///< per item, or empty when none configured
    std::array<CsrMatrix, 4> matrices;         ///< indexed by Period
    std::array<PeriodStats, 4> stats;          ///< indexed by Period
    std::int64_t rows_read = 0;
    std::int64_t rows_filtered = 0;
    std::int64_t unique_pairs = 0;  ///< (user, item) pairs after dedup

    [[nodiscard]] const CsrMatrix& matrix(Period p) const { return matrices[static_cast<int>(p)]; }
    /// 16 hex digits identifying the ids and all four matrices.
    [[nodiscard]] std::string fingerprint() const;
    /// Bytes held by the matrices and id maps.
    [[nodiscard]] std::size_t memory_bytes() const;
};

/// Rows, users and items of one matrix (the window is left unset).
[[nodiscard]] PeriodStats compute_period_stats(const CsrMatrix& m);

/// Runs dedup, split, filters, cold-start removal and id mapping. Consumes the log's rows.
/// Throws DataError when a window selects no rows or a period is empty after filtering.
[[nodiscard]] PreparedData prepare(RawLog&& log, const PrepareSpec& spec);

/// The statistics table, one line per period, aligned for a terminal.
[[nodiscard]] std::string format_stats_table(const PreparedData& data);

}  // namespace knntune::engine
