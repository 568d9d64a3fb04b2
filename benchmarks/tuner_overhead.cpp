// Sampler overhead: time per ask at 100, 500 and 1000 (or --at N,N,...) finished trials with a
// trivial objective, in-memory storage (the protocol of spec §3: grow the study to N trials, time
// the next 20 asks, divide by 20; median of 3 seeds).
//
// Usage: tuner_overhead [--samplers tpe,tpe-univariate,random] [--repeats 3]
//                       [--tpe '{json settings for the tpe sampler}'] [--at 100,500,1000]
//
// Reports thread CPU time (the machine is shared; wall time is printed alongside).

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include "benchmarks/bench_options.hpp"
#include "benchmarks/tuner_functions.hpp"
#include "common/text.hpp"
#include "tuner/study.hpp"

namespace kt = knntune::tuner;

namespace {

double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

std::string median_ms(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v[v.size() / 2]);
    return buf;
}

}  // namespace

int main(int argc, char** argv) {
    std::string samplers = "tpe,tpe-univariate,random";
    int repeats = 3;
    boost::json::object tpe_settings;
    std::string at = "100,500,1000";
    using knntune::bench::store;
    const std::string bad = knntune::bench::apply_options(
        argc, argv,
        {{"--samplers", store(samplers)},
         {"--repeats", store(repeats)},
         {"--tpe", [&](const std::string& v) { tpe_settings = boost::json::parse(v).as_object(); }},
         {"--at", store(at)}});
    if (!bad.empty()) {
        std::cerr << "unknown option " << bad << "\n";
        return 2;
    }
    const kt::SearchSpace space =
        kt::SearchSpace::from_json_text(knntune::bench::kBenchmarkSpaceJson);
    std::vector<int> checkpoints;
    for (const std::string& n : knntune::split(at, ',')) checkpoints.push_back(std::stoi(n));
    std::cout << "| sampler";
    for (const int c : checkpoints) std::cout << " | CPU ms per ask @" << c;
    for (const int c : checkpoints) std::cout << " | wall ms @" << c;
    std::cout << " |\n|---";
    for (std::size_t i = 0; i < 2 * checkpoints.size(); ++i) std::cout << "|---";
    std::cout << "|\n";
    for (const std::string& name : knntune::split(samplers, ',')) {
        boost::json::object settings;
        if (name == "tpe") settings = tpe_settings;
        if (name == "tpe-univariate") settings["mode"] = "univariate";
        std::vector<std::vector<double>> ms(checkpoints.size()), wall(checkpoints.size());
        for (int r = 0; r < repeats; ++r) {
            kt::StudyOptions opt;
            opt.seed = static_cast<std::uint64_t>(r);
            kt::Study study(
                space,
                kt::make_sampler(name == "random" ? "random" : "tpe", settings, opt.seed, space),
                std::make_unique<kt::InMemoryStorage>(), opt);
            int done = 0;
            for (std::size_t c = 0; c < checkpoints.size(); ++c) {
                for (; done < checkpoints[c]; ++done) {
                    const auto t = study.ask();
                    study.tell(t.number, kt::TrialState::Complete,
                               kt::Evaluation{knntune::bench::benchmark_function(1, t.params), {}});
                }
                const auto t0 = std::chrono::steady_clock::now();
                const double c0 = cpu_seconds();
                for (int i = 0; i < 20; ++i) {
                    const auto t = study.ask();
                    study.tell(t.number, kt::TrialState::Complete,
                               kt::Evaluation{knntune::bench::benchmark_function(1, t.params), {}});
                }
                done += 20;
                ms[c].push_back(1e3 * (cpu_seconds() - c0) / 20);
                wall[c].push_back(
                    1e3 *
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
                    20);
            }
        }
        std::cout << "| " << name;
        for (const auto& v : ms) std::cout << " | " << median_ms(v);
        for (const auto& v : wall) std::cout << " | " << median_ms(v);
        std::cout << " |\n";
    }
    return 0;
}
