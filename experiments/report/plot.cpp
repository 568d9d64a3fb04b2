#include "experiments/report/plot.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "common/random.hpp"
#include "experiments/report/error.hpp"

extern char** environ;  // NOLINT: POSIX, passed to posix_spawnp

namespace knntune::exp::report {
namespace {

namespace fs = std::filesystem;

/// Fixed series palette (colour-blind friendly, after Okabe & Ito 2008), cycled.
constexpr std::array<const char*, 10> kPalette = {
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7",
    "#56B4E9", "#F0E442", "#000000", "#999999", "#882255",
};

/// A temporary folder removed on scope exit.
class TempDir {
  public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "knntune-plot-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) {
            throw ReportError("plot: cannot create a temporary folder from " + tmpl + ": " +
                              std::strerror(errno));
        }
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

void write_file(const fs::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary);
    out << content;
    out.close();
    if (!out) throw ReportError("plot: cannot write " + path.string());
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Shortest round-trip text of a finite double, independent of the locale.
void append_number(std::string& out, double v) {
    std::array<char, 32> buf{};
    const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    out.append(buf.data(), res.ptr);
}

std::string number(double v) {
    std::string s;
    append_number(s, v);
    return s;
}

void check_params(const PlotParams& p, const char* func) {
    if (p.width < 100 || p.width > 4000 || p.height < 100 || p.height > 4000) {
        throw ReportError(std::string(func) + ": size must be in [100, 4000] pixels, got " +
                          std::to_string(p.width) + " x " + std::to_string(p.height));
    }
    const bool bad_low = p.y_low && !std::isfinite(*p.y_low);
    const bool bad_high = p.y_high && !std::isfinite(*p.y_high);
    if (bad_low || bad_high || (p.y_low && p.y_high && !(*p.y_low < *p.y_high))) {
        throw ReportError(std::string(func) +
                          ": the y axis ends must be finite with y_low < y_high");
    }
}

/// The checks of a plot over `n` categories (x positions 1..n): valid params, at least one
/// category (`what`: "groups", "intervals"), and a linear x axis.
void check_category_plot(const PlotParams& p, const char* func, std::size_t n, const char* what) {
    check_params(p, func);
    if (n == 0) throw ReportError(std::string(func) + ": no " + what + " to plot");
    if (p.log_x) throw ReportError(std::string(func) + ": log_x is not supported");
}

/// A number as gnuplot reads it back exactly.
std::string exact_number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

/// Common header: palette, title, axis labels, grid, log axis.
std::string preamble(const PlotParams& p) {
    std::string s;
    for (std::size_t i = 0; i < kPalette.size(); ++i) {
        s += "set linetype " + std::to_string(i + 1) + " lc rgb '" + kPalette[i] +
             "' lw 1.5 pt 7 ps 0.6\n";
    }
    s += "set linetype cycle " + std::to_string(kPalette.size()) + "\n";
    if (!p.title.empty()) s += "set title " + gnuplot_quote(p.title) + "\n";
    if (!p.x_label.empty()) s += "set xlabel " + gnuplot_quote(p.x_label) + "\n";
    if (!p.y_label.empty()) s += "set ylabel " + gnuplot_quote(p.y_label) + "\n";
    s += "set grid lc rgb '#dddddd'\nset border lc rgb '#555555'\n";
    s += "set key outside right top box lc rgb '#cccccc'\n";
    if (p.log_x) s += "set logscale x\n";
    if (p.y_low || p.y_high) {
        s += "set yrange [" + (p.y_low ? exact_number(*p.y_low) : "*") + ":" +
             (p.y_high ? exact_number(*p.y_high) : "*") + "]\n";
    }
    return s;
}

/// `set xtics (...)` naming positions 1..n.
template <typename T, typename Label>
std::string category_xtics(std::span<const T> items, Label label) {
    std::string s = "set xtics (";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) s += ", ";
        s += gnuplot_quote(label(items[i])) + " " + std::to_string(i + 1);
    }
    s += ") rotate by -30 left\nset xrange [0.4:" + std::to_string(items.size()) + ".6]\n";
    return s;
}

