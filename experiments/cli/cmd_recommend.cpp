/// `knntune recommend`: top-N recommendations of a KNN recommender for every user, as CSV.

#include <tbb/global_control.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <memory>

#include "engine/error.hpp"
#include "engine/recommend.hpp"
#include "engine/similarity/similarity.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/cli/knn_common.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

int cmd_recommend(const Args& args) {
    po::options_description opts(
        "Usage: knntune recommend --input FILE --measure NAME --orientation item|user\n"
        "                         [--set NAME=VALUE]... --top N --output OUT.csv\n\n"
        "Builds the similarity exactly as 'knntune similarity' does, then scores items:\n"
        "item-KNN score(u,j) = sum_i R[u,i]·S[j,i] (R·Sᵀ), user-KNN score(u,j) =\n"
        "sum_v S[u,v]·R[v,j] (S·R). Items the user already has are excluded, scores <= 0 are\n"
        "never recommended, ties are broken by item index. Writes user,item,score,rank (rank\n"
        "from 1), users sorted by id. See 'knntune similarity --help' for the parameters.\n\n"
        "Options");
    std::string input, measure, orientation, output, period;
    std::vector<std::string> sets;
    int top = 10;
    int threads = 0;
    opts.add_options()("help,h", "show this help")(
        "input", po::value(&input)->required(),
        "user,item[,value] CSV (.gz allowed), or a prepared-data .h5 file")(
        "measure", po::value(&measure)->required(), "similarity measure")(
        "orientation", po::value(&orientation)->required(), "item or user")(
        "set", po::value(&sets)->composing(), "a similarity parameter, NAME=VALUE (repeatable)")(
        "top", po::value(&top)->default_value(10), "recommendations per user, N >= 1")(
        "output", po::value(&output)->required(), "output CSV, '-' for standard output")(
        "period", po::value(&period)->default_value("train"),
        "matrix of a prepared-data file: train_val, valid, train or test")(
        "threads", po::value(&threads)->default_value(0), "worker threads, 0 = all cores");
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(opts).run(), vm);
    if (vm.count("help") != 0U) {
        std::cout << opts << "\n";
        return 0;
    }
    po::notify(vm);

    namespace sim = engine::similarity;
    const sim::Measure m = sim::measure_from_name(measure);
    const sim::Orientation o = sim::orientation_from_name(orientation);
    const sim::SimilarityParams params = sim::parse_params(m, parse_sets(sets));
    if (top < 1) throw engine::ParamError("--top must be >= 1, got " + std::to_string(top));
    if (threads < 0) throw engine::ParamError("--threads must be >= 0");
    std::unique_ptr<tbb::global_control> limit;
    if (threads > 0) {
        limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                      static_cast<size_t>(threads));
    }

    const KnnInput data = load_knn_input(input, period);
    const engine::CsrMatrix s = sim::compute_similarity(data.matrix, o, m, params);
    engine::RecommendParams rp;
    rp.top_n = top;
    const engine::CsrMatrix rec = engine::recommend(data.matrix, s, o, rp);

    std::string text = "user,item,score,rank\n";
    text.reserve(static_cast<size_t>(rec.nnz()) * 28 + 24);
    for (engine::Index u : order_by_id(data.user_ids)) {
        engine::Index rank = 0;
        for (engine::Offset q = rec.indptr[u]; q < rec.indptr[u + 1]; ++q) {
            append_csv_field(text, data.user_ids[u]);
            text += ',';
            append_csv_field(text, data.item_ids[rec.indices[q]]);
            text += ',';
            append_score(text, rec.values[q]);
            text += ',';
            text += std::to_string(++rank);
            text += '\n';
        }
    }
    write_text_file(output, text);
    return 0;
}

}  // namespace knntune::cli
