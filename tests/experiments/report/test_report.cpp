/// The run report (experiments/report/report.hpp) of a tiny run: checked against a golden
/// report.md and for the structure of report.html, its section table against the order
/// documented in docs/report.md, and its error when a test result is missing.
///
/// The golden file is tests/golden/report-tiny.md. After an intended change of the report (or
/// of the numbers of the tiny run), regenerate it and review the diff:
///   KNNTUNE_UPDATE_GOLDEN=1 ./knntune_tests "[report]"
/// Before the comparison, wall-clock columns (headers ending in "(s)") become "#" and the
/// version becomes "VERSION".

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "experiments/error.hpp"
#include "experiments/progress.hpp"
#include "experiments/report/report.hpp"
#include "experiments/report/report_test_support.hpp"
#include "support/temp_dir.hpp"
#include "support/tiny_experiment.hpp"

using knntune::exp::RunFolder;
using knntune::test::count;
using knntune::test::CurrentPath;
using knntune::test::run_cli;
using knntune::test::slurp;
using knntune::test::TempDir;
namespace fs = std::filesystem;
namespace rep = knntune::exp::report;

namespace {

/// Cells of a Markdown table line "| a | b\| c |" → {"a", "b\| c"} (escaped bars kept).
std::vector<std::string> split_row(const std::string& line) {
    std::vector<std::string> cells;
    std::string cell;
    for (std::size_t i = 1; i < line.size(); ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) {
            cell += line.substr(i, 2);
            ++i;
        } else if (line[i] == '|') {
            cells.push_back(cell);
            cell.clear();
        } else {
            cell += line[i];
        }
    }
    return cells;
}

/// report.md without its run-dependent parts: cells of columns whose header ends in "(s)"
/// become " # ", and "knntune X.Y.Z" becomes "knntune VERSION".
std::string normalise(const std::string& md) {
    std::istringstream in(md);
    std::string out;
    std::string line;
    std::vector<bool> timed;  // per column of the current table
    bool in_table = false;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] != '|') {
            in_table = false;
            out += line + "\n";
            continue;
        }
        std::vector<std::string> cells = split_row(line);
        if (!in_table) {
            in_table = true;
            timed.clear();
            for (const auto& c : cells) {
                timed.push_back(c.size() >= 4 && c.compare(c.size() - 4, 4, "(s) ") == 0);
            }
        } else if (line.find("---") == std::string::npos) {
            for (std::size_t i = 0; i < cells.size() && i < timed.size(); ++i) {
                if (timed[i]) cells[i] = " # ";
            }
        }
        line = "|";
        for (const auto& c : cells) line += c + "|";
        out += line + "\n";
    }
    return std::regex_replace(out, std::regex(R"(knntune \d+\.\d+\.\d+)"), "knntune VERSION");
}

/// Compares with the golden file, or rewrites it when KNNTUNE_UPDATE_GOLDEN is set.
void check_golden(const std::string& actual, const std::string& name) {
    const fs::path golden = fs::path(KNNTUNE_SOURCE_DIR) / "tests" / "golden" / name;
    const char* update = std::getenv("KNNTUNE_UPDATE_GOLDEN");
    if (update != nullptr && std::string(update) != "0") {
        std::ofstream(golden, std::ios::binary) << actual;
        WARN("rewrote " << golden.string());
        return;
    }
    REQUIRE(fs::exists(golden));
    const std::string expected = slurp(golden);
    // Point at the first differing line before comparing the whole text.
    std::istringstream a(actual);
    std::istringstream e(expected);
    std::string la;
    std::string le;
    for (int n = 1; std::getline(e, le); ++n) {
        if (!std::getline(a, la)) la = "<end of report>";
        if (la != le) {
            INFO(name << " line " << n
                      << " differs (regenerate with KNNTUNE_UPDATE_GOLDEN=1 if "
                         "the change is intended)");
            CHECK(la == le);
            break;
        }
    }
    CHECK(actual == expected);
}

