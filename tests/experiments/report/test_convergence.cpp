/// The Convergence section (experiments/report/sections/convergence.cpp) and the repeat of a
/// trial log (`log_repeat`, experiments/report/analysis.hpp): the plotted points against a
/// best-so-far computed again here, and the figure it draws (with the real gnuplot).

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "experiments/report/analysis.hpp"
#include "experiments/report/document.hpp"
#include "experiments/report/input.hpp"
#include "experiments/report/report_test_support.hpp"
#include "experiments/report/sections/sections.hpp"

namespace rep = knntune::exp::report;
using Catch::Matchers::Contains;
using knntune::test::count;

namespace {

/// Trials of `name`: (repeat, trial number, value) triples, in the order given.
rep::MeasureTrials trials(std::string name, const std::vector<std::array<double, 3>>& t) {
    rep::MeasureTrials m;
    m.measure = std::move(name);
    for (const auto& [repeat, number, value] : t) {
        m.repeat.push_back(static_cast<int>(repeat));
        m.number.push_back(number);
        m.value.push_back(value);
    }
    return m;
}

/// The best so far after each trial of one repeat, written out again: after its j-th trial in
/// number order, the best of its first j values.
std::vector<double> running_best(const rep::MeasureTrials& m, int repeat, bool maximize) {
    std::vector<std::pair<double, double>> mine;  // (number, value)
    for (std::size_t i = 0; i < m.number.size(); ++i) {
        if (m.repeat[i] == repeat) mine.emplace_back(m.number[i], m.value[i]);
    }
    std::sort(mine.begin(), mine.end());
    std::vector<double> out;
    for (std::size_t j = 0; j < mine.size(); ++j) {
        double best = mine[0].second;
        for (std::size_t i = 1; i <= j; ++i) {
            best = maximize ? std::max(best, mine[i].second) : std::min(best, mine[i].second);
        }
        out.push_back(best);
    }
    return out;
}

rep::ReportInput input_with(std::vector<rep::MeasureTrials> measures) {
    rep::ReportInput in;
    rep::ModelAnalysis ma;
    ma.model = "item_knn";
    ma.result.objective = "ndcg@5";
    for (const auto& m : measures)
        ma.trials.n_complete += static_cast<std::int64_t>(m.value.size());
    ma.trials.measures = std::move(measures);
    in.models.push_back(std::move(ma));
    return in;
}

}  // namespace

TEST_CASE("log_repeat reads the repeat from a trial log's name", "[report][convergence]") {
    CHECK(rep::log_repeat("trials-item_knn.h5") == 0);
    CHECK(rep::log_repeat("run/trials-item_knn.r1.h5") == 1);
    CHECK(rep::log_repeat("trials-item_knn-cosine.r2.h5") == 2);
    CHECK(rep::log_repeat("/tmp/x.r7/trials-user_knn.r12.h5") == 12);
    CHECK(rep::log_repeat("trials-item_knn-cosine.h5") == 0);
    CHECK(rep::log_repeat("trials.h5") == 0);
    CHECK(rep::log_repeat("trials-item_knn.r.h5") == 0);
    CHECK(rep::log_repeat("trials-item_knn.r1x.h5") == 0);
    CHECK(rep::log_repeat("trials-item_knn.r-1.h5") == 0);
    CHECK(rep::log_repeat("trials-item_knn.r1.json") == 0);
    CHECK(rep::log_repeat("trials-item_knn.r99999999999999.h5") == 0);  // out of range
}

