/// `tuner.repeats`: repeat r of a study is the same study seeded with tuner.seed + r, logged
/// beside the first, and the test stage takes each measure's best over every repeat.

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>

#include "common/atomic_file.hpp"
#include "experiments/run/results.hpp"
#include "support/temp_dir.hpp"
#include "support/tiny_experiment.hpp"
#include "tuner/hdf5_storage.hpp"

namespace fs = std::filesystem;
namespace tn = knntune::tuner;
using knntune::test::run_cli;
using knntune::test::run_cli_ok;
using knntune::test::TempDir;

namespace {

/// Each measure's best value and complete-trial count in one trial log.
struct LogBests {
    std::map<std::string, double> best;
    std::map<std::string, std::int64_t> count;
};

/// Equal parameter vectors, an absent parameter (NaN) equal to an absent one.
bool same_params(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i] != b[i] && !(std::isnan(a[i]) && std::isnan(b[i]))) return false;
    }
    return true;
}

LogBests bests_of(const fs::path& log) {
    const tn::TrialLog tl = tn::read_trial_log(log.string());
    LogBests out;
    for (const tn::FrozenTrial& t : tl.trials) {
        if (t.state != tn::TrialState::Complete) continue;
        const std::string m = tn::Trial(tl.space, t).choice("algorithm");
        ++out.count[m];
        if (!out.best.contains(m) || t.value > out.best[m]) out.best[m] = t.value;
    }
    return out;
}

}  // namespace

TEST_CASE("repeats: each repeat is the study with the next seed, and test takes the best",
          "[experiments][runner][repeats]") {
    TempDir dir;
    dir.write("log.csv", knntune::test::tiny_log());
    dir.write("cfg.yaml", knntune::test::tiny_config(9));
    const std::string common = " --quiet --set models=[item_knn]";
    run_cli_ok("run cfg.yaml --out rep" + common + " --set tuner.repeats=3", dir.path());
    const fs::path rep = dir.path() / "rep";
    const fs::path logs[] = {rep / "trials-item_knn.h5", rep / "trials-item_knn.r1.h5",
                             rep / "trials-item_knn.r2.h5"};
    for (const fs::path& p : logs) REQUIRE(fs::exists(p));
    CHECK_FALSE(fs::exists(rep / "trials-item_knn.r3.h5"));

    // Repeat 1 equals a one-repeat study seeded with tuner.seed + 1 (the config's seed is 3).
    run_cli_ok("tune cfg.yaml --out one" + common + " --set tuner.seed=4", dir.path());
    const tn::TrialLog a = tn::read_trial_log(logs[1].string());
    const tn::TrialLog b = tn::read_trial_log((dir.path() / "one/trials-item_knn.h5").string());
    CHECK(a.info.seed == 4);
    REQUIRE(a.trials.size() == 9);
    REQUIRE(b.trials.size() == 9);
    for (std::size_t i = 0; i < a.trials.size(); ++i) {
        INFO("trial " << i);
        CHECK(same_params(a.trials[i].params, b.trials[i].params));
        CHECK(a.trials[i].value == b.trials[i].value);
    }
    // The repeats differ from each other (distinct seeds).
    CHECK_FALSE(
        same_params(tn::read_trial_log(logs[0].string()).trials[5].params, a.trials[5].params));

    // The test stage: each measure's validation winner (its value read back from JSON, within
    // one unit in the last place) is its best over the three logs, and
    // its trial count is the sum.
    std::map<std::string, double> best;
    std::map<std::string, std::int64_t> count;
    for (const fs::path& p : logs) {
        const LogBests lb = bests_of(p);
        for (const auto& [m, v] : lb.best) {
            if (!best.contains(m) || v > best[m]) best[m] = v;
        }
        for (const auto& [m, n] : lb.count) count[m] += n;
    }
    const auto res = knntune::exp::load_model_result(rep / "test-item_knn.json");
    REQUIRE(res.measures.size() == best.size());
    for (const auto& m : res.measures) {
        INFO(m.measure);
        CHECK(m.valid_value == Approx(best.at(m.measure)).epsilon(1e-14));
        CHECK(m.n_trials == count.at(m.measure));
        CHECK(bests_of(rep / m.log).best.at(m.measure) == Approx(m.valid_value).epsilon(1e-14));
    }

    // The report names the repeats; `knntune trials` shows all three studies.
    const std::string report = knntune::read_file(rep / "report.md");
    CHECK_THAT(report, Catch::Contains("seed 3 to 5 (3 repeats)"));
    CHECK_THAT(report, Catch::Contains("complete trials per measure (over 3 repeats, 27 in all)"));
    CHECK_THAT(report, Catch::Contains("one line per measure, repeat 0 only."));
    CHECK_THAT(report, Catch::Contains("Lines: the median over the repeats of the best so far"));
    // The warnings judge each repeat on its own (9 trials over 3 measures: fewer than the
    // race's min_trials of 8 in every repeat).
    CHECK_THAT(report, Catch::Contains("complete trials in repeat 2, fewer than 8"));
    const auto tr = run_cli_ok("trials rep --format csv", dir.path());
    CHECK(std::count(tr.out.begin(), tr.out.end(), '\n') == 1 + 3 * 9);
    CHECK_THAT(tr.out, Catch::Contains("\nitem_knn.r2,8,"));

    const auto bad = run_cli("run cfg.yaml --out bad --set tuner.repeats=0", dir.path());
    CHECK(bad.status == 2);
    CHECK_THAT(bad.err, Catch::Contains("tuner.repeats"));
}
