#include "experiments/report/analysis.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>
#include <system_error>
#include <utility>

#include "experiments/report/format.hpp"
#include "experiments/report/importance.hpp"
#include "tuner/hdf5_storage.hpp"

namespace knntune::exp::report {
namespace {

namespace fs = std::filesystem;

/// Adds the finished trial `t` of `log` (of repeat `repeat`) to `out`, creating its measure's
/// entry when the config does not name it (`slot`: measure → index in out.measures).
void add_trial(const ExperimentConfig& cfg, const tuner::TrialLog& log, const tuner::FrozenTrial& t,
               int repeat, std::map<std::string, std::size_t>& slot, ModelTrials& out) {
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
        return;
    }
    if (t.state == tuner::TrialState::Pruned) {
        ++m.n_pruned;
        ++out.n_pruned;
        m.pruned_repeat.push_back(repeat);
        return;
    }
    ++out.n_complete;
    m.number.push_back(static_cast<double>(t.number));
    m.repeat.push_back(repeat);
    m.value.push_back(t.value);
    m.k.push_back(param_number(c, "k"));
    m.shrink.push_back(param_number(c, "shrink"));
    m.seconds.push_back(t.duration());
}

ConfidenceInterval mean_ci(const ExperimentConfig& cfg, std::span<const double> x) {
    return bootstrap_mean_ci(x,
                             {.n_resamples = static_cast<std::size_t>(cfg.report.bootstrap_samples),
                              .seed = cfg.report.seed,
                              .level = kConfidence});
}

/// Index of the measure of `r` with the best test objective (the first one on ties).
std::size_t best_on_test(const ModelResult& r) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < r.measures.size(); ++i) {
        const double v = test_objective(r.measures[i]);
        const double b = test_objective(r.measures[best]);
        if (r.maximize ? v > b : v < b) best = i;
    }
    return best;
}

/// The paired tests of the test-best measure of `a` against every other measure, Holm-adjusted.
void compare_test_best(const ExperimentConfig& cfg, ModelAnalysis& a) {
    const ModelResult& r = a.result;
    a.test_best = best_on_test(r);
    const auto* ref = per_user(r.measures[a.test_best], r.objective);
    if (!ref) return;
    std::vector<double> p;
    for (std::size_t i = 0; i < r.measures.size(); ++i) {
        const auto* v = per_user(r.measures[i], r.objective);
        if (i == a.test_best || !v || v->size() != ref->size()) continue;
        Comparison c = paired_test(cfg, *ref, *v);
        c.name = r.measures[i].measure;
        p.push_back(c.p_value);
        a.test_best_comparisons.push_back(std::move(c));
    }
    const std::vector<double> adjusted = holm_adjust(p);
    for (std::size_t i = 0; i < adjusted.size(); ++i) {
        a.test_best_comparisons[i].p_holm = adjusted[i];
    }
}

}  // namespace

const MeasureTrials* ModelTrials::find(const std::string& measure) const {
    for (const auto& m : measures) {
        if (m.measure == measure) return &m;
    }
    return nullptr;
}

int log_repeat(const fs::path& log) {
    if (log.extension() != ".h5") return 0;
    const std::string stem = log.stem().string();  // "trials-item_knn.r2"
    const auto dot = stem.rfind(".r");
    if (dot == std::string::npos) return 0;
    const std::string_view digits = std::string_view(stem).substr(dot + 2);
    const bool decimal = !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) {
        return c >= '0' && c <= '9';
    });
    if (!decimal) return 0;
    int repeat = 0;
    const char* last = digits.data() + digits.size();
    const auto [end, ec] = std::from_chars(digits.data(), last, repeat);
    return ec == std::errc() && end == last ? repeat : 0;
}

