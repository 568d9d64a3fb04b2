// Sampler quality on the five conditional test functions of
// ../shared/reference/tpe/BENCHMARK.md, compared with the stored Optuna 3.1 runs.
//
// Usage: tuner_quality [--seeds N] [--trials N] [--samplers tpe,tpe-univariate,random]
//                      [--tpe JSON] [--optuna-runs FILE] [--functions 12345] [--seed-offset K]
// Native runs use seeds K..K+N-1 (default 0); settings were tuned on seeds 100..119.
// Prints a Markdown table: best-so-far median [q25, q75] at 50/100/200 trials, the share of
// seeds whose best trial lies in the optimal branch, and the win rate A (Vargha–Delaney) with a
// two-sided Mann–Whitney p-value against Optuna 3.1 default TPE and multivariate+group TPE.

#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "benchmarks/bench_options.hpp"
#include "benchmarks/tuner_functions.hpp"
#include "tuner/study.hpp"
#include "tuner/tpe_sampler.hpp"

namespace kt = knntune::tuner;
namespace json = boost::json;

namespace {

struct Run {
    std::vector<double> values;  ///< per trial
    std::vector<int> algorithm;  ///< per trial
};

double best_at(const Run& r, std::size_t budget) {
    double b = INFINITY;
    for (std::size_t i = 0; i < budget && i < r.values.size(); ++i) b = std::min(b, r.values[i]);
    return b;
}

int best_algorithm(const Run& r) {
    std::size_t arg = 0;
    for (std::size_t i = 1; i < r.values.size(); ++i) {
        if (r.values[i] < r.values[arg]) arg = i;
    }
    return r.algorithm[arg];
}

// NumPy's default percentile: linear interpolation between order statistics.
double percentile(std::vector<double> x, double q) {
    std::sort(x.begin(), x.end());
    const double pos = q * static_cast<double>(x.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, x.size() - 1);
    return x[lo] + (pos - static_cast<double>(lo)) * (x[hi] - x[lo]);
}

// Vargha–Delaney A = P(x < y) + ½ P(x = y), and the two-sided Mann–Whitney p-value (normal
// approximation with tie correction and continuity correction).
std::pair<double, double> win_rate(const std::vector<double>& x, const std::vector<double>& y) {
    double wins = 0;
    for (double a : x) {
        for (double b : y) wins += a < b ? 1.0 : (a == b ? 0.5 : 0.0);
    }
    const double n1 = static_cast<double>(x.size()), n2 = static_cast<double>(y.size());
    const double A = wins / (n1 * n2);
    std::vector<double> all(x);
    all.insert(all.end(), y.begin(), y.end());
    std::sort(all.begin(), all.end());
    double ties = 0;
    for (std::size_t i = 0; i < all.size();) {
        std::size_t j = i;
        while (j < all.size() && all[j] == all[i]) ++j;
        const double t = static_cast<double>(j - i);
        ties += t * t * t - t;
        i = j;
    }
    const double n = n1 + n2;
    const double var = n1 * n2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)));
    const double u = wins;  // U statistic of x being smaller
    const double z = var > 0 ? (std::abs(u - n1 * n2 / 2.0) - 0.5) / std::sqrt(var) : 0.0;
    const double p = std::erfc(std::max(z, 0.0) / std::sqrt(2.0));
    return {A, p};
}

std::string fmt(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", x);
    return buf;
}

Run run_native(const std::string& sampler, const json::object& settings, int f, std::uint64_t seed,
               int n_trials, const kt::SearchSpace& space, double& ask_seconds) {
    kt::StudyOptions opt;
    opt.seed = seed;
    kt::Study study(space, kt::make_sampler(sampler, settings, seed, space),
                    std::make_unique<kt::InMemoryStorage>(), opt);
    Run r;
    for (int i = 0; i < n_trials; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        const kt::FrozenTrial t = study.ask();
        ask_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double v = knntune::bench::benchmark_function(f, t.params);
        study.tell(t.number, kt::TrialState::Complete, kt::Evaluation{v, {}});
        r.values.push_back(v);
        r.algorithm.push_back(static_cast<int>(t.params[0]));
    }
    return r;
}

// The stored Optuna 3.1 runs of function `fname`, keyed "optuna31 NAME".
void add_optuna_runs(const json::value& ref, const std::string& fname,
                     std::map<std::string, std::vector<Run>>& runs) {
    for (const char* ref_name : {"tpe_default", "tpe_mv_group", "random"}) {
        for (const auto& kv : ref.at("runs").at(fname).at(ref_name).as_object()) {
            Run r;
            for (const auto& v : kv.value().at("values").as_array())
                r.values.push_back(json::value_to<double>(v));
            for (const auto& v : kv.value().at("algorithm_index").as_array())
                r.algorithm.push_back(static_cast<int>(v.as_int64()));
            runs[std::string("optuna31 ") + ref_name].push_back(r);
        }
    }
}

