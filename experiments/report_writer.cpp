#include "experiments/report_writer.hpp"

#include <algorithm>
#include <limits>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/csr.hpp"
#include "engine/model_io.hpp"
#include "experiments/config/experiment_config.hpp"
#include "experiments/report/document.hpp"
#include "experiments/report/embedding.hpp"
#include "experiments/report/error.hpp"
#include "experiments/report/plot.hpp"
#include "experiments/report/stats.hpp"
#include "tuner/hdf5_storage.hpp"

namespace knntune::exp {
namespace {

namespace fs = std::filesystem;
namespace rep = report;
using rep::Cell;
using rep::Column;
using rep::NumberFormat;

constexpr double kSignificance = 0.05;   ///< level of the "significant" column
constexpr double kConfidence = 0.95;     ///< level of every bootstrap interval
constexpr std::size_t kMapLabels = 8;    ///< most popular items named on the map
constexpr std::size_t kLabelBytes = 30;  ///< longest map label, in bytes (UTF-8 safe cut)
/// Two map labels are kept apart by at least one of these shares of the axis ranges.
constexpr double kLabelSpacingX = 0.25;
constexpr double kLabelSpacingY = 0.05;
constexpr int kPlotWidth = 900;  ///< pixels; the HTML column is about 1000 px wide
constexpr int kPlotHeight = 430;

/// "Item-KNN" / "User-KNN" for "item_knn" / "user_knn".
std::string model_title(const std::string& model) {
    if (model == "item_knn") return "Item-KNN";
    if (model == "user_knn") return "User-KNN";
    return model;
}

/// "a, b, c".
std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
    return out;
}

/// "%.4g" of a number, as KnnConfig::describe() prints parameters.
std::string short_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

std::string param_text(const engine::similarity::ParamValue& v) {
    if (const double* d = std::get_if<double>(&v)) return short_number(*d);
    return std::get<std::string>(v);
}

/// A numeric parameter of `c`, NaN when absent or not a number.
double param_number(const KnnConfig& c, const std::string& name) {
    const auto it = c.params.find(name);
    if (it == c.params.end()) return std::nan("");
    if (const double* d = std::get_if<double>(&it->second)) return *d;
    return std::nan("");
}

/// The parameters of `c` other than k, shrink and the config's fixed values: "alpha=0.5 ...".
std::string other_params(const KnnConfig& c, const SearchConfig& search) {
    std::string out;
    for (const auto& [name, value] : c.params) {
        if (name == "k" || name == "shrink") continue;
        const auto f = search.fixed.find(name);
        if (f != search.fixed.end() && f->second == value) continue;
        out += (out.empty() ? "" : " ") + name + "=" + param_text(value);
    }
    return out.empty() ? "-" : out;
}

/// At most `max_bytes` of `text`, cut at a UTF-8 character boundary, with "..." when cut.
std::string shorten(const std::string& text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return text;
    std::size_t cut = max_bytes - 3;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return text.substr(0, cut) + "...";
}

double mean_of(std::span<const double> v) {
    if (v.empty()) return std::nan("");
    return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

// ---------------------------------------------------------------------------------------------
// Trial logs

/// The finished trials of one measure, in trial order.
struct MeasureTrials {
    std::string measure{};
    std::vector<double> number{};   ///< trial numbers of the complete trials
    std::vector<double> value{};    ///< their objective on valid
    std::vector<double> k{};        ///< their k (NaN when absent)
    std::vector<double> shrink{};   ///< their shrink (NaN when absent)
    std::vector<double> seconds{};  ///< their durations
    std::int64_t n_failed = 0;
    std::int64_t n_pruned = 0;
};

/// All trials of a model, one entry per configured measure, in config order (so that a
/// measure has the same colour in every plot of the report).
struct ModelTrials {
    std::vector<MeasureTrials> measures;
    std::int64_t n_complete = 0;
    std::int64_t n_failed = 0;
    std::int64_t n_pruned = 0;
    std::vector<std::string> missing_logs;  ///< file names of logs that do not exist

    [[nodiscard]] const MeasureTrials* find(const std::string& measure) const {
        for (const auto& m : measures) {
            if (m.measure == measure) return &m;
        }
        return nullptr;
    }
};

ModelTrials read_model_trials(const RunContext& runner, const std::string& model) {
    const ExperimentConfig& cfg = runner.config();
    ModelTrials out;
    std::map<std::string, std::size_t> slot;
    for (const auto& m : cfg.search.measures) {
        slot[m] = out.measures.size();
        out.measures.push_back({.measure = m});
    }
    std::vector<fs::path> logs;
    if (cfg.tuner.per_measure) {
        for (const auto& m : cfg.search.measures) logs.push_back(runner.folder().trials(model, m));
    } else {
        logs.push_back(runner.folder().trials(model));
    }
    for (const fs::path& path : logs) {
        if (!fs::exists(path)) {
            out.missing_logs.push_back(path.filename().string());
            continue;
        }
        const tuner::TrialLog log = tuner::read_trial_log(path.string());
        for (const tuner::FrozenTrial& t : log.trials) {
            if (!t.is_finished()) continue;
            const KnnConfig c = config_from_trial(cfg.search, tuner::Trial(log.space, t));
            auto it = slot.find(c.measure);
            if (it == slot.end()) {
                it = slot.emplace(c.measure, out.measures.size()).first;
                out.measures.push_back({.measure = c.measure});
            }
            MeasureTrials& m = out.measures[it->second];
            if (t.state == tuner::TrialState::Fail) {
                ++m.n_failed;
                ++out.n_failed;
                continue;
            }
            if (t.state == tuner::TrialState::Pruned) {
                ++m.n_pruned;
                ++out.n_pruned;
                continue;
            }
            ++out.n_complete;
            m.number.push_back(static_cast<double>(t.number));
            m.value.push_back(t.value);
            m.k.push_back(param_number(c, "k"));
            m.shrink.push_back(param_number(c, "shrink"));
            m.seconds.push_back(t.duration());
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Statistics

/// The per-user values of `metric` for `m`, or null when the metric has none (e.g. coverage).
const std::vector<double>* per_user(const MeasureResult& m, const std::string& metric) {
    const auto it = m.per_user.find(metric);
    return it == m.per_user.end() || it->second.empty() ? nullptr : &it->second;
}

double test_objective(const MeasureResult& m) { return m.test_metrics.front().second; }

/// A paired comparison of the reference (best on valid) with one other configuration.
struct Comparison {
    std::string name;
    rep::PairedEffectSize effect;
    double p_value = 1.0;
    double p_holm = 1.0;
    std::size_t n_nonzero = 0;  ///< Wilcoxon only
};

/// The paired test chosen by `report.test` of `a` against `b`; fills p_value and n_nonzero.
Comparison paired_test(const ReportConfig& rc, std::span<const double> a,
                       std::span<const double> b) {
    Comparison c;
    c.effect = rep::paired_effect_size(a, b);
    if (rc.test == "bootstrap") {
        const auto t = rep::paired_bootstrap_test(
            a, b, {.n_resamples = static_cast<std::size_t>(rc.bootstrap_samples), .seed = rc.seed});
        c.p_value = t.p_value;
    } else {
        const auto t = rep::wilcoxon_signed_rank(a, b);
        c.p_value = t.p_value;
        c.n_nonzero = t.n_nonzero;
    }
    return c;
}

rep::ConfidenceInterval mean_ci(const ReportConfig& rc, std::span<const double> x) {
    return rep::bootstrap_mean_ci(x, {.n_resamples = static_cast<std::size_t>(rc.bootstrap_samples),
                                      .seed = rc.seed,
                                      .level = kConfidence});
}

/// Everything the report shows about one model.
struct ModelReport {
    std::string model;
    ModelResult result;
    ModelTrials trials;
    /// Per measure (result order): the CI of the test objective, when per-user values exist.
    std::vector<std::optional<rep::ConfidenceInterval>> ci;
    /// Per measure other than the first (result order): the paired comparison.
    std::vector<Comparison> comparisons;
    bool has_per_user = false;
};

ModelReport analyse_model(const RunContext& runner, const std::string& model) {
    const ReportConfig& rc = runner.config().report;
    const fs::path test_path = runner.folder().test(model);
    if (!fs::exists(test_path)) {
        throw ConfigError(test_path.string() + ": no test result (run 'knntune test' first)");
    }
    ModelReport r;
    r.model = model;
    r.result = load_model_result(test_path);
    r.trials = read_model_trials(runner, model);
    const std::string& objective = r.result.objective;
    const auto* ref = per_user(r.result.best(), objective);
    r.has_per_user = ref != nullptr;
    for (const MeasureResult& m : r.result.measures) {
        const auto* v = per_user(m, objective);
        r.ci.push_back(v ? std::optional(mean_ci(rc, *v)) : std::nullopt);
    }
    if (!ref) return r;
    std::vector<double> p;
    for (std::size_t i = 1; i < r.result.measures.size(); ++i) {
        const MeasureResult& m = r.result.measures[i];
        const auto* v = per_user(m, objective);
        if (!v || v->size() != ref->size()) continue;
        Comparison c = paired_test(rc, *ref, *v);
        c.name = m.measure;
        p.push_back(c.p_value);
        r.comparisons.push_back(std::move(c));
    }
    const std::vector<double> adjusted = rep::holm_adjust(p);
    for (std::size_t i = 0; i < adjusted.size(); ++i) r.comparisons[i].p_holm = adjusted[i];
    return r;
}

// ---------------------------------------------------------------------------------------------
// Sections

void run_section(rep::Document& doc, const ExperimentConfig& cfg) {
    doc.paragraph("Generated by knntune " KNNTUNE_VERSION
                  " from the run folder's trial logs, test results and model file.");
    doc.heading("Run");
    std::vector<std::string> models;
    for (const auto o : cfg.models) models.push_back(model_name(o));
    std::string fixed;
    for (const auto& [name, value] : cfg.search.fixed) {
        fixed += (fixed.empty() ? "" : " ") + name + "=" + param_text(value);
    }
    const bool maximize = cfg.objective.metric.direction == engine::Direction::Maximize;
    rep::Table t;
    t.columns = {{"setting"}, {"value"}};
    auto row = [&t](std::string key, std::string value) {
        t.rows.push_back({std::move(key), std::move(value)});
    };
    row("objective", cfg.objective.metric.name + (maximize ? " (maximised)" : " (minimised)"));
    row("models", join(models));
    row("measures", join(cfg.search.measures));
    row("fixed parameters", fixed.empty() ? "-" : fixed);
    row("sampler", cfg.tuner.sampler + ", seed " + std::to_string(cfg.tuner.seed));
    row("trial budget",
        std::to_string(cfg.tuner.n_trials) + (cfg.tuner.per_measure
                                                  ? " per measure and model (one study per measure)"
                                                  : " per model (one study over all measures)"));
    row("statistics",
        (cfg.report.test == "bootstrap" ? "paired bootstrap test" : "Wilcoxon signed-rank test") +
            std::string(", Holm-adjusted; ") + std::to_string(cfg.report.bootstrap_samples) +
            " bootstrap resamples, seed " + std::to_string(cfg.report.seed));
    doc.table(std::move(t));
}

void data_section(rep::Document& doc, const engine::PreparedData& d) {
    doc.heading("Data");
    doc.paragraph(std::to_string(d.rows_read) + " rows read, " + std::to_string(d.rows_filtered) +
                  " removed by the row filters, " + std::to_string(d.unique_pairs) +
                  " distinct (user, item) pairs; " + std::to_string(d.user_keys.size()) +
                  " users and " + std::to_string(d.item_keys.size()) +
                  " items after the split filters. Tuning fits on train_val and scores valid; "
                  "the test stage refits each measure's validation winner on train and scores "
                  "test.");
    rep::Table split;
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

/// 1-based rank of each measure (result order) by its test objective; ties share the rank.
std::vector<std::int64_t> test_ranks(const ModelResult& r) {
    std::vector<std::int64_t> rank;
    for (const MeasureResult& m : r.measures) {
        std::int64_t better = 0;
        for (const MeasureResult& o : r.measures) {
            const double a = test_objective(o);
            const double b = test_objective(m);
            if (r.maximize ? a > b : a < b) ++better;
        }
        rank.push_back(better + 1);
    }
    return rank;
}

void model_section(rep::Document& doc, const ModelReport& mr, const SearchConfig& search) {
    const ModelResult& r = mr.result;
    const MeasureResult& best = r.best();
    doc.heading(model_title(mr.model) + " (" + mr.model + ")");
    std::string text = std::to_string(mr.trials.n_complete) + " complete trials";
    if (mr.trials.n_failed > 0) text += ", " + std::to_string(mr.trials.n_failed) + " failed";
    if (mr.trials.n_pruned > 0) text += ", " + std::to_string(mr.trials.n_pruned) + " pruned";
    text += ". Best on valid: " + best.config.describe() + " with " + r.objective + " " +
            rep::format_number(best.valid_value, NumberFormat::Fixed, 4) + " on valid and " +
            rep::format_number(test_objective(best), NumberFormat::Fixed, 4) + " on test (" +
            std::to_string(r.users.size()) + " test users).";
    std::vector<std::string> untested;
    for (const auto& m : search.measures) {
        const bool tested = std::any_of(r.measures.begin(), r.measures.end(),
                                        [&](const MeasureResult& x) { return x.measure == m; });
        if (!tested) untested.push_back(m);
    }
    if (!untested.empty()) text += " No complete trial, so not tested: " + join(untested) + ".";
    if (!mr.trials.missing_logs.empty()) {
        text += " Missing trial logs: " + join(mr.trials.missing_logs) + ".";
    }
    doc.paragraph(text);

    const std::vector<std::int64_t> rank = test_ranks(r);
    rep::Table t;
    t.caption =
        "Each measure's best configuration on valid, retrained on train and scored on "
        "test (best on valid first)";
    t.columns = {{"measure"},
                 {"trials", NumberFormat::Integer},
                 {"valid " + r.objective},
                 {"test " + r.objective},
                 {"test rank", NumberFormat::Integer},
                 {"k", NumberFormat::Integer},
                 {"shrink", NumberFormat::Fixed, 2},
                 {"other parameters"},
                 {"fit (s)", NumberFormat::Fixed, 3},
                 {"evaluate (s)", NumberFormat::Fixed, 3},
                 {"mean trial (s)", NumberFormat::Fixed, 3}};
    for (std::size_t i = 0; i < r.measures.size(); ++i) {
        const MeasureResult& m = r.measures[i];
        const MeasureTrials* mt = mr.trials.find(m.measure);
        auto maybe = [](double v) { return std::isnan(v) ? Cell{std::string("-")} : Cell{v}; };
        const double k = param_number(m.config, "k");
        t.rows.push_back({m.measure, m.n_trials, m.valid_value, test_objective(m), rank[i],
                          std::isnan(k) ? Cell{std::string("-")}
                                        : Cell{static_cast<std::int64_t>(std::llround(k))},
                          maybe(param_number(m.config, "shrink")), other_params(m.config, search),
                          m.fit_seconds, m.eval_seconds,
                          maybe(mt ? mean_of(mt->seconds) : std::nan(""))});
    }
    doc.table(std::move(t));

    rep::Table metrics;
    metrics.caption = "All test metrics of each measure's validation winner";
    metrics.columns = {{"measure"}};
    for (const auto& [name, value] : best.test_metrics) metrics.columns.push_back({name});
    for (const MeasureResult& m : r.measures) {
        std::vector<Cell> row{m.measure};
        for (const auto& [name, value] : best.test_metrics) {
            const auto it = std::find_if(m.test_metrics.begin(), m.test_metrics.end(),
                                         [&](const auto& p) { return p.first == name; });
            row.push_back(it == m.test_metrics.end() ? Cell{std::string("-")} : Cell{it->second});
        }
        metrics.rows.push_back(std::move(row));
    }
    doc.table(std::move(metrics));
}

void comparison_section(rep::Document& doc, const std::vector<ModelReport>& models,
                        const ReportConfig& rc) {
    doc.heading("Item-KNN against user-KNN");
    rep::Table t;
    t.caption = "The best configuration of each model on valid, scored on test";
    const std::string& objective = models.front().result.objective;
    t.columns = {{"model"},      {"measure"},     {"valid " + objective}, {"test " + objective},
                 {"95% CI low"}, {"95% CI high"}, {"configuration"}};
    for (const ModelReport& mr : models) {
        const MeasureResult& b = mr.result.best();
        const auto& ci = mr.ci.front();
        t.rows.push_back({mr.model, b.measure, b.valid_value, test_objective(b),
                          ci ? Cell{ci->lower} : Cell{std::string("-")},
                          ci ? Cell{ci->upper} : Cell{std::string("-")}, b.config.describe()});
    }
    doc.table(std::move(t));
    if (models.size() < 2) {
        doc.paragraph("Only " + models.front().model +
                      " was run, so there is nothing to compare it with.");
        return;
    }
    const ModelReport& a = models[0];
    const ModelReport& b = models[1];
    const auto* va = per_user(a.result.best(), objective);
    const auto* vb = per_user(b.result.best(), objective);
    if (!va || !vb || a.result.users != b.result.users) {
        doc.paragraph("The two models were not scored on the same test users with per-user " +
                      objective + " values, so no paired test is made.");
        return;
    }
    const Comparison c = paired_test(rc, *va, *vb);
    const bool significant = c.p_value < kSignificance;
    doc.paragraph(
        "Paired " + std::string(rc.test == "bootstrap" ? "bootstrap" : "Wilcoxon signed-rank") +
        " test over the " + std::to_string(va->size()) + " common test users, " + a.model + " (" +
        a.result.best().measure + ") minus " + b.model + " (" + b.result.best().measure +
        "): mean difference " +
        rep::format_number(c.effect.mean_difference, NumberFormat::Fixed, 4) + ", Cohen's d_z " +
        rep::format_number(c.effect.standardized_mean_difference, NumberFormat::Fixed, 3) +
        ", rank-biserial r " + rep::format_number(c.effect.rank_biserial, NumberFormat::Fixed, 3) +
        ", p = " + rep::format_number(c.p_value, NumberFormat::PValue, 4) + " (" +
        (significant ? "" : "not ") + "significant at the 5% level).");
}

void statistics_section(rep::Document& doc, const std::vector<ModelReport>& models,
                        const ReportConfig& rc) {
    doc.heading("Statistics");
    const bool bootstrap = rc.test == "bootstrap";
    doc.paragraph(
        "The reference is the measure that is best on valid, not the one that is best on test: "
        "choosing the reference by its test score would favour it by selection and bias the "
        "tests. Each other measure's validation winner is compared with it on the same test "
        "users by a " +
        std::string(bootstrap ? "paired bootstrap test ("
                              : "Wilcoxon signed-rank test (zero differences dropped; ") +
        (bootstrap ? std::to_string(rc.bootstrap_samples) + " resamples, seed " +
                         std::to_string(rc.seed) + ")"
                   : std::string("exact for at most 25 non-zero pairs, else the normal "
                                 "approximation)")) +
        ". p-values are adjusted for the number of comparisons within a model by Holm's "
        "step-down method. Differences are reference minus measure, so a positive difference "
        "means the reference scores higher. Intervals are 95% percentile bootstrap intervals of "
        "the mean over test users (" +
        std::to_string(rc.bootstrap_samples) + " resamples, seed " + std::to_string(rc.seed) +
        ").");
    for (const ModelReport& mr : models) {
        const ModelResult& r = mr.result;
        doc.heading(model_title(mr.model) + ": " + r.objective + " on test", 3);
        if (!mr.has_per_user) {
            doc.paragraph(r.objective +
                          " has no per-user values, so there are no intervals or "
                          "paired tests.");
            continue;
        }
        rep::Table ci;
        ci.caption = "Mean " + r.objective + " over test users with its 95% bootstrap interval";
        ci.columns = {{"measure"}, {"mean"}, {"95% CI low"}, {"95% CI high"}, {"CI width"}};
        for (std::size_t i = 0; i < r.measures.size(); ++i) {
            if (!mr.ci[i]) continue;
            const auto& c = *mr.ci[i];
            ci.rows.push_back(
                {r.measures[i].measure, c.estimate, c.lower, c.upper, c.upper - c.lower});
        }
        doc.table(std::move(ci));
        if (mr.comparisons.empty()) {
            doc.paragraph("Only one measure was tested, so there is nothing to compare.");
            continue;
        }
        rep::Table t;
        t.caption = "Reference " + r.best().measure +
                    " (best on valid) against each other "
                    "measure, paired over " +
                    std::to_string(r.users.size()) + " test users";
        t.columns = {{"measure"},
                     {"mean difference"},
                     {"median difference"},
                     {"Cohen's d_z", NumberFormat::Fixed, 3},
                     {"rank-biserial r", NumberFormat::Fixed, 3}};
        if (!bootstrap) t.columns.push_back({"non-zero pairs", NumberFormat::Integer});
        t.columns.push_back({"p", NumberFormat::PValue, 4});
        t.columns.push_back({"p (Holm)", NumberFormat::PValue, 4});
        t.columns.push_back({"significant at 5%"});
        for (const Comparison& c : mr.comparisons) {
            std::vector<Cell> row{c.name, c.effect.mean_difference, c.effect.median_difference,
                                  c.effect.standardized_mean_difference, c.effect.rank_biserial};
            if (!bootstrap) row.emplace_back(static_cast<std::int64_t>(c.n_nonzero));
            row.emplace_back(c.p_value);
            row.emplace_back(c.p_holm);
            row.emplace_back(std::string(c.p_holm < kSignificance ? "yes" : "no"));
            t.rows.push_back(std::move(row));
        }
        doc.table(std::move(t));
    }
}

rep::PlotParams plot_params(std::string title, std::string x_label, std::string y_label) {
    return {.title = std::move(title),
            .x_label = std::move(x_label),
            .y_label = std::move(y_label),
            .width = kPlotWidth,
            .height = kPlotHeight};
}

/// Sets the y axis of the best-so-far plot so that one poor early trial does not squash every
/// line into the top of the plot. With at least 8 finite points, the axis starts (maximize; ends
/// when minimizing) just beyond the lower (upper) quartile of all the lines' points or the
/// worst measure's final best, whichever is worse, so every measure's best stays in view.
/// Returns a sentence for the caption when that cuts points off, else "".
std::string best_so_far_axis(std::span<const rep::Series> lines, bool maximize, rep::PlotParams& p) {
    std::vector<double> all;
    double worst_final = maximize ? std::numeric_limits<double>::infinity()
                                  : -std::numeric_limits<double>::infinity();
    for (const rep::Series& l : lines) {
        double last = std::numeric_limits<double>::quiet_NaN();
        for (double v : l.y) {
            if (!std::isfinite(v)) continue;
            all.push_back(v);
            last = v;
        }
        if (std::isfinite(last)) worst_final = maximize ? std::min(worst_final, last) : std::max(worst_final, last);
    }
    if (all.size() < 8) return "";
    std::sort(all.begin(), all.end());
    const double lo = all.front();
    const double hi = all.back();
    if (!(hi > lo)) return "";
    const double margin = 0.05 * (hi - lo);
    if (maximize) {
        const double edge = std::min(all[all.size() / 4], worst_final) - margin;
        if (!(edge > lo)) return "";
        p.y_low = edge;
        return " The axis starts at the lower quartile of the plotted values (or lower, to show "
               "every measure's best), so the poorest early values are cut off.";
    }
    const double edge = std::max(all[(3 * all.size()) / 4], worst_final) + margin;
    if (!(edge < hi)) return "";
    p.y_high = edge;
    return " The axis ends at the upper quartile of the plotted values (or higher, to show every "
           "measure's best), so the poorest early values are cut off.";
}

/// True when some measure has a finite value of `field` in a complete trial.
bool any_finite(const ModelTrials& trials, std::vector<double> MeasureTrials::*field) {
    for (const auto& m : trials.measures) {
        const auto& v = m.*field;
        if (std::any_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); })) return true;
    }
    return false;
}

/// Score against a parameter, one series per measure; none when the parameter is fixed.
void parameter_plot(rep::Document& doc, const ModelReport& mr, const ExperimentConfig& cfg,
                    std::vector<double> MeasureTrials::*field, const std::string& name,
                    bool log_x) {
    const auto range = cfg.search.shared.find(name);
    if (range != cfg.search.shared.end() && range->second.fixed) {
        doc.paragraph(name + " is fixed at " + short_number(*range->second.fixed) +
                      ", so there is no plot of the score against it.");
        return;
    }
    if (!any_finite(mr.trials, field)) return;
    std::vector<rep::Series> series;
    for (const auto& m : mr.trials.measures) series.push_back({m.measure, m.*field, m.value});
    const std::string& objective = mr.result.objective;
    auto p = plot_params(model_title(mr.model) + ": " + objective + " on valid against " + name,
                         name + (log_x ? " (log scale)" : ""), objective + " on valid");
    p.log_x = log_x;
    doc.figure(rep::plot_scatter(series, p), model_title(mr.model) + ": validation " + objective +
                                                 " of every complete trial "
                                                 "against " +
                                                 name +
                                                 (log_x ? " (logarithmic axis)"
                                                        : " (linear axis, shrink 0 "
                                                          "included)") +
                                                 ", one colour per measure.");
}

void plots_section(rep::Document& doc, const std::vector<ModelReport>& models,
                   const ExperimentConfig& cfg) {
    doc.heading("Plots");
    doc.paragraph(
        "Rendered by gnuplot. Each measure keeps its colour in every plot; scores are "
        "on valid, except in the last plot of each model, which shows test scores.");
    const bool maximize = cfg.objective.metric.direction == engine::Direction::Maximize;
    for (const ModelReport& mr : models) {
        const std::string title = model_title(mr.model);
        const std::string& objective = mr.result.objective;
        doc.heading(title, 3);
        if (mr.trials.n_complete == 0) {
            doc.paragraph("No complete trial to plot.");
            continue;
        }
        const std::string x_trial =
            cfg.tuner.per_measure ? "trial number (per-measure study)" : "trial number";

        std::vector<rep::Series> lines;
        for (const auto& m : mr.trials.measures) {
            lines.push_back({m.measure, m.number, rep::best_so_far(m.value, maximize)});
        }
        auto lp = plot_params(title + ": best " + objective + " so far", x_trial,
                              objective + " on valid");
        const std::string cut = best_so_far_axis(lines, maximize, lp);
        doc.figure(rep::plot_lines(lines, lp),
                   title + ": best validation " + objective +
                       " so far against trial number, one line per measure." + cut);

        std::vector<rep::Group> groups;
        for (const auto& m : mr.trials.measures) groups.push_back({m.measure, m.value});
        auto dp = plot_params(title + ": " + objective + " of the trials", "measure",
                              objective + " on valid");
        doc.figure(rep::plot_distribution(groups, dp),
                   title + ": distribution of the validation " + objective +
                       " over each measure's trials (box: quartiles, whiskers: 1.5 IQR; "
                       "points: trials).");

        parameter_plot(doc, mr, cfg, &MeasureTrials::k, "k", true);
        parameter_plot(doc, mr, cfg, &MeasureTrials::shrink, "shrink", false);

        std::vector<rep::Interval> intervals;
        for (std::size_t i = 0; i < mr.result.measures.size(); ++i) {
            if (!mr.ci[i]) continue;
            intervals.push_back({mr.result.measures[i].measure, mr.ci[i]->estimate, mr.ci[i]->lower,
                                 mr.ci[i]->upper});
        }
        if (!intervals.empty()) {
            doc.figure(
                rep::plot_intervals(intervals, plot_params(title + ": " + objective + " on test",
                                                           "measure (best on valid first)",
                                                           objective + " on test")),
                title + ": test " + objective +
                    " of each measure's validation winner with its 95% bootstrap "
                    "interval.");
        }
    }
}

/// The `n` items with the most training interactions (ties by id), those with at least one.
std::vector<engine::Index> popular_items(const engine::CsrMatrix& train, std::size_t n) {
    const std::vector<engine::Offset> counts = engine::column_counts(train);
    std::vector<engine::Index> items;
    for (engine::Index i = 0; i < static_cast<engine::Index>(counts.size()); ++i) {
        if (counts[i] > 0) items.push_back(i);
    }
    std::stable_sort(items.begin(), items.end(),
                     [&](engine::Index a, engine::Index b) { return counts[a] > counts[b]; });
    if (items.size() > n) items.resize(n);
    return items;
}

void map_section(rep::Document& doc, const RunContext& runner, const engine::PreparedData& d) {
    const ExperimentConfig& cfg = runner.config();
    doc.heading("Item map");
    const fs::path model_path = runner.folder().model("item_knn");
    if (!fs::exists(model_path)) {
        doc.paragraph("No item-KNN model file in the run folder, so there is no item map.");
        return;
    }
    const engine::SimilarityModel model = engine::load_model(model_path.string());
    const engine::CsrMatrix& sim = model.similarity;
    const auto n_points = static_cast<std::size_t>(std::max<std::int64_t>(cfg.report.embedding_points, 0));
    const std::vector<engine::Index> items = popular_items(model.train, n_points);
    if (items.size() < 3 || sim.rows < 2) {
        doc.paragraph("Fewer than three items with training interactions, so there is no map.");
        return;
    }
    // The similarity columns of the chosen items, each scaled to unit length; rows stay all
    // items (the features).
    // NOTE: without the scaling, the few items with large similarity columns span the first
    // axes and every other item sits in one clump at the origin; unit columns make the map
    // show which items share neighbours (cosine geometry), not how strongly they are linked.
    std::vector<std::int32_t> column_of(static_cast<std::size_t>(sim.cols), -1);
    for (std::size_t j = 0; j < items.size(); ++j)
        column_of[items[j]] = static_cast<std::int32_t>(j);
    std::vector<double> norm(items.size(), 0.0);
    for (std::size_t e = 0; e < sim.indices.size(); ++e) {
        const std::int32_t j = column_of[sim.indices[e]];
        if (j >= 0) norm[j] += static_cast<double>(sim.values[e]) * sim.values[e];
    }
    for (double& n : norm) n = n > 0.0 ? std::sqrt(n) : 1.0;
    std::vector<std::int64_t> indptr{0};
    std::vector<std::int32_t> indices;
    std::vector<float> values;
    for (engine::Index r = 0; r < sim.rows; ++r) {
        const auto cols = sim.row_indices(r);
        const auto vals = sim.row_values(r);
        for (std::size_t e = 0; e < cols.size(); ++e) {
            const std::int32_t j = column_of[cols[e]];
            if (j < 0) continue;
            indices.push_back(j);
            values.push_back(static_cast<float>(vals[e] / norm[j]));
        }
        indptr.push_back(static_cast<std::int64_t>(indices.size()));
    }
    const rep::Embedding e = rep::embed_columns({.rows = sim.rows,
                                                 .cols = static_cast<std::int64_t>(items.size()),
                                                 .indptr = indptr,
                                                 .indices = indices,
                                                 .values = values},
                                                {.n_components = 2, .seed = cfg.report.seed});

    rep::MapPoints points;
    for (std::size_t j = 0; j < items.size(); ++j) {
        points.x.push_back(e.coords(static_cast<Eigen::Index>(j), 0));
        points.y.push_back(e.coords(static_cast<Eigen::Index>(j), 1));
    }
    const bool coloured = !d.item_attributes.empty();
    if (coloured) {
        for (const engine::Index i : items) {
            const std::string& a = d.item_attributes[i];
            points.categories.push_back(a.empty() ? "(none)" : a);
        }
    }
    // Label the most popular items, skipping one that would sit on an earlier label.
    const auto [x_min, x_max] = std::minmax_element(points.x.begin(), points.x.end());
    const auto [y_min, y_max] = std::minmax_element(points.y.begin(), points.y.end());
    const double x_span = std::max(*x_max - *x_min, 1e-12);
    const double y_span = std::max(*y_max - *y_min, 1e-12);
    std::string named;
    for (std::size_t j = 0; j < items.size() && points.labels.size() < kMapLabels; ++j) {
        const bool crowded =
            std::any_of(points.labels.begin(), points.labels.end(), [&](const auto& label) {
                const double dx = (points.x[j] - points.x[label.first]) / x_span;
                const double dy = (points.y[j] - points.y[label.first]) / y_span;
                return std::abs(dx) < kLabelSpacingX && std::abs(dy) < kLabelSpacingY;
            });
        if (crowded) continue;
        const engine::Index i = items[j];
        const std::string& name =
            i < static_cast<engine::Index>(d.item_names.size()) && !d.item_names[i].empty()
                ? d.item_names[i]
                : d.item_keys[i];
        points.labels.emplace_back(j, shorten(name, kLabelBytes));
        named += (named.empty() ? "" : "; ") + name;
    }
    const double share = e.explained_variance_ratio.sum();
    doc.paragraph(
        "Each item is embedded by its column of the best item-item similarity matrix (" +
        model.measure + ", " + std::to_string(sim.nnz()) +
        " stored similarities): which items "
        "count it among their neighbours, and how strongly. The map is the principal component "
        "analysis (PCA) of the columns of the " +
        std::to_string(items.size()) +
        " items with the most train interactions, each column scaled to unit length so that "
        "items sharing neighbours land close together whatever their popularity, computed by a "
        "seeded randomized truncated "
        "SVD with Eigen (Halko, Martinsson & Tropp 2011). PCA was chosen over UMAP because it "
        "needs nothing outside Debian, is deterministic for a seed, and can be reproduced with "
        "numpy from the model file. The two axes explain " +
        rep::format_number(100.0 * e.explained_variance_ratio(0), NumberFormat::Fixed, 1) +
        "% and " +
        rep::format_number(100.0 * e.explained_variance_ratio(1), NumberFormat::Fixed, 1) +
        "% of the variance (" + rep::format_number(100.0 * share, NumberFormat::Fixed, 1) +
        "% together); items far apart on the map can still be neighbours in the dimensions it "
        "leaves out. " +
        (coloured ? "Colours are the configured item attribute (the rarest values merged into "
                    "\"other\"). "
                  : "No item attribute is configured (data.item_metadata.attribute), so the "
                    "points have one colour. ") +
        "Labelled: " + named +
        " (the most popular items, skipping those whose label would "
        "overlap another).");
    const std::string caption = "PCA map of the similarity columns of the " +
                                std::to_string(items.size()) + " most popular items" +
                                (coloured ? ", coloured by item attribute." : ".");
    doc.figure(rep::plot_map(points, {.title = "Item map (" + model.measure + " similarity, PCA)",
                                      .x_label = "PC 1",
                                      .y_label = "PC 2",
                                      .width = kPlotWidth,
                                      .height = 680}),
               caption);
}

void methods_section(rep::Document& doc, const ExperimentConfig& cfg) {
    doc.heading("Methods");
    doc.paragraph(
        "Validation scores come from the trial logs: each trial fits its configuration on "
        "train_val and scores valid. For every measure, the trial with the best validation " +
        cfg.objective.metric.name +
        " (the earliest on ties) is refitted on train and scored on test; these are the test "
        "scores of the tables. Times are wall-clock seconds of that refit (fit: similarity "
        "matrix; evaluate: recommendation and metrics) and the mean duration of the measure's "
        "trials; they vary between runs. Per-user test values are the metric of each test user "
        "with at least one test interaction, so paired tests compare the same users.");
    doc.paragraph(
        "Effect sizes: mean and median of the per-user differences in the metric's units, "
        "Cohen's d_z (mean difference over the standard deviation of the differences) and the "
        "matched-pairs rank-biserial correlation (Kerby 2014; +1 when every non-tied user "
        "favours the reference). With many test users even a tiny difference can be "
        "significant; read the p-values together with the effect sizes and intervals.");
}

}  // namespace

void write_report(const RunContext& runner) {
    Progress& progress = runner.progress();
    const ExperimentConfig& cfg = runner.config();
    const engine::PreparedData& d = runner.data();
    std::vector<ModelReport> models;
    for (const auto o : cfg.models) models.push_back(analyse_model(runner, model_name(o)));

    rep::Document doc("knntune report: " + runner.folder().name());
    run_section(doc, cfg);
    data_section(doc, d);
    for (const ModelReport& mr : models) model_section(doc, mr, cfg.search);
    comparison_section(doc, models, cfg.report);
    statistics_section(doc, models, cfg.report);
    if (cfg.report.plots) {
        // NOTE: a figure that cannot be drawn (gnuplot missing or failing, a degenerate map)
        // must not cost the tables of a run that may have tuned all night: the report says
        // what failed, and the CLI warns.
        auto guarded = [&](const char* what, auto&& section) {
            try {
                section();
            } catch (const rep::ReportError& e) {
                doc.paragraph(std::string("The ") + what + " could not be drawn: " + e.what() +
                              ". Fix the cause and run 'knntune report RUN_DIR' again, or set "
                              "report.plots: false.");
                std::cerr << "knntune: warning: report " << what << " not drawn: " << e.what()
                          << "\n";
            }
        };
        guarded("plots", [&] { plots_section(doc, models, cfg); });
        if (cfg.report.embedding) guarded("item map", [&] { map_section(doc, runner, d); });
    }
    methods_section(doc, cfg);
    doc.write(runner.folder().report());
    progress.note("report   " + runner.folder().report().html.string());
}

}  // namespace knntune::exp
