// Grid search over explicit value lists, walking the conditional tree (registered as "grid").

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "tuner/error.hpp"
#include "tuner/sampler.hpp"

namespace knntune::tuner {

namespace {

namespace json = boost::json;

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

/// Enumerates the tree of grid points in declaration order (the last parameter varies
/// fastest; a branch's parameters combine only under their own branch). Each trial takes the
/// first point that no earlier trial used; when all are used the grid is exhausted and
/// further trials cycle through it by trial number.
class GridSampler final : public Sampler {
  public:
    /// `values`: key → external values. Categoricals default to all choices and ints with at
    /// most 100 grid points to all of them; every other active parameter needs a list.
    /// Throws `SettingsError` naming the parameter.
    GridSampler(const SearchSpace& space, std::map<std::string, std::vector<double>> values);

    std::string_view name() const override { return "grid"; }
    json::object settings() const override;
    ParamValues sample(const SampleContext& ctx) const override;
    bool exhausted(const SearchSpace& space, std::span<const FrozenTrial> history) const override;

    /// All grid points, in enumeration order.
    const std::vector<ParamValues>& points() const { return points_; }

  private:
    std::map<std::string, std::vector<double>> values_;
    std::vector<ParamValues> points_;
};

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

json::object GridSampler::settings() const {
    json::object values;
    for (const auto& [key, list] : values_) {
        json::array a;
        for (double v : list) a.emplace_back(v);
        values[key] = std::move(a);
    }
    json::object o;
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

// The scalar settings of the grid; its value lists are the JSON setting "values".
struct GridSettings {
    std::size_t n_points = 0;
};

constexpr Key<GridSettings> kGridKeys[] = {
    int_key<&GridSettings::n_points>(
        "n_points", {0, 1e9},
        "number of grid points the value lists must give (recorded in the log, so that "
        "recorded settings re-check their grid); 0: not checked"),
};

constexpr JsonSetting kGridJson[] = {
    {"values", "{key: [value, ...]}", "{}",
     "values per parameter key (labels or indices for categoricals); categoricals and ints "
     "with at most 100 values default to all of them"},
};

// Key → external values, from the JSON setting "values".
std::map<std::string, std::vector<double>> value_lists(const json::value* given,
                                                       const SearchSpace& space) {
    std::map<std::string, std::vector<double>> values;
    if (given == nullptr) return values;
    if (!given->is_object()) {
        throw SettingsError("grid setting 'values' must be an object {key: [value, ...]}");
    }
    for (const auto& pv : given->as_object()) {
        const std::string key(pv.key());
        const Distribution& d = space.param(space.index_of(key)).distribution;
        if (!pv.value().is_array()) {
            throw SettingsError("grid values of '" + key + "' must be an array");
        }
        for (const json::value& v : pv.value().as_array()) {
            if (d.is_categorical() && v.is_string()) {
                auto it = std::find(d.choices.begin(), d.choices.end(), v.as_string());
                if (it == d.choices.end()) {
                    throw SettingsError("grid value '" + std::string(v.as_string()) + "' of '" +
                                        key + "' is not a choice");
                }
                values[key].push_back(static_cast<double>(it - d.choices.begin()));
            } else if (v.is_number()) {
                values[key].push_back(json::value_to<double>(v));
            } else {
                throw SettingsError("grid values of '" + key + "' must be numbers or labels");
            }
        }
    }
    return values;
}

std::unique_ptr<Sampler> make_grid(const CheckedSettings& checked, std::uint64_t,
                                   const SearchSpace& space) {
    GridSettings s;
    apply_settings(std::span(kGridKeys), checked, s);
    auto grid = std::make_unique<GridSampler>(
        space, value_lists(checked.json.if_contains("values"), space));
    if (s.n_points != 0 && s.n_points != grid->points().size()) {
        throw SettingsError("grid setting 'n_points' = " + std::to_string(s.n_points) +
                            ", but the value lists give " + std::to_string(grid->points().size()) +
                            " grid points");
    }
    return grid;
}

}  // namespace

extern constinit const SamplerEntry kGridSampler = {
    "grid",
    "Grid search over value lists, walking the conditional tree; stops when exhausted",
    settings_table<kGridKeys>(kGridJson),
    make_grid,
};

}  // namespace knntune::tuner