TEST_CASE("convergence_line: best so far per own trial; median and range over repeats",
          "[report][convergence]") {
    SECTION("one repeat: the best so far after each of the measure's trials") {
        // Trial numbers are the study's (other measures' trials in between); the line counts
        // the measure's own trials 1, 2, 3, 4.
        const auto m = trials("cosine", {{0, 3, .2}, {0, 7, .1}, {0, 8, .4}, {0, 12, .3}});
        const rep::ConvergenceLine l = rep::convergence_line(m, true);
        CHECK(l.n_repeats == 1);
        CHECK(l.count == std::vector<double>{1, 2, 3, 4});
        CHECK(l.value == std::vector<double>{.2, .2, .4, .4});
        CHECK(l.value == running_best(m, 0, true));
        CHECK(l.low.empty());
        CHECK(l.high.empty());
        CHECK(rep::convergence_line(m, false).value == std::vector<double>{.2, .1, .1, .1});
        // An empty `repeat` is repeat 0.
        rep::MeasureTrials bare = m;
        bare.repeat.clear();
        CHECK(rep::convergence_line(bare, true).value == l.value);
    }
    SECTION("three repeats, interleaved and out of order: median, min and max") {
        // Repeat 0: .1 .5 .3 → best .1 .5 .5 .5
        // Repeat 1: .4 .2 .6 .7 → best .4 .4 .6 .7 (number order: 0, 1, 2, 3)
        // Repeat 2: .3 .3 .2 → best .3 .3 .3 (the fewest trials: the line stops at 3)
        const auto m = trials("jaccard", {{1, 1, .2},
                                          {0, 0, .1},
                                          {2, 0, .3},
                                          {1, 0, .4},
                                          {0, 4, .5},
                                          {2, 5, .3},
                                          {1, 3, .7},
                                          {1, 2, .6},
                                          {0, 9, .3},
                                          {2, 6, .2}});
        const rep::ConvergenceLine l = rep::convergence_line(m, true);
        CHECK(l.n_repeats == 3);
        CHECK(l.count == std::vector<double>{1, 2, 3});
        // Medians of {.1, .4, .3}, {.5, .4, .3}, {.5, .6, .3}.
        CHECK(l.value == std::vector<double>{.3, .4, .5});
        CHECK(l.low == std::vector<double>{.1, .3, .3});
        CHECK(l.high == std::vector<double>{.4, .5, .6});
        // The same from the best so far written out again.
        std::vector<std::vector<double>> per_repeat;
        for (int r = 0; r < 3; ++r) per_repeat.push_back(running_best(m, r, true));
        for (std::size_t i = 0; i < l.count.size(); ++i) {
            std::vector<double> at = {per_repeat[0][i], per_repeat[1][i], per_repeat[2][i]};
            std::sort(at.begin(), at.end());
            CHECK(l.value[i] == at[1]);
            CHECK(l.low[i] == at[0]);
            CHECK(l.high[i] == at[2]);
        }
    }
    SECTION("two repeats: the median is the mean of the two") {
        const auto m = trials("cosine", {{0, 0, .2}, {0, 1, .6}, {3, 0, .4}, {3, 1, .3}});
        const rep::ConvergenceLine l = rep::convergence_line(m, true);
        CHECK(l.n_repeats == 2);
        REQUIRE(l.value.size() == 2);
        CHECK_THAT(l.value[0], Catch::Matchers::WithinAbs(.3, 1e-15));
        CHECK_THAT(l.value[1], Catch::Matchers::WithinAbs(.5, 1e-15));
    }
    SECTION("no trials: no line") {
        const rep::ConvergenceLine l = rep::convergence_line(trials("cosine", {}), true);
        CHECK(l.n_repeats == 0);
        CHECK(l.count.empty());
    }
}

TEST_CASE("The convergence section draws one figure per model, with bands over repeats",
          "[report][convergence]") {
    const auto one = trials("cosine", {{0, 0, .2}, {0, 2, .4}, {0, 4, .3}});
    const auto other = trials("jaccard", {{0, 1, .1}, {0, 3, .5}});
    {
        rep::Document doc("t");
        rep::convergence_section(doc, input_with({one, other}));
        const std::string html = doc.html();
        CHECK(count(html, "<figure") == 1);
        CHECK(count(html, "<svg") == 1);
        CHECK(html.find("fill-opacity") == std::string::npos);  // no band without repeats
        CHECK_THAT(doc.markdown(), Contains("Item-KNN: best validation ndcg@5 so far against the "
                                            "measure's own number of complete trials"));
        CHECK(html.find("median over the repeats of the best so far") == std::string::npos);
    }
    {
        // cosine has two repeats: its band is drawn; jaccard, with one, has none.
        auto twice = one;
        for (const auto& [n, v] : std::vector<std::pair<double, double>>{{1, .5}, {3, .1}}) {
            twice.repeat.push_back(1);
            twice.number.push_back(n);
            twice.value.push_back(v);
        }
        rep::Document doc("t");
        rep::convergence_section(doc, input_with({twice, other}));
        const std::string html = doc.html();
        CHECK(count(html, "<figure") == 1);
        CHECK(count(html, "fill-opacity") == 1);
        CHECK_THAT(html, Contains("median over the repeats of the best so far"));
    }
    {
        rep::ReportInput in = input_with({trials("cosine", {})});
        rep::Document doc("t");
        rep::convergence_section(doc, in);
        CHECK(count(doc.html(), "<figure") == 0);
        CHECK_THAT(doc.markdown(), Contains("### Item-KNN\n\nNo complete trial to plot."));
    }
}
