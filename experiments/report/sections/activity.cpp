/// The By user activity section: per model, the test objective of the measure a user would
/// deploy (the best on valid) and of top_pop within each quartile of the test users, grouped
/// by how many interactions they have in train, the period the test models are fitted on.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "experiments/report/analysis.hpp"
#include "experiments/report/format.hpp"
#include "experiments/report/sections/sections.hpp"

namespace knntune::exp::report {
namespace {

constexpr std::size_t kGroups = 4;

/// The per-user objective values of the top_pop baseline of `r`, or null.
const std::vector<double>* top_pop_values(const ModelResult& r) {
    for (const BaselineResult& b : r.baselines) {
        if (b.baseline == "top_pop") return per_user(b, r.objective);
    }
    return nullptr;
}

/// The mean of `v` over the positions `at`, NaN when `v` is null.
double mean_at(const std::vector<double>* v, std::span<const std::size_t> at) {
    if (!v) return std::nan("");
    double sum = 0.0;
    for (const std::size_t i : at) sum += (*v)[i];
    return sum / static_cast<double>(at.size());
}

/// "3–7", or "5" when both ends are equal.
std::string range_text(std::int64_t lo, std::int64_t hi) {
    return lo == hi ? std::to_string(lo) : std::to_string(lo) + "–" + std::to_string(hi);
}

/// The quartile table of one model.
Table activity_table(const ModelAnalysis& ma, std::span<const ActivityGroup> groups) {
    const ModelResult& r = ma.result;
    const bool test_best = ma.test_best != 0;
    const bool top_pop = top_pop_values(r) != nullptr;
    Table t;
    t.caption = "Mean test " + r.objective + " per quartile of the " +
                std::to_string(r.users.size()) + " test users by their train interactions";
    t.columns = {{"quartile"},
                 {"users", NumberFormat::Integer},
                 {"train interactions"},
                 {r.best().measure + " (best on valid)"}};
    if (test_best) t.columns.push_back({r.measures[ma.test_best].measure + " (best on test)"});
    if (top_pop) t.columns.push_back({baseline_label("top_pop")});
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const ActivityGroup& a = groups[g];
        std::vector<Cell> row{"Q" + std::to_string(g + 1), static_cast<std::int64_t>(a.n_users),
                              range_text(a.fewest, a.most), a.best};
        if (test_best) row.emplace_back(a.test_best);
        if (top_pop) row.emplace_back(a.top_pop);
        t.rows.push_back(std::move(row));
    }
    return t;
}

}  // namespace

std::vector<ActivityGroup> activity_quartiles(const ModelAnalysis& ma,
                                              std::span<const std::int64_t> train_interactions) {
    const ModelResult& r = ma.result;
    const std::vector<double>* best = per_user(r.best(), r.objective);
    const std::vector<double>* test_best = per_user(r.measures[ma.test_best], r.objective);
    const std::vector<double>* top_pop = top_pop_values(r);
    const std::size_t n = r.users.size();
    if (!best || best->size() != n) return {};
    if (test_best && test_best->size() != n) test_best = nullptr;
    if (top_pop && top_pop->size() != n) top_pop = nullptr;
    // (train interactions, user id, position in r.users), sorted: ties by user id.
    std::vector<std::tuple<std::int64_t, engine::UserIndex, std::size_t>> users;
    for (std::size_t i = 0; i < n; ++i) {
        const engine::UserIndex u = r.users[i];
        if (u < 0 || static_cast<std::size_t>(u) >= train_interactions.size()) return {};
        users.emplace_back(train_interactions[static_cast<std::size_t>(u)], u, i);
    }
    std::sort(users.begin(), users.end());
    std::vector<ActivityGroup> out;
    std::size_t start = 0;
    for (std::size_t g = 0; g < kGroups; ++g) {
        const std::size_t size = n / kGroups + (g < n % kGroups ? 1 : 0);
        if (size == 0) continue;
        std::vector<std::size_t> at;
        for (std::size_t k = start; k < start + size; ++k) at.push_back(std::get<2>(users[k]));
        out.push_back({.n_users = size,
                       .fewest = std::get<0>(users[start]),
                       .most = std::get<0>(users[start + size - 1]),
                       .best = mean_at(best, at),
                       .test_best = mean_at(test_best, at),
                       .top_pop = mean_at(top_pop, at)});
        start += size;
    }
    return out;
}

void activity_section(Document& doc, const ReportInput& input) {
    doc.heading("By user activity");
    doc.paragraph(
        "Does the tuned model serve light and heavy users alike? The test users are sorted by "
        "their number of interactions in train (the period the test models are fitted on; "
        "ties by user index) and cut into four quartiles of near-equal size, the first "
        "quartiles taking one more user each when the count is not a multiple of four, so a "
        "number of interactions can fall into two neighbouring quartiles. Per quartile: the "
        "mean test objective of the measure best on valid, the one a user of knntune would "
        "deploy (and, when another measure scores best on test, of that one too), and of the "
        "popularity baseline top_pop on the same users.");
    for (const ModelAnalysis& ma : input.models) {
        doc.heading(model_title(ma.model), 3);
        const std::vector<ActivityGroup> groups =
            activity_quartiles(ma, input.data.train_interactions);
        if (groups.empty()) {
            doc.paragraph("There are no per-user " + ma.result.objective +
                          " values of the test users to split by activity.");
            continue;
        }
        doc.table(activity_table(ma, groups));
    }
}

}  // namespace knntune::exp::report
