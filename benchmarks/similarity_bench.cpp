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
#include <optional>
#include <string>

#include "benchmarks/bench_input.hpp"
#include "benchmarks/bench_options.hpp"
#include "engine/csr.hpp"
#include "engine/recommend.hpp"
#include "engine/similarity/cooccurrence.hpp"
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
           "                        [--sim FILE] [--save-sim FILE] [--repeat R] [--measure NAME]\n"
           "                        [--items N] [--bounded-min-items N]\n"
           "INPUT: a user,item CSV, or PREPARED.h5:PERIOD (train_val|valid|train|test)\n"
           "CALL: item-cosine | item-rp3beta | user-cosine | recommend-item | recommend-user |\n"
           "      cache-rescore\n"
           "recommend-item needs --sim FILE written by item-cosine --save-sim FILE,\n"
           "recommend-user one written by user-cosine --save-sim FILE.\n"
           "cache-rescore builds the item co-occurrence cache once (not timed) and times one\n"
           "re-scoring with the top-k per row, as an item-KNN trial of a study does, of\n"
           "--measure NAME (s_plus: l = c = 0.5, t1 = t2 = 1; tversky: alpha 1.4, beta 1.2;\n"
           "asymmetric_cosine: alpha 0.3; jaccard, dice, cosine; all with shrink 10).\n"
           "--items N keeps N items of the input, evenly spread over its item ids and renumbered\n"
           "in order: a smaller catalogue of the same shape; give the same N to the call that\n"
           "saves S (--save-sim) and to the recommend call that reads it.\n"
           "--bounded-min-items N: recommend-item and recommend-user take the bounded\n"
           "selection when the catalogue has at least N items (0: always; default: the\n"
           "orientation's, default_bounded_min_items).\n";
    std::exit(2);
}

/// The multiply-adds of one call: Σ_u deg(u)² for an item-item Gram product, Σ_i deg(i)² for
/// a user-user one; for the recommendation every (user item, neighbour-of) pair; for a cache
/// re-scoring one score per stored pair; for the user-KNN recommendation every (neighbour,
/// neighbour's item) pair.
double work_of(const std::string& call, const CsrMatrix& r, const CsrMatrix& s,
               const sim::CooccurrenceCache* cache) {
    double work = 0;
    if (call == "cache-rescore") {
        work = static_cast<double>(cache->pairs());
    } else if (call.rfind("item-", 0) == 0) {
        for (Index u = 0; u < r.rows; ++u) work += static_cast<double>(r.row_nnz(u)) * r.row_nnz(u);
    } else if (call == "user-cosine") {
        for (Offset c : column_counts(r)) work += static_cast<double>(c) * static_cast<double>(c);
    } else if (call == "recommend-item") {
        const std::vector<Offset> in_degree = column_counts(s);
        for (Index c : r.indices) work += static_cast<double>(in_degree[c]);
    } else if (call == "recommend-user") {
        for (Index v : s.indices) work += static_cast<double>(r.row_nnz(v));
    }
    return work;
}

/// `n` columns of `m`, evenly spread: column c is kept when ⌊c·n / cols⌋ moves on, and the
/// kept columns are renumbered 0, 1, 2, ... in order.
CsrMatrix spread_columns(const CsrMatrix& m, Index n) {
    std::vector<Index> to(static_cast<std::size_t>(m.cols), -1);
    Index kept = 0;
    for (Index c = 0; c < m.cols && kept < n; ++c) {
        const auto at = static_cast<std::int64_t>(c) * n / m.cols;
        if (at >= kept) to[static_cast<std::size_t>(c)] = kept++;
    }
    CsrMatrix out(m.rows, kept);
    for (Index r = 0; r < m.rows; ++r) {
        for (Offset q = m.indptr[r]; q < m.indptr[r + 1]; ++q) {
            const Index c = to[static_cast<std::size_t>(m.indices[q])];
            if (c < 0) continue;
            out.indices.push_back(c);
            out.values.push_back(m.values[q]);
        }
        out.indptr[r + 1] = static_cast<Offset>(out.indices.size());
    }
    return out;
}

