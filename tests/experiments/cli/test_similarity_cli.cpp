// The command-line contract of `knntune similarity` / `knntune recommend` on the three
// reference inputs: every similarity case is run through the CLI with its params_json spelled
// as --param options, and the output is compared with the reference like the library result.

#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "tests/engine/similarity/support.hpp"

namespace kt = knntune::test;
namespace fs = std::filesystem;

namespace {

/// Standard error of the last `run`; one file per test process, as ctest runs tests in
/// parallel.
fs::path err_file() {
    return fs::temp_directory_path() / ("knntune_cli_err_" + std::to_string(::getpid()) + ".txt");
}

int run(const std::string& cmd) { return std::system((cmd + " 2>" + err_file().string()).c_str()); }

std::string read_all(const fs::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string set_value(const boost::json::value& v) {
    if (v.is_bool()) return v.as_bool() ? "true" : "false";
    if (v.is_string()) return std::string(v.as_string());
    return boost::json::serialize(v);
}

}  // namespace

TEST_CASE("knntune similarity reproduces every reference similarity case",
          "[engine][similarity][cli]") {
    const std::string ml =
        kt::shared_reference("similarity/cases.csv").empty() ? "" : kt::movielens_csv();
    if (ml.empty()) WARN("MovieLens 100K or its reference cases not found; its cases are skipped");
    std::map<std::string, std::set<std::string>> ties;
    {
        std::istringstream in(kt::read_text(kt::ties_file()));
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            const auto f = kt::csv_fields(line);
            ties[f[0]].insert(f[1]);
        }
    }
    std::istringstream in(kt::read_text(kt::fixture("similarity/cases.csv")));
    std::string line;
    std::getline(in, line);
    const fs::path out =
        fs::temp_directory_path() / ("knntune_cli_out_" + std::to_string(::getpid()) + ".csv");
    size_t ran = 0;
    size_t tied = 0;
    while (std::getline(in, line)) {
        const auto f = kt::csv_fields(line);
        const std::string& id = f[0];
        const std::string& orientation = f[2];
        const bool movielens = id.rfind("movielens", 0) == 0;
        if (movielens && ml.empty()) continue;
        const std::string input = movielens ? ml : kt::fixture("similarity/" + f[1]);
        const auto params = boost::json::parse(f[4]).as_object();
        std::string cmd = std::string(KNNTUNE_CLI);
        if (orientation == "item" || orientation == "user") {
            cmd += " similarity --input " + input + " --measure " + f[3] + " --orientation " +
                   orientation + " --param k=" + f[5];
            for (const auto& [key, value] : params) {
                cmd += " --param " + std::string(key) + "=" + set_value(value);
            }
        } else {
            // End to end: the CLI builds its own S. Only compare when that S is free of ties at
            // the k-th place, otherwise a different (equally valid) neighbour set may be kept.
            const std::string s_case = std::string(params.at("similarity_case").as_string());
            if (ties.contains(s_case)) {
                ++tied;
                continue;
            }
            cmd += " recommend --input " + input + " --measure " + f[3] + " --orientation " +
                   (orientation == "recommend_item" ? "item" : "user") + " --top " + f[5] +
                   " --param k=" + std::to_string(params.at("similarity_k").as_int64());
            for (const auto& [key, value] : params.at("similarity_params").as_object()) {
                cmd += " --param " + std::string(key) + "=" + set_value(value);
            }
        }
        cmd += " --output " + out.string();
        INFO("case " << id << "\n" << cmd);
        REQUIRE(run(cmd) == 0);
        const auto expected = kt::read_rows(kt::case_file(id));
        const auto actual = kt::read_rows(out.string());
        const auto t = ties.find(id);
        CHECK(kt::compare_rows(expected, actual, std::stoul(f[5]),
                               t == ties.end() ? std::set<std::string>{} : t->second) == "");
        ++ran;
    }
    // Every case ran but the recommendation cases whose S holds a tie (9 of the 84 synthetic
    // cases, 6 of the 20 MovieLens ones).
    CHECK(ran + tied == (ml.empty() ? 84U : 104U));
    CHECK(ran == (ml.empty() ? 75U : 89U));
    fs::remove(out);
}