/// The only record of a block without finite points.
///
/// NOTE: gnuplot collapses a run of blank lines (comment lines do not break it) into one block
/// separator, so a block with no record would vanish and shift `index` of every later block
/// onto the wrong data. A record of undefined values keeps the block and draws nothing.
constexpr const char* kEmptyRecord = "NaN NaN\n";

/// Data file holding one block per series (separated by two blank lines, for `index i`).
std::string series_blocks(std::span<const Series> series, const char* func, bool log_x) {
    std::string data;
    for (std::size_t si = 0; si < series.size(); ++si) {
        const Series& s = series[si];
        if (s.x.size() != s.y.size()) {
            throw ReportError(std::string(func) + ": series '" + s.title + "' has " +
                              std::to_string(s.x.size()) + " x values but " +
                              std::to_string(s.y.size()) + " y values");
        }
        data += "# " + std::to_string(si) + "\n";
        bool any = false;
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
            any = true;
            if (log_x && s.x[i] <= 0.0) {
                throw ReportError(std::string(func) + ": log_x needs x > 0, but series '" +
                                  s.title + "' has x = " + number(s.x[i]) + " at position " +
                                  std::to_string(i));
            }
            append_number(data, s.x[i]);
            data += ' ';
            append_number(data, s.y[i]);
            data += '\n';
        }
        if (!any) data += kEmptyRecord;
        data += "\n\n";
    }
    return data;
}

bool has_finite_point(const Series& s) {
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
        if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) return true;
    }
    return false;
}

/// Plot of one block per series with `style`; series without finite points are left out
/// (gnuplot refuses an empty block).
std::string series_plot(std::span<const Series> series, const PlotParams& params, const char* func,
                        const std::string& style) {
    check_params(params, func);
    if (series.empty()) throw ReportError(std::string(func) + ": no series to plot");
    const std::string data = series_blocks(series, func, params.log_x);
    std::string script = preamble(params);
    std::string clauses;
    for (std::size_t i = 0; i < series.size(); ++i) {
        if (!has_finite_point(series[i])) continue;
        clauses += (clauses.empty() ? "plot " : ", \\\n     ");
        clauses += "dir.'/series.dat' index " + std::to_string(i) + " using 1:2 " + style + " lt " +
                   std::to_string(i + 1) + " title " + gnuplot_quote(series[i].title);
    }
    if (clauses.empty()) {
        throw ReportError(std::string(func) + ": no series has a finite point to plot");
    }
    script += clauses + "\n";
    return render_svg(script, {{"series.dat", data}}, params);
}

/// Data block of the band of `b` in step shape: each finite (x, low, high) row, followed by
/// the next finite x at the same edges, so the band's edges step where the line does.
std::string band_block(const Band& b, const char* func) {
    if (b.low.size() != b.high.size() || (!b.low.empty() && b.low.size() != b.x.size())) {
        throw ReportError(std::string(func) + ": band '" + b.title + "' has " +
                          std::to_string(b.x.size()) + " x values but " +
                          std::to_string(b.low.size()) + " low and " +
                          std::to_string(b.high.size()) + " high values");
    }
    std::vector<std::array<double, 3>> rows;
    for (std::size_t i = 0; i < b.low.size(); ++i) {
        if (std::isfinite(b.x[i]) && std::isfinite(b.low[i]) && std::isfinite(b.high[i])) {
            rows.push_back({b.x[i], b.low[i], b.high[i]});
        }
    }
    std::string data;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        for (std::size_t at = i; at <= i + 1 && at < rows.size(); ++at) {
            append_number(data, rows[at][0]);
            data += ' ';
            append_number(data, rows[i][1]);
            data += ' ';
            append_number(data, rows[i][2]);
            data += '\n';
        }
    }
    return data;
}

