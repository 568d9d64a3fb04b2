// Reading plain and gzip input: a damaged gzip file is an error naming the file, never a
// shorter log. The gzip files are made here with zlib's deflate, flushed at known places so
// that a cut can be put exactly at a line boundary or inside a line.

#include <zlib.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "engine/data/csv_reader.hpp"
#include "engine/data/input_stream.hpp"
#include "engine/error.hpp"
#include "support/temp_dir.hpp"

using namespace knntune::engine;
using knntune::test::TempDir;

namespace {

/// A gzip member of `text`, and the compressed size after each of `flush_at` (offsets into
/// `text`, ascending): a full flush there makes the compressed prefix inflate to exactly
/// text[0, offset).
struct Gzip {
    std::string bytes;
    std::vector<std::size_t> cuts;
};

Gzip gzip_of(const std::string& text, const std::vector<std::size_t>& flush_at = {}) {
    z_stream zs{};
    REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    Gzip out;
    std::string buf(text.size() + 1024, '\0');
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    std::size_t from = 0;
    auto feed = [&](std::size_t to, int flush) {
        zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data() + from));
        zs.avail_in = static_cast<uInt>(to - from);
        const int rc = deflate(&zs, flush);
        REQUIRE((rc == Z_OK || rc == Z_STREAM_END));
        REQUIRE(zs.avail_in == 0);
        from = to;
    };
    for (const std::size_t at : flush_at) {
        feed(at, Z_FULL_FLUSH);
        out.cuts.push_back(buf.size() - zs.avail_out);
    }
    feed(text.size(), Z_FINISH);
    out.bytes = buf.substr(0, buf.size() - zs.avail_out);
    deflateEnd(&zs);
    return out;
}

/// Lines "uN,iM,2020-01-DD" with enough rows that the compressed data spans many blocks.
std::string log_text(int rows) {
    std::string s = "user,item,time\n";
    for (int r = 0; r < rows; ++r) {
        s += "u" + std::to_string(r % 97) + ",i" + std::to_string((r * 7919) % 1013) + ",2020-01-" +
             std::to_string(10 + r % 19) + "\n";
    }
    return s;
}

std::size_t count_rows(const std::string& path) {
    CsvReader reader(path, ',');
    std::vector<std::string_view> fields;
    std::size_t n = 0;
    while (reader.next(fields)) ++n;
    return n;
}

std::string read_all(const std::string& path, std::size_t chunk) {
    InputStream in(path);
    std::string out;
    std::string buf(chunk, '\0');
    for (std::size_t got = 1; got > 0;) {
        got = in.read(buf.data(), buf.size());
        out.append(buf.data(), got);
    }
    return out;
}

}  // namespace

TEST_CASE("input stream: plain and gzip files, in any read size", "[engine][data]") {
    TempDir dir;
    const std::string text = log_text(20000);
    const std::string plain = dir.write("log.csv", text);
    const std::string gz = dir.write("log.csv.gz", gzip_of(text).bytes);
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{1} << 20}) {
        INFO(chunk);
        CHECK(read_all(plain, chunk) == text);
        CHECK(read_all(gz, chunk) == text);
    }
    CHECK_FALSE(InputStream(plain).gzip());
    CHECK(InputStream(gz).gzip());
    CHECK(read_all(dir.write("empty.csv", ""), 16).empty());
    CHECK_THROWS_WITH(
        InputStream((dir.path() / "none.gz").string()),
        (dir.path() / "none.gz").string() + ": cannot open: No such file or directory");
}

TEST_CASE("input stream: concatenated gzip members are read whole", "[engine][data]") {
    TempDir dir;
    const std::string first = log_text(3000);
    const std::string second = "u1,i2,2020-01-03\nu4,i5,2020-01-06\n";
    const std::string path = dir.write("two.csv.gz", gzip_of(first).bytes + gzip_of(second).bytes);
    CHECK(read_all(path, 4096) == first + second);
    CHECK(count_rows(path) == 3000 + 1 + 2);
}

TEST_CASE("input stream: a cut or damaged gzip file is an error naming it", "[engine][data]") {
    TempDir dir;
    const std::string text = log_text(20000);
    const std::size_t line_end = text.find('\n', text.size() / 2) + 1;
    const std::size_t mid_line = line_end + 5;
    const Gzip gz = gzip_of(text, {line_end, mid_line});
    const std::string path = (dir.path() / "log.csv.gz").string();
    const std::string truncated = path + ": truncated gzip stream (the file ends inside member 1";
    const std::string corrupt = path + ": corrupt gzip data (";
    auto rows_of = [&](const std::string& bytes) {
        dir.write("log.csv.gz", bytes);
        return count_rows(path);
    };
    REQUIRE(rows_of(gz.bytes) == 20001);

    SECTION("cut at a line boundary") {
        // The prefix inflates to whole lines: only the missing trailer tells the cut.
        CHECK_THROWS_WITH(rows_of(gz.bytes.substr(0, gz.cuts[0])), Catch::StartsWith(truncated));
    }
    SECTION("cut inside a line") {
        CHECK_THROWS_WITH(rows_of(gz.bytes.substr(0, gz.cuts[1])), Catch::StartsWith(truncated));
    }
    SECTION("cut inside the 8-byte trailer, or just before it") {
        for (const std::size_t missing : {1, 4, 7, 8}) {
            INFO(missing);
            CHECK_THROWS_WITH(rows_of(gz.bytes.substr(0, gz.bytes.size() - missing)),
                              Catch::StartsWith(truncated));
        }
    }
    SECTION("a flipped byte in the compressed data") {
        std::string bad = gz.bytes;
        bad[bad.size() / 2] = static_cast<char>(bad[bad.size() / 2] ^ 0x10);
        CHECK_THROWS_WITH(rows_of(bad), Catch::StartsWith(corrupt));
    }
    SECTION("a flipped byte in the CRC-32 or the length of the trailer") {
        std::string bad_crc = gz.bytes;
        bad_crc[bad_crc.size() - 8] = static_cast<char>(bad_crc[bad_crc.size() - 8] ^ 0x01);
        CHECK_THROWS_WITH(rows_of(bad_crc), corrupt + "CRC mismatch)");
        std::string bad_size = gz.bytes;
        bad_size[bad_size.size() - 1] = static_cast<char>(bad_size[bad_size.size() - 1] ^ 0x01);
        CHECK_THROWS_WITH(rows_of(bad_size),
                          corrupt + "length mismatch: ISIZE differs from the data)");
    }
    SECTION("bytes after the last member") {
        CHECK_THROWS_WITH(rows_of(gz.bytes + "garbage"),
                          corrupt + "unexpected bytes after the end of member 1)");
    }
    SECTION("a second member cut short") {
        const std::string two = gz.bytes + gzip_of(text).bytes;
        CHECK_THROWS_WITH(rows_of(two.substr(0, two.size() - 3)),
                          Catch::StartsWith(path + ": truncated gzip stream (the file ends "
                                                   "inside member 2"));
    }
}
