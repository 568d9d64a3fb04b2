#include <catch2/catch.hpp>

#include "engine/data/timestamp.hpp"

using namespace knntune::engine;

TEST_CASE("timestamps: every accepted format", "[engine][data]") {
    // 2011-12-09 12:50:00 UTC = 1323435000 (date -u -d '2011-12-09 12:50:00' +%s)
    CHECK(parse_timestamp("2011-12-09 12:50:00") == 1323435000);
    CHECK(parse_timestamp("2011-12-09 12:50") == 1323435000);
    CHECK(parse_timestamp("2011-12-09T12:50:00") == 1323435000);
    CHECK(parse_timestamp("2011-12-09T12:50:00Z") == 1323435000);
    CHECK(parse_timestamp("2011-12-09T12:50:00.250Z") == 1323435000);
    CHECK(parse_timestamp("2011-12-09T13:50:00+01:00") == 1323435000);
    CHECK(parse_timestamp("2011-12-09T07:50:00-0500") == 1323435000);
    CHECK(parse_timestamp("2011-12-09") == 1323388800);
    CHECK(parse_timestamp("1323435000") == 1323435000);
    CHECK(parse_timestamp("881250949") == 881250949);  // a MovieLens-100K timestamp
    CHECK(parse_timestamp(" 2000-02-29 ") == 951782400);
}

TEST_CASE("timestamps: malformed text is rejected", "[engine][data]") {
    for (const char* bad :
         {"", "yesterday", "2011-13-01", "2011-02-30", "2011-12-09 25:00", "2011-12-09 12",
          "2011/12/09", "12:50", "2011-12-09X12:50", "2011-12-09T12:50:00+5"}) {
        INFO(bad);
        CHECK_FALSE(parse_timestamp(bad).has_value());
    }
}

TEST_CASE("calendar: month arithmetic clamps the day and round-trips dates", "[engine][data]") {
    const Timestamp mar31 = *parse_timestamp("2011-03-31 10:00:00");
    CHECK(format_timestamp(add_months(mar31, -1)) == "2011-02-28 10:00:00");
    CHECK(format_timestamp(add_months(mar31, 11)) == "2012-02-29 10:00:00");
    CHECK(format_timestamp(add_months(*parse_timestamp("2011-12-10"), -3)) == "2011-09-10");
    CHECK(format_timestamp(add_months(*parse_timestamp("2011-01-15"), -13)) == "2009-12-15");
    for (Timestamp day = -400; day < 40000; day += 37) {
        const CivilDate d = civil_from_timestamp(day * 86400);
        CHECK(days_from_civil(d.year, d.month, d.day) == day);
    }
}

TEST_CASE("durations parse with units", "[engine][data]") {
    CHECK(parse_duration("3 months")->months == 3);
    CHECK(parse_duration("1 month")->months == 1);
    CHECK(parse_duration("90 days")->seconds == 90 * 86400);
    CHECK(parse_duration("2 weeks")->seconds == 14 * 86400);
    CHECK(parse_duration("12 hours")->seconds == 12 * 3600);
    CHECK_FALSE(parse_duration("three months").has_value());
    CHECK_FALSE(parse_duration("0 days").has_value());
    CHECK_FALSE(parse_duration("3 fortnights").has_value());
}

TEST_CASE("timestamps: the accepted range is years 0000 to 9999", "[engine][data]") {
    // The ends: 0000-01-01 is 719528 days before the epoch (days_from_civil), 10000-01-01 is
    // 2932897 days after it.
    CHECK(kMinTimestamp == -719528LL * 86400);
    CHECK(kMaxTimestamp == 2932897LL * 86400 - 1);
    CHECK(parse_timestamp("0000-01-01") == kMinTimestamp);
    CHECK(parse_timestamp("9999-12-31 23:59:59") == kMaxTimestamp);
    CHECK(parse_timestamp("-62167219200") == kMinTimestamp);
    CHECK(parse_timestamp("253402300799") == kMaxTimestamp);
    CHECK(parse_timestamp("-1") == -1);
    CHECK(format_timestamp(kMinTimestamp) == "0000-01-01");
    CHECK(format_timestamp(kMaxTimestamp) == "9999-12-31 23:59:59");
    for (const char* far : {"9223372036854775807", "-9223372036854775808", "99999999999999999999",
                            "-99999999999999999999", "253402300800", "-62167219201",
                            "0000-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01", "1e400"}) {
        INFO(far);
        const ParsedTimestamp t = parse_timestamp_checked(far);
        CHECK((std::string_view(far) == "1e400" ? t.status == TimestampStatus::Malformed
                                                : t.status == TimestampStatus::OutOfRange));
        CHECK_FALSE(parse_timestamp(far).has_value());
    }
    CHECK(parse_timestamp_checked("2011-12-09").status == TimestampStatus::Ok);
    CHECK(timestamp_range_text() ==
          "0000-01-01 to 9999-12-31 23:59:59, unix seconds -62167219200 to 253402300799");
    // Calendar arithmetic at the ends, with the longest durations a config may give.
    CHECK(format_timestamp(add_months(kMaxTimestamp, -100000)) == "1666-08-31 23:59:59");
    CHECK(format_timestamp(subtract(kMinTimestamp, Duration{0, 100000LL * 7 * 86400})) ==
          "-1917-06-19");
}
