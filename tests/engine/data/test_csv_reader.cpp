#include <zlib.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "engine/data/csv_reader.hpp"
#include "engine/error.hpp"
#include "support/temp_dir.hpp"

using namespace knntune::engine;
using knntune::test::TempDir;

namespace {

std::vector<std::vector<std::string>> read_all(const std::string& path, char delim,
                                               std::vector<long>* lines = nullptr) {
    CsvReader reader(path, delim);
    std::vector<std::string_view> fields;
    std::vector<std::vector<std::string>> out;
    while (reader.next(fields)) {
        out.emplace_back(fields.begin(), fields.end());
        if (lines != nullptr) lines->push_back(reader.line());
    }
    return out;
}

void write_gz(const std::string& path, const std::string& text) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
    gzclose(f);
}

}  // namespace

TEST_CASE("csv: quoted fields with delimiters, doubled quotes and newlines", "[engine][data]") {
    TempDir dir;
    const auto path = dir.write("q.csv",
                                "a,b,c\r\n"
                                "1,\"x, y\",3\r\n"
                                "\"say \"\"hi\"\"\",,\"\"\n"
                                "\n"
                                "4,\"two\nlines\",6\n"
                                "7,8,9");  // no final newline
    std::vector<long> lines;
    const auto rows = read_all(path, ',', &lines);
    REQUIRE(rows.size() == 5);
    CHECK(rows[1] == std::vector<std::string>{"1", "x, y", "3"});
    CHECK(rows[2] == std::vector<std::string>{"say \"hi\"", "", ""});
    CHECK(rows[3] == std::vector<std::string>{"4", "two\nlines", "6"});
    CHECK(rows[4] == std::vector<std::string>{"7", "8", "9"});
    // Physical line numbers: the blank line and the embedded newline both count.
    CHECK(lines == std::vector<long>{1, 2, 3, 5, 7});
}

TEST_CASE("csv: gzip input is read transparently, also across block boundaries", "[engine][data]") {
    TempDir dir;
    std::string text = "user\titem\n";
    for (int i = 0; i < 300000; ++i) {
        text += "u" + std::to_string(i % 977) + "\t\"i" + std::to_string(i) + "\"\n";
    }
    write_gz((dir.path() / "big.tsv.gz").string(), text);
    const auto rows = read_all((dir.path() / "big.tsv.gz").string(), '\t');
    REQUIRE(rows.size() == 300001);
    CHECK(rows[123457] == std::vector<std::string>{"u" + std::to_string(123456 % 977), "i123456"});
    CHECK(rows.back()[1] == "i299999");
    CHECK(delimiter_for("auto", "x/big.tsv.gz") == '\t');
    CHECK(delimiter_for("auto", "u.data") == '\t');
    CHECK(delimiter_for("auto", "log.csv.gz") == ',');
}

TEST_CASE("csv: malformed rows name the file and line", "[engine][data]") {
    TempDir dir;
    const auto fields = dir.write("fields.csv", "a,b,c\n1,2,3\n4,5\n");
    CHECK_THROWS_WITH(read_all(fields, ','),
                      fields + ":3: malformed row: expected 3 fields, found 2");
    const auto after = dir.write("after.csv", "a,b\n\"x\"y,2\n");
    CHECK_THROWS_WITH(
        read_all(after, ','),
        after + ":2: malformed row: unexpected character after closing quote in field 1");
    const auto open = dir.write("open.csv", "a,b\n1,2\n3,\"never closed\n4,5\n");
    CHECK_THROWS_WITH(
        read_all(open, ','),
        open + ":3: malformed row: quoted field is not closed before the end of the file");
    CHECK_THROWS_AS(CsvReader((dir.path() / "missing.csv").string(), ','), InputError);
}

TEST_CASE("csv: optional trailing columns when a minimum is set", "[engine][data]") {
    TempDir dir;
    const auto path = dir.write("short.csv", "user,item,value\nu1,i1,2\nu2,i2\nu3\n");
    CsvReader reader(path, ',');
    reader.set_min_fields(2);
    std::vector<std::string_view> fields;
    REQUIRE(reader.next(fields));
    REQUIRE(reader.next(fields));
    REQUIRE(reader.next(fields));
    CHECK(fields.size() == 2);  // value omitted: accepted
    CHECK_THROWS_WITH(reader.next(fields), path + ":4: malformed row: expected 3 fields, found 1");
}
