/// `knntune recommend`: top-N recommendations of a KNN recommender for every user, as CSV.

#include <boost/program_options.hpp>
#include <iostream>
#include <memory>

#include "engine/error.hpp"
#include "engine/recommend.hpp"
#include "engine/similarity/similarity.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/cli/knn_common.hpp"
#include "experiments/cli/options.hpp"

namespace po = boost::program_options;

namespace knntune::cli {

int cmd_recommend(const Args& args) {
    po::options_description opts(
        "Usage: knntune recommend --input FILE --measure NAME --orientation item|user\n"
        "                         [--param NAME=VALUE]... --top N --output OUT.csv\n\n"
        "Builds the similarity exactly as 'knntune similarity' does, then scores items:\n"
        "item-KNN score(u,j) = sum_i R[u,i]·S[j,i] (R·Sᵀ), user-KNN score(u,j) =\n"
        "sum_v S[u,v]·R[v,j] (S·R). Items the user already has are excluded, scores <= 0 are\n"
        "never recommended, ties are broken by item index. Writes user,item,score,rank (rank\n"
        "from 1), users sorted by id.\n\n"
        "Options");
    std::string input, output, period;
    int top = 10;
    KnnOptions knn;
    opts.add_options()("help,h", "show this help, the measures and the parameters")(
        "input", po::value(&input)->required(),
        "user,item[,value] CSV (.gz allowed), or a prepared-data .h5 file")(
        "top", po::value(&top)->default_value(10), "recommendations per user, N >= 1")(
        "output", po::value(&output)->required(), "output CSV, '-' for standard output")(
        "period", po::value(&period)->default_value("train"),
        "matrix of a prepared-data file: train_val, valid, train or test");
    knn.add(opts);
    po::variables_map vm;
    if (!parse_command(args, opts, {}, {}, vm, measures_and_params_help())) return 0;

    namespace sim = engine::similarity;
    const sim::Measure m = knn.measure_id();
    const sim::Orientation o = knn.orientation_id();
    const sim::SimilarityParams params = sim::parse_params(m, knn.param_map());
    if (top < 1) throw engine::ParamError("--top must be >= 1, got " + std::to_string(top));
    const auto limit = knn.thread_limit();

    const KnnInput data = load_knn_input(input, period);
    const engine::CsrMatrix s = sim::compute_similarity(data.matrix, o, m, params);
    engine::RecommendParams rp;
    rp.top_n = top;
    write_text_file(output, recommendations_csv(engine::recommend(data.matrix, s, o, rp), data));
    return 0;
}

}  // namespace knntune::cli
