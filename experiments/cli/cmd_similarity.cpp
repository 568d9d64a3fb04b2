/// `knntune similarity`: the top-k similarity matrix of an interaction file, as CSV.

#include <tbb/global_control.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <iostream>
#include <memory>

#include "engine/error.hpp"
#include "engine/similarity/registry.hpp"
#include "engine/similarity/similarity.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/cli/knn_common.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

namespace {

std::string measures_help() {
    std::string out = "Measures:\n";
    for (const auto& info : engine::similarity::measure_table()) {
        std::string line = "  " + std::string(info.name);
        line.resize(22, ' ');
        out += line + std::string(info.formula) + "\n";
    }
    return out;
}

}  // namespace

int cmd_similarity(const Args& args) {
    po::options_description opts(
        "Usage: knntune similarity --input FILE --measure NAME --orientation item|user\n"
        "                          [--set NAME=VALUE]... --output OUT.csv\n\n"
        "Computes the top-k similarity of every item (item-KNN, item × item from the\n"
        "transposed user × item matrix) or every user (user × user). Writes row,col,score with\n"
        "the original ids, sorted by row, then score descending, then col. The self-pair is\n"
        "kept unless exclude_self=true.\n\nOptions");
    std::string input, measure, orientation, output, period;
    std::vector<std::string> sets;
    int threads = 0;
    opts.add_options()("help,h", "show this help and the parameters")(
        "input", po::value(&input)->required(),
        "user,item[,value] CSV (.gz allowed), or a prepared-data .h5 file")(
        "measure", po::value(&measure)->required(), "similarity measure (see below)")(
        "orientation", po::value(&orientation)->required(), "item or user")(
        "set", po::value(&sets)->composing(), "a parameter, NAME=VALUE (repeatable)")(
        "output", po::value(&output)->required(), "output CSV, '-' for standard output")(
        "period", po::value(&period)->default_value("train"),
        "matrix of a prepared-data file: train_val, valid, train or test")(
        "threads", po::value(&threads)->default_value(0), "worker threads, 0 = all cores");
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(opts).run(), vm);
    if (vm.count("help") != 0U) {
        std::cout << opts << "\n"
                  << measures_help() << "\nParameters (--set NAME=VALUE):\n"
                  << engine::similarity::params_help();
        return 0;
    }
    po::notify(vm);

    namespace sim = engine::similarity;
    // Validate everything before reading the data.
    const sim::Measure m = sim::measure_from_name(measure);
    const sim::Orientation o = sim::orientation_from_name(orientation);
    const sim::SimilarityParams params = sim::parse_params(m, parse_sets(sets));
    if (threads < 0) throw engine::ParamError("--threads must be >= 0");
    std::unique_ptr<tbb::global_control> limit;
    if (threads > 0) {
        limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                      static_cast<size_t>(threads));
    }

    const KnnInput data = load_knn_input(input, period);
    const engine::CsrMatrix s = sim::compute_similarity(data.matrix, o, m, params);
    const auto& ids = o == sim::Orientation::Item ? data.item_ids : data.user_ids;

    std::string text = "row,col,score\n";
    text.reserve(static_cast<size_t>(s.nnz()) * 24 + 16);
    std::vector<std::pair<engine::Score, engine::Index>> row;
    for (engine::Index r : order_by_id(ids)) {
        row.clear();
        for (engine::Offset q = s.indptr[r]; q < s.indptr[r + 1]; ++q) {
            row.emplace_back(s.values[q], s.indices[q]);
        }
        // NOTE: rows are ranked by column index already; re-sort by id so that prepared data,
        // whose indices need not follow id order, is written in the same documented order.
        std::sort(row.begin(), row.end(), [&](const auto& a, const auto& b) {
            return a.first > b.first || (a.first == b.first && ids[a.second] < ids[b.second]);
        });
        for (const auto& [score, c] : row) {
            append_csv_field(text, ids[r]);
            text += ',';
            append_csv_field(text, ids[c]);
            text += ',';
            append_score(text, score);
            text += '\n';
        }
    }
    write_text_file(output, text);
    return 0;
}

}  // namespace knntune::cli
