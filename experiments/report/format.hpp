#pragma once
/// Text helpers shared by the report sections: model titles, lists, parameter values, cut
/// labels, and the size of the figures.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "common/text.hpp"
#include "engine/similarity/params.hpp"
#include "experiments/knn_study.hpp"
#include "experiments/report/plot.hpp"

namespace knntune::exp::report {

inline constexpr int kPlotWidth = 900;   ///< pixels; the HTML column is about 1000 px wide
inline constexpr int kPlotHeight = 430;  ///< pixels, every figure but the item map

/// "Item-KNN" / "User-KNN" for "item_knn" / "user_knn"; any other name unchanged.
[[nodiscard]] std::string model_title(const std::string& model);

using knntune::join;

/// "%.4g" of a number, as KnnConfig::describe() prints parameters.
[[nodiscard]] std::string short_number(double v);

/// A parameter value as text: numbers by `short_number`, strings as they are.
[[nodiscard]] std::string param_text(const engine::similarity::ParamValue& v);

/// "name=value" of each parameter of `params` (map order), joined by spaces; "" when none.
[[nodiscard]] std::string param_list(const engine::similarity::ParamMap& params);

/// A numeric parameter of `c`, NaN when absent or not a number.
[[nodiscard]] double param_number(const KnnConfig& c, const std::string& name);

/// "top_pop (baseline)": how a baseline is named in the rows of the report's tables.
[[nodiscard]] std::string baseline_label(const std::string& baseline);

/// The parameters of `c` other than k, shrink and the `fixed` values: "alpha=0.5 ...", or "-".
[[nodiscard]] std::string other_params(const KnnConfig& c,
                                       const engine::similarity::ParamMap& fixed);

/// At most `max_bytes` (>= 4) of `text`, cut at a UTF-8 character boundary, with "..." when
/// cut.
[[nodiscard]] std::string shorten(const std::string& text, std::size_t max_bytes);

/// The mean of `v`, NaN when empty.
[[nodiscard]] double mean_of(std::span<const double> v);

/// Plot settings of a report figure: title, axis labels, kPlotWidth × kPlotHeight.
[[nodiscard]] PlotParams plot_params(std::string title, std::string x_label, std::string y_label);

}  // namespace knntune::exp::report
