#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <map>

#include "engine/error.hpp"
#include "engine/model_io.hpp"
#include "engine/similarity/similarity.hpp"
#include "experiments/knn_study.hpp"
#include "experiments/model_tools.hpp"
#include "support/temp_dir.hpp"

using namespace knntune;
using engine::CsrMatrix;
using engine::Index;

namespace {

/// 5 items; S rows ranked. Item 2 ("Blue Mug") has a tie between items 0 and 4.
engine::SimilarityModel toy_model() {
    engine::SimilarityModel m;
    m.model = "item_knn";
    m.measure = "cosine";
    m.params_json = R"({"k": 3, "shrink": 0})";
    const std::vector<engine::Triplet> s = {{0, 0, 1.0F}, {0, 1, 0.5F}, {0, 2, 0.25F}, {1, 1, 1.0F},
                                            {1, 0, 0.5F}, {1, 3, 0.2F}, {2, 2, 1.0F},  {2, 0, 0.3F},
                                            {2, 4, 0.3F}, {3, 3, 1.0F}, {3, 1, 0.2F},  {4, 4, 1.0F},
                                            {4, 2, 0.3F}, {4, 0, 0.1F}};
    m.similarity = engine::csr_from_triplets(5, 5, s);
    m.item_keys = {"A1", "B2", "C3", "D4", "E5"};
    m.item_names = {"Red Mug", "Red Plate", "Blue Mug", "", "Blue Plate "};
    m.user_keys = {"u"};
    m.train = engine::csr_from_triplets(1, 5, std::vector<engine::Triplet>{{0, 0, 1.0F}});
    return m;
}

}  // namespace

TEST_CASE("model tools: items are found by name or key, case-insensitively",
          "[experiments][model]") {
    const auto m = toy_model();
    CHECK(exp::find_item(m, "blue mug") == 2);
    CHECK(exp::find_item(m, "BLUE PLATE") == 4);  // trailing blank of the name ignored
    CHECK(exp::find_item(m, "d4") == 3);          // no name: the key
    CHECK_THROWS_WITH(exp::find_item(m, "Blue Mgu"),
                      "no item named 'Blue Mgu'; did you mean: 'Blue Mug', 'Blue Plate ', "
                      "'Red Mug', 'Red Plate', 'D4'");
}

TEST_CASE("model tools: a name shared by several items picks the most interacted one",
          "[experiments][model]") {
    auto m = toy_model();
    m.item_names[3] = "BLUE MUG";  // items 2 and 3 now share a name
    // Tie (no interactions for either): the lower index, and the note names the other.
    exp::ItemMatch match = exp::match_item(m, "blue mug");
    CHECK(match.item == 2);
    CHECK(match.same_name == std::vector<Index>{3});
    // Item 3 has two interactions, item 2 one: item 3 wins.
    m.user_keys = {"u", "v"};
    m.train = engine::csr_from_triplets(
        2, 5, std::vector<engine::Triplet>{{0, 2, 1.0F}, {0, 3, 1.0F}, {1, 3, 1.0F}});
    match = exp::match_item(m, "Blue Mug");
    CHECK(match.item == 3);
    CHECK(match.same_name == std::vector<Index>{2});
    CHECK(exp::find_item(m, "Blue Mug") == 3);
    CHECK(exp::same_name_note(m, match) ==
          "2 items are named 'BLUE MUG': using D4 (2 interactions); the others are C3 (1 "
          "interaction). Give a key instead of the name to choose another.");
    // Keys: exact first, then ignoring case; a unique name gives no note.
    CHECK(exp::match_item(m, "c3").item == 2);
    m.item_keys[4] = "c3";
    CHECK(exp::match_item(m, "c3").item == 4);
    CHECK(exp::match_item(m, "C3").item == 2);
    CHECK(exp::same_name_note(m, exp::match_item(m, "red mug")).empty());
}

TEST_CASE("model tools: similar items exclude the item and break ties by index",
          "[experiments][model]") {
    const auto m = toy_model();
    const auto sim = exp::similar_items(m.similarity, 2, 5);
    REQUIRE(sim.size() == 2);
    CHECK(sim[0].item == 0);  // 0.3 tie with item 4: lower index first
    CHECK(sim[1].item == 4);
    CHECK(exp::similar_items(m.similarity, 2, 1).size() == 1);
}

TEST_CASE("model tools: recommendations for a new user equal a dense R·Sᵀ",
          "[experiments][model]") {
    const auto m = toy_model();
    const std::vector<Index> items = {0, 3};
    // Dense oracle: score(j) = Σ_{i in items} S[j, i].
    std::map<Index, double> expected;
    for (Index j = 0; j < 5; ++j) {
        if (j == 0 || j == 3) continue;
        double s = 0;
        for (auto p = m.similarity.indptr[j]; p < m.similarity.indptr[j + 1]; ++p) {
            if (m.similarity.indices[p] == 0 || m.similarity.indices[p] == 3)
                s += m.similarity.values[p];
        }
        if (s > 0) expected[j] = s;
    }
    const auto recs = exp::recommend_for_items(m.similarity, items, 10);
    REQUIRE(recs.size() == expected.size());
    for (const auto& r : recs) CHECK(r.score == Approx(expected.at(r.item)));
    CHECK(recs[0].item == 1);  // 0.5 + 0.2
    for (std::size_t i = 1; i < recs.size(); ++i) CHECK(recs[i - 1].score >= recs[i].score);
}

