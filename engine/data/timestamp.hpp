#pragma once
/// Timestamp parsing and calendar arithmetic for interaction logs.
///
/// Timestamps are seconds since 1970-01-01 00:00:00, taken as UTC. Wall-clock strings without a
/// zone are read as they are (no local-time conversion); an explicit `Z` or `±HH:MM` offset in
/// ISO-8601 form is honoured.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace knntune::engine {

using Timestamp = std::int64_t;  ///< seconds since the unix epoch, UTC

/// The timestamps knntune accepts: 0000-01-01 00:00:00 to 9999-12-31 23:59:59 UTC, the years
/// the `YYYY-MM-DD` form can write. Calendar arithmetic on them (a split's windows, durations
/// of up to 100000 months or weeks) stays far inside 64 bits.
inline constexpr Timestamp kMinTimestamp = -62167219200;
inline constexpr Timestamp kMaxTimestamp = 253402300799;

/// "0000-01-01 to 9999-12-31 23:59:59, unix seconds -62167219200 to 253402300799", for messages.
[[nodiscard]] std::string timestamp_range_text();

/// Why a text is not an accepted timestamp.
enum class TimestampStatus {
    Ok,
    Malformed,   ///< none of the accepted forms
    OutOfRange,  ///< a well-formed date or number outside [kMinTimestamp, kMaxTimestamp]
};

struct ParsedTimestamp {
    TimestampStatus status = TimestampStatus::Malformed;
    Timestamp value = 0;  ///< set when status is Ok
};

/// Parses one of: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM`, `YYYY-MM-DD HH:MM:SS`, the same with `T`
/// instead of the space, optional fractional seconds (`.fff`, ignored) and an optional `Z` or
/// `±HH:MM` / `±HHMM` zone, or unix seconds (an optionally signed integer, optionally with a
/// fractional part that is truncated), and checks the range [kMinTimestamp, kMaxTimestamp].
[[nodiscard]] ParsedTimestamp parse_timestamp_checked(std::string_view text);

/// `parse_timestamp_checked`'s value; nothing when the text is malformed or out of range.
[[nodiscard]] std::optional<Timestamp> parse_timestamp(std::string_view text);

/// Days since the epoch of a proleptic Gregorian date (month 1..12, day 1..31).
[[nodiscard]] std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day);

/// Calendar date of a timestamp.
struct CivilDate {
    std::int64_t year;
    unsigned month;  ///< 1..12
    unsigned day;    ///< 1..31
};
[[nodiscard]] CivilDate civil_from_timestamp(Timestamp t);

/// Adds whole calendar months, clamping the day to the target month's length
/// (2011-03-31 minus 1 month is 2011-02-28); the time of day is kept.
[[nodiscard]] Timestamp add_months(Timestamp t, int months);

/// Formats as `YYYY-MM-DD` when the time of day is midnight, else `YYYY-MM-DD HH:MM:SS`.
[[nodiscard]] std::string format_timestamp(Timestamp t);

/// A length of time: whole calendar months plus seconds.
struct Duration {
    int months = 0;
    std::int64_t seconds = 0;
    [[nodiscard]] bool is_zero() const { return months == 0 && seconds == 0; }
};

/// Parses `N months`, `N weeks`, `N days`, `N hours`, `N minutes`, `N seconds` (singular accepted
/// too, N a positive integer). Returns nothing on any other text.
[[nodiscard]] std::optional<Duration> parse_duration(std::string_view text);

/// t − d (calendar months first, then seconds).
[[nodiscard]] Timestamp subtract(Timestamp t, const Duration& d);

}  // namespace knntune::engine