/// `html` with the SVG namespace declarations removed (the only allowed "http" text).
std::string without_namespaces(std::string html) {
    return std::regex_replace(html, std::regex(R"re(xmlns(:\w+)?="http://www\.w3\.org/[^"]*")re"),
                              "");
}

const std::vector<std::string> kSections = {"<h2>Headline</h2>",
                                            "<h2>Warnings</h2>",
                                            "<h2>Run</h2>",
                                            "<h2>Data</h2>",
                                            "<h2>Item-KNN (item_knn)</h2>",
                                            "<h2>User-KNN (user_knn)</h2>",
                                            "<h2>Item-KNN against user-KNN</h2>",
                                            "<h2>Statistics</h2>",
                                            "<h2>By user activity</h2>",
                                            "<h2>Validation–test agreement</h2>",
                                            "<h2>Parameter importance</h2>",
                                            "<h2>Plots</h2>",
                                            "<h2>Convergence</h2>",
                                            "<h2>Item map</h2>",
                                            "<h2>Methods</h2>"};

/// The level-2 headings of an HTML page, in order.
std::vector<std::string> headings(const std::string& html) {
    std::vector<std::string> out;
    const std::regex h2("<h2>([^<]*)</h2>");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), h2); it != std::sregex_iterator();
         ++it) {
        out.push_back((*it)[1].str());
    }
    return out;
}

/// The titles of the numbered list under "## Sections" in docs/report.md, without a final
/// full stop: "Run", "Data", "Item-KNN / User-KNN", ...
std::vector<std::string> documented_sections() {
    std::istringstream in(slurp(fs::path(KNNTUNE_SOURCE_DIR) / "docs" / "report.md"));
    const std::regex item(R"(^\d+\. \*\*([^*]+?)\.?\*\*)");
    std::vector<std::string> out;
    bool in_sections = false;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("## ", 0) == 0) in_sections = line == "## Sections";
        std::smatch m;
        if (in_sections && std::regex_search(line, m, item)) out.push_back(m[1].str());
    }
    return out;
}

/// The headings a documented section writes for the tiny run's two models.
std::vector<std::string> expected_headings(const std::string& documented) {
    if (documented == "Item-KNN / User-KNN") return {"Item-KNN (item_knn)", "User-KNN (user_knn)"};
    return {documented};
}

/// The tiny experiment with item names, tuned, tested and reported in `dir`/run.
void run_tiny(const TempDir& dir, int n_trials, const std::string& report) {
    dir.write("log.csv", knntune::test::tiny_log());
    dir.write("items.csv", knntune::test::tiny_items());
    dir.write("cfg.yaml", knntune::test::tiny_config(
                              {.n_trials = n_trials,
                               .parallel_trials = 1,
                               .item_metadata = true,
                               .report = report,
                               .enqueue = "    - {algorithm: jaccard, k: 5, shrink: 0}\n"}));
    const auto r = run_cli("run cfg.yaml --quiet", dir.path());
    INFO(r.err);
    REQUIRE(r.status == 0);
}

}  // namespace

TEST_CASE("Report contents checked against golden files", "[report][experiments]") {
    TempDir dir;
    run_tiny(dir, 12, "  bootstrap_samples: 300\n  embedding_points: 30\n");
    const fs::path run = dir.path() / "run";
    const std::string md = slurp(run / "report.md");
    const std::string html = slurp(run / "report.html");

    // NOTE: plain blocks rather than SECTIONs, which would repeat the run for each section.
    check_golden(normalise(md), "report-tiny.md");

    {  // report.html has every section, inline figures and nothing external
        for (const auto& s : kSections) {
            INFO(s);
            CHECK(count(html, s) == 1);
        }
        // Per model: best so far, distribution, score vs k, score vs shrink, test CIs, and the
        // convergence plot; plus the item map.
        CHECK(count(html, "<figure") == 13);
        CHECK(count(html, "<svg") == 13);
        CHECK(count(md, "](figures/figure-") == 13);
        for (int i = 1; i <= 13; ++i) {
            INFO(i);
            CHECK(fs::exists(run / "figures" / ("figure-" + std::to_string(i) + ".svg")));
        }
        const std::string bare = without_namespaces(html);
        for (const char* banned : {"<script", "<link", "<img", "<iframe", "src=", "http://",
                                   "https://", "@import", "url(http"}) {
            INFO(banned);
            CHECK(bare.find(banned) == std::string::npos);
        }
        // Item names are escaped; the map is coloured by the item attribute.
        CHECK(html.find("Mug &amp; &lt;Saucer&gt;") != std::string::npos);
        CHECK(html.find("<Saucer>") == std::string::npos);
        CHECK(html.find("coloured by item attribute") != std::string::npos);
        CHECK(md.find("Mug & <Saucer>") == std::string::npos);
    }

    {  // `knntune report` rewrites the same report; report.plots false drops the figures
        const auto again = run_cli("report run --quiet", dir.path());
        INFO(again.err);
        REQUIRE(again.status == 0);
        CHECK(slurp(run / "report.md") == md);
        CHECK(slurp(run / "report.html") == html);

        // The resolved config names log.csv relative to the folder the run was started in.
        const CurrentPath cwd(dir.path());
        rep::ReportInput input = rep::load_report_input(RunFolder(run));
        input.config.report.plots = false;
        const std::string bare = rep::build_report(input).html();
        CHECK(count(bare, "<figure") == 0);
        CHECK(bare.find("<h2>Plots</h2>") == std::string::npos);
        CHECK(bare.find("<h2>Item map</h2>") == std::string::npos);
        CHECK(bare.find("<h2>Convergence</h2>") == std::string::npos);
        CHECK(bare.find("<h2>Statistics</h2>") != std::string::npos);
    }
}

