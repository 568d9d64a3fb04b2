// The benchmark functions F1..F5 match the check values of the TPE benchmark (vendored in
// tests/fixtures/reference/tpe).

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "benchmarks/tuner_functions.hpp"
#include "tests/support/reference.hpp"
#include "tuner/search_space.hpp"

using namespace knntune::tuner;

TEST_CASE("benchmark functions F1..F5 reproduce the reference check values", "[tuner][bench]") {
    const boost::json::value doc = boost::json::parse(
        knntune::test::read_text(knntune::test::fixture("tpe/benchmark_check_values.json")));
    const SearchSpace space = SearchSpace::from_json_text(knntune::bench::kBenchmarkSpaceJson);
    int checked = 0;
    for (const boost::json::value& c : doc.at("checks").as_array()) {
        ParamValues v(space.size(), kInactive);
        for (const auto& kv : c.at("config").as_object()) {
            std::string key(kv.key());
            if (key == "algorithm") {
                const auto& ch = space.param(0).distribution.choices;
                v[0] = static_cast<double>(std::find(ch.begin(), ch.end(), kv.value().as_string()) -
                                           ch.begin());
                continue;
            }
            // Reference names are branch_name; ours are branch.name.
            if (const auto us = key.find('_'); us != std::string::npos) key[us] = '.';
            v[space.index_of(key)] = boost::json::value_to<double>(kv.value());
        }
        REQUIRE_NOTHROW(space.check(v, "check value"));
        for (int f = 1; f <= 5; ++f) {
            const double ref =
                boost::json::value_to<double>(c.at("values").at("F" + std::to_string(f)));
            INFO("F" << f << " config " << boost::json::serialize(c.at("config")));
            CHECK_THAT(
                knntune::bench::benchmark_function(f, v),
                Catch::Matchers::WithinRel(ref, 1e-12) || Catch::Matchers::WithinAbs(ref, 1e-15));
            ++checked;
        }
    }
    CHECK(checked == 125);
}