/// The timed call.
CsrMatrix one_call(const std::string& call, const CsrMatrix& r, const CsrMatrix& s_loaded,
                   const sim::CooccurrenceCache* cache, const std::string& measure, int k, int top,
                   Index bounded_min_items) {
    if (call == "item-cosine" || call == "user-cosine") {
        const sim::Measure cosine = sim::measure_from_name("cosine");
        const auto p = sim::parse_params(cosine, {{"k", double(k)}});
        return sim::compute_similarity(
            r, call == "item-cosine" ? sim::Orientation::Item : sim::Orientation::User, cosine, p);
    }
    if (call == "item-rp3beta") {
        const sim::Measure rp3beta = sim::measure_from_name("rp3beta");
        const auto p =
            sim::parse_params(rp3beta, {{"k", double(k)}, {"alpha", 0.8}, {"beta", 0.4}});
        return sim::compute_similarity(r, sim::Orientation::Item, rp3beta, p);
    }
    if (call == "cache-rescore") {
        const sim::Measure m = sim::measure_from_name(measure);
        sim::ParamMap values = {{"k", double(k)}, {"shrink", 10.0}};
        if (measure == "s_plus") {
            values.insert({{"l", 0.5}, {"c", 0.5}, {"t1", 1.0}, {"t2", 1.0}});
        } else if (measure == "tversky") {
            values.insert({{"alpha", 1.4}, {"beta", 1.2}});
        } else if (measure == "asymmetric_cosine") {
            values.insert({{"alpha", 0.3}});
        }
        return cache->score(m, sim::parse_params(m, values), /*ranked=*/false);
    }
    if (call == "recommend-item" || call == "recommend-user") {
        RecommendParams rp;
        rp.top_n = top;
        rp.bounded_min_items = bounded_min_items;
        return recommend(r, s_loaded,
                         call == "recommend-item" ? sim::Orientation::Item : sim::Orientation::User,
                         rp);
    }
    usage();
}

/// The benchmark; `main` turns an error (a bad input file) into one line and status 2.
int run(int argc, char** argv) {
    std::string input, call, sim_path, save_path, measure = "s_plus";
    int k = 100, top = 10, threads = 0, repeat = 1, items = 0;
    int bounded_min_items = RecommendParams{}.bounded_min_items;
    using knntune::bench::store;
    // clang-format off
    const std::string bad = knntune::bench::apply_options(argc, argv, {
        {"--input", store(input)}, {"--call", store(call)}, {"--k", store(k)},
        {"--top", store(top)}, {"--threads", store(threads)}, {"--sim", store(sim_path)},
        {"--save-sim", store(save_path)}, {"--repeat", store(repeat)},
        {"--measure", store(measure)}, {"--items", store(items)},
        {"--bounded-min-items", store(bounded_min_items)}});
    // clang-format on
    if (!bad.empty()) usage();
    if (input.empty() || call.empty() || items < 0) usage();
    std::unique_ptr<tbb::global_control> limit;
    if (threads > 0) {
        limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                      static_cast<size_t>(threads));
    }

    const auto t_load = std::chrono::steady_clock::now();
    CsrMatrix r = knntune::bench::load_bench_input(input);
    if (items > 0 && items < r.cols) r = spread_columns(r, static_cast<Index>(items));
    CsrMatrix s_loaded;
    if (call == "recommend-item" || call == "recommend-user") {
        if (sim_path.empty()) usage();
        s_loaded = load_csr(sim_path);
    }
    std::optional<sim::CooccurrenceCache> cache;
    if (call == "cache-rescore") {
        cache = sim::CooccurrenceCache::build(r, sim::Orientation::Item, std::size_t{1} << 31);
        if (!cache) throw std::runtime_error("cache-rescore: the input does not fit the cache");
    }
    const double load_s = seconds_since(t_load);

    const double work = work_of(call, r, s_loaded, cache ? &*cache : nullptr);

    for (int rep = 0; rep < repeat; ++rep) {
        const double cpu0 = cpu_seconds();
        const auto t0 = std::chrono::steady_clock::now();
        const CsrMatrix out = one_call(call, r, s_loaded, cache ? &*cache : nullptr, measure, k,
                                       top, static_cast<Index>(bounded_min_items));
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
