#pragma once
/// Text helpers shared by the report sections: model titles, lists, parameter values, p-values,
/// cut labels, the size of the figures and the axis of best-so-far plots.

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

/// A p-value for a sentence: "p = 0.0123", or "p < 0.0001" when it prints below
/// 10^-precision (as `NumberFormat::PValue` cells print "<0.0001").
[[nodiscard]] std::string p_value_text(double p, int precision = 4);

/// Sets the y axis of a best-so-far plot of `lines` so that one poor early trial does not
/// squash every line into the top of the plot. With at least 8 finite points, the axis starts
/// (maximize; ends when minimizing) just beyond the lower (upper) quartile of all the lines'
/// points or the worst line's final best, whichever is worse, so every line's best stays in
/// view. Returns a sentence for the caption when that cuts points off, else "".
[[nodiscard]] std::string best_so_far_axis(std::span<const Series> lines, bool maximize,
                                           PlotParams& p);

/// Plot settings of a report figure: title, axis labels, kPlotWidth × kPlotHeight.
[[nodiscard]] PlotParams plot_params(std::string title, std::string x_label, std::string y_label);

}  // namespace knntune::exp::report
