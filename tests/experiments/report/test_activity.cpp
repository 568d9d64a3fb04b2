/// The By user activity section (experiments/report/sections/activity.cpp) on report inputs
/// built by hand: its quartiles against a direct computation from the per-user vectors and the
/// train counts, its table, and the sentence that replaces it without per-user values.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "experiments/report/analysis.hpp"
#include "experiments/report/document.hpp"
#include "experiments/report/input.hpp"
#include "experiments/report/sections/sections.hpp"

namespace rep = knntune::exp::report;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using knntune::exp::BaselineResult;
using knntune::exp::MeasureResult;
using knntune::exp::ModelResult;

namespace {

MeasureResult measure(std::string name, const std::vector<double>& v) {
    MeasureResult m;
    m.measure = std::move(name);
    m.test_metrics = {
        {"ndcg@5", std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size())}};
    m.per_user["ndcg@5"] = v;
    return m;
}

/// A model over `users` (user ids) with best-on-valid values `best`, a second measure
/// `other` and top_pop values `pop` (none when empty).
rep::ModelAnalysis model(std::vector<knntune::engine::UserIndex> users, std::vector<double> best,
                         std::vector<double> other, std::vector<double> pop) {
    ModelResult r;
    r.model = "item_knn";
    r.objective = "ndcg@5";
    r.users = std::move(users);
    r.measures = {measure("cosine", best), measure("jaccard", other)};
    if (!pop.empty()) {
        BaselineResult b;
        b.baseline = "top_pop";
        b.test_metrics = {{"ndcg@5", 0.0}};
        b.per_user["ndcg@5"] = pop;
        r.baselines.push_back(b);
    }
    knntune::exp::ExperimentConfig cfg;
    cfg.report.bootstrap_samples = 50;
    return rep::analyse_model(cfg, "item_knn", r, {});
}

/// The quartile means written out again: each position of `users` ranked by (count, id) with a
/// counting comparison, group g holding the ranks [g·n/4 + min(g, n%4), ...).
std::vector<double> expected_means(const std::vector<knntune::engine::UserIndex>& users,
                                   const std::vector<std::int64_t>& counts,
                                   const std::vector<double>& values) {
    const std::size_t n = users.size();
    std::vector<double> sum(4, 0.0);
    std::vector<double> size(4, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t rank = 0;  // users before user i in (count, id) order
        for (std::size_t j = 0; j < n; ++j) {
            const auto ci = counts[static_cast<std::size_t>(users[i])];
            const auto cj = counts[static_cast<std::size_t>(users[j])];
            if (cj < ci || (cj == ci && users[j] < users[i])) ++rank;
        }
        std::size_t g = 0;
        std::size_t end = n / 4 + (n % 4 > 0 ? 1 : 0);
        while (rank >= end) {
            ++g;
            end += n / 4 + (n % 4 > g ? 1 : 0);
        }
        sum[g] += values[i];
        size[g] += 1.0;
    }
    std::vector<double> mean;
    for (std::size_t g = 0; g < 4; ++g) {
        if (size[g] > 0) mean.push_back(sum[g] / size[g]);
    }
    return mean;
}

}  // namespace

