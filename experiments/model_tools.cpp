#include "experiments/model_tools.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <filesystem>

#include "common/text.hpp"
#include "engine/error.hpp"
#include "engine/similarity/similarity.hpp"
#include "experiments/knn_study.hpp"
#include "experiments/run/run_folder.hpp"

namespace knntune::exp {

namespace fs = std::filesystem;
using engine::Index;
using engine::Offset;

namespace {

/// Throws InputError naming `path` unless the model's `params` attribute is a JSON object of
/// numbers, strings and booleans (what `full_similarity` reads): this version writes each
/// value typed, older files wrote booleans as strings and integers as reals.
void check_params_json(const engine::SimilarityModel& m, const std::string& path) {
    if (m.params_json.empty()) return;
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(m.params_json, ec);
    const auto bad = [&](const std::string& why) {
        throw engine::InputError(path + ": / attribute 'params': " + why);
    };
    if (ec) bad("not valid JSON (" + ec.message() + ")");
    if (!v.is_object()) bad("not a JSON object");
    for (const auto& [k, value] : v.as_object()) {
        if (!value.is_number() && !value.is_string() && !value.is_bool()) {
            bad("the value of '" + std::string(k) + "' is not a number, a string or a boolean");
        }
    }
}

}  // namespace

engine::SimilarityModel load_model_or_run(const std::string& path) {
    std::string file = path;
    if (fs::is_directory(path)) {
        const fs::path model = RunFolder(path).model("item_knn");
        if (!fs::exists(model)) {
            throw engine::InputError(path +
                                     ": no model-item_knn.h5 in this folder (run 'knntune test " +
                                     path + "' first)");
        }
        file = model.string();
    }
    engine::SimilarityModel m = engine::load_model(file);
    check_params_json(m, file);
    return m;
}

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // Trim blanks: names in purchase logs often carry trailing spaces.
    while (!out.empty() && out.back() == ' ') out.pop_back();
    while (!out.empty() && out.front() == ' ') out.erase(out.begin());
    return out;
}

std::vector<RankedItem> rank(std::vector<RankedItem> v, Index top) {
    std::sort(v.begin(), v.end(), [](const RankedItem& a, const RankedItem& b) {
        return a.score != b.score ? a.score > b.score : a.item < b.item;
    });
    if (static_cast<Index>(v.size()) > top) v.resize(static_cast<std::size_t>(top));
    return v;
}

}  // namespace

std::vector<std::string> close_names(const engine::SimilarityModel& m, const std::string& query) {
    const std::string q = lower(query);
    auto tokens = [](const std::string& t) {
        std::vector<std::string> out;
        std::string cur;
        for (char c : t) {
            if (c == ' ') {
                if (!cur.empty()) out.push_back(cur);
                cur.clear();
            } else {
                cur += c;
            }
        }
        if (!cur.empty()) out.push_back(cur);
        return out;
    };
    const auto q_tokens = tokens(q);
    // NOTE: closeness is (query words without a near match in the name, edit distance to the
    // name's prefix of the query's length): typos and truncated names both rank high.
    struct Scored {
        std::size_t missing;
        std::size_t prefix_distance;
        std::size_t index;
    };
    std::vector<Scored> scored;
    for (std::size_t i = 0; i < m.item_keys.size(); ++i) {
        const std::string l = lower(m.item_names[i].empty() ? m.item_keys[i] : m.item_names[i]);
        const auto n_tokens = tokens(l);
        std::size_t missing = 0;
        for (const auto& qt : q_tokens) {
            const bool found =
                std::any_of(n_tokens.begin(), n_tokens.end(), [&](const std::string& nt) {
                    return nt.rfind(qt, 0) == 0 ||
                           edit_distance(qt, nt) <= (qt.size() > 4 ? 1U : 0U);
                });
            missing += found ? 0 : 1;
        }
        scored.push_back({missing, edit_distance(q, l.substr(0, q.size())), i});
    }
    std::stable_sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
        return a.missing != b.missing ? a.missing < b.missing
                                      : a.prefix_distance < b.prefix_distance;
    });
    std::vector<std::string> out;
    for (const Scored& sc : scored) {
        if (out.size() == 5) break;
        const std::string& name =
            m.item_names[sc.index].empty() ? m.item_keys[sc.index] : m.item_names[sc.index];
        if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    }
    return out;
}

