#pragma once
/// Report plots rendered by gnuplot (Debian `gnuplot-nox`) to SVG.
///
/// Each function writes a gnuplot script and its numeric data files into a fresh temporary
/// folder, runs `gnuplot` on it with the `svg` terminal, and returns the SVG document text
/// (starting with `<?xml`), ready to be embedded with `Document::svg`. The folder is removed
/// afterwards. Text (titles, labels, item names) never goes into data files: it is passed as
/// single-quoted gnuplot strings built by `gnuplot_quote`, and the terminal runs in
/// `noenhanced` mode, so quotes, `&`, `<`, `@`, `_`, `^` and braces print literally; gnuplot
/// itself escapes `&` and `<` in the SVG.
///
/// Colours follow one fixed palette by series position, so the same measure order gives the
/// same colours in every plot. Non-finite values are skipped (a failed trial's NaN score
/// is not plotted). A missing or failing gnuplot throws `ReportError`.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace knntune::exp::report {

/// Options shared by every plot.
struct PlotParams {
    std::string title{};    ///< plot title; empty for none
    std::string x_label{};  ///< x-axis label
    std::string y_label{};  ///< y-axis label
    int width = 720;        ///< SVG width in pixels, in [100, 4000]
    int height = 420;       ///< SVG height in pixels, in [100, 4000]
    bool log_x = false;     ///< logarithmic x axis (all plotted x must be > 0)
    /// Ends of the y axis; unset ends follow the data. Points outside are clipped.
    std::optional<double> y_low{};
    std::optional<double> y_high{};
    std::string gnuplot = "gnuplot";  ///< executable, looked up on PATH unless it has a '/'
};

/// One named line or point set; `x` and `y` have equal length.
struct Series {
    std::string title{};      ///< legend entry, e.g. a measure name
    std::vector<double> x{};  ///< abscissae, e.g. trial numbers or k
    std::vector<double> y{};  ///< ordinates, e.g. scores
};

/// One named line over an optional shaded band, for `plot_bands`. `x` and `y` have equal
/// length, and so do `low` and `high`: either empty (no band) or as long as `x`.
struct Band {
    std::string title{};         ///< legend entry, e.g. a measure name
    std::vector<double> x{};     ///< abscissae, e.g. trial counts
    std::vector<double> y{};     ///< the line, e.g. the median best so far
    std::vector<double> low{};   ///< lower edge of the band at each x; empty for no band
    std::vector<double> high{};  ///< upper edge of the band at each x; empty for no band
};

/// One named sample for a distribution plot.
struct Group {
    std::string label{};           ///< x tick label, e.g. a measure name
    std::vector<double> values{};  ///< observations, e.g. all trial scores of the measure
};

/// A point estimate with its interval for `plot_intervals`.
struct Interval {
    std::string label{};    ///< x tick label
    double estimate = 0.0;  ///< the point
    double lower = 0.0;     ///< lower end of the error bar
    double upper = 0.0;     ///< upper end of the error bar
};

/// Points of a 2-D map (`plot_map`).
struct MapPoints {
    std::vector<double> x{};  ///< size n
    std::vector<double> y{};  ///< size n
    /// Empty, or size n: a category per point; each distinct value gets its own colour and
    /// legend entry, up to `max_categories`, and the rarer ones are merged into "other".
    std::vector<std::string> categories{};
    /// Points to annotate: (index in [0, n), text), e.g. a few well-known item names.
    std::vector<std::pair<std::size_t, std::string>> labels{};
    std::size_t max_categories = 10;  ///< >= 1
};

/// Cumulative best of `values` in order: max (or min when `higher_is_better` is false) of
/// values[0..i]. Non-finite values are ignored; entries before the first finite value are NaN.
/// Example: `Series s{"cosine", trial_numbers, best_so_far(scores, true)};`
std::vector<double> best_so_far(std::span<const double> values, bool higher_is_better);

/// (a) Step lines, one per series, e.g. best-so-far score against trial number.
/// Example: `std::string svg = plot_lines(series, {.title = "Best so far", .x_label = "trial"});`
std::string plot_lines(std::span<const Series> series, const PlotParams& params = {});

/// (a') Step lines as `plot_lines`, each over a translucent band of its own colour between
/// `low` and `high`, drawn in the same step shape as the line (the band of x[i] reaches to
/// x[i+1]). Bands are drawn first, so every line stays visible. Points with a non-finite x, y
/// or edge are skipped. Example: the median best so far over repeats with its min–max band.
std::string plot_bands(std::span<const Band> bands, const PlotParams& params = {});

/// (b) Box plot (quartiles, whiskers to 1.5 IQR) per group, overlaid with every observation
/// jittered horizontally (deterministic jitter). Example: `plot_distribution(groups, p);`
std::string plot_distribution(std::span<const Group> groups, const PlotParams& params = {});

/// (c) Scatter, one colour per series, e.g. score against k with `params.log_x = true`.
/// Example: `plot_scatter(per_measure_k_vs_score, {.x_label = "k", .log_x = true});`
std::string plot_scatter(std::span<const Series> series, const PlotParams& params = {});

/// (d) Point estimates with error bars, one per label, e.g. the test metric per measure with
/// its 95% bootstrap interval. Example: `plot_intervals(cis, {.y_label = "precision@10"});`
std::string plot_intervals(std::span<const Interval> intervals, const PlotParams& params = {});

/// (e) 2-D scatter of a map (e.g. item embeddings), coloured by category when given, with a
/// few labelled points. Example: `plot_map({.x = xs, .y = ys, .labels = {{3, name}}}, p);`
std::string plot_map(const MapPoints& points, const PlotParams& params = {});

/// A single-quoted gnuplot string literal for `text`: `'` doubled, control characters and
/// invalid UTF-8 bytes replaced by a space / `?`. Example: `gnuplot_quote("it's")` → `'it''s'`.
std::string gnuplot_quote(std::string_view text);

/// Runs gnuplot on a script and returns the SVG it wrote. The script must not set a terminal
/// or output: `render_svg` prepends both. Each data file (name, content) is written next to
/// the script; the script refers to it as `'<dir>/<name>'`, with `<dir>` passed via the
/// gnuplot variable `dir` (use `dir.'/name'`). Throws `ReportError` when gnuplot is missing,
/// fails, or writes no SVG; the message carries gnuplot's own error text.
std::string render_svg(const std::string& script,
                       const std::vector<std::pair<std::string, std::string>>& data_files,
                       const PlotParams& params = {});

}  // namespace knntune::exp::report
