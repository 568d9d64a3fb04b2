#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>

#include "engine/recommend.hpp"
#include "engine/similarity/cooccurrence.hpp"
#include "engine/similarity/registry.hpp"
#include "engine/similarity/similarity.hpp"
#include "engine/topk.hpp"
#include "tests/engine/random_matrix.hpp"

using namespace knntune::engine;
using namespace knntune::engine::similarity;

namespace {

CsrMatrix random_binary(Index rows, Index cols, double density, std::uint32_t seed) {
    std::mt19937 rng(seed);
    // A popularity skew so that degrees differ a lot.
    return knntune::test::random_sparse(
        rows, cols, rng, [density](Index, Index c) { return density * (1.0 + 3.0 * (c % 7 == 0)); },
        [] { return 1.0F; });
}

}  // namespace

TEST_CASE("co-occurrence cache scores exactly as the kernel computes from scratch",
          "[engine][similarity][cache]") {
    // Narrow: rows shorter than the histogram select's minimum; wide: item rows of several
    // hundred pairs, which go through it.
    const bool wide = GENERATE(false, true);
    CAPTURE(wide);
    const CsrMatrix r =
        wide ? random_binary(300, 700, 0.04, 12) : random_binary(160, 120, 0.05, 11);
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const char* shrink_types[] = {"stabilized", "bayesian", "additive"};
    for (const Orientation o : {Orientation::Item, Orientation::User}) {
        const auto cache = CooccurrenceCache::build(r, o, 10'000'000);
        REQUIRE(cache.has_value());
        for (const MeasureInfo& info : measure_table()) {
            if (!info.cooccurrence) continue;
            const Measure m = info.id;
            for (int trial = 0; trial < (wide ? 4 : 12); ++trial) {
                ParamMap values = {
                    {"k", static_cast<double>(1 + static_cast<int>(u(rng) * 60))},
                    {"shrink", trial % 4 == 0 ? 0.0 : u(rng) * 20},
                    {"shrink_type", std::string(shrink_types[trial % 3])},
                    {"threshold", trial % 5 == 0 ? u(rng) * 0.2 : 0.0},
                    {"exclude_self", std::string(trial % 2 == 0 ? "true" : "false")}};
                // The measure's tuned keys, drawn from their default search ranges.
                for (const knntune::KeyInfo& key : info.keys) {
                    if (key.search) {
                        values[std::string(key.name)] =
                            key.search->low + (key.search->high - key.search->low) * u(rng);
                    }
                }
                const SimilarityParams p = parse_params(m, values);
                INFO(measure_name(m) << " trial " << trial << " orientation "
                                     << (o == Orientation::Item ? "item" : "user"));
                REQUIRE(cache->supports(m, p));
                const CsrMatrix expected = compute_similarity(r, o, m, p);
                const CsrMatrix got = cache->score(m, p);
                CHECK(got == expected);  // bit-identical, not just close
                // With a row mask: the marked rows as without it, the others empty, which is
                // what the kernel gives with the same selection.
                std::vector<std::uint8_t> mask(static_cast<std::size_t>(expected.rows));
                for (std::size_t i = 0; i < mask.size(); ++i) {
                    mask[i] = (i + static_cast<std::size_t>(trial)) % 3 != 0 ? 1 : 0;
                }
                const CsrMatrix masked = cache->score(m, p, true, &mask);
                CHECK(masked == compute_similarity(r, o, m, p, Selection{.row_mask = &mask}));
                for (Index row = 0; row < masked.rows; ++row) {
                    const bool kept = mask[static_cast<std::size_t>(row)] != 0;
                    REQUIRE(masked.row_nnz(row) == (kept ? expected.row_nnz(row) : 0));
                    for (Offset j = 0; kept && j < masked.row_nnz(row); ++j) {
                        CHECK(masked.indices[masked.indptr[row] + j] ==
                              expected.indices[expected.indptr[row] + j]);
                        CHECK(masked.values[masked.indptr[row] + j] ==
                              expected.values[expected.indptr[row] + j]);
                    }
                }
                // Unranked rows: the same entries, any order; and the same recommendations.
                const CsrMatrix loose = cache->score(m, p, false);
                REQUIRE(loose.indptr == expected.indptr);
                for (Index row = 0; row < loose.rows; ++row) {
                    std::vector<std::pair<Index, Score>> a, b;
                    for (auto q = loose.indptr[row]; q < loose.indptr[row + 1]; ++q)
                        a.emplace_back(loose.indices[q], loose.values[q]);
                    for (auto q = expected.indptr[row]; q < expected.indptr[row + 1]; ++q)
                        b.emplace_back(expected.indices[q], expected.values[q]);
                    std::sort(a.begin(), a.end());
                    std::sort(b.begin(), b.end());
                    CHECK(a == b);
                }
                if (o == Orientation::Item) {
                    RecommendParams rp;
                    rp.top_n = 5;
                    CHECK(recommend(r, loose, o, rp) == recommend(r, expected, o, rp));
                }
            }
        }
    }
}

