/// Model tools: `knntune similar`, `knntune recommend-items`, `knntune export-embeddings`.

#include <boost/program_options.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "common/atomic_file.hpp"
#include "engine/error.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/cli/json_output.hpp"
#include "experiments/cli/options.hpp"
#include "experiments/error.hpp"
#include "experiments/knn_study.hpp"
#include "experiments/model_tools.hpp"
#include "experiments/report/embedding.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

namespace {

std::string display(const engine::SimilarityModel& m, engine::Index i) {
    return m.item_names[i].empty() ? m.item_keys[i] : m.item_names[i];
}

void print_ranked(const engine::SimilarityModel& m, const std::vector<exp::RankedItem>& items) {
    std::printf("%4s  %-12s  %-44s  %s\n", "rank", "item", "name", "score");
    for (std::size_t r = 0; r < items.size(); ++r) {
        std::printf("%4zu  %-12s  %-44s  %.6g\n", r + 1, m.item_keys[items[r].item].c_str(),
                    m.item_names[items[r].item].c_str(), static_cast<double>(items[r].score));
    }
}

/// An item as JSON: its key and its name (null when unknown).
boost::json::object item_json(const engine::SimilarityModel& m, engine::Index i) {
    return {{"item", m.item_keys[i]}, {"name", json_text(m.item_names[i])}};
}

/// The JSON of a ranked list: the model, the query (`key` names it) and the ranked items.
boost::json::object ranked_json(const engine::SimilarityModel& m, const std::string& key,
                                boost::json::value query,
                                const std::vector<exp::RankedItem>& items) {
    boost::json::object o;
    o["model"] = m.model;
    o["measure"] = m.measure;
    // NOTE: the parameters as the model file of this version types them, also for an older
    // file whose booleans were strings and integers reals.
    const auto params = m.params_json.empty() ? boost::json::object()
                                              : boost::json::parse(m.params_json).as_object();
    o["params"] = exp::typed_params_json(m.measure, exp::params_from_json(params));
    o[key] = std::move(query);
    boost::json::array ranked;
    for (std::size_t r = 0; r < items.size(); ++r) {
        boost::json::object e = item_json(m, items[r].item);
        e["rank"] = static_cast<std::int64_t>(r + 1);
        e["score"] = static_cast<double>(items[r].score);
        ranked.push_back(std::move(e));
    }
    o["results"] = std::move(ranked);
    return o;
}

/// The item `query` names (see exp::match_item); a note on stderr names the other items
/// that share its name.
engine::Index resolve_item(const engine::SimilarityModel& m, const std::string& query) {
    const exp::ItemMatch match = exp::match_item(m, query);
    if (const std::string note = exp::same_name_note(m, match); !note.empty()) {
        std::fprintf(stderr, "note: %s\n", note.c_str());
    }
    return match.item;
}

}  // namespace

int run_similar(const Command& self, const Args& args) {
    CommandLine line(self);
    std::string model_path;
    std::string query;
    TopOption top;
    FormatOption format({"text", "json"});
    bool full = false;
    top.add(line.options(), "number of items");
    format.add(line.options());
    line.options().add_options()(
        "full", po::bool_switch(&full),
        "recompute the similarity with k = number of items before the lookup");
    if (!line.parse(args, {{"MODEL_OR_RUN_DIR", &model_path}, {"ITEM", &query}})) return 0;
    const int n = top.checked();
    const bool json = format.json();
    engine::SimilarityModel m = exp::load_model_or_run(model_path);
    const engine::Index item = resolve_item(m, query);
    if (full) m.similarity = exp::full_similarity(m);
    if (json) {
        boost::json::object q = item_json(m, item);
        q["full"] = full;
        print_json(
            ranked_json(m, "query", std::move(q), exp::similar_items(m.similarity, item, n)));
        return 0;
    }
    std::printf("items similar to %s (%s), %s model\n\n", display(m, item).c_str(),
                m.item_keys[item].c_str(), m.measure.c_str());
    print_ranked(m, exp::similar_items(m.similarity, item, n));
    return 0;
}

int run_recommend_items(const Command& self, const Args& args) {
    CommandLine line(self);
    std::string model_path;
    std::vector<std::string> items;
    TopOption top;
    line.options().add_options()("items", po::value(&items)->multitoken()->required(),
                                 "the user's items");
    top.add(line.options(), "number of recommendations");
    FormatOption format({"text", "json"});
    format.add(line.options());
    if (!line.parse(args, {{"MODEL_OR_RUN_DIR", &model_path}})) return 0;
    const int n = top.checked();
    const bool json = format.json();
    const engine::SimilarityModel m = exp::load_model_or_run(model_path);
    std::vector<engine::Index> ids;
    for (const auto& q : items) ids.push_back(resolve_item(m, q));
    if (json) {
        boost::json::array given;
        for (const engine::Index i : ids) given.push_back(item_json(m, i));
        print_json(ranked_json(m, "items", std::move(given),
                               exp::recommend_for_items(m.similarity, ids, n)));
        return 0;
    }
    std::printf("recommendations for a user with %zu item(s), %s model\n\n", ids.size(),
                m.measure.c_str());
    print_ranked(m, exp::recommend_for_items(m.similarity, ids, n));
    return 0;
}

