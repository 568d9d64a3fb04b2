#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <string>

#include "common/atomic_file.hpp"
#include "common/paired_stats.hpp"
#include "experiments/report/document.hpp"
#include "experiments/report/error.hpp"
#include "experiments/report/plot.hpp"
#include "experiments/report/report_test_support.hpp"

using namespace knntune::exp::report;
using Catch::Matchers::Contains;
using Catch::Matchers::EndsWith;
using knntune::stats::bootstrap_mean_ci;
using knntune::test::slurp;
namespace fs = std::filesystem;

namespace {

Table sample_table() {
    Table t;
    t.caption = "Item-KNN <test>";
    t.columns = {{"measure"},
                 {"precision@10", NumberFormat::Fixed, 4},
                 {"p (Holm)", NumberFormat::PValue, 3},
                 {"k", NumberFormat::Integer, 0}};
    t.rows = {{std::string("cosine"), 0.123456, 0.0004, std::int64_t{50}},
              {std::string("a|b & \"c\""), NAN, 0.04321, Cell{}}};
    return t;
}

/// A minimal gnuplot-like SVG with an id and a reference to it.
const std::string kSvg =
    "<?xml version=\"1.0\" encoding=\"utf-8\"  standalone=\"no\"?>\n<svg width=\"10\" "
    "height=\"10\" xmlns=\"http://www.w3.org/2000/svg\" "
    "xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n<defs><circle id='gpPt0' r='1'/></defs>\n"
    "<use xlink:href='#gpPt0'/>\n</svg>\n";

}  // namespace

TEST_CASE("html and markdown escaping", "[report][document]") {
    CHECK(html_escape("a<b>&\"c\" 'd'") == "a&lt;b&gt;&amp;&quot;c&quot; &#39;d&#39;");
    CHECK(html_escape("Crème") == "Crème");
    CHECK(markdown_escape("a|b *c* _d_ [e](f) <g> #1 &amp; !\\ `h`\nnext") ==
          "a\\|b \\*c\\* \\_d\\_ \\[e\\](f) \\<g> \\#1 \\&amp; \\!\\\\ \\`h\\` next");
    // '<', '&' and '>' only where Markdown would take them for markup: a tag or autolink, a
    // character reference, a block quote.
    CHECK(markdown_escape("p < 0.0001, <0.001, a & b, x > y") ==
          "p < 0.0001, <0.001, a & b, x > y");
    CHECK(markdown_escape("</b> <!-- --> <?x <a@b> &#38;") ==
          "\\</b> \\<\\!-- --> \\<?x \\<a@b> \\&\\#38;");
    CHECK(markdown_escape("> quote") == "\\> quote");
    CHECK(markdown_escape("  > quote") == "  \\> quote");
}

TEST_CASE("number formatting", "[report][document]") {
    CHECK(format_number(0.123456, NumberFormat::Fixed, 4) == "0.1235");
    CHECK(format_number(-0.00001, NumberFormat::Fixed, 3) == "0.000");
    CHECK(format_number(1234.5, NumberFormat::Integer, 0) == "1235");  // half away from zero
    CHECK(format_number(0.0000123, NumberFormat::Scientific, 2) == "1.23e-05");
    CHECK(format_number(0.0004, NumberFormat::PValue, 3) == "<0.001");
    CHECK(format_number(0.04321, NumberFormat::PValue, 3) == "0.043");
    CHECK(format_number(1.0, NumberFormat::PValue, 3) == "1.000");
    CHECK(format_number(NAN, NumberFormat::Fixed, 2) == "n/a");
    CHECK(format_number(-INFINITY, NumberFormat::Fixed, 2) == "-inf");
    REQUIRE_THROWS_WITH(format_number(1.0, NumberFormat::Fixed, 18),
                        "format_number: precision must be in [0, 17], got 18");
}