/// The category of each point of `points`: its position in `names` (filled here), the most
/// frequent first (ties by name), the rarest merged into "other" beyond `max_categories`;
/// one category "items" when there are none.
std::vector<std::size_t> map_categories(const MapPoints& points, std::vector<std::string>& names) {
    const std::size_t n = points.x.size();
    std::vector<std::size_t> cat(n, 0);
    if (points.categories.empty()) {
        names.push_back("items");
        return cat;
    }
    std::map<std::string, std::size_t> counts;
    for (const auto& c : points.categories) ++counts[c];
    std::vector<std::pair<std::string, std::size_t>> order(counts.begin(), counts.end());
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    const bool fold = order.size() > points.max_categories;
    const std::size_t kept = fold ? points.max_categories - 1 : order.size();
    std::map<std::string, std::size_t> slot;
    for (std::size_t i = 0; i < order.size(); ++i) {
        slot[order[i].first] = std::min(i, kept);
        if (i < kept) names.push_back(order[i].first);
    }
    if (fold) names.push_back("other");
    for (std::size_t i = 0; i < n; ++i) cat[i] = slot[points.categories[i]];
    return cat;
}

}  // namespace

std::string gnuplot_quote(std::string_view text) {
    std::string out = "'";
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        // Length of a valid UTF-8 sequence starting here, 0 when invalid.
        std::size_t len = 0;
        if (c < 0x80) {
            len = 1;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
        }
        bool valid = len > 0 && i + len <= text.size();
        for (std::size_t k = 1; valid && k < len; ++k) {
            valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
        }
        if (!valid) {
            out += '?';
            ++i;
        } else if (len == 1 && (c < 0x20 || c == 0x7F)) {
            out += ' ';
            ++i;
        } else if (c == '\'') {
            out += "''";
            ++i;
        } else {
            out.append(text.substr(i, len));
            i += len;
        }
    }
    out += "'";
    return out;
}

std::string render_svg(const std::string& script,
                       const std::vector<std::pair<std::string, std::string>>& data_files,
                       const PlotParams& params) {
    check_params(params, "render_svg");
    const TempDir dir;
    for (const auto& [name, content] : data_files) {
        if (name.empty() || name.find('/') != std::string::npos) {
            throw ReportError("render_svg: data file name '" + name + "' must be a plain name");
        }
        write_file(dir.path() / name, content);
    }
    const fs::path svg_path = dir.path() / "plot.svg";
    const fs::path script_path = dir.path() / "plot.gp";
    const fs::path log_path = dir.path() / "gnuplot.log";
    std::string full = "set encoding utf8\n";
    full += "set terminal svg size " + std::to_string(params.width) + "," +
            std::to_string(params.height) + " noenhanced font 'sans,11' background '#ffffff'\n";
    full += "set output " + gnuplot_quote(svg_path.string()) + "\n";
    full += "dir = " + gnuplot_quote(dir.path().string()) + "\n";
    full += script;
    full += "\nunset output\n";
    write_file(script_path, full);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::string exe = params.gnuplot;
    std::string script_arg = script_path.string();
    std::array<char*, 3> argv = {exe.data(), script_arg.data(), nullptr};
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc == ENOENT) {
        throw ReportError("plot: gnuplot executable '" + params.gnuplot +
                          "' not found; install the Debian package gnuplot-nox "
                          "(scripts/install-deps.sh) or set PlotParams::gnuplot");
    }
    if (rc != 0) {
        throw ReportError("plot: cannot start '" + params.gnuplot + "': " + std::strerror(rc));
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            throw ReportError("plot: waitpid failed: " + std::string(std::strerror(errno)));
        }
    }
    std::string log = read_file(log_path);
    while (!log.empty() && std::isspace(static_cast<unsigned char>(log.back()))) log.pop_back();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        // NOTE: a spawned-but-missing program (posix_spawnp may report exec failure as exit
        // status 127 instead of ENOENT) lands here too; the message then says so.
        const bool missing = WIFEXITED(status) && WEXITSTATUS(status) == 127 && log.empty();
        throw ReportError(missing ? "plot: gnuplot executable '" + params.gnuplot +
                                        "' not found; install the Debian package gnuplot-nox "
                                        "(scripts/install-deps.sh) or set PlotParams::gnuplot"
                                  : "plot: gnuplot failed on " + script_path.filename().string() +
                                        ": " + log);
    }
    std::string svg = read_file(svg_path);
    if (svg.find("<svg") == std::string::npos) {
        throw ReportError("plot: gnuplot wrote no SVG" + (log.empty() ? "" : ": " + log));
    }
    return svg;
}