TEST_CASE("co-occurrence cache: what it does not serve", "[engine][similarity][cache]") {
    const CsrMatrix r = random_binary(50, 40, 0.1, 3);
    const auto cache = CooccurrenceCache::build(r, Orientation::Item, 1'000'000);
    REQUIRE(cache.has_value());
    for (const MeasureInfo& info : measure_table()) {
        INFO(info.name);
        CHECK(cache->supports(info.id, parse_params(info.id, {})) == info.cooccurrence);
    }
    CHECK_FALSE(measure_info(measure_of<P3alpha>()).cooccurrence);
    CHECK_FALSE(measure_info(measure_of<Rp3beta>()).cooccurrence);
    const Measure cosine = measure_of<Cosine>();
    CHECK_FALSE(
        cache->supports(cosine, parse_params(cosine, {{"weighting", std::string("bm25")}})));
    // The size limit: Σ deg² above it means no cache.
    CHECK_FALSE(CooccurrenceCache::build(r, Orientation::Item, 10).has_value());
    // Weighted input is served only when the measure binarises it.
    CsrMatrix w = r;
    for (auto& v : w.values) v = 2.5F;
    const auto wc = CooccurrenceCache::build(w, Orientation::Item, 1'000'000);
    REQUIRE(wc.has_value());
    CHECK_FALSE(wc->supports(cosine, parse_params(cosine, {})));
    const SimilarityParams bin = parse_params(cosine, {{"binary", std::string("true")}});
    REQUIRE(wc->supports(cosine, bin));
    CHECK(wc->score(cosine, bin) == compute_similarity(w, Orientation::Item, cosine, bin));
}

TEST_CASE("rank keys order like ranks_before and round-trip", "[engine][topk]") {
    std::mt19937 rng(9);
    std::uniform_int_distribution<int> pick(0, 6);
    const Score scores[] = {-3.5F, -0.25F, 0.0F, 1e-30F, 0.5F, 0.5F, 7.0F};
    std::vector<ScoredIndex> v;
    for (int i = 0; i < 400; ++i) v.push_back({scores[pick(rng)], static_cast<Index>(rng() % 50)});
    for (const auto& a : v) {
        const ScoredIndex back = from_rank_key(rank_key(a));
        CHECK(back.score == a.score);
        CHECK(back.index == a.index);
        for (const auto& b : v) {
            CHECK((rank_key(a) < rank_key(b)) == ranks_before(a, b));
        }
    }
}

TEST_CASE("re-scoring a row: the sampled floor never changes the pairs kept",
          "[engine][similarity][cache]") {
    // Rows of random scores (with zeros, NaNs and ties), and rows whose best scores all sit
    // at the sampled positions (every kFloorSampleStep-th), where the floor is too high and
    // the selection must filter again by the threshold alone. The reference keeps every
    // accepted pair, sorts and cuts to k.
    std::mt19937 rng(21);
    std::uniform_real_distribution<float> u(0.0F, 1.0F);
    int floored = 0, refiltered = 0;
    for (const std::size_t len : {std::size_t{100}, std::size_t{600}, std::size_t{3000}}) {
        for (const std::size_t k : {1, 5, 40, 60, 200, 600}) {
            for (const bool adversarial : {false, true}) {
                for (const Score thr : {0.0F, 0.3F}) {
                    const bool keep_self = u(rng) < 0.5F;
                    const auto r = static_cast<Index>(rng() % len);
                    std::vector<Score> scores(len);
                    std::vector<Index> cols(len);
                    for (std::size_t q = 0; q < len; ++q) {
                        cols[q] = static_cast<Index>(q);
                        const float x = u(rng);
                        if (adversarial) {
                            scores[q] = q % detail::kFloorSampleStep == 0 ? 1.0F + x : 0.5F * x;
                        } else if (x < 0.05F) {
                            scores[q] = 0.0F;
                        } else if (x < 0.07F) {
                            scores[q] = std::numeric_limits<Score>::quiet_NaN();
                        } else {
                            scores[q] = std::round(u(rng) * 64.0F) / 64.0F;  // many ties
                        }
                    }
                    INFO("len " << len << " k " << k << " adversarial " << adversarial << " thr "
                                << thr << " keep_self " << keep_self);
                    std::vector<std::uint64_t> expected;
                    for (std::size_t q = 0; q < len; ++q) {
                        const Score s = scores[q];
                        if (s >= thr && s != 0 && (keep_self || cols[q] != r))
                            expected.push_back(rank_key({s, cols[q]}));
                    }
                    std::sort(expected.begin(), expected.end());
                    if (expected.size() > k) expected.resize(k);

                    const Score floor = detail::sampled_floor(scores.data(), cols.data(), len, k,
                                                              thr, r, keep_self);
                    CHECK(floor >= thr);
                    if (len < detail::kFloorSampleMin) CHECK(floor == thr);
                    if (floor > thr) {
                        const auto reach = std::count_if(
                            expected.begin(), expected.end(),
                            [&](std::uint64_t key) { return from_rank_key(key).score >= floor; });
                        ++(static_cast<std::size_t>(reach) < k ? refiltered : floored);
                    }
                    std::vector<std::uint64_t> got;
                    detail::select_row(scores.data(), cols.data(), len, k, thr, r, keep_self, true,
                                       got);
                    CHECK(got == expected);
                    detail::select_row(scores.data(), cols.data(), len, k, thr, r, keep_self, false,
                                       got);
                    std::sort(got.begin(), got.end());
                    CHECK(got == expected);
                }
            }
        }
    }
    // Both ways through the selection were taken.
    CHECK(floored > 0);
    CHECK(refiltered > 0);
}
