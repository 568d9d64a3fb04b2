// The contract every registered measure satisfies, plus parameter validation messages.

#include <tbb/global_control.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "engine/error.hpp"
#include "engine/similarity/registry.hpp"
#include "engine/similarity/similarity.hpp"
#include "engine/topk.hpp"
#include "tests/engine/random_matrix.hpp"

using namespace knntune::engine;
using namespace knntune::engine::similarity;
using knntune::KeyInfo;
using knntune::KeyType;
using knntune::Value;

namespace {

CsrMatrix random_csr(Index rows, Index cols, double density, unsigned seed) {
    std::mt19937 rng(seed);
    // Few distinct values, so that ties are frequent.
    return knntune::test::random_sparse(
        rows, cols, rng, [density](Index, Index) { return density; },
        [&rng] { return 1.0F + static_cast<float>(rng() % 3); });
}

}  // namespace

TEST_CASE("every measure: ranked rows, k respected, thread-count independent, self option",
          "[engine][similarity][contract]") {
    const CsrMatrix r = random_csr(400, 150, 0.05, 17U);
    for (const MeasureInfo& info : measure_table()) {
        for (const Orientation o : {Orientation::Item, Orientation::User}) {
            INFO(info.name << (o == Orientation::Item ? " item" : " user"));
            CHECK(measure_from_name(info.name) == info.id);
            SimilarityParams p = parse_params(info.id, {{"k", 7.0}});
            const CsrMatrix parallel = compute_similarity(r, o, info.id, p);
            CsrMatrix serial;
            {
                tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
                serial = compute_similarity(r, o, info.id, p);
            }
            CHECK(parallel == serial);
            const Index n = o == Orientation::Item ? r.cols : r.rows;
            CHECK(parallel.rows == n);
            CHECK(parallel.cols == n);
            bool ranked = true;
            bool has_self = false;
            for (Index i = 0; i < n; ++i) {
                CHECK(parallel.row_nnz(i) <= 7);
                const auto idx = parallel.row_indices(i);
                const auto val = parallel.row_values(i);
                for (size_t j = 0; j < idx.size(); ++j) {
                    has_self = has_self || idx[j] == i;
                    CHECK(val[j] > 0);
                    if (j > 0)
                        ranked = ranked && ranks_before({val[j - 1], idx[j - 1]}, {val[j], idx[j]});
                }
            }
            CHECK(ranked);
            // Top-k is a prefix of top-K for K > k.
            SimilarityParams wide = p;
            wide.k = 20;
            CHECK(truncate_rows(compute_similarity(r, o, info.id, wide), 7) == parallel);
            p.exclude_self = true;
            const CsrMatrix no_self = compute_similarity(r, o, info.id, p);
            for (Index i = 0; i < n; ++i) {
                for (Index c : no_self.row_indices(i)) CHECK(c != i);
            }
            if (info.id == measure_of<Cosine>()) CHECK(has_self);
        }
    }
}

