// The key-table type: validation messages, text forms, defaults read from the struct.

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

#include "common/key_table.hpp"

using namespace knntune;

namespace {

enum class Mode { Fast, Exact };

struct Settings {
    double ratio = 0.25;
    long count = 10;
    bool verbose = true;
    Mode mode = Mode::Exact;
};

constexpr Key<Settings> kKeys[] = {
    real_key<&Settings::ratio>("ratio", {0, 1, true, false}, "a share", SearchRange{0.1, 0.9}),
    int_key<&Settings::count>("count", {1, kInf}, "how many"),
    bool_key<&Settings::verbose>("verbose", "say more"),
    choice_key<&Settings::mode>("mode", "fast|exact", "how"),
};

Parsed parse(int key, const Value& v) {
    return parse_value<std::invalid_argument>(kKeys[key].info, v, "setting");
}

}  // namespace

TEST_CASE("keys: defaults come from the struct, text forms from the key", "[common]") {
    CHECK(default_text(kKeys[0]) == "0.25");
    CHECK(default_text(kKeys[1]) == "10");
    CHECK(default_text(kKeys[2]) == "true");
    CHECK(default_text(kKeys[3]) == "exact");
    CHECK(bounds_text(kKeys[0].info) == "(0, 1]");
    CHECK(bounds_text(kKeys[1].info) == "[1, inf)");
    CHECK(bounds_text(kKeys[2].info) == "true|false");
    CHECK(bounds_text(kKeys[3].info) == "fast|exact");
    CHECK(key_names(std::span<const Key<Settings>>(kKeys)) ==
          std::vector<std::string_view>{"ratio", "count", "verbose", "mode"});
    const std::string help = keys_help(std::span<const Key<Settings>>(kKeys));
    CHECK_THAT(help, Catch::Contains("  ratio=0.25"));
    CHECK_THAT(help, Catch::Contains("(0, 1]"));
    CHECK_THAT(help, Catch::Contains("a share"));
}

TEST_CASE("keys: values are parsed, checked and set", "[common]") {
    Settings s;
    kKeys[0].set(s, parse(0, Value(0.5)));
    kKeys[1].set(s, parse(1, Value(std::string("42"))));
    kKeys[2].set(s, parse(2, Value(std::string("false"))));
    kKeys[3].set(s, parse(3, Value(std::string("fast"))));
    CHECK(s.ratio == 0.5);
    CHECK(s.count == 42);
    CHECK_FALSE(s.verbose);
    CHECK(s.mode == Mode::Fast);
    CHECK(std::get<double>(kKeys[3].get(s)) == 0.0);
    CHECK(value_text(kKeys[3].info, kKeys[3].get(s)) == "fast");
}

TEST_CASE("keys: bad values give the message a user sees", "[common]") {
    CHECK_THROWS_WITH(parse(0, Value(0.0)), "setting = 0 is out of range (0, 1]");
    CHECK_THROWS_WITH(parse(0, Value(std::string("half"))),
                      "setting: expected a number, got 'half'");
    CHECK_THROWS_WITH(parse(0, Value(std::nan(""))), "setting: value is NaN");
    CHECK_THROWS_WITH(parse(1, Value(2.5)), "setting: expected an integer, got 2.5");
    CHECK_THROWS_WITH(parse(1, Value(0.0)), "setting = 0 is out of range [1, inf)");
    CHECK_THROWS_WITH(parse(2, Value(std::string("maybe"))),
                      "setting: expected true or false, got 'maybe'");
    CHECK_THROWS_WITH(parse(2, Value(2.0)), "setting: expected true or false");
    CHECK_THROWS_WITH(parse(3, Value(std::string("slow"))), "setting: expected one of fast, exact");
    Parsed ok;
    CHECK_FALSE(check_value(kKeys[0].info, Value(1.0), "setting", ok).has_value());
    CHECK(ok.number == 1.0);
}
