#include "tuner/tpe_sampler.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <numeric>

#include "tuner/error.hpp"
#include "tuner/exp_sum.hpp"
#include "tuner/random_sampler.hpp"

namespace knntune::tuner {

namespace json = boost::json;

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// NOTE: choice keys store the label's index in the enum; these orders must match the labels.
static_assert(static_cast<int>(TpeMode::Joint) == 0 && static_cast<int>(TpeMode::Univariate) == 1);
static_assert(static_cast<int>(WeightScheme::Ramp) == 0 &&
              static_cast<int>(WeightScheme::Uniform) == 1);

constexpr Key<TpeSettings> kTpeKeys[] = {
    choice_key<&TpeSettings::mode>(
        "mode", "joint|univariate",
        "joint: one mixture over the conditional tree; univariate: Optuna 3.1 TPESampler, whose "
        "defaults (TpeSettings::optuna31) replace the ones shown here before the others apply"),
    int_key<&TpeSettings::n_startup_trials>("n_startup_trials", {0, 1e9},
                                            "random trials before the model is used"),
    int_key<&TpeSettings::n_ei_candidates>("n_ei_candidates", {1, 1e9},
                                           "candidates drawn from l(x) per proposal"),
    real_key<&TpeSettings::gamma_ratio>("gamma_ratio", {0, 1, true, false},
                                        "good-set size: min(ceil(gamma_ratio·n), gamma_cap)"),
    int_key<&TpeSettings::gamma_cap>("gamma_cap", {1, 1e9}, "largest good set"),
    bool_key<&TpeSettings::gamma_sqrt>("gamma_sqrt", "use √n instead of n in the good-set size"),
    real_key<&TpeSettings::prior_weight>("prior_weight", {0, kInf, true, false},
                                         "raw weight of the prior kernel (1 per observation)"),
    real_key<&TpeSettings::floor_delta>(
        "floor_delta", {0, 1, false, true},
        "kernel width floor max(Δ, (N+1)^-floor_exponent)·range; 0: Optuna's magic clip"),
    real_key<&TpeSettings::floor_exponent>("floor_exponent", {0, kInf},
                                           "exponent of the width floor"),
    choice_key<&TpeSettings::below_weights>("below_weights", "ramp|uniform",
                                            "weights of the good trials (ramp: Optuna's)"),
    choice_key<&TpeSettings::above_weights>("above_weights", "ramp|uniform",
                                            "weights of the other trials"),
    bool_key<&TpeSettings::constant_liar>("constant_liar",
                                          "Running trials count as bad (spreads a batch)"),
};

constexpr SettingsTable kTpeTable = settings_table<kTpeKeys>();

// Sort key that makes "better" smaller whatever the direction.
double loss(const FrozenTrial& t, Direction d) {
    return d == Direction::Minimize ? t.value : -t.value;
}

}  // namespace

TpeSettings TpeSettings::optuna31(std::uint64_t seed) {
    TpeSettings s;
    s.mode = TpeMode::Univariate;
    s.n_ei_candidates = 24;
    s.prior_weight = 1.0;
    s.floor_delta = 0.0;
    s.below_weights = WeightScheme::Ramp;
    s.constant_liar = false;
    s.seed = seed;
    return s;
}

TpeSettings TpeSettings::from_json(const json::object& o, std::uint64_t seed) {
    return from_checked(check_settings(kTpeTable, o, "tpe"), seed);
}

TpeSettings TpeSettings::from_checked(const CheckedSettings& checked, std::uint64_t seed) {
    const Parsed* mode = checked.find("mode");
    const bool univariate =
        mode != nullptr && static_cast<TpeMode>(mode->choice) == TpeMode::Univariate;
    TpeSettings s = univariate ? optuna31(seed) : TpeSettings{};
    apply_settings(std::span(kTpeKeys), checked, s);
    s.seed = seed;
    return s;
}

json::object TpeSettings::to_json() const {
    json::object o = settings_json(std::span(kTpeKeys), *this);
    o["seed"] = seed;
    return o;
}