TEST_CASE("table renders to golden HTML and Markdown", "[report][document]") {
    Document d("Run <1>");
    d.table(sample_table());
    const std::string html = d.html();
    const std::string golden_html =
        "<table>\n"
        "<caption>Item-KNN &lt;test&gt;</caption>\n"
        "<thead><tr><th>measure</th><th>precision@10</th><th>p (Holm)</th><th>k</th></tr>"
        "</thead>\n"
        "<tbody>\n"
        "<tr><td>cosine</td><td class=\"num\">0.1235</td><td class=\"num\">&lt;0.001</td>"
        "<td class=\"num\">50</td></tr>\n"
        "<tr><td>a|b &amp; &quot;c&quot;</td><td class=\"num\">n/a</td>"
        "<td class=\"num\">0.043</td><td></td></tr>\n"
        "</tbody>\n"
        "</table>\n";
    CHECK_THAT(html, Contains(golden_html));
    CHECK_THAT(html, Contains("<title>Run &lt;1&gt;</title>"));
    CHECK_THAT(html, Contains("<h1>Run &lt;1&gt;</h1>"));

    const std::string golden_md =
        "# Run <1>\n"
        "\n"
        "**Item-KNN \\<test>**\n"
        "\n"
        "| measure | precision@10 | p (Holm) | k |\n"
        "| --- | ---: | ---: | ---: |\n"
        "| cosine | 0.1235 | <0.001 | 50 |\n"
        "| a\\|b & \"c\" | n/a | 0.043 |  |\n";
    CHECK(d.markdown() == golden_md);
}

TEST_CASE("headings, paragraphs and figures", "[report][document]") {
    Document d("Report");
    d.heading("Item & user").paragraph("p < 0.05 for <b>bold</b>").heading("Sub", 3);
    d.figure(kSvg, "Best so far").figure(kSvg, "Second");
    const std::string html = d.html();
    CHECK_THAT(html, Contains("<h2>Item &amp; user</h2>\n"
                              "<p>p &lt; 0.05 for &lt;b&gt;bold&lt;/b&gt;</p>\n<h3>Sub</h3>\n"));
    // Prolog dropped, ids scoped per figure so the two <defs> do not collide.
    CHECK(html.find("<?xml") == std::string::npos);
    CHECK_THAT(html, Contains("<circle id='fig1-gpPt0' r='1'/>"));
    CHECK_THAT(html, Contains("<use xlink:href='#fig2-gpPt0'/>"));
    CHECK_THAT(html, Contains("<figcaption>Figure 2. Second</figcaption>"));
    const std::string md = d.markdown();
    CHECK_THAT(md, Contains("\n## Item & user\n\n"
                            "p < 0.05 for \\<b>bold\\</b>\n\n### Sub\n"));
    CHECK_THAT(md, Contains("![Figure 1. Best so far](figures/figure-1.svg)\n"));

    REQUIRE_THROWS_WITH(d.heading("x", 1), Contains("level must be in [2, 4], got 1"));
    REQUIRE_THROWS_WITH(d.figure("<p>no</p>", "bad"),
                        "Document::figure 'bad': no <svg> element in the markup");
    REQUIRE_THROWS_WITH(d.figure("<svg><script>x()</script></svg>", "js"),
                        Contains("contains a script"));
    Table ragged = sample_table();
    ragged.rows[1].pop_back();
    REQUIRE_THROWS_WITH(d.table(ragged),
                        "Document::table 'Item-KNN <test>': row 1 has 3 cells, expected 4");
}

TEST_CASE("warnings render as bold-led bullets, escaped", "[report][document]") {
    Document d("Report");
    d.warnings({}).warnings({"only 59 users < 100", "a_b"});
    CHECK_THAT(d.html(), Contains("<ul class=\"warnings\">\n"
                                  "<li><strong>Warning:</strong> only 59 users &lt; 100</li>\n"
                                  "<li><strong>Warning:</strong> a_b</li>\n</ul>\n"));
    CHECK_THAT(d.markdown(), EndsWith("\n- **Warning:** only 59 users < 100\n"
                                      "- **Warning:** a\\_b\n"));
    CHECK(Document("Empty").warnings({}).markdown() == "# Empty\n");
}