std::vector<Offset> item_counts(const engine::SimilarityModel& m) {
    std::vector<Offset> count(m.item_keys.size(), 0);
    const bool items_are_columns = m.train.cols == static_cast<Index>(m.item_keys.size());
    if (!items_are_columns) return count;
    for (const Index c : m.train.indices) ++count[static_cast<std::size_t>(c)];
    return count;
}

ItemMatch match_item(const engine::SimilarityModel& m, const std::string& query) {
    const std::string q = lower(query);
    std::vector<Index> named;
    for (std::size_t i = 0; i < m.item_names.size(); ++i) {
        if (!m.item_names[i].empty() && lower(m.item_names[i]) == q)
            named.push_back(static_cast<Index>(i));
    }
    if (!named.empty()) {
        const std::vector<Offset> count = item_counts(m);
        ItemMatch match;
        match.item = named.front();
        for (const Index i : named) {
            if (count[static_cast<std::size_t>(i)] > count[static_cast<std::size_t>(match.item)])
                match.item = i;
        }
        for (const Index i : named) {
            if (i != match.item) match.same_name.push_back(i);
        }
        return match;
    }
    // Keys: an exact match first (a log may hold both 85123A and 85123a), then ignoring case.
    for (std::size_t i = 0; i < m.item_keys.size(); ++i) {
        if (m.item_keys[i] == query) return {static_cast<Index>(i), {}};
    }
    for (std::size_t i = 0; i < m.item_keys.size(); ++i) {
        if (lower(m.item_keys[i]) == q) return {static_cast<Index>(i), {}};
    }
    std::string msg = "no item named '" + query + "'";
    const auto close = close_names(m, query);
    if (!close.empty()) {
        msg += "; did you mean: ";
        for (std::size_t i = 0; i < close.size(); ++i) msg += (i ? ", '" : "'") + close[i] + "'";
    }
    throw engine::InputError(msg);
}

Index find_item(const engine::SimilarityModel& m, const std::string& query) {
    return match_item(m, query).item;
}

std::string same_name_note(const engine::SimilarityModel& m, const ItemMatch& match) {
    if (match.same_name.empty()) return {};
    const std::vector<Offset> count = item_counts(m);
    const auto describe = [&](Index i) {
        const Offset n = count[static_cast<std::size_t>(i)];
        return m.item_keys[static_cast<std::size_t>(i)] + " (" + std::to_string(n) +
               (n == 1 ? " interaction)" : " interactions)");
    };
    std::string note = std::to_string(match.same_name.size() + 1) + " items are named '" +
                       m.item_names[static_cast<std::size_t>(match.item)] + "': using " +
                       describe(match.item) + "; the others are ";
    for (std::size_t t = 0; t < match.same_name.size(); ++t) {
        note += (t ? ", " : "") + describe(match.same_name[t]);
    }
    return note + ". Give a key instead of the name to choose another.";
}

std::vector<RankedItem> similar_items(const engine::CsrMatrix& s, Index item, Index top) {
    std::vector<RankedItem> v;
    for (Offset p = s.indptr[item]; p < s.indptr[item + 1]; ++p) {
        if (s.indices[p] != item && s.values[p] > 0) v.push_back({s.indices[p], s.values[p]});
    }
    return rank(std::move(v), top);
}

std::vector<RankedItem> recommend_for_items(const engine::CsrMatrix& s,
                                            const std::vector<Index>& items, Index top) {
    std::vector<char> given(static_cast<std::size_t>(s.cols), 0);
    for (Index i : items) given[i] = 1;
    std::vector<RankedItem> v;
    for (Index j = 0; j < s.rows; ++j) {
        if (given[j]) continue;
        double score = 0.0;
        for (Offset p = s.indptr[j]; p < s.indptr[j + 1]; ++p) {
            if (given[s.indices[p]]) score += s.values[p];
        }
        if (score > 0) v.push_back({j, static_cast<engine::Score>(score)});
    }
    return rank(std::move(v), top);
}

engine::CsrMatrix full_similarity(const engine::SimilarityModel& m) {
    namespace sim = engine::similarity;
    const sim::Measure measure = sim::measure_from_name(m.measure);
    const auto json = boost::json::parse(m.params_json.empty() ? "{}" : m.params_json).as_object();
    sim::ParamMap params = params_from_json(json);
    params["k"] = static_cast<double>(m.train.cols);
    const auto orientation =
        m.model == "user_knn" ? sim::Orientation::User : sim::Orientation::Item;
    return sim::compute_similarity(m.train, orientation, measure,
                                   sim::parse_params(measure, params));
}

}  // namespace knntune::exp
