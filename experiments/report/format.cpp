#include "experiments/report/format.hpp"

#include <cmath>
#include <cstdio>
#include <numeric>
#include <utility>
#include <variant>

#include "common/text.hpp"

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

PlotParams plot_params(std::string title, std::string x_label, std::string y_label) {
    return {.title = std::move(title),
            .x_label = std::move(x_label),
            .y_label = std::move(y_label),
            .width = kPlotWidth,
            .height = kPlotHeight};
}

}  // namespace knntune::exp::report
