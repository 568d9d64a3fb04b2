/// End-to-end checks of `knntune prepare`: the statistics table and every bad-input case
/// (exit status 2, a one-line error naming the file and line or key, nothing written).

#include <zlib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>

#include "support/no_hang.hpp"
#include "support/temp_dir.hpp"

using knntune::test::run_cli;
using knntune::test::TempDir;

namespace {

const char* kLog =
    "user,item,time\n"
    "u1,a,2020-01-02\nu1,b,2020-01-03\nu2,a,2020-01-04\nu2,b,2020-01-05\n"
    "u1,c,2020-02-02\nu2,c,2020-02-03\nu1,d,2020-02-04\n"
    "u1,e,2020-03-02\nu2,d,2020-03-03\n";

std::string config(const std::string& extra_split = "", const std::string& log = "log.csv",
                   const std::string& user_col = "user") {
    return "schema_version: 1\n"
           "data:\n"
           "  path: " +
           log +
           "\n"
           "  columns: {user: " +
           user_col +
           ", item: item, timestamp: time}\n"
           "split:\n"
           "  window: 1 month\n"
           "  remove_cold_start: false\n" +
           extra_split +
           "output:\n"
           "  dir: out\n";
}

/// Runs prepare in `dir` and checks the failure contract.
void expect_failure(const TempDir& dir, const std::string& expected) {
    const auto r = run_cli("prepare cfg.yaml", dir.path());
    INFO("stderr: " << r.err);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains(expected));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one line
    CHECK_FALSE(std::filesystem::exists(dir.path() / "out"));  // nothing written
}

/// `text` as one gzip member (zlib's deflate with a gzip wrapper).
std::string gzip_of(const std::string& text) {
    z_stream zs{};
    REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(text.size() + 256, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    zs.avail_in = static_cast<uInt>(text.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    out.resize(out.size() - zs.avail_out);
    deflateEnd(&zs);
    return out;
}

}  // namespace

TEST_CASE("prepare CLI: prints the table and writes the run folder", "[experiments][cli]") {
    TempDir dir;
    dir.write("log.csv", kLog);
    dir.write("cfg.yaml", config());
    const auto r = run_cli("prepare cfg.yaml", dir.path());
    INFO(r.err);
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("train_val  2019-12-04          2020-01-04"));
    CHECK(std::filesystem::exists(dir.path() / "out" / "prepared.h5"));
    CHECK(std::filesystem::exists(dir.path() / "out" / "config.resolved.yaml"));
    const auto help = run_cli("prepare --help", dir.path());
    CHECK(help.status == 0);
    CHECK_THAT(help.out, Catch::Contains("--set"));
}

