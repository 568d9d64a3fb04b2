// Metrics against values computed by hand on a tiny fixture.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "engine/metrics.hpp"
#include "tests/engine/random_matrix.hpp"

using namespace knntune::engine;
using Catch::Matchers::WithinAbs;

namespace {

/// Ranked lists (row order = rank) from explicit per-user item lists.
CsrMatrix lists(Index items, const std::vector<std::vector<Index>>& rows) {
    CsrMatrix m(static_cast<Index>(rows.size()), items);
    for (size_t u = 0; u < rows.size(); ++u) {
        for (size_t i = 0; i < rows[u].size(); ++i) {
            m.indices.push_back(rows[u][i]);
            m.values.push_back(static_cast<Score>(10 - i));
        }
        m.indptr[u + 1] = static_cast<Offset>(m.indices.size());
    }
    return m;
}

CsrMatrix relevant_sets(Index items, const std::vector<std::vector<Index>>& rows) {
    std::vector<Triplet> t;
    for (size_t u = 0; u < rows.size(); ++u) {
        for (Index i : rows[u]) t.push_back({static_cast<Index>(u), i, 1.0F});
    }
    return csr_from_triplets(static_cast<Index>(rows.size()), items, t);
}

double lg(double x) { return std::log2(x); }

}  // namespace

TEST_CASE("metrics match hand-computed values", "[engine][metrics]") {
    // 4 users, 6 items. User 2 has no relevant item and is not evaluated.
    const CsrMatrix rec = lists(6, {{0, 1, 2}, {3, 4, 5}, {0, 1, 2}, {5}});
    const CsrMatrix rel = relevant_sets(6, {{1, 4}, {5}, {}, {0, 1, 2}});
    const std::vector<Offset> pop = {10, 8, 6, 4, 2, 1};
    std::vector<MetricSpec> specs;
    for (const char* name : {"precision@3", "recall@3", "ndcg@3", "map@3", "hit_rate@3", "mrr@3",
                             "coverage@2", "arp@3", "precision@1"}) {
        specs.push_back(parse_metric(name));
    }
    const Evaluation ev = evaluate_metrics(rec, rel, pop, specs);
    REQUIRE(ev.users == std::vector<UserIndex>{0, 1, 3});

    // user 0: hits at rank 2; user 1: hit at rank 3; user 3: no hit (list of 1).
    const auto& precision = ev.metrics[0];
    CHECK_THAT(precision.per_user[0], WithinAbs(1.0 / 3, 1e-12));
    CHECK_THAT(precision.per_user[1], WithinAbs(1.0 / 3, 1e-12));
    CHECK_THAT(precision.per_user[2], WithinAbs(0.0, 1e-12));  // denominator stays k = 3
    CHECK_THAT(precision.mean, WithinAbs(2.0 / 9, 1e-12));

    const auto& recall = ev.metrics[1];
    CHECK_THAT(recall.per_user[0], WithinAbs(0.5, 1e-12));
    CHECK_THAT(recall.per_user[1], WithinAbs(1.0, 1e-12));
    CHECK_THAT(recall.mean, WithinAbs(0.5, 1e-12));

    const auto& ndcg = ev.metrics[2];
    CHECK_THAT(ndcg.per_user[0], WithinAbs((1 / lg(3)) / (1 + 1 / lg(3)), 1e-12));
    CHECK_THAT(ndcg.per_user[1], WithinAbs((1 / lg(4)) / 1.0, 1e-12));
    CHECK_THAT(ndcg.per_user[2], WithinAbs(0.0, 1e-12));

    const auto& map = ev.metrics[3];
    CHECK_THAT(map.per_user[0], WithinAbs((1.0 / 2) / 2, 1e-12));  // P@2 / min(3, 2)
    CHECK_THAT(map.per_user[1], WithinAbs((1.0 / 3) / 1, 1e-12));

    CHECK(ev.metrics[4].per_user == std::vector<double>{1, 1, 0});
    CHECK_THAT(ev.metrics[5].per_user[0], WithinAbs(0.5, 1e-12));
    CHECK_THAT(ev.metrics[5].per_user[1], WithinAbs(1.0 / 3, 1e-12));

    // coverage@2 over evaluated users' lists: {0,1} ∪ {3,4} ∪ {5} = 5 of 6 items.
    CHECK(ev.metrics[6].per_user.empty());
    CHECK_THAT(ev.metrics[6].mean, WithinAbs(5.0 / 6, 1e-12));

    const auto& arp = ev.metrics[7];
    CHECK_THAT(arp.per_user[0], WithinAbs(8.0, 1e-12));
    CHECK_THAT(arp.per_user[1], WithinAbs(7.0 / 3, 1e-12));
    CHECK_THAT(arp.per_user[2], WithinAbs(1.0, 1e-12));
    CHECK(arp.spec.direction == Direction::Minimize);

    CHECK(ev.metrics[8].per_user == std::vector<double>{0, 0, 0});
}

