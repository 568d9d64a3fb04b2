#include "experiments/report/document.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <string>

#include "common/atomic_file.hpp"
#include "experiments/report/error.hpp"

namespace knntune::exp::report {
namespace {

namespace fs = std::filesystem;

// NOTE: system font stacks only; no web fonts, so the page renders offline.
constexpr const char* kCss = R"css(
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #222; background: #fff; line-height: 1.45; }
main { max-width: 1100px; margin: 0 auto; padding: 1.5rem 2rem 4rem; }
h1 { font-size: 1.7rem; border-bottom: 2px solid #0072B2; padding-bottom: .3rem; }
h2 { font-size: 1.35rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
table { border-collapse: collapse; margin: .8rem 0 1.4rem; font-size: .9rem; }
caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: .3rem; }
th, td { border: 1px solid #d0d0d0; padding: .25rem .6rem; }
th { background: #f3f5f8; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafafa; }
figure { margin: 1rem 0 2rem; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: .9rem; color: #555; }
ul.warnings { background: #fff4e5; border-left: 4px solid #d9822b; padding: .6rem 1rem .6rem 2rem; }
)css";

bool is_numeric(const Cell& c) {
    return std::holds_alternative<double>(c) || std::holds_alternative<std::int64_t>(c);
}

std::string cell_text(const Cell& c, const Column& col) {
    if (const auto* s = std::get_if<std::string>(&c)) return *s;
    if (const auto* d = std::get_if<double>(&c)) {
        return format_number(*d, col.format, col.precision);
    }
    if (const auto* i = std::get_if<std::int64_t>(&c)) return std::to_string(*i);
    return "";
}

/// Replaces every occurrence of `from` in `s` by `to`.
void replace_all(std::string& s, std::string_view from, std::string_view to) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
        s.replace(pos, from.size(), to);
    }
}

/// Figure markup for inline HTML: ids and references to them get a per-figure prefix.
std::string scoped_svg(std::string svg, std::size_t figure) {
    const std::string p = "fig" + std::to_string(figure) + "-";
    replace_all(svg, "id='", "id='" + p);
    replace_all(svg, "id=\"", "id=\"" + p);
    replace_all(svg, "href='#", "href='#" + p);
    replace_all(svg, "href=\"#", "href=\"#" + p);
    replace_all(svg, "url(#", "url(#" + p);
    return svg;
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string markdown_escape(std::string_view text) {
    constexpr std::string_view kSpecial = "\\`*_[]#|!";
    std::string out;
    out.reserve(text.size());
    const std::size_t first = text.find_first_not_of(" \t\r\n");
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n' || c == '\r') {
            out += ' ';
            continue;
        }
        // NOTE: '<', '&' and '>' are escaped only where Markdown would read them as markup, so
        // that "p < 0.05" and "a & b" stay as they are in the Markdown text.
        const char next = i + 1 < text.size() ? text[i + 1] : ' ';
        const bool letter = (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z');
        const bool markup = kSpecial.find(c) != std::string_view::npos ||
                            (c == '<' && (letter || next == '/' || next == '!' || next == '?')) ||
                            (c == '&' && (letter || next == '#')) || (c == '>' && i == first);
        if (markup) out += '\\';
        out += c;
    }
    return out;
}

std::string format_number(double value, NumberFormat format, int precision) {
    if (precision < 0 || precision > 17) {
        throw ReportError("format_number: precision must be in [0, 17], got " +
                          std::to_string(precision));
    }
    if (std::isnan(value)) return "n/a";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    if (format == NumberFormat::PValue && value < std::pow(10.0, -precision) && value >= 0.0) {
        return "<" + format_number(std::pow(10.0, -precision), NumberFormat::Fixed, precision);
    }
    std::array<char, 400> buf{};
    std::to_chars_result res{};
    switch (format) {
        case NumberFormat::Scientific:
            res = std::to_chars(buf.data(), buf.data() + buf.size(), value,
                                std::chars_format::scientific, precision);
            break;
        case NumberFormat::Integer:
            res = std::to_chars(buf.data(), buf.data() + buf.size(), std::round(value),
                                std::chars_format::fixed, 0);
            break;
        case NumberFormat::Fixed:
        case NumberFormat::PValue:
            res = std::to_chars(buf.data(), buf.data() + buf.size(), value,
                                std::chars_format::fixed, precision);
            break;
    }
    std::string s(buf.data(), res.ptr);
    // NOTE: "-0.000" reads as a sign where there is none; print rounded-away negatives as 0.
    if (s.front() == '-' && s.find_first_not_of("-0.", 0) == std::string::npos) s.erase(0, 1);
    if (s.front() == '-' && format == NumberFormat::Scientific && std::stod(s) == 0.0) {
        s.erase(0, 1);
    }
    return s;
}

Document::Document(std::string title) : title_(std::move(title)) {}

Document& Document::heading(std::string text, int level) {
    if (level < 2 || level > 4) {
        throw ReportError("Document::heading '" + text + "': level must be in [2, 4], got " +
                          std::to_string(level));
    }
    blocks_.push_back({.kind = Block::Kind::Heading, .level = level, .text = std::move(text)});
    return *this;
}

Document& Document::paragraph(std::string text) {
    blocks_.push_back({.kind = Block::Kind::Paragraph, .text = std::move(text)});
    return *this;
}

Document& Document::warnings(std::vector<std::string> items) {
    if (!items.empty())
        blocks_.push_back({.kind = Block::Kind::Warnings, .items = std::move(items)});
    return *this;
}

Document& Document::table(Table table) {
    const std::string name = table.caption.empty() ? "(no caption)" : "'" + table.caption + "'";
    if (table.columns.empty()) throw ReportError("Document::table " + name + ": no columns");
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        if (table.rows[r].size() != table.columns.size()) {
            throw ReportError("Document::table " + name + ": row " + std::to_string(r) + " has " +
                              std::to_string(table.rows[r].size()) + " cells, expected " +
                              std::to_string(table.columns.size()));
        }
    }
    for (const Column& c : table.columns) {
        if (c.precision < 0 || c.precision > 17) {
            throw ReportError("Document::table " + name + ": column '" + c.header +
                              "' precision must be in [0, 17]");
        }
    }
    blocks_.push_back({.kind = Block::Kind::Table, .table = std::move(table)});
    return *this;
}

Document& Document::figure(std::string svg, std::string caption) {
    const auto start = svg.find("<svg");
    if (start == std::string::npos) {
        throw ReportError("Document::figure '" + caption + "': no <svg> element in the markup");
    }
    if (svg.find("<script") != std::string::npos) {
        throw ReportError("Document::figure '" + caption +
                          "': the SVG contains a script; the report must stay static");
    }
    svg.erase(0, start);
    while (!svg.empty() && (svg.back() == '\n' || svg.back() == ' ')) svg.pop_back();
    blocks_.push_back(
        {.kind = Block::Kind::Figure, .text = std::move(caption), .svg = std::move(svg)});
    return *this;
}

std::string Document::html() const {
    std::string h;
    h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    h += "<title>" + html_escape(title_) + "</title>\n<style>" + kCss + "</style>\n";
    h += "</head>\n<body>\n<main>\n<h1>" + html_escape(title_) + "</h1>\n";
    std::size_t figure = 0;
    for (const Block& b : blocks_) {
        switch (b.kind) {
            case Block::Kind::Heading: {
                const std::string tag = "h" + std::to_string(b.level);
                h += "<" + tag + ">" + html_escape(b.text) + "</" + tag + ">\n";
                break;
            }
            case Block::Kind::Paragraph:
                h += "<p>" + html_escape(b.text) + "</p>\n";
                break;
            case Block::Kind::Warnings:
                h += "<ul class=\"warnings\">\n";
                for (const auto& w : b.items) {
                    h += "<li><strong>Warning:</strong> " + html_escape(w) + "</li>\n";
                }
                h += "</ul>\n";
                break;
            case Block::Kind::Table: {
                const Table& t = b.table;
                h += "<table>\n";
                if (!t.caption.empty()) h += "<caption>" + html_escape(t.caption) + "</caption>\n";
                h += "<thead><tr>";
                for (const Column& c : t.columns) h += "<th>" + html_escape(c.header) + "</th>";
                h += "</tr></thead>\n<tbody>\n";
                for (const auto& row : t.rows) {
                    h += "<tr>";
                    for (std::size_t i = 0; i < row.size(); ++i) {
                        h += is_numeric(row[i]) ? "<td class=\"num\">" : "<td>";
                        h += html_escape(cell_text(row[i], t.columns[i])) + "</td>";
                    }
                    h += "</tr>\n";
                }
                h += "</tbody>\n</table>\n";
                break;
            }
            case Block::Kind::Figure:
                ++figure;
                h += "<figure>\n" + scoped_svg(b.svg, figure) + "\n<figcaption>Figure " +
                     std::to_string(figure) + ". " + html_escape(b.text) +
                     "</figcaption>\n</figure>\n";
                break;
        }
    }
    h += "</main>\n</body>\n</html>\n";
    return h;
}

std::string Document::markdown(std::string_view figures) const {
    std::string m = "# " + markdown_escape(title_) + "\n";
    std::size_t figure = 0;
    for (const Block& b : blocks_) {
        m += "\n";
        switch (b.kind) {
            case Block::Kind::Heading:
                m += std::string(static_cast<std::size_t>(b.level), '#') + " " +
                     markdown_escape(b.text) + "\n";
                break;
            case Block::Kind::Paragraph:
                m += markdown_escape(b.text) + "\n";
                break;
            case Block::Kind::Warnings:
                for (const auto& w : b.items) m += "- **Warning:** " + markdown_escape(w) + "\n";
                break;
            case Block::Kind::Table: {
                const Table& t = b.table;
                if (!t.caption.empty()) m += "**" + markdown_escape(t.caption) + "**\n\n";
                // A column is right-aligned when it holds numbers (decided by its first row).
                std::string header = "|";
                std::string rule = "|";
                for (std::size_t i = 0; i < t.columns.size(); ++i) {
                    header += " " + markdown_escape(t.columns[i].header) + " |";
                    const bool numeric = !t.rows.empty() && is_numeric(t.rows.front()[i]);
                    rule += numeric ? " ---: |" : " --- |";
                }
                m += header + "\n" + rule + "\n";
                for (const auto& row : t.rows) {
                    m += "|";
                    for (std::size_t i = 0; i < row.size(); ++i) {
                        m += " " + markdown_escape(cell_text(row[i], t.columns[i])) + " |";
                    }
                    m += "\n";
                }
                break;
            }
            case Block::Kind::Figure:
                ++figure;
                m += "![Figure " + std::to_string(figure) + ". " + markdown_escape(b.text) + "](" +
                     std::string(figures) + "/" + figure_name(figure) + ")\n";
                break;
        }
    }
    return m;
}

std::string Document::figure_name(std::size_t i) { return "figure-" + std::to_string(i) + ".svg"; }

void Document::write(const ReportPaths& paths) const {
    std::size_t figure = 0;
    for (const Block& b : blocks_) {
        if (b.kind != Block::Kind::Figure) continue;
        ++figure;
        write_file_atomic(
            paths.figures / figure_name(figure),
            "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"no\"?>\n" + b.svg + "\n");
    }
    write_file_atomic(paths.markdown, markdown(paths.figures.filename().string()));
    write_file_atomic(paths.html, html());
}

}  // namespace knntune::exp::report
