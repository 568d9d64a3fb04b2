/// The Parameter importance section: per model, the PED-ANOVA importance of each tuned
/// parameter over all the model's trials (the measure choice included) and over each
/// measure's own trials; "too few trials" where a figure would mean nothing.

#include "experiments/report/importance.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/text.hpp"
#include "experiments/report/format.hpp"
#include "experiments/report/sections/sections.hpp"

namespace knntune::exp::report {
namespace {

const Cell kDash{std::string("-")};

/// The share of the best trials that the local set takes, as text: "10%".
std::string local_share() {
    return significant(100.0 * report_importance_params().local_quantile, 3) + "%";
}

/// The columns of an importance table, after `lead` (empty for none).
std::vector<Column> importance_columns(const std::string& lead) {
    std::vector<Column> c;
    if (!lead.empty()) c.push_back({lead});
    c.insert(c.end(), {{"parameter"},
                       {"share %", NumberFormat::Fixed, 1},
                       {"importance", NumberFormat::Fixed, 4},
                       {"trials", NumberFormat::Integer},
                       {"local trials", NumberFormat::Integer}});
    return c;
}

/// One row per parameter of `a` active in some trial: its share and raw importance, or
/// "too few trials"; led by `lead` when it is not empty.
void add_rows(Table& t, const ImportanceAnalysis& a, const std::string& lead) {
    for (const tuner::ParamImportance& p : a.params) {
        if (p.n_trials == 0) continue;
        std::vector<Cell> row;
        if (!lead.empty()) row.emplace_back(lead);
        row.emplace_back(p.key);
        row.push_back(p.evaluated ? Cell{100.0 * p.share} : Cell{std::string("too few trials")});
        row.push_back(p.evaluated ? Cell{p.raw} : kDash);
        row.emplace_back(static_cast<std::int64_t>(p.n_trials));
        row.emplace_back(static_cast<std::int64_t>(p.n_local));
        t.rows.push_back(std::move(row));
    }
}

/// True when some parameter of `a` was evaluated.
bool any_evaluated(const ImportanceAnalysis& a) {
    return std::any_of(a.params.begin(), a.params.end(),
                       [](const tuner::ParamImportance& p) { return p.evaluated; });
}

/// The local set of `a`'s trials: the largest over its parameters (the root ones' local set).
std::size_t local_trials(const ImportanceAnalysis& a) {
    std::size_t n = 0;
    for (const tuner::ParamImportance& p : a.params) n = std::max(n, p.n_local);
    return n;
}

/// "cosine (4 complete trials, 1 in the local set)".
std::string too_few_text(const ImportanceAnalysis& a) {
    return a.measure + " (" + std::to_string(a.n_trials) + " complete trials, " +
           std::to_string(local_trials(a)) + " in the local set)";
}

/// The importance of one model: all trials, then per measure.
void model_importance(Document& doc, const ModelAnalysis& ma) {
    const std::vector<ImportanceAnalysis>& all = ma.trials.importance;
    if (all.empty() || all.front().n_trials == 0) {
        doc.paragraph("No complete trial to analyse.");
        return;
    }
    const ImportanceAnalysis& overall = all.front();
    if (!any_evaluated(overall)) {
        doc.paragraph("All " + std::to_string(overall.n_trials) +
                      " complete trials: too few for a meaningful importance (" +
                      std::to_string(local_trials(overall)) + " in the local set).");
    } else {
        Table t{.caption = "Importance over all " + std::to_string(overall.n_trials) +
                           " complete trials, the measure choice (algorithm) included",
                .columns = importance_columns("")};
        add_rows(t, overall, "");
        doc.table(std::move(t));
    }
    if (all.size() < 2) return;
    Table per{.caption = "Importance over each measure's own complete trials",
              .columns = importance_columns("measure")};
    std::vector<std::string> too_few;
    for (std::size_t i = 1; i < all.size(); ++i) {
        if (any_evaluated(all[i])) {
            add_rows(per, all[i], all[i].measure);
        } else {
            too_few.push_back(too_few_text(all[i]));
        }
    }
    if (!per.rows.empty()) doc.table(std::move(per));
    if (!too_few.empty()) {
        doc.paragraph("Too few trials for a meaningful importance within the measure: " +
                      join(too_few, "; ") + ".");
    }
}

}  // namespace

void importance_section(Document& doc, const ReportInput& input) {
    doc.heading("Parameter importance");
    const tuner::PedAnovaParams p = report_importance_params();
    doc.paragraph(
        "How much each tuned parameter mattered for reaching the best trials on valid, by "
        "PED-ANOVA (Watanabe, Bansal & Hutter 2023; docs/importance.md), as 'knntune trials "
        "--importance' computes it: the Pearson divergence (\"importance\") between the "
        "distribution of a parameter's values among the best " +
        local_share() +
        " of the trials in which it is active (the local set) and among all of them, and its "
        "share of the sum over the parameters evaluated together. The first table takes every "
        "complete trial of the model, the measure choice (algorithm) included; the second each "
        "measure's own trials, with k, shrink and the measure's own parameters. A parameter is "
        "evaluated only when its local set holds at least " +
        std::to_string(p.min_local) +
        " trials; otherwise the table says \"too few trials\" instead of a number. Even then the "
        "figures are rough below about 20 local trials: from sampling noise alone a parameter "
        "that does not matter gets an importance of about 0.1 to 0.2.");
    for (const ModelAnalysis& ma : input.models) {
        doc.heading(model_title(ma.model), 3);
        model_importance(doc, ma);
    }
}

}  // namespace knntune::exp::report