TEST_CASE("write produces self-contained files atomically", "[report][document]") {
    const fs::path dir =
        fs::temp_directory_path() / ("knntune-test-report-" + std::to_string(::getpid())) / "run";
    fs::remove_all(dir.parent_path());
    Document d("Report");
    d.heading("Tables").table(sample_table()).figure(kSvg, "A plot");
    d.write(knntune::exp::RunFolder(dir).report());
    const std::string html = slurp(dir / "report.html");
    CHECK(html == d.html());
    CHECK(slurp(dir / "report.md") == d.markdown());
    const std::string fig = slurp(dir / "figures" / "figure-1.svg");
    CHECK(fig.rfind("<?xml", 0) == 0);
    CHECK_THAT(fig, Contains("id='gpPt0'"));
    // Offline: no scripts, stylesheets, images or fonts fetched from anywhere.
    for (const char* banned :
         {"<script", "<link", "<img", "<iframe", "src=", "@import", "url(http", "https://"}) {
        CHECK(html.find(banned) == std::string::npos);
    }
    // Only the three outputs remain: no temporary files left behind.
    std::size_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir)) files += e.is_regular_file();
    CHECK(files == 3);
    // Rewriting replaces the files in place.
    Document e("Other");
    e.write(knntune::exp::RunFolder(dir).report());
    CHECK_THAT(slurp(dir / "report.html"), Contains("<h1>Other</h1>"));
    fs::remove_all(dir.parent_path());

    REQUIRE_THROWS_AS(knntune::write_file_atomic("/proc/knntune-no/such/file", "x"),
                      knntune::IoError);
}

TEST_CASE("a report with every plot kind renders to one valid page", "[report][document]") {
    // Smoke test of the building blocks together, with real gnuplot output.
    const std::vector<double> a = {0.2, 0.3, 0.1, 0.4, 0.3, 0.2, 0.5, 0.1};
    const std::vector<double> b = {0.1, 0.3, 0.1, 0.2, 0.2, 0.2, 0.3, 0.0};
    const auto ci_a = bootstrap_mean_ci(a, {.n_resamples = 500, .seed = 1});
    const auto ci_b = bootstrap_mean_ci(b, {.n_resamples = 500, .seed = 1});
    const std::vector<Series> lines = {{"cosine", {1, 2, 3}, {0.1, 0.2, 0.2}},
                                       {"jaccard", {1, 2, 3}, {0.15, 0.15, 0.3}}};
    const std::vector<Group> groups = {{"cosine", a}, {"jaccard", b}};
    const std::vector<Interval> cis = {{"cosine", ci_a.estimate, ci_a.lower, ci_a.upper},
                                       {"jaccard", ci_b.estimate, ci_b.lower, ci_b.upper}};
    const MapPoints map{.x = {0, 1, 2}, .y = {1, 0, 1}, .labels = {{0, "MUG \"A&B\""}}};
    Document d("knntune report");
    d.figure(plot_lines(lines), "best so far")
        .figure(plot_distribution(groups), "scores")
        .figure(plot_scatter(lines, {.log_x = true}), "k")
        .figure(plot_intervals(cis), "test metric")
        .figure(plot_map(map), "items");
    const std::string html = d.html();
    CHECK(html.find("<?xml") == std::string::npos);
    CHECK(html.find("<!DOCTYPE svg") == std::string::npos);
    for (int f = 1; f <= 5; ++f) {
        CHECK_THAT(html, Contains("id=\"fig" + std::to_string(f) + "-gnuplot_canvas\""));
    }
    CHECK_THAT(html, Contains("MUG \"A&amp;B\""));
}
