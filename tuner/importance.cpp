#include "tuner/importance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

#include "common/text.hpp"
#include "tuner/error.hpp"
#include "tuner/parzen.hpp"

namespace knntune::tuner {

namespace {

// NOTE: Scott widths rather than the neighbour gaps of the TPE sampler: the global set holds
// many trials, and neighbour gaps would shrink its kernels to the clip floor, so its density
// (and the ratio p_local/p_global) would follow the sampling noise of the trial positions.
// Kernels are normalised so that a numeric estimator is a density, and observations weigh the
// same.
KernelSettings importance_kernels(double prior_weight) {
    KernelSettings s;
    s.prior_weight = prior_weight;
    s.bandwidth = Bandwidth::Scott;
    s.prior_in_gaps = false;
    s.normalized = true;
    s.cell_mass = true;
    return s;
}

// The internal points at which a parameter's two densities are compared: the choice indices
// of a categorical, the grid values of a linear int or stepped float with at most `n_grid` of
// them (whose cell-mass kernels then give a probability per value), else the midpoints of
// `n_grid` equal cells of the internal domain.
std::vector<double> evaluation_points(const Distribution& d, std::size_t n_grid) {
    std::vector<double> u;
    if (d.is_categorical()) {
        for (std::size_t c = 0; c < d.n_choices(); ++c) u.push_back(static_cast<double>(c));
        return u;
    }
    if (d.is_stepped() && !d.log && static_cast<std::size_t>(d.n_grid_points()) <= n_grid) {
        for (std::int64_t m = 0; m < d.n_grid_points(); ++m)
            u.push_back(d.low + static_cast<double>(m) * d.step);
        return u;
    }
    const double a = d.internal_low(), b = d.internal_high();
    const double h = (b - a) / static_cast<double>(n_grid);
    for (std::size_t j = 0; j < n_grid; ++j) u.push_back(a + (static_cast<double>(j) + 0.5) * h);
    return u;
}

// ln of the mixture fitted on `external` (uniform weights plus the prior), at each point.
std::vector<double> log_density(const Distribution& d, std::span<const double> external,
                                std::span<const double> points, const KernelSettings& s) {
    const std::vector<double> ones(external.size(), 1.0);
    const ParzenEstimator est({d}, {std::vector<double>(external.begin(), external.end())}, ones,
                              s);
    std::vector<double> log_w(est.n_kernels());
    for (std::size_t i = 0; i < log_w.size(); ++i) log_w[i] = std::log(est.weights()[i]);
    std::vector<double> out(points.size()), terms(log_w.size());
    for (std::size_t j = 0; j < points.size(); ++j) {
        terms = log_w;
        est.kernels(0).add_log_kernels(points[j], terms);
        out[j] = log_sum_exp(terms);
    }
    return out;
}

// Loss that makes "better" smaller whatever the direction.
double loss(const FrozenTrial& t, Direction d) {
    return d == Direction::Minimize ? t.value : -t.value;
}

// The usable trials (Complete, non-NaN value, in the subset) best first, ties by number.
std::vector<const FrozenTrial*> ranked_trials(std::span<const FrozenTrial> trials,
                                              Direction direction,
                                              std::optional<std::size_t> where_param,
                                              double where_choice) {
    std::vector<const FrozenTrial*> kept;
    for (const FrozenTrial& t : trials) {
        if (t.state != TrialState::Complete || std::isnan(t.value)) continue;
        if (where_param && !(t.params[*where_param] == where_choice)) continue;
        kept.push_back(&t);
    }
    std::stable_sort(kept.begin(), kept.end(),
                     [direction](const FrozenTrial* a, const FrozenTrial* b) {
                         const double la = loss(*a, direction), lb = loss(*b, direction);
                         return la != lb ? la < lb : a->number < b->number;
                     });
    return kept;
}

// Index of the subset's categorical and the index of its choice; none without a subset.
std::optional<std::pair<std::size_t, double>> resolve_subset(const SearchSpace& space,
                                                             const PedAnovaParams& p) {
    if (p.where_key.empty()) return std::nullopt;
    const std::size_t i = space.index_of(p.where_key);
    const Distribution& d = space.param(i).distribution;
    if (!d.is_categorical()) {
        throw SettingsError("importance subset: '" + p.where_key + "' is " + d.describe() +
                            ", not a categorical");
    }
    const auto it = std::find(d.choices.begin(), d.choices.end(), p.where_choice);
    if (it == d.choices.end()) {
        throw SettingsError("importance subset: '" + p.where_choice + "' is not a choice of '" +
                            p.where_key + "' (" + d.describe() + ")");
    }
    return std::make_pair(i, static_cast<double>(it - d.choices.begin()));
}

// One parameter's importance over the ranked trials.
ParamImportance evaluate(const SearchSpace& space, std::size_t index,
                         std::span<const FrozenTrial* const> ranked, const PedAnovaParams& p) {
    ParamImportance r;
    r.index = index;
    r.key = space.param(index).key;
    std::vector<double> values;
    for (const FrozenTrial* t : ranked) {
        if (!std::isnan(t->params[index])) values.push_back(t->params[index]);
    }
    const std::size_t cap = std::numeric_limits<std::size_t>::max();
    r.n_trials = values.size();
    r.n_local = SplitRule{p.local_quantile, cap, false}.n_below(r.n_trials);
    r.n_global = std::max(r.n_local, SplitRule{p.global_quantile, cap, false}.n_below(r.n_trials));
    if (r.n_local < p.min_local) return r;
    const Distribution& d = space.param(index).distribution;
    const KernelSettings s = importance_kernels(p.prior_weight);
    const std::vector<double> points = evaluation_points(d, p.n_grid);
    const std::span<const double> all(values);
    const std::vector<double> local = log_density(d, all.first(r.n_local), points, s);
    const std::vector<double> global = log_density(d, all.first(r.n_global), points, s);
    r.evaluated = true;
    r.raw = pearson_divergence(local, global);
    return r;
}

}  // namespace

void PedAnovaParams::validate() const {
    const auto fail = [](const std::string& what) { throw SettingsError("importance: " + what); };
    if (!(local_quantile > 0.0 && local_quantile < 1.0)) {
        fail("local quantile must be in (0, 1), got " + short_number(local_quantile));
    }
    if (!(global_quantile > local_quantile && global_quantile <= 1.0)) {
        fail("global quantile must be in (local quantile, 1] = (" + short_number(local_quantile) +
             ", 1], got " + short_number(global_quantile));
    }
    if (min_local < 1) fail("min_local must be at least 1");
    if (n_grid < 2) fail("n_grid must be at least 2, got " + std::to_string(n_grid));
    if (!(prior_weight > 0.0 && std::isfinite(prior_weight))) {
        fail("prior weight must be positive and finite, got " + short_number(prior_weight));
    }
    if (where_key.empty() != where_choice.empty()) {
        fail("a subset needs both a categorical key and one of its choices");
    }
}

double pearson_divergence(std::span<const double> log_local, std::span<const double> log_global) {
    KNNTUNE_ASSERT(!log_local.empty() && log_local.size() == log_global.size());
    const double zl = log_sum_exp(log_local), zg = log_sum_exp(log_global);
    double sum = 0.0;
    for (std::size_t j = 0; j < log_local.size(); ++j) {
        const double lg = log_global[j] - zg, ll = log_local[j] - zl;
        if (std::isinf(lg) && lg < 0.0) {
            if (!(std::isinf(ll) && ll < 0.0)) return std::numeric_limits<double>::infinity();
            continue;
        }
        const double excess = std::exp(ll - lg) - 1.0;
        sum += std::exp(lg) * excess * excess;
    }
    return sum;
}

std::vector<ParamImportance> ped_anova(const SearchSpace& space,
                                       std::span<const FrozenTrial> trials, Direction direction,
                                       const PedAnovaParams& params) {
    params.validate();
    const auto subset = resolve_subset(space, params);
    for (const FrozenTrial& t : trials) KNNTUNE_ASSERT(t.params.size() == space.size());
    const std::vector<const FrozenTrial*> ranked =
        ranked_trials(trials, direction, subset ? std::optional(subset->first) : std::nullopt,
                      subset ? subset->second : 0.0);
    std::vector<ParamImportance> out;
    for (std::size_t i = 0; i < space.size(); ++i) {
        if (subset && i == subset->first) continue;
        out.push_back(evaluate(space, i, ranked, params));
    }
    double total = 0.0;
    for (const ParamImportance& r : out) total += r.evaluated ? r.raw : 0.0;
    for (ParamImportance& r : out) {
        if (r.evaluated) r.share = total > 0.0 ? r.raw / total : 0.0;
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const ParamImportance& a, const ParamImportance& b) {
                         if (a.evaluated != b.evaluated) return a.evaluated;
                         return a.evaluated && a.raw > b.raw;
                     });
    return out;
}

}  // namespace knntune::tuner