TEST_CASE("metric names carry a cut-off and a direction", "[engine][metrics]") {
    const MetricSpec m = parse_metric("ndcg@20");
    CHECK(m.family == "ndcg");
    CHECK(m.cutoff == 20);
    CHECK(m.name == "ndcg@20");
    CHECK(m.direction == Direction::Maximize);
    for (std::string_view family : metric_families()) {
        CHECK(parse_metric(std::string(family) + "@5").cutoff == 5);
    }
    REQUIRE_THROWS_WITH(parse_metric("ndgc@10"),
                        Catch::Matchers::StartsWith("unknown metric 'ndgc@10'; valid metrics: "
                                                    "precision@k, recall@k, ndcg@k"));
    REQUIRE_THROWS_WITH(parse_metric("recall"),
                        "metric 'recall' needs a cut-off, e.g. 'recall@10'");
    REQUIRE_THROWS_WITH(parse_metric("recall@0"),
                        "metric 'recall@0': the cut-off must be an integer >= 1");
}

TEST_CASE("every metric: direction, range and per-user vector on a random fixture",
          "[engine][metrics][contract]") {
    // 300 users, 80 items, lists of up to 25 distinct items; some users have nothing relevant.
    std::mt19937 rng(23);
    const Index users = 300;
    const Index items = 80;
    std::vector<std::vector<Index>> rows(users);
    for (auto& row : rows) {
        std::vector<Index> all(items);
        for (Index i = 0; i < items; ++i) all[i] = i;
        std::shuffle(all.begin(), all.end(), rng);
        all.resize(rng() % 26);
        row = all;
    }
    const CsrMatrix rec = lists(items, rows);
    const CsrMatrix rel = knntune::test::random_sparse(
        users, items, rng, [](Index u, Index) { return u % 10 == 0 ? 0.0 : 0.08; },
        [] { return 1.0F; });
    std::vector<Offset> pop(items);
    for (Offset& p : pop) p = static_cast<Offset>(rng() % 1000);

    REQUIRE(metric_families().size() == metric_table().size());
    for (const MetricFamily& family : metric_table()) {
        INFO(family.name);
        CHECK_FALSE(family.help.empty());
        CHECK(family.low <= family.high);
        for (const Index k : {1, 5, 10, 40}) {
            const MetricSpec spec =
                parse_metric(std::string(family.name) + "@" + std::to_string(k));
            CHECK(spec.family == family.name);
            CHECK(spec.direction == family.direction);
            const Evaluation ev = evaluate_metrics(rec, rel, pop, std::span(&spec, 1));
            REQUIRE(ev.metrics.size() == 1);
            const MetricResult& res = ev.metrics[0];
            CHECK(res.spec.name == spec.name);
            const bool per_user = std::holds_alternative<UserMetricFn>(family.compute);
            CHECK(res.per_user.size() == (per_user ? ev.users.size() : 0));
            for (double v : res.per_user) {
                CHECK(v >= family.low);
                CHECK(v <= family.high);
            }
            CHECK(res.mean >= family.low);
            CHECK(res.mean <= family.high);
            if (per_user) {
                double sum = 0;
                for (double v : res.per_user) sum += v;
                CHECK(res.mean == sum / static_cast<double>(res.per_user.size()));
            }
        }
    }
}