TEST_CASE("The section table writes the sections in the documented order",
          "[report][experiments]") {
    const std::vector<std::string> documented = documented_sections();
    REQUIRE(documented ==
            std::vector<std::string>{"Headline", "Warnings", "Run", "Data", "Item-KNN / User-KNN",
                                     "Item-KNN against user-KNN", "Statistics", "By user activity",
                                     "Validation–test agreement", "Parameter importance", "Plots",
                                     "Convergence", "Item map", "Methods"});
    const auto sections = rep::report_sections();
    REQUIRE(sections.size() == documented.size());
    for (const rep::Section& s : sections) {
        INFO(s.name);
        CHECK(s.drawn ==
              (s.name == "plots" || s.name == "convergence plots" || s.name == "item map"));
    }

    TempDir dir;
    run_tiny(dir, 3, "  bootstrap_samples: 100\n  embedding_points: 30\n");
    const CurrentPath cwd(dir.path());
    const rep::ReportInput input = rep::load_report_input(RunFolder(dir.path() / "run"));
    // Entry i of the table writes the headings of documented section i ...
    std::vector<std::string> all;
    for (std::size_t i = 0; i < sections.size(); ++i) {
        INFO(sections[i].name << " is documented as " << documented[i]);
        rep::Document doc("one section");
        sections[i].write(doc, input);
        const std::vector<std::string> expected = expected_headings(documented[i]);
        CHECK(headings(doc.html()) == expected);
        all.insert(all.end(), expected.begin(), expected.end());
    }
    // ... and the report is the table's sections in that order.
    CHECK(headings(rep::build_report(input).html()) == all);
}

TEST_CASE("A report without a test result names the missing file", "[report][experiments]") {
    TempDir dir;
    dir.write("log.csv", knntune::test::tiny_log());
    dir.write("cfg.yaml", knntune::test::tiny_config({.n_trials = 2, .parallel_trials = 1}));
    const auto tuned = run_cli("tune cfg.yaml --quiet", dir.path());
    INFO(tuned.err);
    REQUIRE(tuned.status == 0);

    const auto r = run_cli("report run --quiet", dir.path());
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains("run/test-item_knn.json: no test result (run 'knntune test' "
                                      "first)"));
    const CurrentPath cwd(dir.path());
    knntune::exp::Progress quiet(knntune::exp::ProgressMode::Quiet);
    REQUIRE_THROWS_MATCHES(
        knntune::exp::write_report(RunFolder("run"), quiet), knntune::exp::ConfigError,
        Catch::Message("run/test-item_knn.json: no test result (run 'knntune test' first)"));
    CHECK_FALSE(fs::exists(dir.path() / "run" / "report.md"));
}

