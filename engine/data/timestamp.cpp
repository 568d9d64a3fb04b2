#include "engine/data/timestamp.hpp"

#include <charconv>
#include <cstdio>

namespace knntune::engine {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Reads exactly `n` digits at text[pos]; advances pos.
bool read_digits(std::string_view text, size_t& pos, size_t n, int& out) {
    if (pos + n > text.size()) return false;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
        const char c = text[pos + i];
        if (!is_digit(c)) return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    pos += n;
    return true;
}

unsigned days_in_month(std::int64_t year, unsigned month) {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kDays[month - 1];
}

ParsedTimestamp in_range(Timestamp t) {
    if (t < kMinTimestamp || t > kMaxTimestamp) return {TimestampStatus::OutOfRange, 0};
    return {TimestampStatus::Ok, t};
}

ParsedTimestamp parse_unix(std::string_view text) {
    size_t pos = 0;
    if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) ++pos;
    const size_t digits_start = pos;
    while (pos < text.size() && is_digit(text[pos])) ++pos;
    if (pos == digits_start) return {};
    const size_t int_end = pos;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        while (pos < text.size() && is_digit(text[pos])) ++pos;
    }
    if (pos != text.size()) return {};
    std::int64_t v = 0;
    const char* first = text.data() + (text[0] == '+' ? 1 : 0);
    auto [ptr, ec] = std::from_chars(first, text.data() + int_end, v);
    // The text is all digits here, so the only failure is a number beyond 64 bits.
    if (ec == std::errc::result_out_of_range) return {TimestampStatus::OutOfRange, 0};
    if (ec != std::errc() || ptr != text.data() + int_end) return {};
    return in_range(v);
}

/// The zone offset of `±HH:MM` / `±HHMM` at text[pos] (or `Z`), in seconds east of UTC;
/// false when it is malformed.
bool parse_zone(std::string_view text, size_t pos, std::int64_t& offset) {
    if (text[pos] == 'Z' && pos + 1 == text.size()) return true;
    if (text[pos] != '+' && text[pos] != '-') return false;
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0;
    int om = 0;
    if (!read_digits(text, pos, 2, oh)) return false;
    if (pos < text.size() && text[pos] == ':') ++pos;
    if (!read_digits(text, pos, 2, om)) return false;
    if (pos != text.size() || oh > 23 || om > 59) return false;
    offset = sign * (oh * 3600 + om * 60);
    return true;
}

}  // namespace

std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
    // Era-based conversion (Howard Hinnant's civil calendar algorithm, public domain maths).
    year -= month <= 2 ? 1 : 0;
    const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
    const auto yoe = static_cast<unsigned>(year - era * 400);
    const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_timestamp(Timestamp t) {
    std::int64_t z = t >= 0 ? t / kSecondsPerDay : (t - kSecondsPerDay + 1) / kSecondsPerDay;
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned day = doy - (153 * mp + 2) / 5 + 1;
    const unsigned month = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t year = static_cast<std::int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
    return {year, month, day};
}

std::string timestamp_range_text() {
    return format_timestamp(kMinTimestamp) + " to " + format_timestamp(kMaxTimestamp) +
           ", unix seconds " + std::to_string(kMinTimestamp) + " to " +
           std::to_string(kMaxTimestamp);
}

