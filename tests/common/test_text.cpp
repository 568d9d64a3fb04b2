// Text helpers.

#include <catch2/catch.hpp>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "common/text.hpp"

TEST_CASE("join, split and edit distance", "[common]") {
    CHECK(knntune::join(std::vector<std::string>{"a", "b", "c"}) == "a, b, c");
    CHECK(knntune::join(std::vector<std::string_view>{"x", "y"}, "|") == "x|y");
    CHECK(knntune::join(std::vector<std::string>{}) == "");
    CHECK(knntune::split("a.b..c", '.') == std::vector<std::string>{"a", "b", "", "c"});
    CHECK(knntune::split("", '.') == std::vector<std::string>{""});
    CHECK(knntune::edit_distance("kitten", "sitting") == 3);
    CHECK(knntune::edit_distance("", "abc") == 3);
    CHECK(knntune::edit_distance("same", "same") == 0);
}

TEST_CASE("nearest_name suggests only close names, the first on ties", "[common]") {
    const std::vector<std::string_view> names = {"window", "seed", "method", "need"};
    CHECK(knntune::nearest_name(names, "windw") == std::string_view("window"));
    CHECK(knntune::nearest_name(names, "sed") == std::string_view("seed"));
    CHECK_FALSE(knntune::nearest_name(names, "completely_else").has_value());
}

TEST_CASE("numbers as text", "[common]") {
    CHECK(knntune::significant(0.123456, 4) == "0.1235");
    CHECK(knntune::significant(1234567.0, 3) == "1.23e+06");
    CHECK(knntune::short_number(0.5) == "0.5");
    CHECK(knntune::short_number(1e9) == "1e+09");
    CHECK(knntune::short_number(-std::numeric_limits<double>::infinity()) == "-inf");
}