KernelSettings TpeSettings::joint_kernels() const {
    KernelSettings k;
    k.prior_weight = prior_weight;
    k.bandwidth = Bandwidth::NeighbourGap;
    // NOTE: the joint model follows current Optuna rather than 3.1: gaps from observations only,
    // kernels that integrate to 1 (they are multiplied across dimensions), and continuous
    // densities for ints (a cell mass costs two erfc per evaluation; at the magic-clip floor the
    // cell is narrower than the kernel, so the density ratio l/g is nearly the same).
    k.prior_in_gaps = false;
    k.normalized = true;
    k.cell_mass = false;
    k.magic_clip = true;
    k.floor_delta = floor_delta;
    k.floor_exponent = floor_exponent;
    return k;
}

ParamValues TpeSampler::sample(const SampleContext& ctx) const {
    Rng rng(s_.seed, static_cast<std::uint64_t>(ctx.number));
    std::vector<const FrozenTrial*> complete, pruned, running;
    for (const FrozenTrial& t : ctx.history) {
        if (t.number == ctx.number) continue;
        if (t.state == TrialState::Complete) complete.push_back(&t);
        if (t.state == TrialState::Pruned) pruned.push_back(&t);
        if (t.state == TrialState::Running && s_.constant_liar) running.push_back(&t);
    }
    const std::size_t n = complete.size() + pruned.size();
    if (n < s_.n_startup_trials || n == 0) {
        ParamValues v = ctx.fixed;
        fill_from_prior(ctx.space, v, rng);
        return v;
    }
    // Rank: Complete by loss, then Pruned with a value by loss, then Pruned without; ties by
    // trial number (the history is in number order and the sort is stable).
    const Direction dir = ctx.direction;
    std::stable_sort(complete.begin(), complete.end(),
                     [dir](auto* a, auto* b) { return loss(*a, dir) < loss(*b, dir); });
    std::stable_sort(pruned.begin(), pruned.end(), [dir](auto* a, auto* b) {
        const bool va = !std::isnan(a->value), vb = !std::isnan(b->value);
        if (va != vb) return va;
        return va && loss(*a, dir) < loss(*b, dir);
    });
    std::vector<const FrozenTrial*> ranked = complete;
    ranked.insert(ranked.end(), pruned.begin(), pruned.end());
    const std::size_t n_below = std::min(s_.split().n_below(n), ranked.size());
    std::vector<const FrozenTrial*> below(ranked.begin(), ranked.begin() + n_below);
    std::vector<const FrozenTrial*> above(ranked.begin() + n_below, ranked.end());
    above.insert(above.end(), running.begin(), running.end());
    const auto by_number = [](auto* a, auto* b) { return a->number < b->number; };
    std::sort(below.begin(), below.end(), by_number);
    std::sort(above.begin(), above.end(), by_number);
    return s_.mode == TpeMode::Joint ? sample_joint(ctx, below, above, rng)
                                     : sample_univariate(ctx, below, above, rng);
}

ParamValues TpeSampler::sample_univariate(const SampleContext& ctx,
                                          const std::vector<const FrozenTrial*>& below,
                                          const std::vector<const FrozenTrial*>& above,
                                          Rng& rng) const {
    KernelSettings ks = KernelSettings::optuna31();
    ks.prior_weight = s_.prior_weight;
    if (s_.floor_delta > 0.0) {
        ks.floor_delta = s_.floor_delta;
        ks.floor_exponent = s_.floor_exponent;
    }
    const SearchSpace& space = ctx.space;
    ParamValues v = ctx.fixed;
    double sampled[1];
    for (std::size_t p = 0; p < space.size(); ++p) {
        if (!space.is_active(p, v)) {
            v[p] = kInactive;
            continue;
        }
        if (!std::isnan(v[p])) continue;
        const Distribution& d = space.param(p).distribution;
        const auto observations = [&](const std::vector<const FrozenTrial*>& side) {
            std::vector<std::vector<double>> obs(1);
            for (const FrozenTrial* t : side) {
                if (!std::isnan(t->params[p])) obs[0].push_back(t->params[p]);
            }
            return obs;
        };
        const auto obs_l = observations(below);
        const auto obs_g = observations(above);
        const std::vector<double> w_l = observation_weights(s_.below_weights, obs_l[0].size());
        const std::vector<double> w_g = observation_weights(s_.above_weights, obs_g[0].size());
        const ParzenEstimator l({d}, obs_l, w_l, ks);
        const ParzenEstimator g({d}, obs_g, w_g, ks);
        double best_score = kNegInf, best = kInactive;
        for (std::size_t c = 0; c < s_.n_ei_candidates; ++c) {
            l.sample(rng, sampled);
            const double score = l.log_pdf(sampled) - g.log_pdf(sampled);
            if (std::isnan(best) || score > best_score) {  // ties: first candidate wins
                best_score = score;
                best = sampled[0];
            }
        }
        v[p] = best;
    }
    return v;
}