std::vector<double> best_so_far(std::span<const double> values, bool higher_is_better) {
    std::vector<double> out(values.size(), std::numeric_limits<double>::quiet_NaN());
    double best = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double v = values[i];
        if (std::isfinite(v) && (std::isnan(best) || (higher_is_better ? v > best : v < best))) {
            best = v;
        }
        out[i] = best;
    }
    return out;
}

std::string plot_lines(std::span<const Series> series, const PlotParams& params) {
    return series_plot(series, params, "plot_lines", "with steps");
}

std::string plot_scatter(std::span<const Series> series, const PlotParams& params) {
    return series_plot(series, params, "plot_scatter", "with points");
}

std::string plot_bands(std::span<const Band> bands, const PlotParams& params) {
    constexpr const char* kFunc = "plot_bands";
    check_params(params, kFunc);
    if (bands.empty()) throw ReportError(std::string(kFunc) + ": no bands to plot");
    std::vector<Series> lines;
    std::string band_data;
    std::string band_clauses;
    for (std::size_t i = 0; i < bands.size(); ++i) {
        lines.push_back({bands[i].title, bands[i].x, bands[i].y});
        const std::string block = band_block(bands[i], kFunc);
        band_data += "# " + std::to_string(i) + "\n" + (block.empty() ? kEmptyRecord : block);
        band_data += "\n\n";
        if (block.empty()) continue;
        band_clauses += "dir.'/bands.dat' index " + std::to_string(i) +
                        " using 1:2:3 with filledcurves fillstyle transparent solid 0.2 "
                        "noborder lt " +
                        std::to_string(i + 1) + " notitle, \\\n     ";
    }
    const std::string line_data = series_blocks(lines, kFunc, params.log_x);
    std::string clauses;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (!has_finite_point(lines[i])) continue;
        clauses += (clauses.empty() ? "" : ", \\\n     ");
        clauses += "dir.'/series.dat' index " + std::to_string(i) + " using 1:2 with steps lt " +
                   std::to_string(i + 1) + " title " + gnuplot_quote(lines[i].title);
    }
    if (clauses.empty()) {
        throw ReportError(std::string(kFunc) + ": no line has a finite point to plot");
    }
    const std::string script = preamble(params) + "plot " + band_clauses + clauses + "\n";
    return render_svg(script, {{"series.dat", line_data}, {"bands.dat", band_data}}, params);
}

std::string plot_distribution(std::span<const Group> groups, const PlotParams& params) {
    constexpr const char* kFunc = "plot_distribution";
    check_category_plot(params, kFunc, groups.size(), "groups");
    // Block i: "value jittered_x" rows of group i.
    std::string data;
    knntune::Rng rng(12345);  // fixed: the jitter is cosmetic and must be reproducible
    std::string clauses;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        data += "# " + std::to_string(g) + "\n";
        bool any = false;
        for (const double v : groups[g].values) {
            if (!std::isfinite(v)) continue;
            any = true;
            append_number(data, v);
            data += ' ';
            append_number(data, static_cast<double>(g + 1) + 0.3 * (rng.uniform_open() - 0.5));
            data += '\n';
        }
        if (!any) data += kEmptyRecord;
        data += "\n\n";
        if (!any) continue;
        const std::string lt = std::to_string(g + 1);
        const std::string block = "dir.'/groups.dat' index " + std::to_string(g);
        clauses += (clauses.empty() ? "plot " : ", \\\n     ");
        clauses += block + " using (" + std::to_string(g + 1) + "):1 with boxplot lt " + lt +
                   " lc rgb '#555555' notitle, \\\n     " + block + " using 2:1 with points lt " +
                   lt + " notitle";
    }
    if (clauses.empty()) throw ReportError(std::string(kFunc) + ": no finite value to plot");
    std::string script = preamble(params);
    script += "set style boxplot nooutliers\nset style fill empty\nset boxwidth 0.5\n";
    script += "unset key\n";
    script += category_xtics(groups, [](const Group& g) { return g.label; });
    script += clauses + "\n";
    return render_svg(script, {{"groups.dat", data}}, params);
}

