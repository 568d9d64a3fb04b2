// The interaction CSV of `similarity` and `recommend`: its header and what bytes an id may hold.

#include <zlib.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "engine/error.hpp"
#include "engine/interactions_csv.hpp"
#include "support/temp_dir.hpp"

using namespace knntune::engine;
using knntune::test::TempDir;
using namespace std::string_literals;

TEST_CASE("interactions csv: ids keep every byte; NUL and non-UTF-8 are refused",
          "[engine][text]") {
    TempDir dir;
    const auto ok = dir.write("ok.csv", "user,item,value\nu\xC3\xA9,\"a,b\",2\nu2,c,\n");
    const Interactions read = read_interactions_csv(ok);
    CHECK(read.user_ids == std::vector<std::string>{"u2", "u\xC3\xA9"});
    CHECK(read.item_ids == std::vector<std::string>{"a,b", "c"});
    const auto nul = dir.write("nul.csv", "user,item\nu1,i\0AAA\nu1,i\0BBB\n"s);
    CHECK_THROWS_WITH(read_interactions_csv(nul),
                      nul +
                          ":2: item id in column 'item' (field 2) holds a NUL byte at byte 2: "
                          "'i\\x00AAA'");
    const auto latin1 = dir.write("latin1.csv", "user,item\nu1,a\nu\xE9,a\n");
    CHECK_THROWS_WITH(read_interactions_csv(latin1),
                      Catch::StartsWith(latin1 + ":3: user id in column 'user' (field 1) is not "
                                                 "valid UTF-8 (byte 2): 'u\\xE9'; ids are stored "
                                                 "as UTF-8"));
}

TEST_CASE("interactions csv: a byte order mark is skipped, also in a gzip file", "[engine][text]") {
    TempDir dir;
    const std::string text = "\xEF\xBB\xBFuser,item\nu1,a\n";
    const auto plain = dir.write("bom.csv", text);
    CHECK(read_interactions_csv(plain).item_ids == std::vector<std::string>{"a"});
    const auto gz = (dir.path() / "bom.csv.gz").string();
    gzFile f = gzopen(gz.c_str(), "wb");
    gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
    gzclose(f);
    CHECK(read_interactions_csv(gz).user_ids == std::vector<std::string>{"u1"});
    const auto utf16 = dir.write("utf16.csv", "\xFF\xFEu\0s\0e\0r\0"s);
    CHECK_THROWS_WITH(read_interactions_csv(utf16),
                      utf16 +
                          ":1: the file is UTF-16 (it starts with a UTF-16 byte order mark); "
                          "knntune reads UTF-8: convert it first (e.g. iconv -f utf-16 -t "
                          "utf-8)");
}

TEST_CASE("interactions csv: messages escape what they echo", "[engine][text]") {
    TempDir dir;
    const auto quoted = dir.write("quoted.csv", "user,\"it\nem\"\nu1,a\n");
    CHECK_THROWS_WITH(read_interactions_csv(quoted),
                      quoted +
                          ":1: expected the header 'user,item' or 'user,item,value', got "
                          "'user,it\\nem'");
    const auto value = dir.write("value.csv", "user,item,value\nu1,a,\"1\r\n2\"\n");
    CHECK_THROWS_WITH(read_interactions_csv(value),
                      value + ":2: bad value '1\\r\\n2' in column 'value' (field 3)");
    const auto repeated = dir.write("repeated.csv", "user,item\n\"u\x1b\",a\n\"u\x1b\",a\n");
    CHECK_THROWS_WITH(read_interactions_csv(repeated),
                      repeated + ": repeated interaction of user 'u\\x1B' with item 'a'");
}
