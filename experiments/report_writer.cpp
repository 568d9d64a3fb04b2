#include "experiments/report_writer.hpp"

#include "experiments/report/document.hpp"

namespace knntune::exp {

namespace rep = report;

void write_report(Runner& runner, Progress& progress) {
    const engine::PreparedData& d = runner.data();
    rep::Document doc("knntune report: " + runner.config().source);
    doc.heading("Data");
    rep::Table split;
    split.columns = {{"period"}, {"start"}, {"end (exclusive)"}, {"rows", rep::NumberFormat::kInteger},
                     {"users", rep::NumberFormat::kInteger}, {"items", rep::NumberFormat::kInteger},
                     {"density %", rep::NumberFormat::kFixed, 4}};
    for (engine::Period p : engine::kPeriods) {
        const auto& s = d.stats[static_cast<int>(p)];
        split.rows.push_back({std::string(engine::period_name(p)),
                              s.window ? engine::format_timestamp(s.window->start) : std::string("-"),
                              s.window ? engine::format_timestamp(s.window->end) : std::string("-"),
                              static_cast<std::int64_t>(s.rows), static_cast<std::int64_t>(s.users),
                              static_cast<std::int64_t>(s.items), 100.0 * s.density()});
    }
    doc.table(split);
    for (const auto o : runner.config().models) {
        const ModelResult r = load_model_result(runner.paths().test(model_name(o)));
        doc.heading(r.model);
        rep::Table t;
        t.columns = {{"measure"}, {"valid " + r.objective}, {"test " + r.objective}, {"configuration"}};
        for (const auto& m : r.measures) {
            t.rows.push_back({m.measure, m.valid_value, m.test_metrics.front().second, m.config.describe()});
        }
        doc.table(t);
    }
    doc.write(runner.paths().dir);
    progress.note("report   " + runner.paths().report_html().string());
}

}  // namespace knntune::exp
