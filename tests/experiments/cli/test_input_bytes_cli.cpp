/// Bytes in the input through the command line: a NUL or a non-UTF-8 byte in an id stops
/// `prepare` and `similarity` with one line naming the file, line and column; a byte order mark
/// is skipped; a message never prints an input's control bytes raw.

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "support/temp_dir.hpp"

using knntune::test::run_cli;
using knntune::test::TempDir;
using namespace std::string_literals;

namespace {

const char* kConfig =
    "schema_version: 1\n"
    "data:\n"
    "  path: log.csv\n"
    "  columns: {user: user, item: item, timestamp: time}\n"
    "split:\n"
    "  window: 1 month\n"
    "  remove_cold_start: false\n"
    "output:\n"
    "  dir: out\n";

const std::string kRows =
    "u1,a,2020-01-02\nu1,b,2020-01-03\nu2,a,2020-01-04\nu2,b,2020-01-05\n"
    "u1,c,2020-02-02\nu2,c,2020-02-03\nu1,d,2020-02-04\n"
    "u1,e,2020-03-02\nu2,d,2020-03-03\n";

/// Runs `knntune ARGS` in `dir`: status 2, one line holding `expected`, no run folder.
void expect_refused(const TempDir& dir, const std::string& args, const std::string& expected) {
    const auto r = run_cli(args, dir.path());
    INFO("stderr: " << r.err);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains(expected));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(std::none_of(r.err.begin(), r.err.end() - 1,
                       [](char c) { return static_cast<unsigned char>(c) < 0x20; }));
    CHECK_FALSE(std::filesystem::exists(dir.path() / "out"));
}

}  // namespace

TEST_CASE("input bytes CLI: prepare refuses NUL and non-UTF-8 ids, skips a byte order mark",
          "[experiments][cli][text]") {
    TempDir dir;
    dir.write("cfg.yaml", kConfig);
    dir.write("log.csv", "user,item,time\n" + kRows + "u3,i\0AAA,2020-03-04\n"s);
    expect_refused(dir, "prepare cfg.yaml",
                   "log.csv:11: item id in column 'item' (field 2) holds a NUL byte at byte 2: "
                   "'i\\x00AAA'");
    dir.write("log.csv", "user,item,time\n" + kRows + "u\xE9,a,2020-03-04\n");
    expect_refused(dir, "prepare cfg.yaml",
                   "log.csv:11: user id in column 'user' (field 1) is not valid UTF-8 (byte 2): "
                   "'u\\xE9'");
    dir.write("log.csv", "user,item,time,item\n" + kRows);
    expect_refused(dir, "prepare cfg.yaml",
                   "log.csv:1: item column 'item' appears twice in the header (fields 2 and 4)");
    // A timestamp holding a newline and a terminal escape is echoed escaped, on one line.
    dir.write("log.csv", "user,item,time\n" + kRows + "u3,a,\"2020\n\x1b[2J\"\n");
    expect_refused(dir, "prepare cfg.yaml",
                   "log.csv:11: cannot parse timestamp '2020\\n\\x1B[2J' in column 'time'");
    dir.write("log.csv", "\xEF\xBB\xBFuser,item,time\n" + kRows);
    const auto r = run_cli("prepare cfg.yaml --no-save", dir.path());
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("2 users, 5 items"));
}

TEST_CASE("input bytes CLI: similarity refuses a NUL in an id and escapes a bad value",
          "[experiments][cli][text]") {
    TempDir dir;
    const std::string args =
        "similarity --input in.csv --measure cosine --orientation item "
        "--param k=5 --output sim.csv";
    dir.write("in.csv", "user,item\nu1,i\0AAA\nu1,i\0BBB\n"s);
    const auto nul = run_cli(args, dir.path());
    CHECK(nul.status == 2);
    CHECK_THAT(nul.err, Catch::Contains("in.csv:2: item id in column 'item' (field 2) holds a NUL "
                                        "byte at byte 2: 'i\\x00AAA'"));
    dir.write("in.csv", "user,item,value\nu1,a,\"1\n2\"\n");
    const auto value = run_cli(args, dir.path());
    CHECK(value.status == 2);
    CHECK_THAT(value.err, Catch::Contains("in.csv:2: bad value '1\\n2' in column 'value'"));
    CHECK(std::count(value.err.begin(), value.err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(dir.path() / "sim.csv"));
}
