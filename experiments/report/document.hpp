#pragma once
/// A small builder for the run report, rendered twice from the same blocks: a self-contained
/// `report.html` (inline CSS, inline SVG figures, no scripts, fonts or network resources, so
/// it opens offline) and a `report.md` whose figures are SVG files in `figures/` next to it.
///
/// All text passed to the builder is plain text: it is escaped for HTML and for Markdown
/// when rendered, so item names with `<`, `&`, `|`, `*` or quotes are safe.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "experiments/run/run_folder.hpp"

namespace knntune::exp::report {

/// How a numeric table cell is printed.
enum class NumberFormat {
    Fixed,       ///< `precision` digits after the point: 0.1235
    Scientific,  ///< `precision` digits after the point, exponent: 1.235e-05
    PValue,      ///< like Fixed, but values below 10^-precision print as "<0.001"
    Integer,     ///< rounded to an integer: 1235
};

/// One table column: header text and how its numbers are printed. Numeric cells are
/// right-aligned, text cells left-aligned.
struct Column {
    std::string header{};                       ///< header text (plain)
    NumberFormat format = NumberFormat::Fixed;  ///< format of double cells
    int precision = 4;                          ///< digits, in [0, 17]
};

/// A table cell: empty, plain text, a real number or an integer.
using Cell = std::variant<std::monostate, std::string, double, std::int64_t>;

/// A table: columns, rows of cells (each row has one cell per column), optional caption.
struct Table {
    std::string caption{};                  ///< shown above the table; empty for none
    std::vector<Column> columns{};          ///< at least one
    std::vector<std::vector<Cell>> rows{};  ///< rows × columns
};

/// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references.
std::string html_escape(std::string_view text);

/// `text` with Markdown punctuation (\ ` * _ [ ] # | !) backslash-escaped and line breaks
/// turned into spaces, so it renders literally inside a paragraph or table cell. `<` is
/// escaped only where it could open an HTML tag or autolink (before an ASCII letter, `/`, `!`
/// or `?`), `&` only where it could open a character reference (before an ASCII letter or
/// `#`), and `>` only as the first non-blank character (a block quote): "p < 0.05",
/// "<0.001" and "a & b" stay as they are.
std::string markdown_escape(std::string_view text);

/// `value` printed per `format` and `precision`; NaN prints as "n/a", infinities as "inf" and
/// "-inf". Independent of the C++ and C locale. Example: `format_number(0.01234, Fixed, 3)`
/// → "0.012"; `format_number(0.0002, PValue, 3)` → "<0.001".
std::string format_number(double value, NumberFormat format, int precision);

/// The report builder. Blocks are kept in insertion order. Example:
/// `Document d("knntune run"); d.heading("Item-KNN").table(t).figure(svg, "Best so far");
///  d.write(RunFolder(dir).report());`
class Document {
  public:
    /// `title` is the page title and the level-1 heading.
    explicit Document(std::string title);

    /// A section heading; `level` in [2, 4] (level 1 is the title).
    Document& heading(std::string text, int level = 2);
    /// A paragraph of plain text.
    Document& paragraph(std::string text);
    /// A list of warnings, each rendered as a bullet starting with a bold "Warning:" so that a
    /// reader cannot miss it; `items` are plain text. Nothing is added when `items` is empty.
    Document& warnings(std::vector<std::string> items);
    /// A table; throws `ReportError` when a row's cell count differs from the column count.
    Document& table(Table table);
    /// An SVG figure (e.g. from `plot_lines`) with a caption. The XML prolog is dropped and
    /// element ids are prefixed per figure so several gnuplot SVGs can share one HTML page.
    /// Throws `ReportError` when `svg` has no `<svg` element or contains a script.
    Document& figure(std::string svg, std::string caption);

    /// The HTML page, UTF-8.
    std::string html() const;
    /// The Markdown page; figure `i` (1-based) links to `FIGURES/figure-<i>.svg`.
    std::string markdown(std::string_view figures = "figures") const;
    /// "figure-<i>.svg".
    static std::string figure_name(std::size_t i);
    /// Writes the HTML page, the Markdown page and `paths.figures/figure-<i>.svg`, each
    /// atomically, creating folders as needed.
    void write(const ReportPaths& paths) const;

  private:
    struct Block {
        enum class Kind { Heading, Paragraph, Warnings, Table, Figure };
        Kind kind = Kind::Paragraph;
        int level = 0;                     ///< heading level
        std::string text{};                ///< heading/paragraph text, figure caption
        std::string svg{};                 ///< figure markup as given, prolog removed
        Table table{};                     ///< table contents
        std::vector<std::string> items{};  ///< warning texts
    };

    std::string title_;
    std::vector<Block> blocks_;
};

}  // namespace knntune::exp::report
