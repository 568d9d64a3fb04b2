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

TEST_CASE("UTF-8 checks follow Unicode's table of well-formed sequences", "[common][text]") {
    using knntune::invalid_utf8_at;
    constexpr auto npos = std::string_view::npos;
    CHECK(invalid_utf8_at("plain ascii") == npos);
    CHECK(invalid_utf8_at("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == npos);  // é € 😀
    CHECK(invalid_utf8_at("caf\xE9") == 3);                                       // Latin-1 é
    CHECK(invalid_utf8_at("\xC0\xAF") == 0);                                      // overlong '/'
    CHECK(invalid_utf8_at("ab\xE0\x80\xAF") == 2);     // overlong, 3 bytes
    CHECK(invalid_utf8_at("\xED\xA0\x80") == 0);       // a surrogate
    CHECK(invalid_utf8_at("x\xF4\x90\x80\x80") == 1);  // above U+10FFFF
    CHECK(invalid_utf8_at("\xE2\x82") == 0);           // cut short
    CHECK(invalid_utf8_at("\x80") == 0);               // a lone continuation byte
    // Maximal subparts: the cut 3-byte sequence is one U+FFFD, each lone byte another
    // (the example of Unicode 15 §3.9, "U+FFFD Substitution of Maximal Subparts").
    CHECK(knntune::replace_invalid_utf8("a\xE2\x82z\x80\x80") ==
          "a\xEF\xBF\xBDz\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(knntune::replace_invalid_utf8("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64") ==
          "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
          "b\xEF\xBF\xBD"
          "c\xEF\xBF\xBD\xEF\xBF\xBD"
          "d");
    CHECK(knntune::replace_invalid_utf8("caf\xC3\xA9") == "caf\xC3\xA9");
}

TEST_CASE("printable escapes what would break a one-line message", "[common][text]") {
    using knntune::printable;
    CHECK(printable("plain, caf\xC3\xA9") == "plain, caf\xC3\xA9");
    CHECK(printable("two\nlines\r\tand\x1b[31mred") == "two\\nlines\\r\\tand\\x1B[31mred");
    CHECK(printable(std::string_view("i\0AAA", 5)) == "i\\x00AAA");
    CHECK(printable("del\x7F c1\xC2\x85 ls\xE2\x80\xA8") == "del\\x7F c1\\u0085 ls\\u2028");
    CHECK(printable("caf\xE9 \xE2\x82") == "caf\\xE9 \\xE2\\x82");
    // Long values are cut at a character boundary, with the whole length given.
    CHECK(printable(std::string(100, 'x'), 10) == "xxxxxxxxxx... (100 bytes)");
    CHECK(printable("123456789\xC3\xA9tail", 10) == "123456789\xC3\xA9... (15 bytes)");
    CHECK(printable("short", 10) == "short");
}
