/// The Validation–test agreement section: per model, Kendall's tau-b between the measures'
/// validation and test scores, and what it says about the validation ranking.

#include <cmath>
#include <string>
#include <vector>

#include "common/rank_stats.hpp"
#include "experiments/report/analysis.hpp"
#include "experiments/report/format.hpp"
#include "experiments/report/sections/sections.hpp"

namespace knntune::exp::report {
namespace {

/// What `tau` over `n` measures means for the validation ranking.
std::string meaning(double tau, std::size_t n) {
    std::string s;
    if (tau >= 0.7) {
        s = "the validation ranking largely carries over to test";
    } else if (tau >= 0.3) {
        s = "the validation ranking carries over to test only in part";
    } else if (tau > -0.3) {
        s = "τ is near 0: the validation ranking does not carry over to test";
    } else {
        s = "the ranking on test tends to be the reverse of the ranking on valid";
    }
    s += ".";
    if (n < 5) {
        const std::size_t pairs = n * (n - 1) / 2;
        s += " With only " + std::to_string(n) + " measures (" + std::to_string(pairs) +
             (pairs == 1 ? " pair" : " pairs") +
             ") τ can take few values, and one swapped pair moves it a lot.";
    }
    return s;
}

}  // namespace

std::optional<double> validation_test_tau(const ModelAnalysis& ma) {
    const ModelResult& r = ma.result;
    if (r.measures.size() < 2) return std::nullopt;
    std::vector<double> valid;
    std::vector<double> test;
    for (const MeasureResult& m : r.measures) {
        valid.push_back(m.valid_value);
        test.push_back(test_objective(m));
    }
    return stats::kendall_tau_b(valid, test);
}

void agreement_section(Document& doc, const ReportInput& input) {
    doc.heading("Validation–test agreement");
    for (const ModelAnalysis& ma : input.models) {
        const std::string title = model_title(ma.model) + ": ";
        const std::optional<double> tau = validation_test_tau(ma);
        if (!tau) {
            doc.paragraph(title +
                          "only one measure was tested, so there is no ranking to compare.");
        } else if (std::isnan(*tau)) {
            doc.paragraph(title + "Kendall's τ cannot be computed: all measures have the same " +
                          ma.result.objective + " on valid or on test.");
        } else {
            doc.paragraph(title + "Kendall's τ (tau-b, ties counted) between the " +
                          std::to_string(ma.result.measures.size()) + " measures' validation " +
                          "and test " + ma.result.objective + " is " +
                          format_number(*tau, NumberFormat::Fixed, 3) + ": " +
                          meaning(*tau, ma.result.measures.size()));
        }
    }
}

}  // namespace knntune::exp::report
