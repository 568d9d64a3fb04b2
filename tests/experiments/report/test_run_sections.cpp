/// The report input of a tiny run of per-measure studies, read back and checked against direct
/// computations: the users' train interactions, the By user activity table, the parameter
/// importance (each measure's against PED-ANOVA on its own log), and the repeat of a log.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "engine/data/prepared_io.hpp"
#include "experiments/report/analysis.hpp"
#include "experiments/report/document.hpp"
#include "experiments/report/input.hpp"
#include "experiments/report/report_test_support.hpp"
#include "experiments/report/sections/sections.hpp"
#include "support/temp_dir.hpp"
#include "support/tiny_experiment.hpp"
#include "tuner/hdf5_storage.hpp"
#include "tuner/importance.hpp"

namespace fs = std::filesystem;
namespace rep = knntune::exp::report;
namespace kt = knntune::tuner;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using knntune::exp::RunFolder;
using knntune::test::CurrentPath;
using knntune::test::TempDir;

namespace {

/// The rows of the first Markdown table in `md` below its header and rule, as cells.
std::vector<std::vector<std::string>> table_rows(const std::string& md) {
    std::istringstream in(md);
    std::vector<std::vector<std::string>> rows;
    int line_in_table = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("| ", 0) != 0) {
            if (line_in_table > 0) break;
            continue;
        }
        if (++line_in_table <= 2) continue;
        std::vector<std::string> cells;
        std::istringstream row(line.substr(2));
        for (std::string cell; std::getline(row, cell, '|');) {
            cells.push_back(cell.substr(0, cell.find_last_not_of(' ') + 1));
            if (!cells.back().empty() && cells.back().front() == ' ') cells.back().erase(0, 1);
        }
        rows.push_back(cells);
    }
    return rows;
}

std::string fixed4(double v) { return rep::format_number(v, rep::NumberFormat::Fixed, 4); }

/// Checks the activity table of `ma` against the quartile means computed here from the
/// per-user vectors and the train interactions.
void check_activity(const rep::ReportInput& in, const rep::ModelAnalysis& ma) {
    const auto& r = ma.result;
    const std::vector<double>& best = r.best().per_user.at(r.objective);
    const std::vector<double>* pop = nullptr;
    for (const auto& b : r.baselines) {
        if (b.baseline == "top_pop") pop = &b.per_user.at(r.objective);
    }
    REQUIRE(pop != nullptr);
    std::vector<std::tuple<std::int64_t, int, std::size_t>> order;  // count, user, position
    for (std::size_t i = 0; i < r.users.size(); ++i) {
        order.emplace_back(in.data.train_interactions.at(static_cast<std::size_t>(r.users[i])),
                           r.users[i], i);
    }
    std::sort(order.begin(), order.end());
    rep::Document doc("t");
    rep::activity_section(doc, in);
    const auto rows = table_rows(doc.markdown());
    REQUIRE(rows.size() == 4);
    const std::size_t n = order.size();
    std::size_t start = 0;
    for (std::size_t g = 0; g < 4; ++g) {
        INFO("quartile " << g + 1);
        const std::size_t size = (n + 3 - g) / 4;  // 4 near-equal groups, the first larger
        double sum_best = 0.0;
        double sum_pop = 0.0;
        for (std::size_t k = start; k < start + size; ++k) {
            sum_best += best[std::get<2>(order[k])];
            sum_pop += (*pop)[std::get<2>(order[k])];
        }
        const auto lo = std::get<0>(order[start]);
        const auto hi = std::get<0>(order[start + size - 1]);
        CHECK(rows[g][0] == "Q" + std::to_string(g + 1));
        CHECK(rows[g][1] == std::to_string(size));
        CHECK(rows[g][2] ==
              (lo == hi ? std::to_string(lo) : std::to_string(lo) + "–" + std::to_string(hi)));
        CHECK(rows[g][3] == fixed4(sum_best / static_cast<double>(size)));
        CHECK(rows[g].back() == fixed4(sum_pop / static_cast<double>(size)));
        start += size;
    }
}

