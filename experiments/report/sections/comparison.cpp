/// The Item-KNN against user-KNN section: the best of each model, and one paired test.

#include <string>
#include <utility>

#include "experiments/report/analysis.hpp"
#include "experiments/report/format.hpp"
#include "experiments/report/sections/sections.hpp"

namespace knntune::exp::report {
namespace {

/// A confidence bound, or "-" when the model has no interval.
Cell bound(const std::optional<ConfidenceInterval>& ci, double ConfidenceInterval::*end) {
    return ci ? Cell{(*ci).*end} : Cell{std::string("-")};
}

/// The paired test of the best measures of the first two models, or why there is none.
std::string paired_sentence(const ReportInput& input) {
    const ModelAnalysis& a = input.models[0];
    const ModelAnalysis& b = input.models[1];
    const std::string& objective = a.result.objective;
    const auto* va = per_user(a.result.best(), objective);
    const auto* vb = per_user(b.result.best(), objective);
    if (!va || !vb || a.result.users != b.result.users) {
        return "The two models were not scored on the same test users with per-user " + objective +
               " values, so no paired test is made.";
    }
    const Comparison c = paired_test(input.config, *va, *vb);
    const bool significant = c.p_value < kSignificance;
    return "Paired " +
           std::string(bootstrap_test(input.config) ? "bootstrap" : "Wilcoxon signed-rank") +
           " test over the " + std::to_string(va->size()) + " common test users, " + a.model +
           " (" + a.result.best().measure + ") minus " + b.model + " (" + b.result.best().measure +
           "): mean difference " + format_number(c.effect.mean_difference, NumberFormat::Fixed, 4) +
           ", Cohen's d_z " +
           format_number(c.effect.standardized_mean_difference, NumberFormat::Fixed, 3) +
           ", rank-biserial r " + format_number(c.effect.rank_biserial, NumberFormat::Fixed, 3) +
           ", " + p_value_text(c.p_value) + " (" + (significant ? "" : "not ") +
           "significant at the 5% level).";
}

}  // namespace

void comparison_section(Document& doc, const ReportInput& input) {
    doc.heading("Item-KNN against user-KNN");
    Table t;
    t.caption = "The best configuration of each model on valid, scored on test";
    const std::string& objective = input.models.front().result.objective;
    t.columns = {{"model"},      {"measure"},     {"valid " + objective}, {"test " + objective},
                 {"95% CI low"}, {"95% CI high"}, {"configuration"}};
    for (const ModelAnalysis& ma : input.models) {
        const MeasureResult& b = ma.result.best();
        const auto& ci = ma.ci.front();
        t.rows.push_back({ma.model, b.measure, b.valid_value, test_objective(b),
                          bound(ci, &ConfidenceInterval::lower),
                          bound(ci, &ConfidenceInterval::upper), b.config.describe()});
    }
    doc.table(std::move(t));
    if (input.models.size() < 2) {
        doc.paragraph("Only " + input.models.front().model +
                      " was run, so there is nothing to compare it with.");
        return;
    }
    doc.paragraph(paired_sentence(input));
}

}  // namespace knntune::exp::report