namespace {

// ln Σ exp(x_i), skipping terms more than 40 below the maximum (see exp_sum_shifted); the
// skipped exp() calls and the vectorised polynomial make scoring a candidate cheap.
double truncated_log_sum_exp(std::span<const double> x) {
    const double m = *std::max_element(x.begin(), x.end());
    if (!std::isfinite(m)) return m;
    return m + std::log(exp_sum_shifted(x.data(), x.size(), m));
}

/// One side (below or above) of the joint tree mixture.
class TreeMixture {
  public:
    TreeMixture(const SearchSpace& space, const std::vector<const FrozenTrial*>& trials,
                WeightScheme scheme, const KernelSettings& ks)
        : space_(space), n_trials_(trials.size()) {
        std::vector<double> w = observation_weights(scheme, trials.size());
        w.push_back(ks.prior_weight);
        const double total = std::accumulate(w.begin(), w.end(), 0.0);
        weights_.resize(w.size());
        log_weights_.resize(w.size());
        for (std::size_t i = 0; i < w.size(); ++i) {
            weights_[i] = w[i] / total;
            log_weights_[i] = std::log(weights_[i]);
        }
        for (const Block& blk : space.blocks()) {
            BlockModel bm;
            bm.pos.assign(trials.size(), -1);
            for (std::size_t t = 0; t < trials.size(); ++t) {
                bool has = true;
                for (std::size_t p : blk.params) has = has && !std::isnan(trials[t]->params[p]);
                if (!has) continue;
                bm.pos[t] = static_cast<int>(bm.members.size());
                bm.members.push_back(t);
            }
            std::vector<double> mw;
            for (std::size_t t : bm.members) mw.push_back(w[t]);
            mw.push_back(ks.prior_weight);
            const double mt = std::accumulate(mw.begin(), mw.end(), 0.0);
            for (double& x : mw) x /= mt;
            bm.marginal_weights = mw;
            for (double x : mw) bm.marginal_log_weights.push_back(std::log(x));
            std::vector<double> obs(bm.members.size());
            for (std::size_t p : blk.params) {
                for (std::size_t j = 0; j < bm.members.size(); ++j) {
                    obs[j] = trials[bm.members[j]]->params[p];
                }
                bm.kernels.emplace_back(space.param(p).distribution, obs, ks, blk.params.size());
            }
            blocks_.push_back(std::move(bm));
        }
        scratch_.resize(n_trials_ + 1);
    }

    /// ln p(x) for internal values `u` (NaN = inactive); `active[b]` says which blocks count.
    double log_pdf(const std::vector<double>& u, const std::vector<char>& active) {
        std::vector<double>& terms = scratch_;
        const auto& blocks = space_.blocks();
        std::copy(log_weights_.begin(), log_weights_.end(), terms.begin());
        for (std::size_t b = 0; b < blocks.size(); ++b) {
            if (!active[b]) continue;
            BlockModel& bm = blocks_[b];
            const std::size_t m = bm.members.size() + 1;
            if (bm.members.size() == n_trials_) {
                // Every trial has the block: kernel t belongs to trial t and the prior kernel
                // to the prior term, so the kernels add straight into the terms.
                for (std::size_t k = 0; k < blocks[b].params.size(); ++k) {
                    bm.kernels[k].add_log_kernels(u[blocks[b].params[k]], terms);
                }
                continue;
            }
            bm.log_k.assign(m, 0.0);
            for (std::size_t k = 0; k < blocks[b].params.size(); ++k) {
                bm.kernels[k].add_log_kernels(u[blocks[b].params[k]], bm.log_k);
            }
            // Trials that lack the block get its marginal density; members their own kernel.
            bm.sum.resize(m);
            for (std::size_t j = 0; j < m; ++j)
                bm.sum[j] = bm.marginal_log_weights[j] + bm.log_k[j];
            const double marginal = truncated_log_sum_exp(bm.sum);
            for (std::size_t t = 0; t < n_trials_; ++t) {
                terms[t] +=
                    bm.pos[t] >= 0 ? bm.log_k[static_cast<std::size_t>(bm.pos[t])] : marginal;
            }
            terms[n_trials_] += bm.log_k[m - 1];
        }
        return truncated_log_sum_exp(terms);
    }