/// Checks each measure's importance against PED-ANOVA on that measure's own trial log.
void check_importance(const RunFolder& folder, const rep::ModelAnalysis& ma) {
    const auto& imp = ma.trials.importance;
    REQUIRE(imp.size() == 4);  // all trials, then cosine, rp3beta, jaccard
    CHECK(imp[0].measure.empty());
    CHECK(imp[0].n_trials == static_cast<std::size_t>(ma.trials.n_complete));
    for (std::size_t i = 1; i < imp.size(); ++i) {
        INFO(imp[i].measure);
        const kt::TrialLog log = kt::read_trial_log(folder.trials("item_knn", imp[i].measure));
        kt::PedAnovaParams p;
        p.where_key = "algorithm";
        p.where_choice = imp[i].measure;
        const auto want = kt::ped_anova(log.space, log.trials, log.info.direction, p);
        const auto complete =
            std::count_if(log.trials.begin(), log.trials.end(), [](const kt::FrozenTrial& t) {
                return t.state == kt::TrialState::Complete && !std::isnan(t.value);
            });
        CHECK(imp[i].n_trials == static_cast<std::size_t>(complete));
        for (const kt::ParamImportance& w : want) {
            INFO(w.key);
            const auto got = std::find_if(imp[i].params.begin(), imp[i].params.end(),
                                          [&](const auto& x) { return x.key == w.key; });
            REQUIRE(got != imp[i].params.end());
            CHECK(got->evaluated == w.evaluated);
            CHECK(got->n_trials == w.n_trials);
            CHECK(got->n_local == w.n_local);
            if (!w.evaluated) continue;
            CHECK_THAT(got->share, WithinAbs(w.share, 1e-12));
            CHECK_THAT(got->raw, WithinAbs(w.raw, 1e-12));
        }
    }
}

}  // namespace

TEST_CASE("Train interactions, activity quartiles, importance and repeats of a tiny run",
          "[report][experiments]") {
    TempDir dir;
    dir.write("log.csv", knntune::test::tiny_log());
    dir.write("cfg.yaml", knntune::test::tiny_config({.n_trials = 12, .parallel_trials = 1}));
    const auto r = knntune::test::run_cli(
        "run cfg.yaml --quiet --set models=[item_knn] --set "
        "tuner.strategy=per_measure --set report.plots=false",
        dir.path());
    INFO(r.err);
    REQUIRE(r.status == 0);
    const CurrentPath cwd(dir.path());
    const RunFolder folder(dir.path() / "run");
    const rep::ReportInput in = rep::load_report_input(folder);
    REQUIRE(in.models.size() == 1);
    const rep::ModelAnalysis& ma = in.models[0];

    {  // Train interactions per user: counted again over the columns of the item-major matrix.
        const auto data = knntune::engine::load_prepared(folder.prepared().string());
        const auto items = knntune::engine::transpose(data.matrix(knntune::engine::Period::Train));
        std::vector<std::int64_t> want(data.user_keys.size(), 0);
        for (const auto u : items.indices) ++want.at(static_cast<std::size_t>(u));
        CHECK(in.data.train_interactions == want);
        const auto& train = in.data.stats[static_cast<int>(knntune::engine::Period::Train)];
        std::int64_t sum = 0;
        std::int64_t active = 0;
        for (const auto c : in.data.train_interactions) {
            sum += c;
            active += c > 0 ? 1 : 0;
        }
        CHECK(sum == train.rows);
        CHECK(active == train.users);
    }

    check_activity(in, ma);
    check_importance(folder, ma);
    {
        rep::Document doc("t");
        rep::importance_section(doc, in);
        const std::string md = doc.markdown();
        CHECK_THAT(md, Contains("**Importance over all " + std::to_string(ma.trials.n_complete) +
                                " complete trials, the measure choice (algorithm) included**"));
        CHECK_THAT(md, Contains("| cosine | k | "));
        CHECK_THAT(md, Contains("| rp3beta | rp3beta.alpha | "));
    }

    {  // A copy of cosine's log as its repeat 1: both repeats are read, each from its name.
        const fs::path first = folder.trials("item_knn", "cosine");
        const fs::path copy = folder.dir() / "trials-item_knn-cosine.r1.h5";
        fs::copy_file(first, copy);
        const rep::ModelTrials t = rep::read_model_trials(in.config, {first, copy});
        const rep::MeasureTrials* c = t.find("cosine");
        REQUIRE(c != nullptr);
        const std::size_t n = ma.trials.find("cosine")->value.size();
        REQUIRE(c->repeat.size() == 2 * n);
        CHECK(std::count(c->repeat.begin(), c->repeat.begin() + static_cast<long>(n), 0) ==
              static_cast<long>(n));
        CHECK(std::count(c->repeat.begin() + static_cast<long>(n), c->repeat.end(), 1) ==
              static_cast<long>(n));
        // Two identical repeats: the median and both ends of the band are the one best so far.
        const rep::ConvergenceLine line = rep::convergence_line(*c, true);
        CHECK(line.n_repeats == 2);
        const rep::ConvergenceLine single = rep::convergence_line(*ma.trials.find("cosine"), true);
        CHECK(line.value == single.value);
        CHECK(line.low == single.value);
        CHECK(line.high == single.value);
        CHECK(t.importance.front().n_trials == 2 * n);
    }
}
