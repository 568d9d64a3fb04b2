// `knntune trials` on a log written by a study: CSV header and rows, table, and errors.

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>

#include "benchmarks/tuner_functions.hpp"
#include "tests/tuner/fixtures.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/study.hpp"

using namespace knntune::tuner;
using knntune::tuner::testing::knn_space;
using knntune::tuner::testing::scratch_dir;

namespace {

// Runs the CLI; returns (exit status, stdout + stderr).
std::pair<int, std::string> run_cli(const std::string& args) {
    const std::string cmd = std::string(KNNTUNE_CLI) + " " + args + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::string out;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int status = ::pclose(p);
    return {WEXITSTATUS(status), out};
}

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

}  // namespace

TEST_CASE("knntune trials prints the trial table as CSV and as a table", "[tuner][cli]") {
    const auto dir = scratch_dir("cli");
    const std::string path = (dir / "trials.h5").string();
    {
        const SearchSpace space = knn_space();
        StudyOptions opt;
        opt.seed = 3;
        Study study(space, make_sampler("random", {}, 3, space),
                    std::make_unique<Hdf5Storage>(path, Hdf5Options{false}), opt);
        study.enqueue({{"algorithm", 5},
                       {"k", 20},
                       {"shrink", 100},
                       {"tversky.alpha", 0.5},
                       {"tversky.beta", 1.5}});
        OptimizeParams p;
        p.n_trials = 5;
        study.optimize(
            [](const Trial& t) -> Evaluation {
                if (t.number() == 2) throw std::runtime_error("boom, \"quoted\"");
                return Evaluation{t.value("shrink"), {{"ndcg@10", 0.25}}};
            },
            p);
        study.ask();  // one trial left Running
    }
    auto [status, out] = run_cli("trials " + path + " --format csv");
    REQUIRE(status == 0);
    const auto rows = lines(out);
    REQUIRE(rows.size() == 7);
    CHECK(rows[0] ==
          "number,state,value,algorithm,k,shrink,asymmetric.alpha,tversky.alpha,tversky.beta,"
          "p3alpha.alpha,rp3beta.alpha,rp3beta.beta,splus.lambda,splus.c,ndcg@10,start_time,"
          "end_time,duration,error");
    CHECK_THAT(rows[1], Catch::StartsWith("0,Complete,100,tversky,20,100,,0.5,1.5,,,,,,0.25,"));
    CHECK_THAT(rows[3], Catch::StartsWith("2,Fail,,"));
    CHECK_THAT(rows[3], Catch::EndsWith(",\"boom, \"\"quoted\"\"\""));
    CHECK_THAT(rows[6], Catch::StartsWith("5,Running,,"));

    // A run folder resolves to its trials.h5; the table has a summary line and a header.
    std::tie(status, out) = run_cli("trials " + dir.string());
    REQUIRE(status == 0);
    const auto table = lines(out);
    REQUIRE(table.size() == 8);
    CHECK_THAT(table[0], Catch::Contains("6 trials (4 complete)"));
    CHECK_THAT(table[1], Catch::StartsWith("number  state     value"));

    std::tie(status, out) = run_cli("trials " + (dir / "nope.h5").string());
    CHECK(status == 2);
    CHECK_THAT(out, Catch::Contains("does not exist"));
    std::tie(status, out) = run_cli("trials " + path + " --format xml");
    CHECK(status == 2);
    CHECK_THAT(out, Catch::Contains("--format takes table, csv or json, got 'xml'"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("knntune trials --importance prints PED-ANOVA importance per parameter and measure",
          "[tuner][cli]") {
    const auto dir = scratch_dir("cli-importance");
    const std::string path = (dir / "trials.h5").string();
    {
        const SearchSpace space = knn_space();
        StudyOptions opt;
        opt.seed = 11;
        Study study(space, make_sampler("random", {}, 11, space),
                    std::make_unique<Hdf5Storage>(path, Hdf5Options{false}), opt);
        OptimizeParams p;
        p.n_trials = 300;
        study.optimize(
            [](const Trial& t) -> Evaluation {
                return Evaluation{knntune::bench::benchmark_function(1, t.values()), {}};
            },
            p);
    }
    auto [status, out] = run_cli("trials " + path + " --importance");
    REQUIRE(status == 0);
    const auto table = lines(out);
    REQUIRE(table.size() > 3);
    CHECK_THAT(table[0], Catch::Contains("minimize, 300 complete trials; PED-ANOVA"));
    CHECK_THAT(table[1], Catch::StartsWith("subset  "));
    CHECK_THAT(table[2], Catch::StartsWith("all "));
    CHECK_THAT(table[2], Catch::Contains(" algorithm "));
    // Every measure has its own rows, its own parameters included, the other measures' not.
    std::size_t rp3beta_rows = 0;
    for (const std::string& l : table) {
        if (l.rfind("algorithm=rp3beta ", 0) != 0) continue;
        ++rp3beta_rows;
        CHECK_THAT(l, !Catch::Contains("tversky."));
    }
    CHECK(rp3beta_rows == 4);  // k, shrink, rp3beta.alpha, rp3beta.beta

    std::tie(status, out) = run_cli("trials " + path + " --importance --format csv");
    REQUIRE(status == 0);
    const auto rows = lines(out);
    CHECK(rows[0] == "subset,parameter,share,importance,trials,local,note");
    double total = 0.0;
    std::size_t n_all = 0;
    for (const std::string& r : rows) {
        if (r.rfind("all,", 0) != 0) continue;
        ++n_all;
        total += std::stod(r.substr(r.find(',', 4) + 1));
    }
    CHECK(n_all == 11);  // every parameter of the space
    CHECK_THAT(total, Catch::Matchers::WithinAbs(1.0, 1e-9));

    std::tie(status, out) = run_cli("trials " + path + " --importance --local-quantile 1.5");
    CHECK(status == 2);
    CHECK_THAT(out, Catch::Contains("importance: local quantile must be in (0, 1), got 1.5"));
    std::tie(status, out) = run_cli("trials --help");
    CHECK(status == 0);
    CHECK_THAT(out, Catch::Contains("--importance") && Catch::Contains("--global-quantile"));
    std::filesystem::remove_all(dir);
}
