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