TEST_CASE("parameter errors name the parameter and what is valid", "[engine][similarity][params]") {
    const Measure cosine = measure_of<Cosine>();
    const Measure jaccard = measure_of<Jaccard>();
    const Measure s_plus = measure_of<SPlus>();
    REQUIRE_THROWS_AS(measure_from_name("cosin"), ParamError);
    // The message lists every registered measure in registry order (a measure added at the end
    // of the list keeps this prefix).
    REQUIRE_THROWS_WITH(measure_from_name("cosin"),
                        Catch::Matchers::StartsWith(
                            "unknown similarity measure 'cosin'; valid measures: dot_product, "
                            "cosine, asymmetric_cosine, jaccard, dice, tversky, p3alpha, rp3beta, "
                            "s_plus"));
    REQUIRE_THROWS_WITH(measure_from_name("cosin"),
                        Catch::Matchers::EndsWith(std::string(measure_names().back())));
    REQUIRE_THROWS_WITH(parse_params(cosine, {{"alpha", 0.5}}),
                        Catch::Matchers::StartsWith(
                            "parameter 'alpha' does not apply to cosine; valid parameters: k, "
                            "shrink, shrink_type"));
    REQUIRE_THROWS_WITH(parse_params(cosine, {{"shrnk", 1.0}}),
                        Catch::Matchers::StartsWith("unknown parameter 'shrnk' for cosine"));
    REQUIRE_THROWS_WITH(parse_params(jaccard, {{"k", 0.0}}),
                        "parameter 'k' of jaccard = 0 is out of range [1, 1e+09]");
    REQUIRE_THROWS_WITH(parse_params(jaccard, {{"k", 2.5}}),
                        "parameter 'k' of jaccard: expected an integer, got 2.5");
    REQUIRE_THROWS_WITH(parse_params(cosine, {{"shrink", std::string("-1")}}),
                        "parameter 'shrink' of cosine = -1 is out of range [0, inf)");
    REQUIRE_THROWS_WITH(parse_params(s_plus, {{"l", 1.5}}),
                        "parameter 'l' of s_plus = 1.5 is out of range [0, 1]");
    REQUIRE_THROWS_WITH(parse_params(s_plus, {{"l", 0.5}, {"l1", 0.5}}),
                        "s_plus: give either the classic form (l, c) or the general form (l1, "
                        "l2, c1, c2), not both");
    REQUIRE_THROWS_WITH(parse_params(cosine, {{"shrink_type", std::string("bayes")}}),
                        "parameter 'shrink_type' of cosine: expected one of stabilized, "
                        "bayesian, additive");
    REQUIRE_THROWS_WITH(parse_params(cosine, {{"binary", std::string("yes")}}),
                        "parameter 'binary' of cosine: expected true or false, got 'yes'");
    REQUIRE_THROWS_WITH(parse_params(cosine, {{"bm25_k1", 1.0}}),
                        "parameter 'bm25_k1' needs weighting = tfidf, bm25 or bm25plus");
    REQUIRE_THROWS_WITH(
        parse_params(cosine, {{"weighting", std::string("tfidf")}, {"bm25_b", 0.5}}),
        "parameter 'bm25_b' needs weighting = bm25 or bm25plus");
    REQUIRE_THROWS_WITH(
        parse_params(cosine, {{"weighting", std::string("bm25")}, {"bm25_delta", 0.5}}),
        "parameter 'bm25_delta' needs weighting = bm25plus");
    CHECK_NOTHROW(
        parse_params(cosine, {{"weighting", std::string("bm25plus")}, {"bm25_delta", 0.5}}));
    REQUIRE_THROWS_WITH(parse_params(measure_of<AsymmetricCosine>(), {{"alpha", 1.5}}),
                        "parameter 'alpha' of asymmetric_cosine = 1.5 is out of range [0, 1]");
    // Parameters parsed for one measure are refused by another.
    REQUIRE_THROWS_WITH(compute_similarity(random_csr(5, 5, 0.5, 1U), Orientation::Item, cosine,
                                           parse_params(jaccard, {})),
                        "similarity: the parameters were parsed for jaccard, not for cosine");

    // Defaults come from the measure's Params, per measure.
    CHECK(own_params<AsymmetricCosine>(parse_params(measure_of<AsymmetricCosine>(), {})).alpha ==
          0.5);
    CHECK(own_params<Tversky>(parse_params(measure_of<Tversky>(), {})).alpha == 1.0);
    const SPlusParams classic = own_params<SPlus>(parse_params(s_plus, {{"l", 0.3}, {"c", 0.8}}));
    CHECK(classic.l1 == 0.3);
    CHECK(classic.l2 == Approx(0.7));
    CHECK(classic.c1 == 0.8);
    CHECK(classic.c2 == Approx(0.2));
    CHECK(params_help(cosine).find("shrink_type=stabilized") != std::string::npos);
    CHECK(key_default_text(cosine, "shrink_type") == "stabilized");
    CHECK(key_default_text(s_plus, "l") == "0.5");
    CHECK(std::get<double>(key_default(measure_of<Rp3beta>(), "beta")) == 1.0);
    REQUIRE_THROWS_WITH(key_default(cosine, "alpha"),
                        Catch::Matchers::StartsWith("parameter 'alpha' does not apply to cosine"));
}

