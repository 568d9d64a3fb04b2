/// The Item map section: the PCA map of the best item-item similarity matrix's columns of the
/// most popular items (docs/report.md, "Item map").

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/csr.hpp"
#include "experiments/report/embedding.hpp"
#include "experiments/report/format.hpp"
#include "experiments/report/plot.hpp"
#include "experiments/report/sections/sections.hpp"

namespace knntune::exp::report {
namespace {

constexpr std::size_t kMapLabels = 8;    ///< most popular items named on the map
constexpr std::size_t kLabelBytes = 30;  ///< longest map label, in bytes (UTF-8 safe cut)
/// Two map labels are kept apart by at least one of these shares of the axis ranges.
constexpr double kLabelSpacingX = 0.25;
constexpr double kLabelSpacingY = 0.05;
constexpr int kMapHeight = 680;  ///< pixels

/// The `n` items with the most training interactions (ties by id), those with at least one.
std::vector<engine::Index> popular_items(const engine::CsrMatrix& train, std::size_t n) {
    const std::vector<engine::Offset> counts = engine::column_counts(train);
    std::vector<engine::Index> items;
    for (engine::Index i = 0; i < static_cast<engine::Index>(counts.size()); ++i) {
        if (counts[i] > 0) items.push_back(i);
    }
    std::stable_sort(items.begin(), items.end(),
                     [&](engine::Index a, engine::Index b) { return counts[a] > counts[b]; });
    if (items.size() > n) items.resize(n);
    return items;
}

/// The columns of `sim` of the chosen items, each scaled to unit length, as a CSR matrix
/// (rows: all items, the features; columns: `items`, in that order).
struct UnitColumns {
    std::vector<std::int64_t> indptr{0};
    std::vector<std::int32_t> indices{};
    std::vector<float> values{};
};

// NOTE: without the scaling, the few items with large similarity columns span the first
// axes and every other item sits in one clump at the origin; unit columns make the map
// show which items share neighbours (cosine geometry), not how strongly they are linked.
UnitColumns unit_columns(const engine::CsrMatrix& sim, const std::vector<engine::Index>& items) {
    std::vector<std::int32_t> column_of(static_cast<std::size_t>(sim.cols), -1);
    for (std::size_t j = 0; j < items.size(); ++j) {
        column_of[items[j]] = static_cast<std::int32_t>(j);
    }
    std::vector<double> norm(items.size(), 0.0);
    for (std::size_t e = 0; e < sim.indices.size(); ++e) {
        const std::int32_t j = column_of[sim.indices[e]];
        if (j >= 0) norm[j] += static_cast<double>(sim.values[e]) * sim.values[e];
    }
    for (double& n : norm) n = n > 0.0 ? std::sqrt(n) : 1.0;
    UnitColumns out;
    for (engine::Index r = 0; r < sim.rows; ++r) {
        const auto cols = sim.row_indices(r);
        const auto vals = sim.row_values(r);
        for (std::size_t e = 0; e < cols.size(); ++e) {
            const std::int32_t j = column_of[cols[e]];
            if (j < 0) continue;
            out.indices.push_back(j);
            out.values.push_back(static_cast<float>(vals[e] / norm[j]));
        }
        out.indptr.push_back(static_cast<std::int64_t>(out.indices.size()));
    }
    return out;
}

/// The display name of item `i`: its name, else its key.
const std::string& item_name(const DataSummary& d, engine::Index i) {
    return i < static_cast<engine::Index>(d.item_names.size()) && !d.item_names[i].empty()
               ? d.item_names[i]
               : d.item_keys[i];
}

/// Labels the most popular items (`items` order), skipping one that would sit on an earlier
/// label; returns the full names of the labelled items.
std::vector<std::string> label_points(const DataSummary& d, const std::vector<engine::Index>& items,
                                      MapPoints& points) {
    const auto [x_min, x_max] = std::minmax_element(points.x.begin(), points.x.end());
    const auto [y_min, y_max] = std::minmax_element(points.y.begin(), points.y.end());
    const double x_span = std::max(*x_max - *x_min, 1e-12);
    const double y_span = std::max(*y_max - *y_min, 1e-12);
    std::vector<std::string> named;
    for (std::size_t j = 0; j < items.size() && points.labels.size() < kMapLabels; ++j) {
        const bool crowded =
            std::any_of(points.labels.begin(), points.labels.end(), [&](const auto& label) {
                const double dx = (points.x[j] - points.x[label.first]) / x_span;
                const double dy = (points.y[j] - points.y[label.first]) / y_span;
                return std::abs(dx) < kLabelSpacingX && std::abs(dy) < kLabelSpacingY;
            });
        if (crowded) continue;
        const std::string& name = item_name(d, items[j]);
        points.labels.emplace_back(j, shorten(name, kLabelBytes));
        named.push_back(name);
    }
    return named;
}

/// The map's points: coordinates, the item attribute as category, labels.
MapPoints map_points(const DataSummary& d, const std::vector<engine::Index>& items,
                     const Embedding& e, std::vector<std::string>& named) {
    MapPoints points;
    for (std::size_t j = 0; j < items.size(); ++j) {
        points.x.push_back(e.coords(static_cast<Eigen::Index>(j), 0));
        points.y.push_back(e.coords(static_cast<Eigen::Index>(j), 1));
    }
    if (!d.item_attributes.empty()) {
        for (const engine::Index i : items) {
            const std::string& a = d.item_attributes[i];
            points.categories.push_back(a.empty() ? "(none)" : a);
        }
    }
    named = label_points(d, items, points);
    return points;
}

/// The paragraph saying how the map was made and what it shows.
std::string map_text(const engine::SimilarityModel& model, std::size_t n_items, const Embedding& e,
                     bool coloured, const std::vector<std::string>& named) {
    auto percent = [](double share) {
        return format_number(100.0 * share, NumberFormat::Fixed, 1) + "%";
    };
    return "Each item is embedded by its column of the best item-item similarity matrix (" +
           model.measure + ", " + std::to_string(model.similarity.nnz()) +
           " stored similarities): which items count it among their neighbours, and how "
           "strongly. The map is the principal component analysis (PCA) of the columns of the " +
           std::to_string(n_items) +
           " items with the most train interactions, each column scaled to unit length so that "
           "items sharing neighbours land close together whatever their popularity, computed by "
           "a seeded randomized truncated SVD with Eigen (Halko, Martinsson & Tropp 2011). PCA "
           "was chosen over UMAP because it needs nothing outside Debian, is deterministic for a "
           "seed, and can be reproduced with numpy from the model file. The two axes explain " +
           percent(e.explained_variance_ratio(0)) + " and " +
           percent(e.explained_variance_ratio(1)) + " of the variance (" +
           percent(e.explained_variance_ratio.sum()) +
           " together); items far apart on the map can still be neighbours in the dimensions it "
           "leaves out. " +
           (coloured ? "Colours are the configured item attribute (the rarest values merged into "
                       "\"other\"). "
                     : "No item attribute is configured (data.item_metadata.attribute), so the "
                       "points have one colour. ") +
           "Labelled: " + join(named, "; ") +
           " (the most popular items, skipping those whose label would overlap another).";
}

}  // namespace

void item_map_section(Document& doc, const ReportInput& input) {
    // NOTE: a drawn section of its own switch: `report.embedding` turns off the map alone.
    if (!input.config.report.embedding) return;
    doc.heading("Item map");
    if (!input.item_model) {
        doc.paragraph("No item-KNN model file in the run folder, so there is no item map.");
        return;
    }
    const engine::SimilarityModel& model = *input.item_model;
    const engine::CsrMatrix& sim = model.similarity;
    const auto n_points =
        static_cast<std::size_t>(std::max<std::int64_t>(input.config.report.embedding_points, 0));
    const std::vector<engine::Index> items = popular_items(model.train, n_points);
    if (items.size() < 3 || sim.rows < 2) {
        doc.paragraph("Fewer than three items with training interactions, so there is no map.");
        return;
    }
    const UnitColumns unit = unit_columns(sim, items);
    const Embedding e = embed_columns({.rows = sim.rows,
                                       .cols = static_cast<std::int64_t>(items.size()),
                                       .indptr = unit.indptr,
                                       .indices = unit.indices,
                                       .values = unit.values},
                                      {.n_components = 2, .seed = input.config.report.seed});
    std::vector<std::string> named;
    const MapPoints points = map_points(input.data, items, e, named);
    const bool coloured = !input.data.item_attributes.empty();
    doc.paragraph(map_text(model, items.size(), e, coloured, named));
    doc.figure(plot_map(points, {.title = "Item map (" + model.measure + " similarity, PCA)",
                                 .x_label = "PC 1",
                                 .y_label = "PC 2",
                                 .width = kPlotWidth,
                                 .height = kMapHeight}),
               "PCA map of the similarity columns of the " + std::to_string(items.size()) +
                   " most popular items" + (coloured ? ", coloured by item attribute." : "."));
}

}  // namespace knntune::exp::report
