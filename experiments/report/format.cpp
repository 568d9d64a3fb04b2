#include "experiments/report/format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <utility>
#include <variant>

#include "common/text.hpp"
#include "experiments/report/document.hpp"

namespace knntune::exp::report {

std::string model_title(const std::string& model) {
    if (model == "item_knn") return "Item-KNN";
    if (model == "user_knn") return "User-KNN";
    return model;
}

std::string short_number(double v) { return significant(v, 4); }

std::string param_text(const engine::similarity::ParamValue& v) {
    if (const double* d = std::get_if<double>(&v)) return short_number(*d);
    return std::get<std::string>(v);
}

std::string param_list(const engine::similarity::ParamMap& params) {
    std::vector<std::string> parts;
    for (const auto& [name, value] : params) parts.push_back(name + "=" + param_text(value));
    return join(parts, " ");
}

double param_number(const KnnConfig& c, const std::string& name) {
    const auto it = c.params.find(name);
    if (it == c.params.end()) return std::nan("");
    if (const double* d = std::get_if<double>(&it->second)) return *d;
    return std::nan("");
}

std::string baseline_label(const std::string& baseline) { return baseline + " (baseline)"; }

std::string other_params(const KnnConfig& c, const engine::similarity::ParamMap& fixed) {
    engine::similarity::ParamMap other;
    for (const auto& [name, value] : c.params) {
        if (name == "k" || name == "shrink") continue;
        const auto f = fixed.find(name);
        if (f != fixed.end() && f->second == value) continue;
        other.emplace(name, value);
    }
    return other.empty() ? "-" : param_list(other);
}

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

std::string p_value_text(double p, int precision) {
    const std::string text = format_number(p, NumberFormat::PValue, precision);
    return text.front() == '<' ? "p < " + text.substr(1) : "p = " + text;
}

std::string best_so_far_axis(std::span<const Series> lines, bool maximize, PlotParams& p) {
    std::vector<double> all;
    double worst_final = maximize ? std::numeric_limits<double>::infinity()
                                  : -std::numeric_limits<double>::infinity();
    for (const Series& l : lines) {
        double last = std::numeric_limits<double>::quiet_NaN();
        for (double v : l.y) {
            if (!std::isfinite(v)) continue;
            all.push_back(v);
            last = v;
        }
        if (std::isfinite(last)) {
            worst_final = maximize ? std::min(worst_final, last) : std::max(worst_final, last);
        }
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

PlotParams plot_params(std::string title, std::string x_label, std::string y_label) {
    return {.title = std::move(title),
            .x_label = std::move(x_label),
            .y_label = std::move(y_label),
            .width = kPlotWidth,
            .height = kPlotHeight};
}

}  // namespace knntune::exp::report