ModelTrials read_model_trials(const ExperimentConfig& cfg, const std::vector<fs::path>& logs) {
    ModelTrials out;
    std::map<std::string, std::size_t> slot;
    for (const auto& m : cfg.search.measures) {
        slot[m] = out.measures.size();
        out.measures.push_back({.measure = m});
    }
    const tuner::SearchSpace space = cfg.search.space(cfg.search.measures);
    std::vector<tuner::FrozenTrial> complete;  // every log's, in `space`, for the importance
    for (const fs::path& path : logs) {
        if (!fs::exists(path)) {
            out.missing_logs.push_back(path.filename().string());
            continue;
        }
        const tuner::TrialLog log = tuner::read_trial_log(path.string());
        const int repeat = log_repeat(path);
        out.n_repeats = std::max(out.n_repeats, repeat + 1);
        if (!log.race.empty()) {
            if (out.races.empty()) out.race = log.race;
            out.races.push_back(log.race);
        }
        for (const tuner::FrozenTrial& t : log.trials) {
            if (t.is_finished()) add_trial(cfg, log, t, repeat, slot, out);
        }
        append_trials_in_space(space, log, complete);
    }
    out.importance =
        importance_analyses(space, complete, cfg.objective.metric.direction, cfg.search.measures);
    return out;
}

ModelAnalysis analyse_model(const ExperimentConfig& cfg, std::string model, ModelResult result,
                            ModelTrials trials) {
    ModelAnalysis a;
    a.model = std::move(model);
    a.result = std::move(result);
    a.trials = std::move(trials);
    const ModelResult& r = a.result;
    const auto* ref = per_user(r.best(), r.objective);
    a.has_per_user = ref != nullptr;
    compare_test_best(cfg, a);
    for (const MeasureResult& m : r.measures) {
        const auto* v = per_user(m, r.objective);
        a.ci.push_back(v ? std::optional(mean_ci(cfg, *v)) : std::nullopt);
    }
    for (const BaselineResult& b : r.baselines) {
        const auto* v = per_user(b, r.objective);
        a.baseline_ci.push_back(v ? std::optional(mean_ci(cfg, *v)) : std::nullopt);
    }
    if (!ref) return a;
    std::vector<double> p;
    auto compare = [&](const std::vector<double>* v, const std::string& name, bool baseline) {
        if (!v || v->size() != ref->size()) return;
        Comparison c = paired_test(cfg, *ref, *v);
        c.name = name;
        c.baseline = baseline;
        p.push_back(c.p_value);
        a.comparisons.push_back(std::move(c));
    };
    for (std::size_t i = 1; i < r.measures.size(); ++i) {
        compare(per_user(r.measures[i], r.objective), r.measures[i].measure, false);
    }
    for (const BaselineResult& b : r.baselines) compare(per_user(b, r.objective), b.baseline, true);
    const std::vector<double> adjusted = holm_adjust(p);
    for (std::size_t i = 0; i < adjusted.size(); ++i) a.comparisons[i].p_holm = adjusted[i];
    return a;
}

bool bootstrap_test(const ExperimentConfig& cfg) { return cfg.report.test == "bootstrap"; }

Comparison paired_test(const ExperimentConfig& cfg, std::span<const double> a,
                       std::span<const double> b) {
    Comparison c;
    c.effect = paired_effect_size(a, b);
    if (bootstrap_test(cfg)) {
        const auto t = paired_bootstrap_test(
            a, b,
            {.n_resamples = static_cast<std::size_t>(cfg.report.bootstrap_samples),
             .seed = cfg.report.seed});
        c.p_value = t.p_value;
    } else {
        const auto t = wilcoxon_signed_rank(a, b);
        c.p_value = t.p_value;
        c.n_nonzero = t.n_nonzero;
    }
    c.p_holm = c.p_value;
    return c;
}

const std::vector<double>* per_user(const MeasureResult& m, const std::string& metric) {
    const auto it = m.per_user.find(metric);
    return it == m.per_user.end() || it->second.empty() ? nullptr : &it->second;
}

const std::vector<double>* per_user(const BaselineResult& b, const std::string& metric) {
    const auto it = b.per_user.find(metric);
    return it == b.per_user.end() || it->second.empty() ? nullptr : &it->second;
}

double test_objective(const MeasureResult& m) { return m.test_metrics.front().second; }

double test_objective(const BaselineResult& b) { return b.test_metrics.front().second; }

}  // namespace knntune::exp::report
