#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "experiments/report/error.hpp"
#include "experiments/report/plot.hpp"
#include "experiments/report/report_test_support.hpp"

using namespace knntune::exp::report;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using knntune::test::count;

// These tests run the real gnuplot (Debian gnuplot-nox). Counting relies on the structure of
// gnuplot 5.4's svg terminal: one <g id="gnuplot_plot_N"> group per plot clause, and one
// <use xlink:href='#gpPtK' transform=...> per drawn point symbol (legend samples included).

namespace {

std::size_t plot_groups(const std::string& svg) { return count(svg, "id=\"gnuplot_plot_"); }

/// Coloured point symbols; error bar plots also draw a white backdrop under each point.
std::size_t drawn_points(const std::string& svg) {
    std::size_t n = 0;
    for (auto pos = svg.find("<use xlink:href='#gpPt"); pos != std::string::npos;
         pos = svg.find("<use xlink:href='#gpPt", pos + 1)) {
        const std::string tag = svg.substr(pos, svg.find('>', pos) - pos);
        if (tag.find("transform='translate") != std::string::npos &&
            tag.find("color='#FFFFFF'") == std::string::npos) {
            ++n;
        }
    }
    return n;
}

/// A cheap well-formedness check: XML prolog, one root, balanced groups.
void check_svg(const std::string& svg) {
    CHECK_THAT(svg, StartsWith("<?xml"));
    CHECK(count(svg, "<svg") == 1);
    CHECK(svg.find("</svg>") != std::string::npos);
    CHECK(count(svg, "<g ") + count(svg, "<g>") == count(svg, "</g>"));
}

const std::string kNasty = "cos\"ine & <x> it's @m {b}_^";
const std::string kNastyInSvg = "cos\"ine &amp; &lt;x> it's @m {b}_^";

}  // namespace

TEST_CASE("gnuplot_quote escapes quotes, control bytes and bad UTF-8", "[report][plot]") {
    CHECK(gnuplot_quote("it's") == "'it''s'");
    CHECK(gnuplot_quote("a\nb\tc") == "'a b c'");
    CHECK(gnuplot_quote("Crème") == "'Crème'");
    CHECK(gnuplot_quote(std::string("x\xff"
                                    "y")) == "'x?y'");
    CHECK(gnuplot_quote("\\n \"q\" $1 @m") == "'\\n \"q\" $1 @m'");
}

TEST_CASE("best_so_far tracks the running best, skipping NaN", "[report][plot]") {
    const std::vector<double> v = {NAN, 0.2, 0.1, 0.3, NAN, 0.25};
    const auto up = best_so_far(v, true);
    CHECK(std::isnan(up[0]));
    CHECK(std::vector<double>(up.begin() + 1, up.end()) ==
          std::vector<double>{0.2, 0.2, 0.3, 0.3, 0.3});
    const auto down = best_so_far(v, false);
    CHECK(std::vector<double>(down.begin() + 1, down.end()) ==
          std::vector<double>{0.2, 0.1, 0.1, 0.1, 0.1});
}

TEST_CASE("plot_lines draws one step line per series with escaped titles", "[report][plot]") {
    const std::vector<double> scores = {0.10, 0.20, 0.15, 0.30};
    const std::vector<Series> series = {
        {kNasty, {1, 2, 3, 4}, best_so_far(scores, true)},
        {"Crème brûlée", {1, 2, 3}, {0.05, 0.25, 0.25}},
        {"all failed", {1, 2}, {NAN, NAN}},  // no finite point: left out
    };
    const std::string svg =
        plot_lines(series, {.title = "Best so far", .x_label = "trial", .y_label = "p@10"});
    check_svg(svg);
    CHECK(plot_groups(svg) == 2);
    CHECK(drawn_points(svg) == 0);
    CHECK_THAT(svg, Contains("<text>" + kNastyInSvg + "</text>"));
    CHECK_THAT(svg, Contains("<text>Crème brûlée</text>"));
    CHECK_THAT(svg, Contains("<text>Best so far</text>"));
    CHECK_THAT(svg, Contains("<text>p@10</text>"));
    CHECK(svg.find("all failed") == std::string::npos);
}