TEST_CASE("knntune similarity writes the documented layout", "[engine][similarity][cli]") {
    const fs::path dir = fs::temp_directory_path() / ("knntune_cli_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    {
        std::ofstream in(dir / "in.csv");
        in << "user,item\n\"u,1\",b\nu2,a\nu2,b\nu10,a\nu10,\"c\"\"q\"\n";
    }
    const std::string base = std::string(KNNTUNE_CLI) + " similarity --input " +
                             (dir / "in.csv").string() + " --measure dot_product";
    REQUIRE(run(base + " --orientation item --output " + (dir / "s.csv").string()) == 0);
    // Items a < b < c"q; a·a = 2, a·b = 1, b·b = 2, a·c"q = 1, c"q·c"q = 1.
    CHECK(read_all(dir / "s.csv") ==
          "row,col,score\n"
          "a,a,2\na,b,1\na,\"c\"\"q\",1\n"
          "b,b,2\nb,a,1\n"
          "\"c\"\"q\",a,1\n\"c\"\"q\",\"c\"\"q\",1\n");
    REQUIRE(run(std::string(KNNTUNE_CLI) + " recommend --input " + (dir / "in.csv").string() +
                " --measure dot_product --orientation item --top 2 --output " +
                (dir / "r.csv").string()) == 0);
    // u,1 has b: a scores S[a,b] = 1, c"q scores S[c"q,b] = 0 (not a neighbour).
    // u10 has a, c"q: b scores S[b,a] + S[b,c"q] = 1. u2 has a, b: c"q scores 1.
    CHECK(read_all(dir / "r.csv") ==
          "user,item,score,rank\n\"u,1\",a,1,1\nu10,b,1,1\nu2,\"c\"\"q\",1,1\n");

    SECTION("errors exit with status 2 and a message") {
        CHECK(run(base + " --orientation item --param k=0 --output " + (dir / "x.csv").string()) !=
              0);
        const std::string err = read_all(err_file());
        CHECK_THAT(err, Catch::Matchers::Contains("'k' of dot_product = 0 is out of range"));
        CHECK(run(base + " --orientation diagonal --output x.csv") == 2 * 256);
        CHECK(run(std::string(KNNTUNE_CLI) + " similarity --input " + (dir / "none.csv").string() +
                  " --measure cosine --orientation item --output x.csv") == 2 * 256);
    }
    fs::remove_all(dir);
}

TEST_CASE("knntune similarity takes the p3 literature variant as --param",
          "[engine][similarity][cli][p3_literature]") {
    const fs::path dir =
        fs::temp_directory_path() / ("knntune_cli_p3_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    {
        // The tie case of test_p3_literature.cpp: u0 = {a, b}, u1 = {a, c}.
        std::ofstream in(dir / "in.csv");
        in << "user,item\nu0,a\nu0,b\nu1,a\nu1,c\n";
    }
    const std::string base = std::string(KNNTUNE_CLI) + " similarity --input " +
                             (dir / "in.csv").string() + " --orientation item --param k=1";
    const std::string out = " --output " + (dir / "s.csv").string();
    REQUIRE(run(base + " --measure p3alpha --param variant=literature" + out) == 0);
    CHECK(read_all(dir / "s.csv") == "row,col,score\na,b,0.5\nb,a,0.25\n");
    // normalize_rows: row a of W holds only b after the first top-k (1/4 → 1), row b only a
    // (1/2 → 1); c keeps nothing.
    REQUIRE(run(base + " --measure rp3beta --param variant=literature --param normalize_rows=true" +
                out) == 0);
    CHECK(read_all(dir / "s.csv") == "row,col,score\na,b,1\nb,a,1\n");
    CHECK(run(base + " --measure rp3beta --param normalize_rows=true" + out) == 2 * 256);
    CHECK_THAT(read_all(err_file()),
               Catch::Matchers::Contains(
                   "parameter 'normalize_rows' of rp3beta needs variant = literature"));
    fs::remove_all(dir);
}