ParsedTimestamp parse_timestamp_checked(std::string_view text) {
    // Trim surrounding blanks.
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    if (text.empty()) return {};
    if (text.size() < 10 || text[4] != '-') return parse_unix(text);

    size_t pos = 0;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_digits(text, pos, 4, year) || text[pos++] != '-' ||
        !read_digits(text, pos, 2, month) || pos >= text.size() || text[pos++] != '-' ||
        !read_digits(text, pos, 2, day)) {
        return {};
    }
    if (month < 1 || month > 12 || day < 1 ||
        static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month))) {
        return {};
    }
    std::int64_t offset = 0;
    if (pos < text.size()) {
        if (text[pos] != ' ' && text[pos] != 'T') return {};
        ++pos;
        if (!read_digits(text, pos, 2, hour) || pos >= text.size() || text[pos++] != ':' ||
            !read_digits(text, pos, 2, minute)) {
            return {};
        }
        if (pos < text.size() && text[pos] == ':') {
            ++pos;
            if (!read_digits(text, pos, 2, second)) return {};
            if (pos < text.size() && text[pos] == '.') {
                ++pos;
                const size_t frac_start = pos;
                while (pos < text.size() && is_digit(text[pos])) ++pos;
                if (pos == frac_start) return {};
            }
        }
        if (hour > 23 || minute > 59 || second > 60) return {};
        if (pos < text.size() && !parse_zone(text, pos, offset)) return {};
    }
    const std::int64_t days =
        days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    // A zone offset can move 0000-01-01 or 9999-12-31 across the range's ends.
    return in_range(days * kSecondsPerDay + hour * 3600 + minute * 60 + second - offset);
}

std::optional<Timestamp> parse_timestamp(std::string_view text) {
    const ParsedTimestamp t = parse_timestamp_checked(text);
    if (t.status != TimestampStatus::Ok) return std::nullopt;
    return t.value;
}

Timestamp add_months(Timestamp t, int months) {
    const CivilDate d = civil_from_timestamp(t);
    const std::int64_t day_start = days_from_civil(d.year, d.month, d.day) * kSecondsPerDay;
    const std::int64_t time_of_day = t - day_start;
    std::int64_t m0 = d.year * 12 + (d.month - 1) + months;
    const std::int64_t year = m0 >= 0 ? m0 / 12 : (m0 - 11) / 12;
    const auto month = static_cast<unsigned>(m0 - year * 12 + 1);
    const unsigned day = std::min(d.day, days_in_month(year, month));
    return days_from_civil(year, month, day) * kSecondsPerDay + time_of_day;
}

std::string format_timestamp(Timestamp t) {
    const CivilDate d = civil_from_timestamp(t);
    const std::int64_t tod = t - days_from_civil(d.year, d.month, d.day) * kSecondsPerDay;
    char buf[48];
    if (tod == 0) {
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(d.year), d.month,
                      d.day);
    } else {
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld",
                      static_cast<long long>(d.year), d.month, d.day,
                      static_cast<long long>(tod / 3600), static_cast<long long>(tod / 60 % 60),
                      static_cast<long long>(tod % 60));
    }
    return buf;
}

std::optional<Duration> parse_duration(std::string_view text) {
    size_t pos = 0;
    while (pos < text.size() && text[pos] == ' ') ++pos;
    const size_t num_start = pos;
    while (pos < text.size() && is_digit(text[pos])) ++pos;
    if (pos == num_start) return std::nullopt;
    std::int64_t n = 0;
    std::from_chars(text.data() + num_start, text.data() + pos, n);
    if (n <= 0 || n > 100000) return std::nullopt;
    while (pos < text.size() && text[pos] == ' ') ++pos;
    std::string_view unit = text.substr(pos);
    while (!unit.empty() && unit.back() == ' ') unit.remove_suffix(1);
    if (unit.ends_with('s')) unit.remove_suffix(1);
    Duration d;
    if (unit == "month") {
        d.months = static_cast<int>(n);
    } else if (unit == "week") {
        d.seconds = n * 7 * kSecondsPerDay;
    } else if (unit == "day") {
        d.seconds = n * kSecondsPerDay;
    } else if (unit == "hour") {
        d.seconds = n * 3600;
    } else if (unit == "minute") {
        d.seconds = n * 60;
    } else if (unit == "second") {
        d.seconds = n;
    } else {
        return std::nullopt;
    }
    return d;
}

Timestamp subtract(Timestamp t, const Duration& d) { return add_months(t, -d.months) - d.seconds; }

}  // namespace knntune::engine
