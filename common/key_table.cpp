#include "common/key_table.hpp"

#include <charconv>

#include "common/text.hpp"

namespace knntune {

std::vector<std::string_view> split_choices(std::string_view choices) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start <= choices.size()) {
        const std::size_t end = std::min(choices.find('|', start), choices.size());
        out.push_back(choices.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string value_text(const KeyInfo& info, const Value& value) {
    if (const std::string* text = std::get_if<std::string>(&value)) return *text;
    const double v = std::get<double>(value);
    switch (info.type) {
        case KeyType::Bool:
            return v != 0 ? "true" : "false";
        case KeyType::Choice: {
            const auto all = split_choices(info.choices);
            const auto i = static_cast<std::size_t>(v);
            return i < all.size() ? std::string(all[i]) : short_number(v);
        }
        case KeyType::Int:
        case KeyType::Real:
            break;
    }
    return short_number(v);
}

std::string bounds_text(const KeyInfo& info) {
    switch (info.type) {
        case KeyType::Bool:
            return "true|false";
        case KeyType::Choice:
            return std::string(info.choices);
        case KeyType::Int:
        case KeyType::Real:
            break;
    }
    const Bounds& b = info.bounds;
    std::string text = b.low_open || std::isinf(b.low) ? "(" : "[";
    text += short_number(b.low) + ", " + short_number(b.high);
    text += b.high_open || std::isinf(b.high) ? ")" : "]";
    return text;
}

std::string search_text(const KeyInfo& info) {
    if (!info.search) return {};
    return "tuned over [" + short_number(info.search->low) + ", " +
           short_number(info.search->high) + "]" + (info.search->log ? ", log scale" : "");
}

namespace {

bool parse_double(std::string_view text, double& out) {
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end;
}

}  // namespace

std::optional<std::string> check_value(const KeyInfo& info, const Value& value,
                                       std::string_view where_view, Parsed& out) {
    const std::string where(where_view);
    const std::string* text = std::get_if<std::string>(&value);
    switch (info.type) {
        case KeyType::Choice: {
            const auto all = split_choices(info.choices);
            for (std::size_t i = 0; i < all.size() && text != nullptr; ++i) {
                if (all[i] == *text) {
                    out.choice = i;
                    return std::nullopt;
                }
            }
            return where + ": expected one of " + join(all);
        }
        case KeyType::Bool: {
            if (text == nullptr) {
                out.number = std::get<double>(value);
                if (out.number != 0 && out.number != 1) return where + ": expected true or false";
            } else if (*text == "true" || *text == "1") {
                out.number = 1;
            } else if (*text == "false" || *text == "0") {
                out.number = 0;
            } else {
                return where + ": expected true or false, got '" + printable(*text, kEchoBytes) +
                       "'";
            }
            return std::nullopt;
        }
        case KeyType::Int:
        case KeyType::Real:
            break;
    }
    double v = 0;
    if (text == nullptr) {
        v = std::get<double>(value);
    } else if (!parse_double(*text, v)) {
        return where + ": expected a number, got '" + printable(*text, kEchoBytes) + "'";
    }
    if (std::isnan(v)) return where + ": value is NaN";
    if (info.type == KeyType::Int && v != std::floor(v)) {
        return where + ": expected an integer, got " + short_number(v);
    }
    if (!info.bounds.contains(v)) {
        return where + " = " + short_number(v) + " is out of range " + bounds_text(info);
    }
    out.number = v;
    return std::nullopt;
}

}  // namespace knntune
