/// KnnEvaluator against an independent path: a full similarity from the engine, scored by
/// the same recommendation and metrics. User-KNN trials compute only the evaluated users'
/// rows of S, with and without the co-occurrence cache; the metrics must not change at all.

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <span>

#include "engine/metrics.hpp"
#include "engine/similarity/similarity.hpp"
#include "experiments/knn_study.hpp"
#include "tests/engine/random_matrix.hpp"

using namespace knntune;
namespace sim = knntune::engine::similarity;

TEST_CASE("knn study: a user-KNN trial scores as the full similarity does",
          "[experiments][knn_study][cache]") {
    std::mt19937 rng(17);
    const auto one = [] { return 1.0F; };
    // 150 users × 90 items; about a third of the users have no target item, so they are
    // not evaluated and their rows of S are not computed.
    const engine::CsrMatrix train = test::random_sparse(
        150, 90, rng,
        [](engine::Index, engine::Index c) { return 0.06 * (1.0 + 2.0 * (c % 5 == 0)); }, one);
    const engine::CsrMatrix target = test::random_sparse(
        150, 90, rng, [](engine::Index u, engine::Index) { return u % 3 == 0 ? 0.0 : 0.05; }, one);
    const std::vector<engine::MetricSpec> metrics = {engine::parse_metric("precision@5"),
                                                     engine::parse_metric("ndcg@10"),
                                                     engine::parse_metric("recall@10")};
    struct Case {
        const char* measure;
        sim::ParamMap params;
    };
    const std::vector<Case> cases = {
        {"cosine", {{"k", 20.0}, {"shrink", 3.0}}},
        {"asymmetric_cosine", {{"k", 7.0}, {"shrink", 0.0}, {"alpha", 0.3}}},
        {"tversky", {{"k", 40.0}, {"shrink", 1.0}, {"alpha", 0.5}, {"beta", 1.5}}},
        {"dot_product", {{"k", 15.0}, {"shrink", 0.0}, {"exclude_self", std::string("true")}}},
        {"p3alpha", {{"k", 25.0}, {"shrink", 0.0}, {"alpha", 0.7}}},
        {"rp3beta", {{"k", 25.0}, {"shrink", 0.0}, {"alpha", 0.9}, {"beta", 0.4}}},
        {"rp3beta",
         {{"k", 25.0},
          {"shrink", 0.0},
          {"alpha", 0.9},
          {"beta", 0.4},
          {"variant", std::string("literature")}}},
    };
    for (const std::size_t cache_pairs : {std::size_t{0}, std::size_t{10'000'000}}) {
        for (const auto o : {sim::Orientation::User, sim::Orientation::Item}) {
            const exp::KnnEvaluator evaluator(train, target, o, metrics, cache_pairs);
            for (const Case& c : cases) {
                INFO(c.measure << " cache " << cache_pairs << " orientation "
                               << (o == sim::Orientation::User ? "user" : "item"));
                const exp::KnnConfig config{c.measure, c.params};
                const exp::KnnResult got = evaluator.evaluate(config);
                const engine::CsrMatrix full = exp::fit_knn(train, o, config);
                const exp::KnnResult want = evaluator.evaluate_similarity(full, 0.0);
                REQUIRE(got.evaluation.users == want.evaluation.users);
                REQUIRE(got.evaluation.users.size() > 50);
                REQUIRE(got.evaluation.metrics.size() == want.evaluation.metrics.size());
                for (std::size_t i = 0; i < got.evaluation.metrics.size(); ++i) {
                    INFO(got.evaluation.metrics[i].spec.name);
                    CHECK(got.evaluation.metrics[i].mean == want.evaluation.metrics[i].mean);
                    CHECK(got.evaluation.metrics[i].per_user ==
                          want.evaluation.metrics[i].per_user);
                }
                CHECK(want.evaluation.metrics[0].mean > 0.0);
            }
        }
    }
}

TEST_CASE("knn study: prune stages are a seeded permutation with doubling checks",
          "[experiments][knn_study][prune]") {
    const exp::PruneStages s = exp::prune_stages(1000, 0.125, 50, 7);
    std::vector<std::size_t> sorted = s.order;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) REQUIRE(sorted[i] == i);
    CHECK(s.order != sorted);
    CHECK(s.checks == std::vector<std::size_t>{125, 250, 500});
    CHECK(exp::prune_stages(1000, 0.125, 50, 7).order == s.order);
    CHECK(exp::prune_stages(1000, 0.125, 50, 8).order != s.order);
    CHECK(exp::prune_stages(300, 0.01, 50, 7).checks == std::vector<std::size_t>{50, 100, 200});
    CHECK(exp::prune_stages(300, 0.0, 50, 7).checks.empty());
    CHECK(exp::prune_stages(40, 0.1, 50, 7).checks.empty());  // fewer users than a check needs
}