TEST_CASE("every measure: registry entry, parameters, defaults and search ranges",
          "[engine][similarity][contract]") {
    const auto check_keys = [](std::span<const KeyInfo> keys, const auto& default_of) {
        for (const KeyInfo& k : keys) {
            INFO("key " << k.name);
            CHECK_FALSE(k.help.empty());
            // The default passes the key's own validation (bounds, type, choices); a choice's
            // default is its index, validated as its label.
            Value def = default_of(k.name);
            if (k.type == KeyType::Choice) def = knntune::value_text(k, def);
            knntune::Parsed parsed;
            CHECK(check_value(k, def, k.name, parsed) == std::nullopt);
            if (k.search) {
                CHECK((k.type == KeyType::Real || k.type == KeyType::Int));
                CHECK(k.search->low <= k.search->high);
                CHECK(k.bounds.contains(k.search->low));
                CHECK(k.bounds.contains(k.search->high));
                CHECK((!k.search->log || k.search->low > 0));
            }
        }
    };
    for (const MeasureInfo& info : measure_table()) {
        INFO(info.name);
        CHECK(info.id == Measure(static_cast<std::size_t>(&info - measure_table().data())));
        CHECK(measure_name(info.id) == info.name);
        CHECK_FALSE(info.formula.empty());
        CHECK(own_keys(info.id).data() == info.keys.data());
        const SimilarityParams p = parse_params(info.id, {});
        CHECK(parsed_for(p) == info.id);
        CHECK(p.own.index() == info.id.index());
        check_keys(common_keys(), [&](std::string_view n) { return key_default(info.id, n); });
        check_keys(own_keys(info.id), [&](std::string_view n) { return key_default(info.id, n); });
        for (const KeyInfo& k : own_keys(info.id)) {
            // No own key shadows a common one, and each is accepted with its default value.
            CHECK(std::none_of(common_keys().begin(), common_keys().end(),
                               [&](const KeyInfo& c) { return c.name == k.name; }));
            CHECK_NOTHROW(
                parse_params(info.id, {{std::string(k.name), key_default_text(info.id, k.name)}}));
            CHECK(params_help(info.id).find("  " + std::string(k.name) + "=") != std::string::npos);
        }
    }
    CHECK(measure_names().size() == measure_table().size());
}

TEST_CASE("bayesian shrink without a normalisation term keeps scores (den = 1)",
          "[engine][similarity][params]") {
    const CsrMatrix r = random_csr(50, 20, 0.2, 3U);
    const Measure dot = measure_of<DotProduct>();
    const SimilarityParams p =
        parse_params(dot, {{"shrink", 2.0}, {"shrink_type", std::string("bayesian")}});
    const CsrMatrix s = compute_similarity(r, Orientation::Item, dot, p);
    const CsrMatrix plain = compute_similarity(r, Orientation::Item, dot, parse_params(dot, {}));
    REQUIRE(s.nnz() > 0);
    for (Index i = 0; i < s.rows; ++i) {
        // s = xy · xy / (xy + 2), monotone in xy, so the top set is unchanged.
        CHECK(s.row_nnz(i) == plain.row_nnz(i));
        for (Offset q = s.indptr[i]; q < s.indptr[i + 1]; ++q) {
            const float xy = plain.values[q];
            CHECK(s.values[q] == Approx(xy * xy / (xy + 2)).epsilon(1e-6));
        }
    }
}

TEST_CASE("wide matrices (32-bit column path) give the same result as narrow ones",
          "[engine][similarity][contract]") {
    // Items spread over 70,000 columns by a monotone map, so ranks and ties are preserved.
    const CsrMatrix narrow = random_csr(200, 300, 0.05, 11U);
    CsrMatrix wide = narrow;
    wide.cols = 70000;
    for (Index& c : wide.indices) c *= 233;
    for (const MeasureInfo& info : measure_table()) {
        INFO(info.name);
        const Measure m = info.id;
        const SimilarityParams p = parse_params(m, {{"k", 9.0}});
        const CsrMatrix s_narrow = compute_similarity(narrow, Orientation::Item, m, p);
        CsrMatrix s_wide = compute_similarity(wide, Orientation::Item, m, p);
        REQUIRE(s_wide.rows == 70000);
        for (Index i = 0; i < 300; ++i) {
            const auto idx = s_wide.row_indices(i * 233);
            const auto val = s_wide.row_values(i * 233);
            REQUIRE(static_cast<Offset>(idx.size()) == s_narrow.row_nnz(i));
            for (size_t j = 0; j < idx.size(); ++j) {
                CHECK(idx[j] == s_narrow.row_indices(i)[j] * 233);
                CHECK(val[j] == s_narrow.row_values(i)[j]);
            }
        }
        // User orientation: the recommendation over wide item ids matches too.
        const CsrMatrix u_narrow = compute_similarity(narrow, Orientation::User, m, p);
        CHECK(compute_similarity(wide, Orientation::User, m, p) == u_narrow);
    }
}

