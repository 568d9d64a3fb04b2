#pragma once
/// The report's sections, one file each in this folder, listed in the section table of
/// experiments/report/report.cpp. Each writes its headings, text, tables and figures into the
/// document from the report input alone.

#include "experiments/report/document.hpp"
#include "experiments/report/input.hpp"

namespace knntune::exp::report {

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
/// Plots (drawn): per model, best so far, distribution, score against k and shrink, test CIs.
void plots_section(Document& doc, const ReportInput& input);
/// Item map (drawn, and only with `report.embedding`): PCA of the best item-item matrix.
void item_map_section(Document& doc, const ReportInput& input);
/// Methods: how the numbers were computed.
void methods_section(Document& doc, const ReportInput& input);

}  // namespace knntune::exp::report
