#pragma once
/// The report's sections, one file each in this folder, listed in the section table of
/// experiments/report/report.cpp. Each writes its headings, text, tables and figures into the
/// document from the report input alone.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "experiments/report/document.hpp"
#include "experiments/report/input.hpp"

namespace knntune::exp::report {

/// Headline: per model, the measure best on test with its interval, the measures it cannot be
/// told apart from, the baselines, item- against user-KNN and the trial budget.
void headline_section(Document& doc, const ReportInput& input);
/// Warnings: few users, few trials, a best in the last fifth of a measure's trials, intervals
/// wider than the spread of the measures' test scores; "None" when there is no warning.
void warnings_section(Document& doc, const ReportInput& input);
/// The texts of the Warnings section's bullets, in order (without the "Warning:" lead).
[[nodiscard]] std::vector<std::string> report_warnings(const ReportInput& input);
/// Run: knntune version, objective, models, measures, fixed parameters, tuner and statistics
/// settings.
void run_section(Document& doc, const ReportInput& input);
/// Data: row counts and the split statistics table.
void data_section(Document& doc, const ReportInput& input);
/// One section per model: trial counts, the measure table and all test metrics.
void models_section(Document& doc, const ReportInput& input);
/// Item-KNN against user-KNN: the best of each model, and one paired test of the two.
void comparison_section(Document& doc, const ReportInput& input);
/// Statistics: per model, the interval table and the paired tests against the reference.
void statistics_section(Document& doc, const ReportInput& input);
/// By user activity: per model, the test objective of the best measure and of top_pop per
/// quartile of the test users' train interactions.
void activity_section(Document& doc, const ReportInput& input);

/// One quartile of the test users by their number of train interactions.
struct ActivityGroup {
    std::size_t n_users = 0;  ///< test users in the group
    std::int64_t fewest = 0;  ///< fewest train interactions of a user in the group
    std::int64_t most = 0;    ///< most train interactions of a user in the group
    double best = std::numeric_limits<double>::quiet_NaN();  ///< mean objective, best on valid
    /// Mean objective of the measure best on test (the same as `best` when it is best on
    /// valid); NaN without its per-user values.
    double test_best = std::numeric_limits<double>::quiet_NaN();
    double top_pop = std::numeric_limits<double>::quiet_NaN();  ///< NaN without top_pop values
};

/// The four activity quartiles of the test users of `ma` (docs/report.md): the users sorted by
/// their train interactions `train_interactions` (per user id; ties by user id) and cut into
/// four groups of near-equal size, the first groups taking one more user each when the count
/// is not a multiple of four. Empty groups (fewer than four users) are left out. Empty when
/// the best measure has no per-user objective values or a test user has no count.
[[nodiscard]] std::vector<ActivityGroup> activity_quartiles(
    const ModelAnalysis& ma, std::span<const std::int64_t> train_interactions);

/// Validation–test agreement: per model, Kendall's tau-b of the measures' validation and test
/// scores, and what it means for the ranking.
void agreement_section(Document& doc, const ReportInput& input);
/// Kendall's tau-b of the measures' validation and test objectives of `ma`; nothing with fewer
/// than two measures, NaN when either score is the same for all.
[[nodiscard]] std::optional<double> validation_test_tau(const ModelAnalysis& ma);
/// Parameter importance: per model, PED-ANOVA over all trials and over each measure's own.
void importance_section(Document& doc, const ReportInput& input);
/// Plots (drawn): per model, best so far, distribution, score against k and shrink, test CIs.
void plots_section(Document& doc, const ReportInput& input);
/// Convergence (drawn): per model, each measure's best validation score so far against its own
/// complete-trial count; with repeats the median over the repeats and a min–max band.
void convergence_section(Document& doc, const ReportInput& input);

/// One measure's line of the convergence plot.
struct ConvergenceLine {
    std::vector<double> count{};  ///< the measure's own complete trials: 1, 2, ..., n
    /// Best validation value so far after that many of its trials; with several repeats the
    /// median over the repeats (n: the fewest trials any of its repeats has). NaN where no
    /// repeat has a finite value yet.
    std::vector<double> value{};
    std::vector<double> low{};   ///< min over the repeats at each count; empty with one repeat
    std::vector<double> high{};  ///< max over the repeats at each count; empty with one repeat
    std::size_t n_repeats = 0;   ///< repeats with at least one complete trial of the measure
};

/// The convergence line of `m`: its complete trials grouped by repeat (an empty `m.repeat`
/// counts as repeat 0), each repeat's in trial-number order, and the best value so far (the
/// highest when `maximize`) after each of them.
[[nodiscard]] ConvergenceLine convergence_line(const MeasureTrials& m, bool maximize);

/// Item map (drawn, and only with `report.embedding`): PCA of the best item-item matrix.
void item_map_section(Document& doc, const ReportInput& input);
/// Methods: how the numbers were computed.
void methods_section(Document& doc, const ReportInput& input);

}  // namespace knntune::exp::report