// One table row: best-so-far quantiles, optimal-branch share, win rates against Optuna.
void print_row(const std::string& fname, int f, const std::string& name,
               std::map<std::string, std::vector<Run>>& runs) {
    const std::size_t budgets[] = {50, 100, 200};
    const auto& rs = runs[name];
    std::cout << "| " << fname << " | " << name << " | ";
    std::vector<std::vector<double>> best(3);
    for (int b = 0; b < 3; ++b) {
        for (const Run& r : rs) best[b].push_back(best_at(r, budgets[b]));
        std::cout << fmt(percentile(best[b], 0.5)) << " [" << fmt(percentile(best[b], 0.25)) << ", "
                  << fmt(percentile(best[b], 0.75)) << "] | ";
    }
    int optimal = 0;
    for (const Run& r : rs) optimal += best_algorithm(r) == knntune::bench::kOptimalBranch[f - 1];
    std::cout << (100 * optimal / static_cast<int>(rs.size())) << " % | ";
    for (const char* against : {"optuna31 tpe_default", "optuna31 tpe_mv_group"}) {
        if (name == against) {
            std::cout << "— | ";
            continue;
        }
        for (int b = 0; b < 3; ++b) {
            std::vector<double> other;
            for (const Run& r : runs[against]) other.push_back(best_at(r, budgets[b]));
            const auto [A, p] = win_rate(best[b], other);
            std::cout << fmt(A) << (p < 0.05 ? "*" : "") << (b < 2 ? " / " : " | ");
        }
    }
    std::cout << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    int seeds = 20, n_trials = 200, seed_offset = 0;
    std::string samplers = "tpe,tpe-univariate,random";
    std::string tpe_json = "{}";
    std::string functions = "12345";
    std::string optuna =
        std::string(KNNTUNE_SHARED_DIR) + "/reference/tpe/benchmark_optuna31_runs.json";
    using knntune::bench::store;
    // clang-format off
    const std::string bad = knntune::bench::apply_options(argc, argv, {
        {"--seeds", store(seeds)}, {"--trials", store(n_trials)}, {"--samplers", store(samplers)},
        {"--tpe", store(tpe_json)}, {"--functions", store(functions)},
        {"--optuna-runs", store(optuna)}, {"--seed-offset", store(seed_offset)}});
    // clang-format on
    if (!bad.empty()) {
        std::cerr << "unknown option " << bad << "\n";
        return 2;
    }
    std::ifstream in(optuna);
    if (!in) {
        std::cerr << "cannot read " << optuna << "\n";
        return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    const json::value ref = json::parse(ss.str());
    const kt::SearchSpace space =
        kt::SearchSpace::from_json_text(knntune::bench::kBenchmarkSpaceJson);
    const json::object tpe_settings = json::parse(tpe_json).as_object();

    std::vector<std::string> names;
    for (std::size_t a = 0, b; a < samplers.size(); a = b + 1) {
        b = samplers.find(',', a);
        if (b == std::string::npos) b = samplers.size();
        names.push_back(samplers.substr(a, b - a));
    }
    std::cout
        << "| function | sampler | best@50 median [q25, q75] | best@100 | best@200 | optimal "
           "branch @200 | A vs Optuna default @50/100/200 | A vs Optuna mv+group @50/100/200 |\n"
        << "|---|---|---|---|---|---|---|---|\n";
    double total_ask = 0;
    long total_asks = 0;
    for (char fc : functions) {
        const int f = fc - '0';
        const std::string fname = "F" + std::to_string(f);
        std::map<std::string, std::vector<Run>> runs;
        add_optuna_runs(ref, fname, runs);
        for (const std::string& name : names) {
            const std::string sampler = name == "random" ? "random" : "tpe";
            json::object settings;
            if (name == "tpe") settings = tpe_settings;
            if (name == "tpe-univariate") settings["mode"] = "univariate";
            for (int s = 0; s < seeds; ++s) {
                runs[name].push_back(run_native(sampler, settings, f,
                                                static_cast<std::uint64_t>(s + seed_offset),
                                                n_trials, space, total_ask));
                total_asks += n_trials;
            }
        }
        std::vector<std::string> order = names;
        for (const char* r : {"optuna31 tpe_default", "optuna31 tpe_mv_group", "optuna31 random"})
            order.emplace_back(r);
        for (const std::string& name : order) print_row(fname, f, name, runs);
    }
    std::cout << "\nmean native ask time: "
              << fmt(1e3 * total_ask / static_cast<double>(total_asks)) << " ms over " << total_asks
              << " asks; TPE settings: "
              << json::serialize(kt::TpeSettings::from_json(tpe_settings, 0).to_json()) << "\n";
    return 0;
}