TEST_CASE("Activity quartiles split the test users by train interactions, ties by user id",
          "[report][activity]") {
    // Ten test users, ids out of order, with ties across the quartile borders; the users tied
    // at 3 (ids 2, 3, 5) are in another order by id than by position.
    const std::vector<knntune::engine::UserIndex> users = {7, 5, 9, 0, 4, 1, 8, 3, 6, 2};
    const std::vector<std::int64_t> counts = {5, 1, 3, 3, 8, 3, 12, 2, 5, 20};  // per user id
    const std::vector<double> best = {.9, .1, .5, .2, .6, .3, .7, .4, .8, 1.0};
    const std::vector<double> other = {.5, .5, .4, .3, .2, .1, 0., .6, .7, .8};
    const std::vector<double> pop = {.3, .2, .1, .0, .4, .5, .6, .7, .8, .9};
    const rep::ModelAnalysis ma = model(users, best, other, pop);
    REQUIRE(ma.test_best == 0);

    const std::vector<rep::ActivityGroup> q = rep::activity_quartiles(ma, counts);
    REQUIRE(q.size() == 4);
    // By hand, (count, id) in order: (1,1) (2,7) (3,2) | (3,3) (3,5) (5,0) | (5,8) (8,4) |
    // (12,6) (20,9): ten users in 3, 3, 2, 2 (the first two quartiles take the extra users),
    // and the ties at 3 and 5 straddle a border.
    CHECK(q[0].n_users == 3);
    CHECK(q[1].n_users == 3);
    CHECK(q[2].n_users == 2);
    CHECK(q[3].n_users == 2);
    CHECK(q[0].fewest == 1);
    CHECK(q[0].most == 3);
    CHECK(q[1].fewest == 3);
    CHECK(q[1].most == 5);
    CHECK(q[2].fewest == 5);
    CHECK(q[2].most == 8);
    CHECK(q[3].fewest == 12);
    CHECK(q[3].most == 20);
    // Quartile 1 holds users 1, 7 and 2 (positions 5, 0 and 9).
    CHECK_THAT(q[0].best, WithinAbs((.3 + .9 + 1.0) / 3.0, 1e-12));
    CHECK_THAT(q[0].top_pop, WithinAbs((.5 + .3 + .9) / 3.0, 1e-12));
    // Every quartile against the means written out again.
    const std::vector<double> want_best = expected_means(users, counts, best);
    const std::vector<double> want_pop = expected_means(users, counts, pop);
    REQUIRE(want_best.size() == 4);
    for (std::size_t g = 0; g < 4; ++g) {
        INFO("quartile " << g + 1);
        CHECK_THAT(q[g].best, WithinAbs(want_best[g], 1e-12));
        CHECK_THAT(q[g].test_best, WithinAbs(want_best[g], 1e-12));  // cosine is best on test
        CHECK_THAT(q[g].top_pop, WithinAbs(want_pop[g], 1e-12));
    }

    rep::ReportInput in;
    in.data.train_interactions = counts;
    in.models.push_back(ma);
    rep::Document doc("t");
    rep::activity_section(doc, in);
    const std::string md = doc.markdown();
    CHECK_THAT(md, Contains("| quartile | users | train interactions | cosine (best on valid) | "
                            "top\\_pop (baseline) |"));
    CHECK_THAT(md, Contains("| Q1 | 3 | 1–3 | 0.7333 | 0.5667 |"));
    CHECK_THAT(md, Contains("| Q4 | 2 | 12–20 | 0.6500 | 0.4500 |"));
    CHECK_THAT(md, Contains("the one a user of knntune would deploy"));
}

TEST_CASE("Activity quartiles: fewer users than quartiles, the test-best column, no values",
          "[report][activity]") {
    const std::vector<std::int64_t> counts = {4, 4, 9};
    // jaccard is best on test: it gets its own column.
    const rep::ModelAnalysis ma = model({2, 0, 1}, {.1, .2, .3}, {.4, .5, .6}, {});
    REQUIRE(ma.test_best == 1);
    const std::vector<rep::ActivityGroup> q = rep::activity_quartiles(ma, counts);
    REQUIRE(q.size() == 3);  // three users: the fourth quartile is empty and left out
    CHECK(q[0].n_users == 1);
    CHECK(q[0].fewest == 4);
    CHECK_THAT(q[0].best, WithinAbs(.2, 1e-12));       // user 0
    CHECK_THAT(q[2].test_best, WithinAbs(.4, 1e-12));  // user 2, 9 interactions
    CHECK(std::isnan(q[0].top_pop));

    rep::ReportInput in;
    in.data.train_interactions = counts;
    in.models.push_back(ma);
    rep::Document doc("t");
    rep::activity_section(doc, in);
    CHECK_THAT(doc.markdown(), Contains("| quartile | users | train interactions | cosine (best on "
                                        "valid) | jaccard (best on test) |\n"));

    // Without per-user values, one sentence instead of the table.
    rep::ModelAnalysis bare = ma;
    for (auto& m : bare.result.measures) m.per_user.clear();
    CHECK(rep::activity_quartiles(bare, counts).empty());
    in.models = {bare};
    rep::Document skipped("t");
    rep::activity_section(skipped, in);
    CHECK_THAT(skipped.markdown(), Contains("### Item-KNN\n\nThere are no per-user ndcg@5 values "
                                            "of the test users to split by activity.\n"));
    CHECK(skipped.markdown().find("| quartile |") == std::string::npos);
    // Counts that do not cover the test users: no table either.
    CHECK(rep::activity_quartiles(ma, std::vector<std::int64_t>{1, 2}).empty());
}
