#pragma once
/// The report's sections, one file each in this folder, listed in the section table of
/// experiments/report/report.cpp. Each writes its headings, text, tables and figures into the
/// document from the report input alone.

#include <optional>
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
/// Validation–test agreement: per model, Kendall's tau-b of the measures' validation and test
/// scores, and what it means for the ranking.
void agreement_section(Document& doc, const ReportInput& input);
/// Kendall's tau-b of the measures' validation and test objectives of `ma`; nothing with fewer
/// than two measures, NaN when either score is the same for all.
[[nodiscard]] std::optional<double> validation_test_tau(const ModelAnalysis& ma);
/// Plots (drawn): per model, best so far, distribution, score against k and shrink, test CIs.
void plots_section(Document& doc, const ReportInput& input);
/// Item map (drawn, and only with `report.embedding`): PCA of the best item-item matrix.
void item_map_section(Document& doc, const ReportInput& input);
/// Methods: how the numbers were computed.
void methods_section(Document& doc, const ReportInput& input);

}  // namespace knntune::exp::report
