/// KnnEvaluator against an independent path: a full similarity from the engine, scored by
/// the same recommendation and metrics. User-KNN trials compute only the evaluated users'
/// rows of S, with and without the co-occurrence cache; the metrics must not change at all.

#include <catch2/catch.hpp>
#include <random>

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
