/// Benchmark of the similarity kernel and the recommendation step.
///
/// Loads an interaction CSV, or one period of a knntune prepared.h5 (`prepared.h5:train_val`:
/// the matrix `similaripy_prep.py prepared.h5:train_val OUT.npz` gives similaripy, values set to
/// 1), then times exactly one call (after loading), and prints one line:
///   call=... seconds=... nnz_out=... work=... madds_per_s=... maxrss_mb=...
/// Peak RSS for docs/benchmarks.md is taken from `/usr/bin/time -v` around one process, so
/// each process makes only one call unless --repeat is given. Commands are in
/// docs/benchmarks.md.

#include <sys/resource.h>
#include <tbb/global_control.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "benchmarks/bench_input.hpp"
#include "benchmarks/bench_options.hpp"
#include "engine/csr.hpp"
#include "engine/recommend.hpp"
#include "engine/similarity/similarity.hpp"

using namespace knntune::engine;
namespace sim = knntune::engine::similarity;

namespace {

/// Raw dump of a CSR matrix, so the recommendation benchmark can load S without computing it.
void save_csr(const CsrMatrix& m, const std::string& path) {
    std::ofstream out(path, std::ios::binary);
    const std::int64_t head[3] = {m.rows, m.cols, m.nnz()};
    out.write(reinterpret_cast<const char*>(head), sizeof head);
    out.write(reinterpret_cast<const char*>(m.indptr.data()),
              static_cast<std::streamsize>(m.indptr.size() * sizeof(Offset)));
    out.write(reinterpret_cast<const char*>(m.indices.data()),
              static_cast<std::streamsize>(m.indices.size() * sizeof(Index)));
    out.write(reinterpret_cast<const char*>(m.values.data()),
              static_cast<std::streamsize>(m.values.size() * sizeof(Score)));
    if (!out) throw std::runtime_error("cannot write " + path);
}

CsrMatrix load_csr(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::int64_t head[3];
    in.read(reinterpret_cast<char*>(head), sizeof head);
    CsrMatrix m(static_cast<Index>(head[0]), static_cast<Index>(head[1]));
    m.indices.resize(static_cast<size_t>(head[2]));
    m.values.resize(static_cast<size_t>(head[2]));
    in.read(reinterpret_cast<char*>(m.indptr.data()),
            static_cast<std::streamsize>(m.indptr.size() * sizeof(Offset)));
    in.read(reinterpret_cast<char*>(m.indices.data()),
            static_cast<std::streamsize>(m.indices.size() * sizeof(Index)));
    in.read(reinterpret_cast<char*>(m.values.data()),
            static_cast<std::streamsize>(m.values.size() * sizeof(Score)));
    return m;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// User + system CPU seconds of the whole process (all threads).
double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

double max_rss_mb() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

[[noreturn]] void usage() {
    std::cerr
        << "usage: similarity_bench --input INPUT --call CALL [--k K] [--top N] [--threads T]\n"
           "                        [--sim FILE] [--save-sim FILE] [--repeat R]\n"
           "INPUT: a user,item CSV, or PREPARED.h5:PERIOD (train_val|valid|train|test)\n"
           "CALL: item-cosine | item-rp3beta | user-cosine | recommend-item\n"
           "recommend-item needs --sim FILE written by item-cosine --save-sim FILE.\n";
    std::exit(2);
}

/// The benchmark; `main` turns an error (a bad input file) into one line and status 2.
int run(int argc, char** argv) {
    std::string input, call, sim_path, save_path;
    int k = 100, top = 10, threads = 0, repeat = 1;
    using knntune::bench::store;
    // clang-format off
    const std::string bad = knntune::bench::apply_options(argc, argv, {
        {"--input", store(input)}, {"--call", store(call)}, {"--k", store(k)},
        {"--top", store(top)}, {"--threads", store(threads)}, {"--sim", store(sim_path)},
        {"--save-sim", store(save_path)}, {"--repeat", store(repeat)}});
    // clang-format on
    if (!bad.empty()) usage();
    if (input.empty() || call.empty()) usage();
    std::unique_ptr<tbb::global_control> limit;
    if (threads > 0) {
        limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                      static_cast<size_t>(threads));
    }

    const auto t_load = std::chrono::steady_clock::now();
    const CsrMatrix r = knntune::bench::load_bench_input(input);
    CsrMatrix s_loaded;
    if (call == "recommend-item") {
        if (sim_path.empty()) usage();
        s_loaded = load_csr(sim_path);
    }
    const double load_s = seconds_since(t_load);

    // Work of the item-item Gram product: Σ_u deg(u)²; user-user: Σ_i deg(i)².
    double work = 0;
    if (call.rfind("item-", 0) == 0) {
        for (Index u = 0; u < r.rows; ++u) work += static_cast<double>(r.row_nnz(u)) * r.row_nnz(u);
    } else if (call == "user-cosine") {
        for (Offset c : column_counts(r)) work += static_cast<double>(c) * static_cast<double>(c);
    } else if (call == "recommend-item") {
        // Σ_u Σ_{i ∈ R[u]} |Sᵀ[i]|: every (user item, neighbour-of) pair is one multiply-add.
        const std::vector<Offset> in_degree = column_counts(s_loaded);
        for (Index c : r.indices) work += static_cast<double>(in_degree[c]);
    }

    for (int rep = 0; rep < repeat; ++rep) {
        CsrMatrix out;
        const double cpu0 = cpu_seconds();
        const auto t0 = std::chrono::steady_clock::now();
        if (call == "item-cosine" || call == "user-cosine") {
            const sim::Measure cosine = sim::measure_from_name("cosine");
            const auto p = sim::parse_params(cosine, {{"k", double(k)}});
            out = sim::compute_similarity(
                r, call == "item-cosine" ? sim::Orientation::Item : sim::Orientation::User, cosine,
                p);
        } else if (call == "item-rp3beta") {
            const sim::Measure rp3beta = sim::measure_from_name("rp3beta");
            const auto p =
                sim::parse_params(rp3beta, {{"k", double(k)}, {"alpha", 0.8}, {"beta", 0.4}});
            out = sim::compute_similarity(r, sim::Orientation::Item, rp3beta, p);
        } else if (call == "recommend-item") {
            RecommendParams rp;
            rp.top_n = top;
            out = recommend(r, s_loaded, sim::Orientation::Item, rp);
        } else {
            usage();
        }
        const double secs = seconds_since(t0);
        const double cpu = cpu_seconds() - cpu0;
        std::printf(
            "call=%s threads=%d users=%d items=%d nnz=%lld load_s=%.2f seconds=%.4f cpu_s=%.4f "
            "nnz_out=%lld work=%.4g madds_per_s=%.4g maxrss_mb=%.0f\n",
            call.c_str(), threads, r.rows, r.cols, static_cast<long long>(r.nnz()), load_s, secs,
            cpu, static_cast<long long>(out.nnz()), work, work / secs, max_rss_mb());
        std::fflush(stdout);
        if (!save_path.empty() && rep == 0) save_csr(out, save_path);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "similarity_bench: " << e.what() << "\n";
        return 2;
    }
}
