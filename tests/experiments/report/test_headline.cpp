/// The Headline and Warnings sections (experiments/report/sections/headline.cpp, warnings.cpp)
/// on report inputs built by hand, so that every number they print is known in advance.

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "experiments/report/analysis.hpp"
#include "experiments/report/input.hpp"
#include "experiments/report/sections/sections.hpp"

namespace rep = knntune::exp::report;
using Catch::Matchers::Contains;
using knntune::exp::MeasureResult;
using knntune::exp::ModelResult;

namespace {

/// `n` per-user values alternating `even`, `odd`.
std::vector<double> alternating(std::size_t n, double even, double odd) {
    std::vector<double> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = i % 2 == 0 ? even : odd;
    return v;
}

/// `base` plus, per user i, the difference at i mod 10 of a pattern with mean 0.05 whose
/// positive and negative differences of 0.5 balance, so that a signed-rank test finds nothing.
std::vector<double> shifted(const std::vector<double>& base) {
    const double d[10] = {-.5, .5, -.5, .5, -.5, .5, -.5, .5, .25, .25};
    std::vector<double> v = base;
    for (std::size_t i = 0; i < v.size(); ++i) v[i] += d[i % 10];
    return v;
}

/// A measure's test result: objective ndcg@5 with per-user values `v`.
MeasureResult measure(std::string name, double valid, const std::vector<double>& v) {
    double sum = 0.0;
    for (double x : v) sum += x;
    MeasureResult m;
    m.measure = std::move(name);
    m.valid_value = valid;
    m.test_metrics = {{"ndcg@5", sum / static_cast<double>(v.size())}};
    m.per_user["ndcg@5"] = v;
    return m;
}

/// The trials of `name` with validation values `values`, in trial order.
rep::MeasureTrials trials(std::string name, std::vector<double> values) {
    rep::MeasureTrials t;
    t.measure = std::move(name);
    for (std::size_t i = 0; i < values.size(); ++i) t.number.push_back(static_cast<double>(i));
    t.value = std::move(values);
    return t;
}

/// One item-KNN model over cosine (best on valid) and jaccard, on `users` test users, with
/// `valid_users` users in valid.
rep::ReportInput input(std::int64_t valid_users, std::int64_t users, rep::ModelTrials mt,
                       std::vector<double> cosine, std::vector<double> jaccard) {
    rep::ReportInput in;
    in.config.report.bootstrap_samples = 500;
    in.data.stats[1].users = valid_users;
    in.data.stats[3].users = users;
    ModelResult r;
    r.model = "item_knn";
    r.objective = "ndcg@5";
    r.maximize = true;
    r.users.resize(static_cast<std::size_t>(users));
    r.measures = {measure("cosine", 0.5, cosine), measure("jaccard", 0.4, jaccard)};
    mt.n_complete =
        static_cast<std::int64_t>(mt.measures[0].value.size() + mt.measures[1].value.size());
    in.models.push_back(rep::analyse_model(in.config, "item_knn", r, std::move(mt)));
    return in;
}

}  // namespace

TEST_CASE("Warnings fire for few users, few trials, late bests and wide intervals",
          "[report][headline]") {
    rep::ModelTrials mt;
    // cosine: 10 trials, best at trial 5 (not in the last fifth); jaccard: 5 trials (< 8),
    // best at its 5th (5·5 > 4·5: in the last fifth).
    mt.measures = {trials("cosine", {.1, .2, .3, .4, .5, .1, .1, .1, .1, .1}),
                   trials("jaccard", {.1, .2, .3, .2, .4})};
    // Means 0.30 and 0.35: a spread of 0.05 against intervals about 0.13 wide.
    const std::vector<double> cosine = alternating(80, 0.5, 0.1);
    const auto in = input(150, 80, mt, cosine, shifted(cosine));
    const std::vector<std::string> w = rep::report_warnings(in);
    REQUIRE(w.size() == 4);
    CHECK_THAT(w[0], Contains("test has only 80 users (fewer than 100)"));
    CHECK_THAT(w[1], Contains("Item-KNN: jaccard has only 5 complete trials, fewer than 8:"));
    CHECK_THAT(w[2], Contains("jaccard's best came at its trial 5 of 5, in the last fifth"));
    CHECK_THAT(w[3], Contains("is wider than the spread of their test scores (0.0500): the "
                              "test data cannot rank the measures"));

    rep::Document doc("t");
    rep::warnings_section(doc, in);
    CHECK_THAT(doc.markdown(), Contains("## Warnings\n\n- **Warning:** test has only 80 users"));

    rep::Document head("t");
    rep::headline_section(head, in);
    const std::string md = head.markdown();
    CHECK_THAT(md, Contains("Item-KNN: jaccard scores best on test, ndcg@5 0.3500 (95% "
                            "interval "));
    CHECK_THAT(md, Contains("over 80 test users; the best on valid was cosine (test 0.3000)"));
    CHECK_THAT(md, Contains("it cannot be told apart from cosine (p = "));
    CHECK_THAT(md, Contains("Budget: 5–10 complete trials per measure (15 in all)."));
}