    /// Draws one configuration, keeping the fixed values, into `v` (external scale).
    void sample(Rng& rng, const ParamValues& fixed, ParamValues& v) const {
        const std::size_t t = rng.choose(weights_);
        v = fixed;
        std::vector<int> chosen(blocks_.size(), -1);
        for (std::size_t p = 0; p < space_.size(); ++p) {
            if (!space_.is_active(p, v)) {
                v[p] = kInactive;
                continue;
            }
            if (!std::isnan(v[p])) continue;
            const Param& param = space_.param(p);
            const BlockModel& bm = blocks_[param.block];
            int j = -1;
            if (t == n_trials_) {
                j = static_cast<int>(bm.members.size());  // the prior kernel
            } else if (bm.pos[t] >= 0) {
                j = bm.pos[t];
            } else {
                if (chosen[param.block] < 0) {
                    chosen[param.block] = static_cast<int>(rng.choose(bm.marginal_weights));
                }
                j = chosen[param.block];
            }
            const auto& blk = space_.blocks()[param.block];
            const std::size_t k = static_cast<std::size_t>(
                std::find(blk.params.begin(), blk.params.end(), p) - blk.params.begin());
            v[p] = param.distribution.to_external(
                bm.kernels[k].sample(static_cast<std::size_t>(j), rng));
        }
    }

  private:
    struct BlockModel {
        std::vector<std::size_t> members;   ///< positions of the side's trials having the block
        std::vector<int> pos;               ///< per side trial: index in members, or −1
        std::vector<ParamKernels> kernels;  ///< per block parameter; members + prior kernels
        std::vector<double> marginal_weights, marginal_log_weights;
        std::vector<double> log_k, sum;  ///< scratch
    };
    const SearchSpace& space_;
    std::size_t n_trials_;
    std::vector<double> weights_, log_weights_;
    std::vector<BlockModel> blocks_;
    std::vector<double> scratch_;
};

}  // namespace

ParamValues TpeSampler::sample_joint(const SampleContext& ctx,
                                     const std::vector<const FrozenTrial*>& below,
                                     const std::vector<const FrozenTrial*>& above, Rng& rng) const {
    const SearchSpace& space = ctx.space;
    const KernelSettings ks = s_.joint_kernels();
    TreeMixture l(space, below, s_.below_weights, ks);
    TreeMixture g(space, above, s_.above_weights, ks);
    ParamValues cand(space.size()), best;
    std::vector<double> u(space.size());
    std::vector<char> active(space.blocks().size());
    double best_score = kNegInf;
    for (std::size_t c = 0; c < s_.n_ei_candidates; ++c) {
        l.sample(rng, ctx.fixed, cand);
        for (std::size_t p = 0; p < space.size(); ++p) {
            u[p] =
                std::isnan(cand[p]) ? kInactive : space.param(p).distribution.to_internal(cand[p]);
        }
        for (std::size_t b = 0; b < active.size(); ++b) {
            active[b] = space.is_active(space.blocks()[b].params.front(), cand) ? 1 : 0;
        }
        const double score = l.log_pdf(u, active) - g.log_pdf(u, active);
        if (best.empty() || score > best_score) {  // ties: first candidate wins
            best_score = score;
            best = cand;
        }
    }
    return best;
}

extern constinit const SamplerEntry kTpeSampler = {
    "tpe",
    "Tree-structured Parzen Estimator (Bergstra et al. 2011): joint tree mode or Optuna 3.1 "
    "univariate mode",
    kTpeTable,
    [](const CheckedSettings& checked, std::uint64_t seed,
       const SearchSpace&) -> std::unique_ptr<Sampler> {
        return std::make_unique<TpeSampler>(TpeSettings::from_checked(checked, seed));
    },
};

}  // namespace knntune::tuner