TEST_CASE("plot_bands draws a step line per band over a translucent band of its colour",
          "[report][plot]") {
    const std::vector<Band> bands = {
        {"cosine", {1, 2, 3}, {0.2, 0.3, 0.4}, {0.1, 0.2, 0.35}, {0.3, 0.35, 0.45}},
        {"jaccard", {1, 2}, {0.1, 0.15}, {}, {}},  // no band
        {"rp3beta", {1, 2, 3}, {0.25, 0.3, 0.3}, {0.2, NAN, 0.25}, {0.3, 0.4, 0.35}},
    };
    const std::string svg = plot_bands(bands, {.title = "Convergence", .x_label = "trials"});
    check_svg(svg);
    CHECK(plot_groups(svg) == 5);  // two bands, three lines
    CHECK(count(svg, "<polygon") == 2);
    CHECK_THAT(svg, Contains("<polygon fill = 'rgb(  0, 158, 115)' fill-opacity"));  // 3rd colour
    CHECK_THAT(svg, Contains("<text>jaccard</text>"));
    // cosine's band, in its colour (#0072B2), steps where its line does: its outline has
    // vertical edges (consecutive vertices at the same x), two inside each edge of the band.
    const std::string lead =
        "<polygon fill = 'rgb(  0, 114, 178)' fill-opacity = '0.200000' "
        "points = '";
    const auto pos = svg.find(lead);
    REQUIRE(pos != std::string::npos);
    std::istringstream points(
        svg.substr(pos + lead.size(), svg.find('\'', pos + lead.size()) - pos - lead.size()));
    std::vector<std::string> xs;
    for (std::string p; points >> p;) xs.push_back(p.substr(0, p.find(',')));
    std::size_t vertical = 0;
    for (std::size_t i = 1; i < xs.size(); ++i) vertical += xs[i] == xs[i - 1] ? 1 : 0;
    CHECK(vertical >= 4);

    REQUIRE_THROWS_WITH(plot_bands({}, {}), "plot_bands: no bands to plot");
    const std::vector<Band> ragged = {{"cosine", {1, 2}, {0.1, 0.2}, {0.1}, {0.2}}};
    REQUIRE_THROWS_WITH(plot_bands(ragged, {}),
                        "plot_bands: band 'cosine' has 2 x values but 1 low and 1 high values");
}

TEST_CASE("plot_distribution draws a box and every finite observation per group",
          "[report][plot]") {
    const std::vector<Group> groups = {
        {"cosine", {0.10, 0.20, 0.30, 0.25, 0.22}},
        {"jaccard", {0.10, 0.12, NAN, 0.30}},
    };
    const std::string svg = plot_distribution(groups, {.y_label = "precision@10"});
    check_svg(svg);
    CHECK(plot_groups(svg) == 4);   // box + strip per group
    CHECK(drawn_points(svg) == 8);  // 5 + 3 finite values, no legend
    CHECK_THAT(svg, Contains("<text>cosine</text>"));
    CHECK_THAT(svg, Contains("<text>jaccard</text>"));
    // The jitter is seeded: the same input renders the same bytes.
    CHECK(plot_distribution(groups, {.y_label = "precision@10"}) == svg);
}

TEST_CASE("plot_scatter draws every point, log x refuses x <= 0", "[report][plot]") {
    const std::vector<Series> series = {
        {"cosine", {5, 10, 50, 200}, {0.1, 0.2, 0.25, 0.22}},
        {"rp3beta", {20, 100, 800}, {0.15, 0.28, 0.2}},
    };
    const std::string svg = plot_scatter(series, {.x_label = "k", .log_x = true});
    check_svg(svg);
    CHECK(plot_groups(svg) == 2);
    CHECK(drawn_points(svg) == 7 + 2);  // points + one legend sample per series
    CHECK_THAT(svg, Contains("<text>rp3beta</text>"));

    const std::vector<Series> with_zero = {{"cosine", {0, 10}, {0.1, 0.2}}};
    REQUIRE_THROWS_AS(plot_scatter(with_zero, {.log_x = true}), ReportError);
    REQUIRE_THROWS_WITH(plot_scatter(with_zero, {.log_x = true}),
                        "plot_scatter: log_x needs x > 0, but series 'cosine' has x = 0 at "
                        "position 0");
    const std::vector<Series> ragged = {{"s", {1, 2}, {0.1}}};
    REQUIRE_THROWS_WITH(plot_scatter(ragged), Contains("has 2 x values but 1 y values"));
}

namespace {

/// Drawn points inside plot clause `n` (1-based group `gnuplot_plot_n`), legend sample included.
std::size_t points_in_group(const std::string& svg, int n) {
    const auto begin = svg.find("id=\"gnuplot_plot_" + std::to_string(n) + "\"");
    if (begin == std::string::npos) return 0;
    auto end = svg.find("id=\"gnuplot_plot_" + std::to_string(n + 1) + "\"", begin);
    if (end == std::string::npos) end = svg.size();
    return drawn_points(svg.substr(begin, end - begin));
}

}  // namespace

