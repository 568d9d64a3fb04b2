// The text rules of the log reader: what bytes an id, a name and a header may hold
// (docs/prepared-data.md, "Text in the input").

#include <zlib.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "engine/data/log_reader.hpp"
#include "engine/error.hpp"
#include "support/temp_dir.hpp"

using namespace knntune::engine;
using knntune::test::TempDir;
using namespace std::string_literals;

namespace {

LogSpec spec_of(const std::string& path) {
    LogSpec s;
    s.path = path;
    s.user = {"user", 0};
    s.item = {"item", 0};
    return s;
}

}  // namespace

TEST_CASE("log reader: a NUL byte in an id is refused, never cut", "[engine][data][text]") {
    TempDir dir;
    // Without the check HDF5 would store both items as "i" and merge them.
    const auto path = dir.write("nul.csv", "user,item\nu1,i\0AAA\nu2,i\0BBB\n"s);
    CHECK_THROWS_WITH(read_log(spec_of(path)),
                      path +
                          ":2: item id in column 'item' (field 2) holds a NUL byte at byte 2: "
                          "'i\\x00AAA'");
    const auto user = dir.write("user.csv", "item,user\na,u\0\n"s);
    CHECK_THROWS_WITH(read_log(spec_of(user)),
                      user +
                          ":2: user id in column 'user' (field 2) holds a NUL byte at byte 2: "
                          "'u\\x00'");
}

TEST_CASE("log reader: an id that is not UTF-8 is refused; a name is repaired",
          "[engine][data][text]") {
    TempDir dir;
    const auto latin1 = dir.write("latin1.csv", "user,item\nu1,caf\xE9\n");
    CHECK_THROWS_WITH(read_log(spec_of(latin1)),
                      latin1 +
                          ":2: item id in column 'item' (field 2) is not valid UTF-8 (byte "
                          "4): 'caf\\xE9'; ids are stored as UTF-8, so convert the file "
                          "first (e.g. iconv -f latin1 -t utf-8)");
    // By position (no header): the column is named by its number.
    const auto plain = dir.write("plain.tsv", "\xFFu\t1\n");
    LogSpec by_position = spec_of(plain);
    by_position.delimiter = '\t';
    by_position.header = false;
    by_position.user = {"", 1};
    by_position.item = {"", 2};
    CHECK_THROWS_WITH(read_log(by_position),
                      Catch::StartsWith(plain + ":1: user id in column 1 is not valid UTF-8 (byte "
                                                "1): '\\xFFu'"));
    // A display name is shown, not looked up: a Latin-1 byte becomes U+FFFD.
    const auto names = dir.write("names.csv", "user,item,name\nu1,a,Mis\xE9rables\nu2,b,ok\n");
    LogSpec with_names = spec_of(names);
    with_names.item_name = {"name", 0};
    const RawLog log = read_log(with_names);
    CHECK(log.item_names == std::vector<std::string>{"Mis\xEF\xBF\xBDrables", "ok"});
    // Well-formed UTF-8 passes unchanged.
    const auto utf8 = dir.write("utf8.csv", "user,item\nu1,caf\xC3\xA9\n");
    CHECK(read_log(spec_of(utf8)).item_keys == std::vector<std::string>{"caf\xC3\xA9"});
}

TEST_CASE("log reader: metadata keys and names follow the same rules", "[engine][data][text]") {
    TempDir dir;
    const auto log = dir.write("log.csv", "user,item\nu1,1\nu2,2\n");
    const auto meta = dir.write("meta.csv", "id,title,key\n1,Am\xE9lie,k1\n2,ok,k\xFF\n");
    LogSpec s = spec_of(log);
    s.item_metadata = ItemMetadataSpec{meta, ',', true, {"id", 0}, {}, {"title", 0}, {}};
    const RawLog read = read_log(s);
    CHECK(read.item_names == std::vector<std::string>{"Am\xEF\xBF\xBDlie", "ok"});
    s.item_metadata->key = {"key", 0};
    CHECK_THROWS_WITH(read_log(s), meta +
                                       ":3: item key in column 'key' (field 3) is not valid "
                                       "UTF-8 (byte 2): 'k\\xFF'; ids are stored as UTF-8, so "
                                       "convert the file first (e.g. iconv -f latin1 -t utf-8)");
}

TEST_CASE("log reader: a byte order mark is skipped, plain or gzip", "[engine][data][text]") {
    TempDir dir;
    const std::string text = "\xEF\xBB\xBFuser,item\nu1,a\n";
    const auto plain = dir.write("bom.csv", text);
    CHECK(read_log(spec_of(plain)).user_keys == std::vector<std::string>{"u1"});
    const auto gz = (dir.path() / "bom.csv.gz").string();
    gzFile f = gzopen(gz.c_str(), "wb");
    gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
    gzclose(f);
    CHECK(read_log(spec_of(gz)).user_keys == std::vector<std::string>{"u1"});
    // Without a header the mark would otherwise start the first user's id.
    const auto headless = dir.write("headless.csv", "\xEF\xBB\xBFu1,a\n");
    LogSpec by_position = spec_of(headless);
    by_position.header = false;
    by_position.user = {"", 1};
    by_position.item = {"", 2};
    CHECK(read_log(by_position).user_keys == std::vector<std::string>{"u1"});
}

TEST_CASE("log reader: a mapped column named twice in the header is refused",
          "[engine][data][text]") {
    TempDir dir;
    const auto path = dir.write("dup.csv", "user,item,time,item\nu1,a,1,b\n");
    CHECK_THROWS_WITH(read_log(spec_of(path)),
                      path +
                          ":1: item column 'item' appears twice in the header (fields 2 and "
                          "4); rename one, or give the column by its 1-based position");
    // A repeated name that no key maps is no ambiguity.
    const auto unmapped = dir.write("unmapped.csv", "user,item,x,x\nu1,a,1,2\n");
    CHECK(read_log(spec_of(unmapped)).item_keys == std::vector<std::string>{"a"});
}

TEST_CASE("log reader: messages escape the bytes they echo and cut long values",
          "[engine][data][text]") {
    TempDir dir;
    LogSpec s;
    s.user = {"user", 0};
    s.item = {"item", 0};
    s.timestamp = {"time", 0};
    s.path = dir.write("nl.csv", "user,item,time\nu1,a,\"2020-01-01\nrm -rf\x1b[2J\"\n");
    CHECK_THROWS_WITH(read_log(s), s.path +
                                       ":2: cannot parse timestamp '2020-01-01\\nrm -rf\\x1B[2J' "
                                       "in column 'time' (expected YYYY-MM-DD[ HH:MM[:SS]], "
                                       "ISO-8601 or unix seconds)");
    s.path = dir.write("long.csv", "user,item,time\nu1,a," + std::string(100001, 'a') + "\n");
    CHECK_THROWS_WITH(read_log(s), s.path + ":2: cannot parse timestamp '" + std::string(80, 'a') +
                                       "... (100001 bytes)' in column 'time' (expected "
                                       "YYYY-MM-DD[ HH:MM[:SS]], ISO-8601 or unix seconds)");
    s.timestamp = {};
    s.user = {"us\ner", 0};
    s.path = dir.write("header.csv", "us\xFFr,item\nu1,a\n");
    CHECK_THROWS_WITH(read_log(s), s.path +
                                       ":1: user column 'us\\ner' not found in header (columns: "
                                       "us\\xFFr, item)");
}
