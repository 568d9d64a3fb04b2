#pragma once
/// The run report: report.md and report.html (self-contained) in the run folder, built from
/// the run folder's files only (experiments/report/input.hpp) by a table of sections.
///
/// Sections, in order (documented in docs/report.md; one file each in sections/):
///   Run          knntune version, objective, models, measures, tuner and report settings
///   Data         the split statistics table
///   MODEL        per model: one row per measure (validation winner): valid and test score,
///                parameters, fit/evaluate/trial seconds, trials; all test metrics
///   Item-KNN against user-KNN   the best measure of each model, side by side
///   Statistics   per model: 95% bootstrap CIs of the test objective per measure, and paired
///                per-user tests of the best-on-valid measure against every other measure
///                (Wilcoxon signed-rank or paired bootstrap), Holm-adjusted, with effect sizes
///   By user activity   per model: the test objective per quartile of the test users' train
///                interactions, best measure against top_pop
///   Validation–test agreement   per model: Kendall's tau of valid and test scores
///   Parameter importance   per model: PED-ANOVA over all trials and per measure
///   Plots        per model: best so far, score distribution, score vs k, score vs shrink,
///                test objective with CIs (gnuplot SVG)
///   Convergence  per model: best so far against each measure's own trial count, over repeats
///   Item map     PCA of the best item-item matrix's columns, most popular items
///   Methods      how the numbers above were computed
///
/// Every wall-clock number sits in a table column whose header ends in "(s)"; everything else
/// is a deterministic function of the run folder and the config's seeds.

#include <span>
#include <string_view>

#include "experiments/progress.hpp"
#include "experiments/report/document.hpp"
#include "experiments/report/input.hpp"
#include "experiments/run/run_folder.hpp"

namespace knntune::exp::report {

/// Writes one section of the report into the document.
using SectionWriter = void (*)(Document& doc, const ReportInput& input);

/// One entry of the section table.
struct Section {
    std::string_view name;  ///< lower case, as in "The plots could not be drawn"
    SectionWriter write;    ///< writes the section's headings, text, tables and figures
    /// Draws figures: skipped when `report.plots` is false, and a ReportError (gnuplot
    /// missing or failing, a degenerate map) leaves a sentence in the report and a warning
    /// on stderr instead of failing the report.
    bool drawn;
};

/// The section table, in the order of the report.
[[nodiscard]] std::span<const Section> report_sections();

/// The report of `input`: every section of the table, in order, titled after the run.
[[nodiscard]] Document build_report(const ReportInput& input);

}  // namespace knntune::exp::report

namespace knntune::exp {

/// Builds the report of the run in `folder` from its files (load_report_input; the data from
/// `data` when given) and writes report.html, report.md and figures/*.svg there atomically.
/// Throws ConfigError naming the file when a model has no test result yet.
void write_report(const RunFolder& folder, Progress& progress,
                  const report::PreparedSource& data = {});

}  // namespace knntune::exp