int run_export_embeddings(const Command& self, const Args& args) {
    CommandLine line(self);
    std::string model_path;
    std::string output;
    int dims = 32;
    bool raw = false;
    line.options().add_options()("output,o", po::value(&output)->required(), "CSV file to write")(
        "dims", po::value(&dims), "PCA dimensions (default 32)")(
        "raw", po::bool_switch(&raw), "write the sparse columns instead");
    if (!line.parse(args, {{"MODEL_OR_RUN_DIR", &model_path}})) return 0;
    const engine::SimilarityModel m = exp::load_model_or_run(model_path);
    const engine::CsrMatrix& s = m.similarity;
    auto quote = [](const std::string& t) {
        std::string q = "\"";
        for (char c : t) q += c == '"' ? std::string("\"\"") : std::string(1, c);
        return q + "\"";
    };
    std::string out;
    if (raw) {
        out = "item,neighbour,score\n";
        for (engine::Index r = 0; r < s.rows; ++r) {
            for (engine::Offset p = s.indptr[r]; p < s.indptr[r + 1]; ++p) {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(s.values[p]));
                out += quote(m.item_keys[s.indices[p]]) + "," + quote(m.item_keys[r]) + "," + buf +
                       "\n";
            }
        }
    } else {
        const int max_dims = std::min(s.rows, s.cols) - 1;
        if (dims < 1 || dims > max_dims) {
            throw exp::UsageError("--dims must lie in [1, " + std::to_string(max_dims) + "]");
        }
        const auto emb = exp::report::embed_columns({s.rows, s.cols, s.indptr, s.indices, s.values},
                                                    {.n_components = dims, .seed = 1});
        out = "item,name";
        for (int d = 0; d < dims; ++d) out += ",d" + std::to_string(d + 1);
        out += "\n";
        for (engine::Index j = 0; j < s.cols; ++j) {
            out += quote(m.item_keys[j]) + "," + quote(m.item_names[j]);
            for (int d = 0; d < dims; ++d) {
                char buf[32];
                std::snprintf(buf, sizeof buf, ",%.7g", emb.coords(j, d));
                out += buf;
            }
            out += "\n";
        }
    }
    write_file_atomic(output, out);
    std::cerr << "wrote " << output << " (" << s.cols << " items)\n";
    return 0;
}

const Command kSimilar{"similar", "items most similar to an item, by name",
                       R"(Usage: knntune similar MODEL_OR_RUN_DIR ITEM [--top N] [--full]
                       [--format text|json]

Prints the items most similar to ITEM (a name or an item key, matched
case-insensitively), excluding the item itself. MODEL_OR_RUN_DIR is a model file or a
run folder with model-item_knn.h5. Without an exact match, close names are suggested.
When several items share the name, the one with the most interactions is used and a
note on standard error lists the others; give a key to choose one of them. With
--format json, prints one JSON object instead (fields in docs/cli.md).)",
                       run_similar};

const Command kRecommendItems{
    "recommend-items", "recommendations for a new user from a few items",
    R"(Usage: knntune recommend-items MODEL_OR_RUN_DIR --items ITEM... [--top N]
                                [--format text|json]

Recommends items for a new user who has the given items (names or keys, matched
case-insensitively), with the tuned item-KNN model and without retraining:
score(j) = sum over the given items i of S[j, i]. The given items are excluded.
A name shared by several items resolves as in `knntune similar`. With --format json,
prints one JSON object instead (fields in docs/cli.md).)",
    run_recommend_items};

const Command kExportEmbeddings{
    "export-embeddings", "write item embeddings of a model as CSV",
    R"(Usage: knntune export-embeddings MODEL_OR_RUN_DIR --output FILE [--dims D] [--raw]

Writes item embeddings as CSV. An item's embedding is its column of the tuned item-item
similarity matrix. By default the columns are reduced to D dimensions by a seeded
randomized PCA (header item,name,d1..dD); with --raw the sparse columns are written as
triplets (header item,neighbour,score: the score of `item` as a neighbour of
`neighbour`).)",
    run_export_embeddings};

}  // namespace knntune::cli
