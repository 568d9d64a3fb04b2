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
    InputOptions io;
    KnnOptions knn;
    opts.add_options()("help,h", "show this help, the measures and the parameters");
    io.add(opts);
    knn.add(opts);
    po::variables_map vm;
    if (!parse_command(args, opts, {}, {}, vm, measures_and_params_help())) return 0;
    const KnnJob job = validate(knn);  // everything is checked before the data is read

    const KnnInput data = load_knn_input(io.input, io.period);
    const engine::CsrMatrix s = engine::similarity::compute_similarity(
        data.matrix, job.orientation, job.measure, job.params);
    const bool item = job.orientation == engine::similarity::Orientation::Item;
    write_text_file(io.output, similarity_csv(s, item ? data.item_ids : data.user_ids));
    return 0;
}

}  // namespace knntune::cli
