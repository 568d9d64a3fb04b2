/// The Data section: row counts and the split statistics.

#include <string>
#include <utility>

#include "engine/data/timestamp.hpp"
#include "experiments/report/sections/sections.hpp"

namespace knntune::exp::report {

void data_section(Document& doc, const ReportInput& input) {
    const DataSummary& d = input.data;
    doc.heading("Data");
    doc.paragraph(std::to_string(d.rows_read) + " rows read, " + std::to_string(d.rows_filtered) +
                  " removed by the row filters, " + std::to_string(d.unique_pairs) +
                  " distinct (user, item) pairs; " + std::to_string(d.n_users) + " users and " +
                  std::to_string(d.n_items) +
                  " items after the split filters. Tuning fits on train_val and scores valid; "
                  "the test stage refits each measure's validation winner on train and scores "
                  "test.");
    Table split;
    split.caption = "Split statistics";
    split.columns = {{"period"},
                     {"start"},
                     {"end (exclusive)"},
                     {"interactions", NumberFormat::Integer},
                     {"users", NumberFormat::Integer},
                     {"items", NumberFormat::Integer},
                     {"density %", NumberFormat::Fixed, 4}};
    for (engine::Period p : engine::kPeriods) {
        const auto& s = d.stats[static_cast<int>(p)];
        split.rows.push_back(
            {std::string(engine::period_name(p)),
             s.window ? engine::format_timestamp(s.window->start) : std::string("-"),
             s.window ? engine::format_timestamp(s.window->end) : std::string("-"),
             static_cast<std::int64_t>(s.rows), static_cast<std::int64_t>(s.users),
             static_cast<std::int64_t>(s.items), 100.0 * s.density()});
    }
    doc.table(std::move(split));
}

}  // namespace knntune::exp::report
