#include "experiments/report/report.hpp"

#include <iostream>
#include <string>

#include "experiments/report/error.hpp"
#include "experiments/report/sections/sections.hpp"

namespace knntune::exp::report {
namespace {

constexpr Section kSections[] = {
    {"headline", headline_section, false},
    {"warnings", warnings_section, false},
    {"run", run_section, false},
    {"data", data_section, false},
    {"models", models_section, false},
    {"comparison", comparison_section, false},
    {"statistics", statistics_section, false},
    {"user activity", activity_section, false},
    {"agreement", agreement_section, false},
    {"importance", importance_section, false},
    {"plots", plots_section, true},
    {"convergence plots", convergence_section, true},
    {"item map", item_map_section, true},
    {"methods", methods_section, false},
};

/// Writes the drawn section `s`; a failure to draw becomes a sentence and a warning.
///
/// NOTE: a figure that cannot be drawn must not cost the tables of a run that may have tuned
/// all night: the report says what failed, and the CLI warns.
void write_drawn(Document& doc, const Section& s, const ReportInput& input) {
    try {
        s.write(doc, input);
    } catch (const ReportError& e) {
        const std::string what(s.name);
        doc.paragraph("The " + what + " could not be drawn: " + e.what() +
                      ". Fix the cause and run 'knntune report RUN_DIR' again, or set "
                      "report.plots: false.");
        std::cerr << "knntune: warning: report " << what << " not drawn: " << e.what() << "\n";
    }
}

}  // namespace

std::span<const Section> report_sections() { return kSections; }

Document build_report(const ReportInput& input) {
    Document doc("knntune report: " + input.run_name);
    for (const Section& s : report_sections()) {
        if (!s.drawn) {
            s.write(doc, input);
        } else if (input.config.report.plots) {
            write_drawn(doc, s, input);
        }
    }
    return doc;
}

}  // namespace knntune::exp::report

namespace knntune::exp {

void write_report(const RunFolder& folder, Progress& progress, const report::PreparedSource& data) {
    const report::ReportInput input = report::load_report_input(folder, data);
    report::build_report(input).write(folder.report());
    progress.note("report   " + folder.report().html.string());
}

}  // namespace knntune::exp