std::string plot_intervals(std::span<const Interval> intervals, const PlotParams& params) {
    constexpr const char* kFunc = "plot_intervals";
    check_category_plot(params, kFunc, intervals.size(), "intervals");
    std::string data;
    for (std::size_t i = 0; i < intervals.size(); ++i) {
        const Interval& iv = intervals[i];
        if (!std::isfinite(iv.estimate) || !std::isfinite(iv.lower) || !std::isfinite(iv.upper) ||
            iv.lower > iv.upper) {
            throw ReportError(std::string(kFunc) + ": interval '" + iv.label +
                              "' must be finite with lower <= upper (got " + number(iv.lower) +
                              " .. " + number(iv.upper) + ")");
        }
        data += std::to_string(i + 1) + ' ';
        append_number(data, iv.estimate);
        data += ' ';
        append_number(data, iv.lower);
        data += ' ';
        append_number(data, iv.upper);
        data += '\n';
    }
    std::string script = preamble(params);
    script += "unset key\nset offsets 0, 0, graph 0.05, graph 0.05\n";
    script += category_xtics(intervals, [](const Interval& iv) { return iv.label; });
    script += "plot dir.'/intervals.dat' using 1:2:3:4 with yerrorbars lt 1 ps 1.0 notitle\n";
    return render_svg(script, {{"intervals.dat", data}}, params);
}

std::string plot_map(const MapPoints& points, const PlotParams& params) {
    constexpr const char* kFunc = "plot_map";
    check_params(params, kFunc);
    const std::size_t n = points.x.size();
    if (points.y.size() != n) {
        throw ReportError(std::string(kFunc) + ": x has " + std::to_string(n) +
                          " values but y has " + std::to_string(points.y.size()));
    }
    if (!points.categories.empty() && points.categories.size() != n) {
        throw ReportError(std::string(kFunc) + ": categories has " +
                          std::to_string(points.categories.size()) + " values, expected " +
                          std::to_string(n));
    }
    if (points.max_categories < 1) {
        throw ReportError(std::string(kFunc) + ": max_categories must be >= 1");
    }
    for (const auto& [index, text] : points.labels) {
        if (index >= n) {
            throw ReportError(std::string(kFunc) + ": label '" + text + "' points at index " +
                              std::to_string(index) + ", but there are " + std::to_string(n) +
                              " points");
        }
    }

    std::vector<std::string> names;
    const std::vector<std::size_t> cat = map_categories(points, names);

    std::string data;
    std::vector<bool> non_empty(names.size(), false);
    for (std::size_t c = 0; c < names.size(); ++c) {
        data += "# " + std::to_string(c) + "\n";
        for (std::size_t i = 0; i < n; ++i) {
            if (cat[i] != c || !std::isfinite(points.x[i]) || !std::isfinite(points.y[i])) {
                continue;
            }
            non_empty[c] = true;
            append_number(data, points.x[i]);
            data += ' ';
            append_number(data, points.y[i]);
            data += '\n';
        }
        if (!non_empty[c]) data += kEmptyRecord;
        data += "\n\n";
    }
    std::string clauses;
    for (std::size_t c = 0; c < names.size(); ++c) {
        if (!non_empty[c]) continue;
        clauses += (clauses.empty() ? "plot " : ", \\\n     ");
        clauses += "dir.'/map.dat' index " + std::to_string(c) + " using 1:2 with points lt " +
                   std::to_string(c + 1) + " title " + gnuplot_quote(names[c]);
    }
    if (clauses.empty()) throw ReportError(std::string(kFunc) + ": no finite point to plot");

    std::string script = preamble(params);
    if (points.categories.empty()) script += "unset key\n";
    int tag = 1;
    for (const auto& [index, text] : points.labels) {
        if (!std::isfinite(points.x[index]) || !std::isfinite(points.y[index])) continue;
        script += "set label " + std::to_string(tag++) + " " + gnuplot_quote(text) + " at " +
                  number(points.x[index]) + "," + number(points.y[index]) +
                  " point pt 6 ps 1.2 offset 0.6,0.6 font ',9' front\n";
    }
    script += clauses + "\n";
    return render_svg(script, {{"map.dat", data}}, params);
}

}  // namespace knntune::exp::report
