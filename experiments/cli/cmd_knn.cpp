/// `knntune similarity` and `knntune recommend`: one similarity matrix, or the top-N
/// recommendations built from it (or from a baseline), for an interaction file, as CSV.

#include <boost/program_options.hpp>
#include <iostream>

#include "engine/baselines.hpp"
#include "engine/recommend.hpp"
#include "engine/similarity/similarity.hpp"
#include "experiments/cli/commands.hpp"
#include "experiments/cli/knn_common.hpp"
#include "experiments/cli/options.hpp"
#include "experiments/cluster/comm.hpp"
#include "experiments/cluster/split.hpp"

namespace knntune::cli {

namespace {

int run_knn(const Command& self, const Args& args, bool recommend) {
    CommandLine line(self);
    InputOptions io;
    KnnOptions knn;
    BaselineOptions base;
    TopOption top;
    if (recommend) top.add(line.options(), "recommendations per user");
    io.add(line.options());
    knn.add(line.options(), {}, recommend ? MeasureUse::OrBaseline : MeasureUse::Required);
    if (recommend) base.add(line.options(), "0");
    const std::string epilog =
        measures_and_params_help() + (recommend ? "\n" + baselines_help() : std::string());
    if (!line.parse(args, {}, epilog)) return 0;
    // Everything is checked before the data is read.
    const ModelChoice choice = recommend ? choose_model(knn, base, 0) : ModelChoice{};
    const int top_n = recommend ? top.checked() : 0;
    engine::RecommendParams rp;
    rp.top_n = top_n;
    namespace cluster = exp::cluster;
    if (choice.baseline) {
        if (cluster::rank() > 0) return 0;  // nothing to split: rank 0 does it alone
        const auto limit = knn.thread_limit();
        const KnnInput data = load_knn_input(io.input, io.period);
        const engine::CsrMatrix recs =
            engine::recommend_baseline(data.matrix, *choice.baseline, choice.seed, rp);
        write_text_file(io.output, recommendations_csv(recs, data));
        return 0;
    }
    const KnnJob job = validate(knn);

    const KnnInput data = load_knn_input(io.input, io.period);
    // NOTE: under mpirun every rank reads the input and computes a block of rows (split by
    // multiply-adds); rank 0 gathers them and writes the output (docs/distributed.md).
    cluster::SplitReport report;
    const engine::CsrMatrix s =
        cluster::split_similarity(data.matrix, job.orientation, job.measure, job.params, &report);
    if (cluster::rank() > 0) return 0;
    if (cluster::distributed()) {
        std::cerr << "knntune " << self.name << ": similarity split over " << report.describe()
                  << "\n";
    }
    if (!recommend) {
        const bool item = job.orientation == engine::similarity::Orientation::Item;
        write_text_file(io.output, similarity_csv(s, item ? data.item_ids : data.user_ids));
        return 0;
    }
    const engine::CsrMatrix recs = engine::recommend(data.matrix, s, job.orientation, rp);
    write_text_file(io.output, recommendations_csv(recs, data));
    return 0;
}

}  // namespace

const Command kSimilarity{
    "similarity", "top-k item-item or user-user similarity of an interaction file",
    R"(Usage: knntune similarity --input FILE --measure NAME --orientation item|user
                          [--param NAME=VALUE]... --output OUT.csv

Computes the top-k similarity of every item (item-KNN, item × item from the
transposed user × item matrix) or every user (user × user). Writes row,col,score with
the original ids, sorted by row, then score descending, then col. The self-pair is
kept unless exclude_self=true.

Under 'mpirun -np N' the rows are split across the ranks in blocks of near-equal
multiply-add count; every rank reads the input, rank 0 writes the output, which is
identical to one process's (docs/distributed.md).)",
    [](const Command& self, const Args& args) { return run_knn(self, args, false); }};

const Command kRecommend{
    "recommend", "top-N KNN recommendations for every user of an interaction file",
    R"(Usage: knntune recommend --input FILE --measure NAME --orientation item|user
                         [--param NAME=VALUE]... --top N --output OUT.csv
       knntune recommend --input FILE --baseline top_pop|random [--seed N]
                         --top N --output OUT.csv

Builds the similarity exactly as 'knntune similarity' does, then scores items:
item-KNN score(u,j) = sum_i R[u,i]·S[j,i] (R·Sᵀ), user-KNN score(u,j) =
sum_v S[u,v]·R[v,j] (S·R). Items the user already has are excluded, scores <= 0 are
never recommended, ties are broken by item index. Writes user,item,score,rank (rank
from 1), users sorted by id.

--baseline gives every user a non-personalised list instead, again without the
items the user has: top_pop, the items with the most interactions in the input
(score: that count; ties by item index, items nobody has are never recommended);
random, items drawn uniformly without replacement (score: 1/rank), by a generator
seeded with --seed and the user's row, so a seed gives the same lists at any
--threads.)",
    [](const Command& self, const Args& args) { return run_knn(self, args, true); }};

}  // namespace knntune::cli
