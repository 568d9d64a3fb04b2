#pragma once
// Command-line options of the benchmark programs: "--name value" pairs.

#include <functional>
#include <map>
#include <string>

namespace knntune::bench {

/// Option name ("--seeds") → what to do with its value.
using OptionSetters = std::map<std::string, std::function<void(const std::string&)>>;

/// A setter that stores the value as given.
inline std::function<void(const std::string&)> store(std::string& out) {
    return [&out](const std::string& v) { out = v; };
}

/// A setter that stores the value as an int (`std::stoi`: throws on text that is not one).
inline std::function<void(const std::string&)> store(int& out) {
    return [&out](const std::string& v) { out = std::stoi(v); };
}

/// Applies the "--name value" pairs of `argv` through `setters`. Returns the first argument
/// that is not a known name followed by a value, or an empty string when all were applied.
inline std::string apply_options(int argc, char** argv, const OptionSetters& setters) {
    for (int i = 1; i < argc; i += 2) {
        const auto it = setters.find(argv[i]);
        if (it == setters.end() || i + 1 >= argc) return argv[i];
        it->second(argv[i + 1]);
    }
    return {};
}

}  // namespace knntune::bench
