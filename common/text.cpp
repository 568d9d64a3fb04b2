#include "common/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace knntune {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1);
    std::vector<std::size_t> cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t substitute = prev[j - 1] + (a[i - 1] != b[j - 1] ? 1U : 0U);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitute});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::optional<std::string_view> nearest_name(std::span<const std::string_view> names,
                                             std::string_view name, std::size_t max_distance) {
    std::optional<std::string_view> best;
    std::size_t best_distance = max_distance;
    for (std::string_view n : names) {
        const std::size_t d = edit_distance(name, n);
        if (d < best_distance) {
            best_distance = d;
            best = n;
        }
    }
    return best;
}

std::vector<std::string> split(std::string_view text, char separator) {
    std::vector<std::string> out(1);
    for (char c : text) {
        if (c == separator) {
            out.emplace_back();
        } else {
            out.back() += c;
        }
    }
    return out;
}

std::string significant(double v, int digits) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    return buf;
}

namespace {

/// The length of the well-formed UTF-8 sequence at `text[i]` with its code point in `cp`, or
/// minus the length of the maximal ill-formed subpart there (at least one byte).
int utf8_sequence(std::string_view text, std::size_t i, char32_t& cp) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    cp = b0;
    if (b0 < 0x80) return 1;
    int n = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        n = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        n = 3;
        if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
        if (b0 == 0xED) hi = 0x9F;  // no surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        n = 4;
        if (b0 == 0xF0) lo = 0x90;  // no overlong forms
        if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
        return -1;
    }
    cp = b0 & (0x7F >> n);
    for (int k = 1; k < n; ++k) {
        if (i + k >= text.size()) return -k;
        const auto b = static_cast<unsigned char>(text[i + k]);
        if (b < lo || b > hi) return -k;
        lo = 0x80;
        hi = 0xBF;
        cp = (cp << 6) | (b & 0x3F);
    }
    return n;
}

void append_hex(std::string& out, const char* prefix, unsigned value, int digits) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%s%0*X", prefix, digits, value);
    out += buf;
}

/// Appends the character `cp` (bytes `bytes`) to `out`, escaped when it is a control.
void append_printable(std::string& out, char32_t cp, std::string_view bytes) {
    if (cp == '\n') {
        out += "\\n";
    } else if (cp == '\r') {
        out += "\\r";
    } else if (cp == '\t') {
        out += "\\t";
    } else if (cp < 0x20 || cp == 0x7F) {
        append_hex(out, "\\x", cp, 2);
    } else if ((cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029) {
        append_hex(out, "\\u", cp, 4);
    } else {
        out += bytes;
    }
}

}  // namespace

std::size_t invalid_utf8_at(std::string_view text) {
    char32_t cp = 0;
    for (std::size_t i = 0; i < text.size();) {
        const int n = utf8_sequence(text, i, cp);
        if (n < 0) return i;
        i += static_cast<std::size_t>(n);
    }
    return std::string_view::npos;
}

std::string replace_invalid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    char32_t cp = 0;
    for (std::size_t i = 0; i < text.size();) {
        const int n = utf8_sequence(text, i, cp);
        if (n > 0) {
            out.append(text.substr(i, static_cast<std::size_t>(n)));
            i += static_cast<std::size_t>(n);
        } else {
            out += "\xEF\xBF\xBD";  // U+FFFD
            i += static_cast<std::size_t>(-n);
        }
    }
    return out;
}

std::string printable(std::string_view text, std::size_t max_bytes) {
    std::string out;
    char32_t cp = 0;
    std::size_t i = 0;
    while (i < text.size() && (max_bytes == 0 || i < max_bytes)) {
        const int n = utf8_sequence(text, i, cp);
        if (n > 0) {
            append_printable(out, cp, text.substr(i, static_cast<std::size_t>(n)));
            i += static_cast<std::size_t>(n);
        } else {
            for (int k = 0; k < -n; ++k) {
                append_hex(out, "\\x", static_cast<unsigned char>(text[i + k]), 2);
            }
            i += static_cast<std::size_t>(-n);
        }
    }
    if (i < text.size()) out += "... (" + std::to_string(text.size()) + " bytes)";
    return out;
}

std::string short_number(double v) {
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    std::ostringstream s;
    s << v;
    return s.str();
}

}  // namespace knntune
