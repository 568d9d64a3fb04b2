#include <catch2/catch.hpp>
#include <cmath>

#include "tests/tuner/fixtures.hpp"
#include "tuner/error.hpp"
#include "tuner/search_space.hpp"

using namespace knntune::tuner;
using knntune::tuner::testing::knn_space;

TEST_CASE("search space: the KNN space keys branch parameters by (branch, name)",
          "[tuner][space]") {
    const SearchSpace s = knn_space();
    REQUIRE(s.size() == 11);
    CHECK(s.param(0).key == "algorithm");
    CHECK(s.param(4).key == "tversky.alpha");
    CHECK(s.param(7).key == "rp3beta.alpha");
    CHECK(s.param(4).name == s.param(7).name);
    CHECK(s.index_of("splus.c") == 10);
    // Blocks: the root, then one per branch.
    REQUIRE(s.blocks().size() == 6);
    CHECK(s.blocks()[0].params == std::vector<std::size_t>{0, 1, 2});
    CHECK(s.blocks()[2].params == std::vector<std::size_t>{4, 5});

    ParamValues v(s.size(), kInactive);
    v[0] = 5;  // tversky
    CHECK(s.is_active(1, v));
    CHECK(s.is_active(4, v));
    CHECK(s.is_active(5, v));
    CHECK_FALSE(s.is_active(7, v));
    v[1] = 50;
    v[2] = 10.5;
    v[4] = 0.3;
    v[5] = 1.1;
    CHECK_NOTHROW(s.check(v, "test"));
    v[7] = 0.5;
    CHECK_THROWS_WITH(s.check(v, "test"), Catch::Contains("'rp3beta.alpha' is set but inactive"));
}

TEST_CASE("search space: JSON round trip gives an equal space", "[tuner][space]") {
    const SearchSpace s = knn_space();
    const SearchSpace t = SearchSpace::from_json(s.to_json());
    CHECK(s == t);
    CHECK(s.to_json_text() == t.to_json_text());
}

TEST_CASE("distribution: internal domains and grid snapping", "[tuner][space]") {
    const Distribution k = Distribution::make_int(5, 1000, true);
    CHECK_THAT(k.internal_low(), Catch::Matchers::WithinRel(std::log(4.5), 1e-15));
    CHECK_THAT(k.internal_high(), Catch::Matchers::WithinRel(std::log(1000.5), 1e-15));
    CHECK(k.to_external(std::log(49.7)) == 50.0);
    CHECK(k.to_external(std::log(4.5)) == 5.0);
    const Distribution q = Distribution::make_float(0.0, 1.0, false, 0.1);
    CHECK_THAT(q.internal_low(), Catch::Matchers::WithinAbs(-0.05, 1e-15));
    CHECK_THAT(q.to_external(0.26), Catch::Matchers::WithinAbs(0.3, 1e-12));
    CHECK(q.to_external(1.04) == 1.0);
    CHECK(q.contains(0.7));
    CHECK_FALSE(q.contains(0.75));
    const Distribution i = Distribution::make_int(0, 10, false, 2);
    CHECK(i.n_grid_points() == 6);
    CHECK(i.to_external(4.9) == 4.0);
    CHECK_FALSE(i.contains(3.0));
}

namespace {

void require_space_error(const std::string& params, const std::string& message) {
    INFO(params);
    CHECK_THROWS_AS(SearchSpace::from_json_text(R"({"params": [)" + params + "]}"), SpaceError);
    CHECK_THROWS_WITH(SearchSpace::from_json_text(R"({"params": [)" + params + "]}"),
                      Catch::Contains(message));
}

}  // namespace

TEST_CASE("search space validator rejects bad declarations with what and where", "[tuner][space]") {
    require_space_error(
        R"({"name": "a", "type": "float", "low": 0, "high": 1, "parent": "algo", "when": ["x"]})",
        "unknown parent 'algo' of parameter 'a' (params[0])");
    require_space_error(R"({"name": "k", "type": "int", "low": 10, "high": 5})",
                        "empty range: low 10 > high 5 in parameter 'k' (params[0])");
    require_space_error(R"({"name": "lr", "type": "float", "low": 0, "high": 1, "log": true})",
                        "log scale needs low > 0, got low 0 in parameter 'lr'");
    require_space_error(R"({"name": "x", "type": "float", "low": 0, "high": 1, "step": 0.3})",
                        "step 0.3 does not divide the range [0, 1] in parameter 'x'");
    require_space_error(R"({"name": "k", "type": "int", "low": 0, "high": 10, "step": 3})",
                        "does not divide the range [0, 10] in parameter 'k'");
    require_space_error(
        R"({"name": "k", "type": "int", "low": 1, "high": 5},
                           {"name": "k", "type": "float", "low": 0, "high": 1})",
        "duplicate name: parameter 'k' (params[1]) can be active together with 'k'");
    require_space_error(
        R"({"name": "m", "type": "categorical", "choices": ["a", "b"]},
                           {"name": "x", "type": "float", "low": 0, "high": 1, "parent": "m", "when": ["a", "b"]},
                           {"name": "x", "type": "float", "low": 0, "high": 1, "parent": "m", "when": ["b"]})",
        "duplicate name: parameter 'x' (params[2]) can be active together with 'a+b.x'");
    require_space_error(R"({"name": "m", "type": "categorical", "choices": ["a", "b"]},
                           {"name": "x", "type": "float", "low": 0, "high": 1, "parent": "m", "when": ["c"]})",
                        "'when' value 'c' of parameter 'x' (params[1]) is not a choice of 'm'");
    require_space_error(R"({"name": "m", "type": "float", "low": 0, "high": 1},
                           {"name": "x", "type": "float", "low": 0, "high": 1, "parent": "m", "when": ["c"]})",
                        "parent 'm' of parameter 'x' (params[1]) is not categorical");
    require_space_error(R"({"name": "k", "type": "int", "low": 1, "hgih": 5})",
                        "unknown key 'hgih' in params[0]");
    require_space_error(R"({"name": "k", "type": "integer", "low": 1, "high": 5})",
                        "params[0] ('k').type 'integer' is not one of float, int, categorical");
    require_space_error(R"({"name": "m", "type": "categorical", "choices": ["a", "a"]})",
                        "duplicate choice 'a' in parameter 'm'");
    require_space_error(R"({"name": "k", "type": "int", "low": 1.5, "high": 5})",
                        "int bounds must be integers");
    require_space_error(R"({"name": "value", "type": "int", "low": 1, "high": 5})",
                        "key 'value' of parameter 'value' (params[0]) is reserved");
    require_space_error(R"({"name": "a/b", "type": "int", "low": 1, "high": 5})",
                        "may not contain '/'");
    CHECK_THROWS_WITH(SearchSpace::from_json_text("{\"params\": [}"),
                      Catch::Contains("not valid JSON"));
}