TEST_CASE(
    "No warnings for many users, enough early trials and narrow intervals; a race's "
    "stops are in the headline",
    "[report][headline]") {
    rep::ModelTrials mt;
    mt.measures = {trials("cosine", {.1, .5, .3, .4, .2, .1, .1, .1, .1, .1}),
                   trials("jaccard", {.1, .4, .3, .2, .1, .1, .1, .1})};
    mt.race.min_trials = 8;
    knntune::tuner::RaceArm stopped;
    stopped.label = "jaccard";
    stopped.racing = false;
    stopped.stopped_at = 17;
    stopped.n_trials = 8;
    stopped.p_value = 0.012;
    stopped.leader = "cosine";
    knntune::tuner::RaceArm leader;
    leader.label = "cosine";
    mt.race.arms = {leader, stopped};
    mt.races = {mt.race};
    const auto in = input(200, 200, mt, alternating(200, 0.30, 0.31), alternating(200, 0.10, 0.11));
    CHECK(rep::report_warnings(in).empty());

    rep::Document doc("t");
    rep::warnings_section(doc, in);
    CHECK_THAT(doc.markdown(), Contains("## Warnings\n\nNone:"));

    rep::Document head("t");
    rep::headline_section(head, in);
    const std::string md = head.markdown();
    CHECK_THAT(md, Contains("cosine scores best on test, ndcg@5 0.3050 (95% interval 0.30"));
    CHECK_THAT(md, Contains("; it is also the best on valid."));
    CHECK_THAT(md, Contains("It scores significantly better than jaccard (p < 0.0001)."));
    CHECK_THAT(head.html(),
               Contains("It scores significantly better than jaccard (p &lt; 0.0001)."));
    CHECK_THAT(md, Contains("Budget: 8–10 complete trials per measure (18 in all). The race "
                            "stopped jaccard after 8 of its trials (at trial 17, Holm-adjusted "
                            "p = 0.0120 against cosine on valid)."));

    // With repeats, the stops are named per repeat.
    rep::ModelTrials two = mt;
    two.n_repeats = 2;
    two.races = {knntune::tuner::RaceRecord{}, mt.race};
    two.races.front().arms = {leader};
    for (auto& m : two.measures) m.repeat.assign(m.value.size(), 0);
    rep::Document rh("t");
    rep::headline_section(
        rh, input(200, 200, two, alternating(200, 0.30, 0.31), alternating(200, 0.10, 0.11)));
    CHECK_THAT(rh.markdown(), Contains("(over 2 repeats, 18 in all). In repeat 1 the race "
                                       "stopped jaccard after 8 of its trials"));
    CHECK_THAT(rh.markdown(), !Contains("In repeat 0"));

    // The race's min_trials, not 8, is the threshold for too few trials.
    rep::ModelTrials few = mt;
    few.race.min_trials = 9;
    const auto w = rep::report_warnings(
        input(200, 200, few, alternating(200, 0.30, 0.31), alternating(200, 0.10, 0.11)));
    REQUIRE(w.size() == 1);
    CHECK_THAT(w[0], Contains("jaccard has only 8 complete trials, fewer than 9 (the race's "
                              "min_trials)"));

    // Pruned trials count toward min_trials (they explored a configuration and found it worse)
    // and the budget sentence names them.
    rep::ModelTrials pruned = few;
    pruned.measures[1].n_pruned = 1;
    pruned.measures[1].pruned_repeat = {0};
    pruned.n_pruned = 1;
    const auto input_pruned =
        input(200, 200, pruned, alternating(200, 0.30, 0.31), alternating(200, 0.10, 0.11));
    CHECK(rep::report_warnings(input_pruned).empty());
    rep::Document ph("t");
    rep::headline_section(ph, input_pruned);
    CHECK_THAT(ph.markdown(), Contains("(18 in all, besides 1 trial pruned early as worse than "
                                       "their measure's best)."));
    pruned.measures[1].pruned_repeat = {1};  // a pruned trial of another repeat does not count
    CHECK(rep::report_warnings(
              input(200, 200, pruned, alternating(200, 0.30, 0.31), alternating(200, 0.10, 0.11)))
              .size() == 1);
}

TEST_CASE("Validation-test agreement: Kendall's tau of the measures' valid and test scores",
          "[report][headline]") {
    rep::ModelTrials mt;
    mt.measures = {trials("cosine", {.5}), trials("jaccard", {.4})};
    // cosine 0.5 on valid and 0.30 on test, jaccard 0.4 and 0.35: the one pair is discordant.
    const std::vector<double> cosine = alternating(80, 0.5, 0.1);
    const auto in = input(150, 80, mt, cosine, shifted(cosine));
    REQUIRE(rep::validation_test_tau(in.models[0]).has_value());
    CHECK(*rep::validation_test_tau(in.models[0]) == -1.0);
    rep::Document doc("t");
    rep::agreement_section(doc, in);
    CHECK_THAT(doc.markdown(), Contains("Item-KNN: Kendall's τ (tau-b, ties counted) between the 2 "
                                        "measures' validation and test ndcg@5 is -1.000: the "
                                        "ranking on test tends to be the reverse"));
    CHECK_THAT(doc.markdown(), Contains("With only 2 measures (1 pair)"));
}
