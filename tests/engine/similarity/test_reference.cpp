// Reproduces every similaripy 0.6 reference case (the synthetic ones vendored in
// tests/fixtures/reference, the MovieLens ones from ../shared/reference) with the
// tie-insensitive rule of tests/fixtures/README.md.

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/interactions_csv.hpp"
#include "engine/recommend.hpp"
#include "engine/similarity/similarity.hpp"
#include "tests/engine/similarity/support.hpp"

using namespace knntune::engine;
using namespace knntune::engine::similarity;
namespace kt = knntune::test;

namespace {

struct Case {
    std::string id, input, orientation, measure;
    boost::json::object params;
    size_t k = 0;
};

std::vector<Case> load_cases() {
    std::istringstream in(kt::read_text(kt::fixture("similarity/cases.csv")));
    std::vector<Case> cases;
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto f = kt::csv_fields(line);
        REQUIRE(f.size() == 6);
        cases.push_back(
            {f[0], f[1], f[2], f[3], boost::json::parse(f[4]).as_object(), std::stoul(f[5])});
    }
    return cases;
}

std::map<std::string, std::set<std::string>> load_ties() {
    std::istringstream in(kt::read_text(kt::ties_file()));
    std::map<std::string, std::set<std::string>> ties;
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        const auto f = kt::csv_fields(line);
        if (f.size() >= 2) ties[f[0]].insert(f[1]);
    }
    return ties;
}

ParamMap to_param_map(const boost::json::object& obj) {
    ParamMap map;
    for (const auto& [key, value] : obj) {
        if (value.is_bool()) {
            map[std::string(key)] = std::string(value.as_bool() ? "true" : "false");
        } else if (value.is_string()) {
            map[std::string(key)] = std::string(value.as_string());
        } else {
            map[std::string(key)] = value.to_number<double>();
        }
    }
    return map;
}

/// Builds a CSR from a case file with ids resolved through `row_ids` / `col_ids`.
CsrMatrix matrix_from_rows(const kt::RowsById& rows, const std::vector<std::string>& row_ids,
                           const std::vector<std::string>& col_ids) {
    std::map<std::string, Index> row_index;
    std::map<std::string, Index> col_index;
    for (size_t i = 0; i < row_ids.size(); ++i) row_index[row_ids[i]] = static_cast<Index>(i);
    for (size_t i = 0; i < col_ids.size(); ++i) col_index[col_ids[i]] = static_cast<Index>(i);
    std::vector<Triplet> t;
    for (const auto& [rid, entries] : rows) {
        for (const auto& e : entries) {
            t.push_back({row_index.at(rid), col_index.at(e.col), static_cast<Score>(e.score)});
        }
    }
    return csr_from_triplets(static_cast<Index>(row_ids.size()), static_cast<Index>(col_ids.size()),
                             t);
}

}  // namespace

TEST_CASE("every similaripy reference case is reproduced", "[engine][similarity][reference]") {
    const auto cases = load_cases();
    REQUIRE(cases.size() == 104);
    const auto ties = load_ties();
    const std::string ml_path =
        kt::shared_reference("similarity/cases.csv").empty() ? "" : kt::movielens_csv();
    if (ml_path.empty())
        WARN("MovieLens 100K or its reference cases not found under "
             << kt::shared_dir() << "; its 20 cases are skipped");

    std::map<std::string, std::unique_ptr<Interactions>> inputs;
    const auto input_of = [&](const std::string& name) -> const Interactions& {
        auto& slot = inputs[name];
        if (!slot) {
            const std::string path = name == "u.data" || name.find("movielens") != std::string::npos
                                         ? ml_path
                                         : kt::fixture("similarity/" + name);
            slot = std::make_unique<Interactions>(read_interactions_csv(path));
        }
        return *slot;
    };

    size_t checked = 0;
    for (const Case& c : cases) {
        const bool movielens = c.id.rfind("movielens", 0) == 0;
        if (movielens && ml_path.empty()) continue;
        const Interactions& data = input_of(movielens ? "movielens" : c.input);
        const auto& users = data.user_ids;
        const auto& items = data.item_ids;
        const auto expected = kt::read_rows(kt::case_file(c.id));
        const auto tie_it = ties.find(c.id);
        const std::set<std::string> tied =
            tie_it == ties.end() ? std::set<std::string>{} : tie_it->second;
        kt::RowsById actual;
        if (c.orientation == "item" || c.orientation == "user") {
            const Measure m = measure_from_name(c.measure);
            ParamMap params = to_param_map(c.params);
            params["k"] = static_cast<double>(c.k);
            const SimilarityParams p = parse_params(m, params);
            const Orientation o = orientation_from_name(c.orientation);
            const CsrMatrix s = compute_similarity(data.matrix, o, m, p);
            const auto& ids = o == Orientation::Item ? items : users;
            actual = kt::rows_of(s, ids, ids);
        } else {
            // The step alone: S is the reference similarity named by the case.
            const bool item = c.orientation == "recommend_item";
            const std::string s_case = std::string(c.params.at("similarity_case").as_string());
            const auto s_rows = kt::read_rows(kt::case_file(s_case));
            const auto& ids = item ? items : users;
            const CsrMatrix s = matrix_from_rows(s_rows, ids, ids);
            RecommendParams rp;
            rp.top_n = static_cast<Index>(c.k);
            const CsrMatrix rec =
                recommend(data.matrix, s, item ? Orientation::Item : Orientation::User, rp);
            actual = kt::rows_of(rec, users, items);
        }
        INFO("case " << c.id);
        CHECK(kt::compare_rows(expected, actual, c.k, tied) == "");
        ++checked;
    }
    CHECK(checked == (ml_path.empty() ? 84U : 104U));
}

TEST_CASE("the vendored similarity references equal ../shared/reference",
          "[engine][similarity][reference]") {
    if (!knntune::test::shared_present()) return;
    for (const char* rel :
         {"similarity/cases.csv", "similarity/small_binary.csv", "similarity/small_weighted.csv"}) {
        INFO(rel);
        CHECK(kt::matches_shared(rel));
    }
    CHECK(kt::matches_shared("similarity/boundary_ties.csv", "movielens"));
    size_t compared = 0;
    for (const Case& c : load_cases()) {
        if (c.id.rfind("movielens", 0) == 0) continue;
        INFO("case " << c.id);
        CHECK(kt::matches_shared("similarity/cases/" + c.id + ".csv"));
        ++compared;
    }
    CHECK(compared == 84);
}