TEST_CASE("Report of per-measure studies of one model with the bootstrap test",
          "[report][experiments]") {
    TempDir dir;
    dir.write("log.csv", knntune::test::tiny_log());
    dir.write("cfg.yaml", knntune::test::tiny_config({.n_trials = 3,
                                                      .parallel_trials = 1,
                                                      .report = "  test: bootstrap\n"
                                                                "  bootstrap_samples: 200\n"}));
    const auto r =
        run_cli("run cfg.yaml --quiet --set models=[item_knn] --set tuner.strategy=per_measure",
                dir.path());
    INFO(r.err);
    REQUIRE(r.status == 0);
    const fs::path run = dir.path() / "run";
    const std::string md = slurp(run / "report.md");
    const std::string html = slurp(run / "report.html");
    CHECK(html.find("<h2>User-KNN (user_knn)</h2>") == std::string::npos);
    CHECK_THAT(
        md, Catch::Contains("| trial budget | 3 per measure and model (one study per measure) |"));
    CHECK_THAT(md, Catch::Contains("Only item\\_knn was run"));
    CHECK_THAT(md, Catch::Contains("by a paired bootstrap test (200 resamples, seed 7)"));
    CHECK(md.find("non-zero pairs") == std::string::npos);
    CHECK_THAT(html, Catch::Contains("trial number (per-measure study)"));
    // Three studies of three trials: each measure was tuned and tested.
    CHECK_THAT(md, Catch::Contains("9 complete trials"));
    for (const char* m : {"| cosine | 3 |", "| rp3beta | 3 |", "| jaccard | 3 |"}) {
        INFO(m);
        CHECK_THAT(md, Catch::Contains(m));
    }
    // No item attribute configured: one colour, and the text says so.
    CHECK_THAT(md, Catch::Contains("No item attribute is configured"));
    CHECK(count(html, "<figure") == 7);

    // Without gnuplot the tables are still written, and the report says what is missing.
    const char* old_path = std::getenv("PATH");
    const std::string saved = old_path ? old_path : "";
    ::setenv("PATH", (dir.path() / "no-such-bin").c_str(), 1);
    {
        const CurrentPath cwd(dir.path());
        knntune::exp::Progress quiet(knntune::exp::ProgressMode::Quiet);
        CHECK_NOTHROW(knntune::exp::write_report(RunFolder(run), quiet));
    }
    ::setenv("PATH", saved.c_str(), 1);
    const std::string degraded = slurp(run / "report.html");
    CHECK(count(degraded, "<figure") == 0);
    CHECK_THAT(degraded, Catch::Contains("The plots could not be drawn"));
    CHECK_THAT(degraded, Catch::Contains("The item map could not be drawn"));
    CHECK_THAT(degraded, Catch::Contains("The convergence plots could not be drawn"));
    CHECK_THAT(degraded, Catch::Contains("<h2>Statistics</h2>"));
}

TEST_CASE("A run that does not save its prepared data still writes its report",
          "[report][experiments]") {
    TempDir dir;
    dir.write("log.csv", knntune::test::tiny_log());
    dir.write("cfg.yaml", knntune::test::tiny_config({.n_trials = 3, .parallel_trials = 1}));
    const std::string run = "run cfg.yaml --quiet --set models=[item_knn] ";
    const auto saved = run_cli(run + "--out saved", dir.path());
    INFO(saved.err);
    REQUIRE(saved.status == 0);
    const auto unsaved =
        run_cli(run + "--out unsaved --set output.save_prepared=false", dir.path());
    INFO(unsaved.err);
    REQUIRE(unsaved.status == 0);
    CHECK(fs::exists(dir.path() / "saved" / "prepared.h5"));
    CHECK_FALSE(fs::exists(dir.path() / "unsaved" / "prepared.h5"));
    // The data summary comes from the run's data in memory: the same lines as from the file.
    const auto data_lines = [](const std::string& md) {
        std::vector<std::string> out;
        std::istringstream in(md);
        for (std::string line; std::getline(in, line);) {
            if (line.find("users") != std::string::npos ||
                line.find("interactions") != std::string::npos) {
                out.push_back(line);
            }
        }
        return out;
    };
    const auto from_file = data_lines(slurp(dir.path() / "saved" / "report.md"));
    CHECK(from_file.size() >= 2);
    CHECK(data_lines(slurp(dir.path() / "unsaved" / "report.md")) == from_file);
}