TEST_CASE("prepare CLI: bad input gives one line, status 2 and no output", "[experiments][cli]") {
    TempDir dir;
    dir.write("log.csv", kLog);
    SECTION("missing file") {
        dir.write("cfg.yaml", config("", "nope.csv"));
        expect_failure(dir, "cfg.yaml:3: key 'data.path': file 'nope.csv' does not exist");
    }
    SECTION("missing config file") {
        const auto r = run_cli("prepare missing.yaml", dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Catch::Contains("missing.yaml: cannot open config file"));
    }
    SECTION("missing column") {
        dir.write("cfg.yaml", config("", "log.csv", "customer"));
        expect_failure(
            dir,
            "log.csv:1: user column 'customer' not found in header (columns: user, item, time)");
    }
    SECTION("a bad row: wrong field count, broken quote, unparseable timestamp") {
        const std::pair<const char*, const char*> rows[] = {
            {"u3,a\n", "log.csv:11: malformed row: expected 3 fields, found 2"},
            {"u3,\"a,2020-03-04\n", "log.csv:11: malformed row: quoted field is not closed"},
            {"u3,a,03/04/2020\n",
             "log.csv:11: cannot parse timestamp '03/04/2020' in column 'time'"},
            // Unix seconds beyond the accepted years, down to the ends of 64 bits and past them.
            {"u3,a,9223372036854775807\n",
             "log.csv:11: timestamp '9223372036854775807' in column 'time' is out of range "
             "(0000-01-01 to 9999-12-31 23:59:59, unix seconds -62167219200 to 253402300799)"},
            {"u3,a,-9223372036854775808\n",
             "log.csv:11: timestamp '-9223372036854775808' in column 'time' is out of range"},
            {"u3,a,123456789012345678901234\n",
             "log.csv:11: timestamp '123456789012345678901234' in column 'time' is out of range"},
            {"u3,a,-62167219201\n",
             "log.csv:11: timestamp '-62167219201' in column 'time' is out of range"},
        };
        dir.write("cfg.yaml", config());
        for (const auto& [row, expected] : rows) {
            dir.write("log.csv", std::string(kLog) + row);
            expect_failure(dir, expected);
        }
    }
    SECTION("a window that selects no rows") {
        dir.write("cfg.yaml", config("  periods: {test: {start: 2021-01-01, end: 2021-02-01}}\n"));
        expect_failure(dir,
                       "split: period 'train_val' window [2020-11-01, 2020-12-01) selects no rows; "
                       "the log spans [2020-01-02, 2020-03-03] (split at cfg.yaml:5)");
    }
    SECTION("a period that is empty after filtering") {
        dir.write("cfg.yaml", config("  min_item_interactions: 3\n"));
        expect_failure(dir,
                       "period 'train_val' is empty after filtering (min_user_interactions=1, "
                       "min_item_interactions=3) (split at cfg.yaml:5)");
    }
    SECTION("unknown config key") {
        dir.write("cfg.yaml", config("  min_items: 3\n"));
        expect_failure(dir, "cfg.yaml:8: unknown key 'split.min_items'");
    }
    SECTION("wrong value type") {
        dir.write("cfg.yaml", config("  k_core: sometimes\n"));
        expect_failure(dir,
                       "cfg.yaml:8: key 'split.k_core': expected true or false, got 'sometimes'");
    }
    SECTION("wrong value type through --set") {
        dir.write("cfg.yaml", config());
        const auto r = run_cli("prepare cfg.yaml --set split.seed=abc", dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Catch::Contains(
                              "cfg.yaml: --set split.seed: key 'split.seed': expected an integer"));
    }
}