TEST_CASE("model tools: the model file round-trips and --full recomputes with k = items",
          "[experiments][model]") {
    test::TempDir dir;
    engine::SimilarityModel m = toy_model();
    // A real training matrix so that the recomputation is meaningful.
    m.user_keys = {"u1", "u2", "u3"};
    m.train = engine::csr_from_triplets(3, 5,
                                        std::vector<engine::Triplet>{{0, 0, 1},
                                                                     {0, 1, 1},
                                                                     {1, 1, 1},
                                                                     {1, 2, 1},
                                                                     {1, 3, 1},
                                                                     {2, 0, 1},
                                                                     {2, 2, 1},
                                                                     {2, 3, 1},
                                                                     {2, 4, 1}});
    const std::string path = (dir.path() / "model.h5").string();
    engine::save_model(m, path);
    const auto back = exp::load_model_or_run(path);
    CHECK(back.similarity == m.similarity);
    CHECK(back.train == m.train);
    CHECK(back.item_names == m.item_names);
    CHECK(back.measure == "cosine");
    const CsrMatrix full = exp::full_similarity(back);
    namespace sim = engine::similarity;
    const sim::Measure cosine = sim::measure_from_name("cosine");
    const CsrMatrix expected =
        sim::compute_similarity(m.train, sim::Orientation::Item, cosine,
                                sim::parse_params(cosine, {{"k", 5.0}, {"shrink", 0.0}}));
    CHECK(full == expected);
    CHECK_THROWS_WITH(exp::load_model_or_run(dir.path().string()),
                      Catch::Contains("no model-item_knn.h5 in this folder"));
}

TEST_CASE(
    "model tools: a model whose params attribute is not a JSON object of numbers and "
    "strings is refused on load, naming the file",
    "[experiments][model][h5]") {
    test::TempDir dir;
    const std::string path = (dir.path() / "model.h5").string();
    engine::SimilarityModel m = toy_model();
    const auto refusal = [&](const std::string& params) {
        m.params_json = params;
        engine::save_model(m, path);
        try {
            (void)exp::load_model_or_run(path);
        } catch (const engine::InputError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK_THAT(refusal("{\"k\": 3"),
               Catch::StartsWith(path + ": / attribute 'params': not valid JSON ("));
    CHECK(refusal("[1, 2]") == path + ": / attribute 'params': not a JSON object");
    CHECK(refusal(R"({"k": [1]})") == path +
                                          ": / attribute 'params': the value of 'k' is not a "
                                          "number, a string or a boolean");
    CHECK(refusal(R"({"k": 3, "variant": "literature"})") == "accepted");
    CHECK(refusal(R"({"k": 3, "binary": true})") == "accepted");
}

TEST_CASE("model tools: parameters are stored typed; files of the older form still load",
          "[experiments][model][h5]") {
    namespace sim = engine::similarity;
    const sim::ParamMap given = {{"k", 3.0},
                                 {"shrink", 0.5},
                                 {"binary", std::string("true")},
                                 {"shrink_type", std::string("bayesian")}};
    const boost::json::object typed = exp::typed_params_json("cosine", given);
    CHECK(typed.at("k").is_int64());
    CHECK(typed.at("k") == 3);
    CHECK(typed.at("shrink").is_double());
    CHECK(typed.at("binary").is_bool());
    CHECK(typed.at("binary") == true);
    CHECK(typed.at("shrink_type") == "bayesian");
    CHECK(boost::json::serialize(typed) ==
          R"({"binary":true,"k":3,"shrink":5E-1,"shrink_type":"bayesian"})");
    // A name the measure does not declare, or a value its key refuses, is kept as given.
    const auto odd = exp::typed_params_json("cosine", {{"k", 2.5}, {"nope", std::string("x")}});
    CHECK(odd.at("k").is_double());
    CHECK(odd.at("nope") == "x");

    // The same model in both forms: the older one wrote "true" and 3.0.
    test::TempDir dir;
    engine::SimilarityModel m = toy_model();
    m.user_keys = {"u1", "u2", "u3"};
    m.train = engine::csr_from_triplets(
        3, 5,
        std::vector<engine::Triplet>{
            {0, 0, 3}, {0, 1, 1}, {1, 1, 2}, {1, 2, 5}, {2, 0, 1}, {2, 2, 4}, {2, 4, 1}});
    const sim::Measure cosine = sim::measure_from_name("cosine");
    const auto expected = [&](bool binary) {
        return sim::compute_similarity(
            m.train, sim::Orientation::Item, cosine,
            sim::parse_params(cosine, {{"k", 5.0},
                                       {"shrink", 0.5},
                                       {"binary", std::string(binary ? "true" : "false")},
                                       {"shrink_type", std::string("bayesian")}}));
    };
    REQUIRE_FALSE(expected(true) == expected(false));  // the boolean matters here
    const std::string old_path = (dir.path() / "old.h5").string();
    const std::string new_path = (dir.path() / "new.h5").string();
    m.params_json = R"({"binary":"true","k":3.0,"shrink":0.5,"shrink_type":"bayesian"})";
    engine::save_model(m, old_path);
    m.params_json = boost::json::serialize(typed);
    engine::save_model(m, new_path);
    for (const std::string& path : {old_path, new_path}) {
        INFO(path);
        const engine::SimilarityModel back = exp::load_model_or_run(path);
        CHECK(exp::full_similarity(back) == expected(true));
    }
    CHECK(exp::load_model_or_run(new_path).params_json == boost::json::serialize(typed));
}
