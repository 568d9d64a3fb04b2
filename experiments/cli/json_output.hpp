#pragma once
/// Machine-readable output of the commands (`--format json`, and `knntune evaluate`): one
/// JSON document on standard output, written by Boost.JSON. Numbers are JSON numbers, a
/// missing number (NaN) or text is null; docs/cli.md documents each command's fields.

#include <boost/json.hpp>
#include <cmath>
#include <iostream>
#include <string>

namespace knntune::cli {

/// A number, or null when it is missing (NaN) or not finite.
[[nodiscard]] inline boost::json::value json_number(double x) {
    if (!std::isfinite(x)) return nullptr;
    return x;
}

/// A text, or null when it is empty (an unknown name, no error).
[[nodiscard]] inline boost::json::value json_text(const std::string& s) {
    if (s.empty()) return nullptr;
    return boost::json::string(s);
}

/// Prints `v` as one line on standard output.
inline void print_json(const boost::json::value& v) {
    std::cout << boost::json::serialize(v) << "\n";
}

}  // namespace knntune::cli
