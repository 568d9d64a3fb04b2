#pragma once
/// Grid search over explicit value lists, walking the conditional tree.

#include <map>

#include "tuner/sampler.hpp"

namespace knntune::tuner {

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
    boost::json::object settings() const override;
    ParamValues sample(const SampleContext& ctx) const override;
    bool exhausted(const SearchSpace& space, std::span<const FrozenTrial> history) const override;

    /// All grid points, in enumeration order.
    const std::vector<ParamValues>& points() const { return points_; }

  private:
    std::map<std::string, std::vector<double>> values_;
    std::vector<ParamValues> points_;
};

}  // namespace knntune::tuner
