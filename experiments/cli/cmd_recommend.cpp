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
    InputOptions io;
    KnnOptions knn;
    int top = 10;
    opts.add_options()("help,h", "show this help, the measures and the parameters")(
        "top", po::value(&top)->default_value(10), "recommendations per user, N >= 1");
    io.add(opts);
    knn.add(opts);
    po::variables_map vm;
    if (!parse_command(args, opts, {}, {}, vm, measures_and_params_help())) return 0;
    const KnnJob job = validate(knn);
    if (top < 1) throw engine::ParamError("--top must be >= 1, got " + std::to_string(top));

    const KnnInput data = load_knn_input(io.input, io.period);
    const engine::CsrMatrix s = engine::similarity::compute_similarity(
        data.matrix, job.orientation, job.measure, job.params);
    engine::RecommendParams rp;
    rp.top_n = top;
    const engine::CsrMatrix recs = engine::recommend(data.matrix, s, job.orientation, rp);
    write_text_file(io.output, recommendations_csv(recs, data));
    return 0;
}

}  // namespace knntune::cli