TEST_CASE(
    "knn study: a staged evaluation gives the whole one, or the mean of the users it "
    "stopped at",
    "[experiments][knn_study][prune]") {
    std::mt19937 rng(23);
    const auto one = [] { return 1.0F; };
    // 400 users; a small catalogue (every item scored) and a wide one (the bounded selection,
    // from 4096 items on).
    for (const engine::Index items : {90, 4200}) {
        const double scale = 90.0 / items;
        const engine::CsrMatrix train = test::random_sparse(
            400, items, rng,
            [scale](engine::Index, engine::Index c) {
                return scale * 0.06 * (1.0 + 2.0 * (c % 5 == 0));
            },
            one);
        const engine::CsrMatrix target = test::random_sparse(
            400, items, rng,
            [scale](engine::Index u, engine::Index) { return u % 3 == 0 ? 0.0 : scale * 0.08; },
            one);
        const std::vector<engine::MetricSpec> metrics = {engine::parse_metric("precision@5"),
                                                         engine::parse_metric("ndcg@10"),
                                                         engine::parse_metric("coverage@10")};
        const std::vector<exp::KnnConfig> configs = {
            {"cosine", {{"k", 20.0}, {"shrink", 3.0}}},
            {"rp3beta", {{"k", 25.0}, {"shrink", 0.0}, {"alpha", 0.9}, {"beta", 0.4}}},
            {"tversky", {{"k", 40.0}, {"shrink", 1.0}, {"alpha", 0.5}, {"beta", 1.5}}}};
        for (const std::size_t cache_pairs : {std::size_t{0}, std::size_t{10'000'000}}) {
            for (const auto o : {sim::Orientation::User, sim::Orientation::Item}) {
                const exp::KnnEvaluator evaluator(train, target, o, metrics, cache_pairs);
                const exp::PruneStages stages =
                    exp::prune_stages(evaluator.units().size(), 0.2, 30, 3);
                REQUIRE(stages.checks.size() >= 2);
                for (const exp::KnnConfig& config : configs) {
                    INFO(config.measure << " items " << items << " cache " << cache_pairs
                                        << (o == sim::Orientation::User ? " user" : " item"));
                    const exp::KnnResult whole = evaluator.evaluate(config);
                    std::vector<std::size_t> seen;
                    const exp::StagedResult staged = evaluator.evaluate_staged(
                        config, "ndcg@10", stages,
                        [&](std::span<const std::size_t> units, std::span<const double> v) {
                            seen.push_back(units.size());
                            // Each value is the whole evaluation's value of that user.
                            for (std::size_t i = 0; i < units.size(); ++i) {
                                REQUIRE(v[i] == whole.evaluation.metrics[1].per_user[units[i]]);
                            }
                            return false;
                        });
                    CHECK(seen == stages.checks);
                    REQUIRE(staged.stopped_units == 0);
                    REQUIRE(staged.result.evaluation.users == whole.evaluation.users);
                    for (std::size_t i = 0; i < metrics.size(); ++i) {
                        INFO(metrics[i].name);
                        CHECK(staged.result.evaluation.metrics[i].mean ==
                              whole.evaluation.metrics[i].mean);
                        CHECK(staged.result.evaluation.metrics[i].per_user ==
                              whole.evaluation.metrics[i].per_user);
                    }
                    CHECK(whole.evaluation.metrics[1].mean > 0.0);
                    // Stopped at the second check: the mean over the users of the first two.
                    const exp::StagedResult stopped = evaluator.evaluate_staged(
                        config, "ndcg@10", stages,
                        [&](std::span<const std::size_t> units, std::span<const double>) {
                            return units.size() == stages.checks[1];
                        });
                    REQUIRE(stopped.stopped_units == stages.checks[1]);
                    double sum = 0.0;
                    for (std::size_t i = 0; i < stages.checks[1]; ++i) {
                        sum += whole.evaluation.metrics[1].per_user[stages.order[i]];
                    }
                    CHECK(stopped.partial_value ==
                          Approx(sum / static_cast<double>(stages.checks[1])).epsilon(1e-12));
                }
            }
        }
    }
}
