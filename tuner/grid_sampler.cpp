#include "tuner/grid_sampler.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <functional>
#include <set>

#include "tuner/error.hpp"

namespace knntune::tuner {

namespace {

bool same_point(const ParamValues& a, const ParamValues& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::isnan(a[i]) != std::isnan(b[i])) return false;
        if (!std::isnan(a[i]) && a[i] != b[i]) return false;
    }
    return true;
}

// NOTE: the point must agree with every fixed (enqueued) value.
bool matches_fixed(const ParamValues& point, const ParamValues& fixed) {
    for (std::size_t i = 0; i < point.size(); ++i) {
        if (!std::isnan(fixed[i]) && point[i] != fixed[i]) return false;
    }
    return true;
}

}  // namespace

GridSampler::GridSampler(const SearchSpace& space,
                         std::map<std::string, std::vector<double>> values)
    : values_(std::move(values)) {
    for (const auto& [key, list] : values_) (void)space.index_of(key);
    std::vector<std::vector<double>> lists(space.size());
    for (std::size_t i = 0; i < space.size(); ++i) {
        const Param& p = space.param(i);
        const Distribution& d = p.distribution;
        if (auto it = values_.find(p.key); it != values_.end()) {
            if (it->second.empty()) {
                throw SettingsError("grid sampler: empty value list for '" + p.key + "'");
            }
            std::set<double> seen;
            for (double v : it->second) {
                if (!d.contains(v)) {
                    throw SettingsError("grid sampler: value " + std::to_string(v) + " of '" +
                                        p.key + "' is not in " + d.describe());
                }
                if (!seen.insert(v).second) {
                    throw SettingsError("grid sampler: duplicate value " + std::to_string(v) +
                                        " for '" + p.key + "'");
                }
            }
            lists[i] = it->second;
        } else if (d.is_categorical() ||
                   (d.kind == DistributionKind::Int && d.n_grid_points() <= 100)) {
            for (std::int64_t m = 0; m < d.n_grid_points(); ++m) {
                lists[i].push_back(d.is_categorical() ? static_cast<double>(m)
                                                      : d.low + static_cast<double>(m) * d.step);
            }
        } else {
            throw SettingsError("grid sampler: no value list for '" + p.key + "' (" + d.describe() +
                                "); give one under settings.values");
        }
    }
    ParamValues point(space.size(), kInactive);
    std::function<void(std::size_t)> walk = [&](std::size_t i) {
        if (i == space.size()) {
            points_.push_back(point);
            return;
        }
        if (!space.is_active(i, point)) {
            point[i] = kInactive;
            walk(i + 1);
            return;
        }
        for (double v : lists[i]) {
            point[i] = v;
            walk(i + 1);
        }
        point[i] = kInactive;
    };
    walk(0);
}

boost::json::object GridSampler::settings() const {
    boost::json::object values;
    for (const auto& [key, list] : values_) {
        boost::json::array a;
        for (double v : list) a.emplace_back(v);
        values[key] = std::move(a);
    }
    boost::json::object o;
    o["values"] = std::move(values);
    o["n_points"] = points_.size();
    return o;
}

ParamValues GridSampler::sample(const SampleContext& ctx) const {
    for (const ParamValues& p : points_) {
        if (!matches_fixed(p, ctx.fixed)) continue;
        bool used = false;
        for (const FrozenTrial& t : ctx.history) {
            if (same_point(t.params, p)) {
                used = true;
                break;
            }
        }
        if (!used) return p;
    }
    // Exhausted: cycle deterministically, keeping fixed values.
    ParamValues p = points_[static_cast<std::size_t>(ctx.number) % points_.size()];
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (!std::isnan(ctx.fixed[i])) p[i] = ctx.fixed[i];
    }
    ctx.space.deactivate(p);
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (ctx.space.is_active(i, p) && std::isnan(p[i])) {
            throw SettingsError(
                "grid sampler: enqueued values select a branch the grid does "
                "not cover ('" +
                ctx.space.param(i).key + "' has no value)");
        }
    }
    return p;
}

bool GridSampler::exhausted(const SearchSpace&, std::span<const FrozenTrial> history) const {
    std::size_t used = 0;
    for (const ParamValues& p : points_) {
        for (const FrozenTrial& t : history) {
            if (same_point(t.params, p)) {
                ++used;
                break;
            }
        }
    }
    return used == points_.size();
}

}  // namespace knntune::tuner
