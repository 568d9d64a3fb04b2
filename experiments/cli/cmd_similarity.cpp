/// `knntune similarity`: the top-k similarity matrix of an interaction file, as CSV.

#include <algorithm>
#include <boost/program_options.hpp>
#include <iostream>
#include <memory>

#include "engine/error.hpp"
#include "engine/similarity/similarity.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/cli/knn_common.hpp"
#include "experiments/cli/options.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

int cmd_similarity(const Args& args) {
    po::options_description opts(
        "Usage: knntune similarity --input FILE --measure NAME --orientation item|user\n"
        "                          [--param NAME=VALUE]... --output OUT.csv\n\n"
        "Computes the top-k similarity of every item (item-KNN, item × item from the\n"
        "transposed user × item matrix) or every user (user × user). Writes row,col,score with\n"
        "the original ids, sorted by row, then score descending, then col. The self-pair is\n"
        "kept unless exclude_self=true.\n\nOptions");
    std::string input, output, period;
    KnnOptions knn;
    opts.add_options()("help,h", "show this help, the measures and the parameters")(
        "input", po::value(&input)->required(),
        "user,item[,value] CSV (.gz allowed), or a prepared-data .h5 file")(
        "output", po::value(&output)->required(), "output CSV, '-' for standard output")(
        "period", po::value(&period)->default_value("train"),
        "matrix of a prepared-data file: train_val, valid, train or test");
    knn.add(opts);
    po::variables_map vm;
    if (!parse_command(args, opts, {}, {}, vm, measures_and_params_help())) return 0;

    namespace sim = engine::similarity;
    // Validate everything before reading the data.
    const sim::Measure m = knn.measure_id();
    const sim::Orientation o = knn.orientation_id();
    const sim::SimilarityParams params = sim::parse_params(m, knn.param_map());
    const auto limit = knn.thread_limit();

    const KnnInput data = load_knn_input(input, period);
    const engine::CsrMatrix s = sim::compute_similarity(data.matrix, o, m, params);
    const auto& ids = o == sim::Orientation::Item ? data.item_ids : data.user_ids;
    write_text_file(output, similarity_csv(s, ids));
    return 0;
}

}  // namespace knntune::cli