TEST_CASE("keep_smallest_keys keeps the k smallest keys, as a full sort does", "[engine][topk]") {
    std::mt19937_64 rng(21);
    // How the high halves (the scores of rank keys) spread: over the whole range, over a few
    // values (ties that only the id in the low half breaks), all equal, one far outlier above
    // a dense cluster (a bucket holding nearly all keys: the select must go a level deeper),
    // and rank keys of scores with both signs.
    enum class Spread { Wide, FewLevels, OneLevel, Outlier, Scores };
    const Spread spread = GENERATE(Spread::Wide, Spread::FewLevels, Spread::OneLevel,
                                   Spread::Outlier, Spread::Scores);
    const std::size_t n = GENERATE(std::size_t{0}, std::size_t{1}, kRadixSelectMin - 1,
                                   kRadixSelectMin, std::size_t{700}, std::size_t{20000});
    CAPTURE(static_cast<int>(spread), n);
    std::vector<std::uint64_t> keys(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t low = static_cast<std::uint32_t>(i * 2654435761U);  // distinct ids
        std::uint64_t high = 0;
        switch (spread) {
            case Spread::Wide:
                high = static_cast<std::uint32_t>(rng());
                break;
            case Spread::FewLevels:
                high = 1000 + rng() % 5;
                break;
            case Spread::OneLevel:
                high = 77;
                break;
            case Spread::Outlier:
                high = i == 0 ? 0xFFFFFFF0U : 5000 + rng() % 3000;
                break;
            case Spread::Scores: {
                const auto s = static_cast<Score>(std::ldexp(
                    static_cast<double>(rng() % 1000) - 500, static_cast<int>(rng() % 20) - 10));
                high = rank_key({s, 0}) >> 32;
                break;
            }
        }
        keys[i] = (high << 32) | low;
    }
    std::vector<std::uint64_t> sorted = keys;
    std::sort(sorted.begin(), sorted.end());
    for (const std::size_t k :
         {std::size_t{0}, std::size_t{1}, std::size_t{79}, n / 2, n > 0 ? n - 1 : 0, n, n + 5}) {
        CAPTURE(k);
        std::vector<std::uint64_t> got = keys;
        keep_smallest_keys(got, k);
        REQUIRE(got.size() == std::min(k, n));
        std::sort(got.begin(), got.end());
        CHECK(std::equal(got.begin(), got.end(), sorted.begin()));
    }
}

TEST_CASE("top-k collector keeps the best k by score then id, in every mode and push order",
          "[engine][topk]") {
    // Both modes: insertion (k ≤ kInsertK) and buffer-and-cut (larger k).
    const std::size_t k = GENERATE(std::size_t{1}, std::size_t{10}, TopKCollector::kInsertK,
                                   TopKCollector::kInsertK + 1, std::size_t{100});
    const bool ascending = GENERATE(false, true);
    CAPTURE(k, ascending);
    std::mt19937 rng(static_cast<unsigned>(k) * 2U + (ascending ? 1U : 0U));
    for (int round = 0; round < 50; ++round) {
        // Few distinct scores, so most candidates tie with others.
        std::uniform_int_distribution<int> level(0, 12);
        std::vector<ScoredIndex> cand;
        const int n = std::uniform_int_distribution<int>(0, 400)(rng);
        for (int i = 0; i < n; ++i) cand.push_back({static_cast<Score>(level(rng)) / 4, i});
        if (!ascending) std::shuffle(cand.begin(), cand.end(), rng);

        TopKCollector top;
        top.reset(k);
        for (const ScoredIndex& e : cand) {
            // Callers skip what the cut-off rules out: ascending ids use the strict test,
            // any order the tight one.
            if (ascending ? top.may_accept_ascending(e.score) : e.score >= top.tight_cutoff()) {
                top.push(e.score, e.index);
            }
        }
        std::vector<ScoredIndex> expect = cand;
        std::sort(expect.begin(), expect.end(), ranks_before);
        expect.resize(std::min(expect.size(), k));
        const std::vector<ScoredIndex>& got = top.finish();
        REQUIRE(got.size() == expect.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
            CHECK(got[i].score == expect[i].score);
            CHECK(got[i].index == expect[i].index);
        }
    }
}

TEST_CASE("parameters edited after parsing are checked against the same tables",
          "[engine][similarity][contract]") {
    const CsrMatrix r = random_csr(20, 10, 0.3, 5U);
    const Measure cosine = measure_from_name("cosine");
    SimilarityParams p = parse_params(cosine, {{"k", 5.0}});
    p.shrink = -1;
    CHECK_THROWS_WITH(compute_similarity(r, Orientation::Item, cosine, p),
                      "parameter 'shrink' of cosine = -1 is out of range [0, inf)");
    p.shrink = 0;
    p.k = 0;
    CHECK_THROWS_WITH(compute_similarity(r, Orientation::Item, cosine, p),
                      Catch::StartsWith("parameter 'k' of cosine = 0 is out of range [1, "));
    const Measure tversky = measure_from_name("tversky");
    SimilarityParams t = parse_params(tversky, {});
    std::get<TverskyParams>(t.own).alpha = -0.5;
    CHECK_THROWS_WITH(compute_similarity(r, Orientation::Item, tversky, t),
                      "parameter 'alpha' of tversky = -0.5 is out of range [0, inf)");
}