TEST_CASE("an empty series or group keeps the later ones on their own data", "[report][plot]") {
    // gnuplot merges consecutive blank lines, so an empty data block must not vanish: the
    // series after it would be drawn from the wrong block.
    const std::vector<Series> series = {{"one", {1}, {0.1}},
                                        {"none", {}, {}},
                                        {"nan", {2}, {NAN}},
                                        {"three", {1, 2, 3}, {1, 2, 3}}};
    const std::string svg = plot_scatter(series);
    CHECK(plot_groups(svg) == 2);
    CHECK(points_in_group(svg, 1) == 1 + 1);
    CHECK(points_in_group(svg, 2) == 3 + 1);
    CHECK_THAT(svg, Contains("<text>three</text>"));

    const std::vector<Group> groups = {{"a", {0.1, 0.2}}, {"b", {}}, {"c", {0.3, 0.4, 0.5}}};
    const std::string d = plot_distribution(groups);
    CHECK(plot_groups(d) == 4);
    CHECK(points_in_group(d, 2) == 2);
    CHECK(points_in_group(d, 4) == 3);
}

TEST_CASE("plot_intervals draws one point with error bar per label", "[report][plot]") {
    const std::vector<Interval> cis = {
        {"cosine", 0.20, 0.18, 0.22}, {"a&b", 0.10, 0.05, 0.12}, {"it's", 0.15, 0.15, 0.16}};
    const std::string svg = plot_intervals(cis, {.y_label = "precision@10"});
    check_svg(svg);
    CHECK(plot_groups(svg) == 1);
    CHECK(drawn_points(svg) == 3);
    CHECK_THAT(svg, Contains("<text>a&amp;b</text>"));
    CHECK_THAT(svg, Contains("<text>it's</text>"));
    const std::vector<Interval> bad = {{"x", 0.2, 0.3, 0.1}};
    REQUIRE_THROWS_WITH(plot_intervals(bad), Contains("interval 'x' must be finite"));
}

TEST_CASE("plot_map colours categories, folds rare ones and labels points", "[report][plot]") {
    MapPoints m;
    m.x = {0, 1, 2, 3, 4, 5};
    m.y = {1, 0, 1, 2, 3, 2};
    m.categories = {"mugs", "bags", "mugs", "lights", "mugs", "bags"};
    m.labels = {{3, "WHITE HANGING \"HEART\" T-LIGHT & <HOLDER>"}};
    m.max_categories = 2;  // mugs (3), then everything else as "other"
    const std::string svg = plot_map(m, {.title = "Item map"});
    check_svg(svg);
    CHECK(plot_groups(svg) == 2);
    CHECK(drawn_points(svg) == 6 + 2 + 1);  // points + legend samples + the label's marker
    CHECK_THAT(svg, Contains("<text>mugs</text>"));
    CHECK_THAT(svg, Contains("<text>other</text>"));
    CHECK(svg.find("<text>bags</text>") == std::string::npos);
    CHECK_THAT(svg, Contains("<text>WHITE HANGING \"HEART\" T-LIGHT &amp; &lt;HOLDER></text>"));

    MapPoints plain{.x = {0, 1, 2}, .y = {0, 1, 0}};
    const std::string p = plot_map(plain);
    CHECK(plot_groups(p) == 1);
    CHECK(drawn_points(p) == 3);

    plain.labels = {{3, "ghost"}};
    REQUIRE_THROWS_WITH(plot_map(plain),
                        "plot_map: label 'ghost' points at index 3, but there are 3 points");
}

TEST_CASE("a missing or failing gnuplot is reported clearly", "[report][plot]") {
    const std::vector<Interval> cis = {{"a", 1.0, 0.5, 1.5}};
    REQUIRE_THROWS_AS(plot_intervals(cis, {.gnuplot = "knntune-no-such-gnuplot"}), ReportError);
    REQUIRE_THROWS_WITH(plot_intervals(cis, {.gnuplot = "knntune-no-such-gnuplot"}),
                        StartsWith("plot: gnuplot executable 'knntune-no-such-gnuplot' not "
                                   "found; install the Debian package gnuplot-nox"));
    REQUIRE_THROWS_WITH(render_svg("plot sin(x) with nonsense\n", {}),
                        Contains("unrecognized plot type"));
}

TEST_CASE("plot y-axis ends clip the view and are validated", "[report][plot]") {
    const std::vector<Series> series = {{"s", {1, 2, 3}, {0.0, 0.75, 1.0}}};
    const PlotParams base{.y_label = "score"};
    const std::string full = plot_lines(series, base);
    // Autoscaled: the axis has a 0 tick. From 0.5 up: no 0 tick, a 0.5 tick.
    CHECK_THAT(full, Contains("> 0</text>"));
    PlotParams cut = base;
    cut.y_low = 0.5;
    const std::string svg = plot_lines(series, cut);
    check_svg(svg);
    CHECK(svg.find("> 0</text>") == std::string::npos);
    CHECK_THAT(svg, Contains("> 0.5</text>"));

    PlotParams bad = base;
    bad.y_low = 1.0;
    bad.y_high = 0.5;
    CHECK_THROWS_AS(plot_lines(series, bad), ReportError);
    bad.y_high.reset();
    bad.y_low = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(plot_lines(series, bad), ReportError);
}