TEST_CASE("prepare CLI: damaged files, extreme values and empty options are refused",
          "[experiments][cli]") {
    TempDir dir;
    dir.write("log.csv", kLog);
    SECTION("a split end out of range") {
        dir.write("cfg.yaml", config("  end: 99999999999999\n"));
        expect_failure(dir,
                       "cfg.yaml:8: key 'split.end': '99999999999999' is out of range (0000-01-01 "
                       "to 9999-12-31 23:59:59, unix seconds -62167219200 to 253402300799)");
    }
    SECTION("a truncated gzip log") {
        std::string gz = gzip_of(kLog);
        dir.write("log.csv.gz", gz.substr(0, gz.size() - 5));  // cut in the 8-byte trailer
        dir.write("cfg.yaml", config("", "log.csv.gz"));
        expect_failure(dir, "log.csv.gz: truncated gzip stream (the file ends inside member 1");
        gz[gz.size() - 6] = static_cast<char>(gz[gz.size() - 6] ^ 0x20);  // in the CRC-32
        dir.write("log.csv.gz", gz);
        expect_failure(dir, "log.csv.gz: corrupt gzip data (CRC mismatch)");
    }
    SECTION("a value that a float cannot hold") {
        dir.write("cfg.yaml", config());
        for (const std::string v : {"inf", "-1e39", "nan"}) {
            dir.write("log.csv",
                      "user,item,time,v\nu1,a,2020-01-02,1\nu2,a,2020-01-03," + v + "\n");
            const auto r = run_cli("prepare cfg.yaml --set data.columns.value=v", dir.path());
            INFO(r.err);
            CHECK(r.status == 2);
            CHECK_THAT(r.err, Catch::Contains("log.csv:3: value '" + v +
                                              "' in column 'v' is out of range (a finite number "
                                              "of magnitude at most 3.4e38)"));
        }
    }
    SECTION("no rows left after the row filters") {
        dir.write("cfg.yaml", config());
        const auto r = run_cli(
            "prepare cfg.yaml --set 'data.filters=[{column: user, op: equals, value: zzz}]'",
            dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Catch::EndsWith("/log.csv: no rows left after the row filters: 9 read, "
                                          "9 filtered out\n"));
        CHECK_FALSE(std::filesystem::exists(dir.path() / "out"));
    }
    SECTION("an empty --out") {
        dir.write("cfg.yaml", config());
        const std::size_t files = dir.count_files();
        for (const char* command : {"prepare", "run", "tune", "evaluate"}) {
            const auto r = run_cli(std::string(command) + " cfg.yaml --out ''", dir.path());
            INFO(command << ": " << r.err);
            CHECK(r.status == 2);
            CHECK_THAT(r.err, Catch::Contains("error: --out: the run folder name is empty"));
        }
        CHECK(dir.count_files() == files);
    }
    SECTION("a key set to null on the command line") {
        dir.write("cfg.yaml", config());
        const auto r = run_cli("prepare cfg.yaml --set split.min_item_interactions=~", dir.path());
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Catch::Contains("cfg.yaml: --set split.min_item_interactions: key "
                                          "'split.min_item_interactions' has no value"));
    }
    SECTION("nested YAML aliases fail at once") {
        std::string laughs = "tuner:\n  settings:\n    a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        for (char c = 'b'; c <= 'j'; ++c) {
            const char p = static_cast<char>(c - 1);
            laughs += std::string("    ") + c + ": &" + c + " [";
            for (int i = 0; i < 10; ++i) laughs += std::string(i == 0 ? "*" : ", *") + p;
            laughs += "]\n";
        }
        dir.write("cfg.yaml", config() + laughs);
        const auto t0 = std::chrono::steady_clock::now();
        expect_failure(dir, "the config expands to more than 100000 YAML nodes");
        CHECK(std::chrono::steady_clock::now() - t0 < knntune::test::kNoHangBound);
    }
}

TEST_CASE("prepare CLI: statistics of the bundled Online Retail quickstart", "[experiments][cli]") {
    // Expected numbers were computed once by a different route: a short Python script using
    // the csv module (not knntune's parser) that drops rows with an empty CustomerID,
    // Quantity <= 0 or an InvoiceNo starting with C; keeps the earliest (InvoiceDate, row)
    // per (CustomerID, StockCode) — 266,802 pairs, as the dataset README states; assigns pairs
    // to the windows by comparing 'YYYY-MM-DD HH:MM:SS' strings with [2011-03-10, 2011-06-10),
    // [2011-06-10, 2011-09-10) and [2011-09-10, 2011-12-10); applies one pass of >= 5
    // interactions per user and item inside train_val and inside train; then drops valid pairs
    // whose user or item is absent from filtered train_val, and test pairs likewise w.r.t.
    // train. It printed: train_val 53566 1776 1845, valid 19964 990 1662, train 46415 1645
    // 1921, test 33816 1137 1838; 2527 users and 2282 items overall.
    TempDir dir;
    const auto r = knntune::test::run_cli_ok(
        "prepare " + knntune::test::quickstart_args() + " --no-save", dir.path());
    CHECK_THAT(r.out,
               Catch::Contains(
                   "541909 rows, 143985 dropped by filters, 266802 unique (user, item) pairs"));
    CHECK_THAT(r.out, Catch::Contains("2527 users, 2282 items"));
    CHECK_THAT(r.out, Catch::Contains("train_val  2011-03-10          2011-06-10               "
                                      "53566     1776     1845   1.6347%"));
    CHECK_THAT(r.out, Catch::Contains("valid      2011-06-10          2011-09-10               "
                                      "19964      990     1662   1.2133%"));
    CHECK_THAT(r.out, Catch::Contains("train      2011-06-10          2011-09-10               "
                                      "46415     1645     1921   1.4688%"));
    CHECK_THAT(r.out, Catch::Contains("test       2011-09-10          2011-12-10               "
                                      "33816     1137     1838   1.6181%"));
    CHECK(dir.count_files() == 0);
}
