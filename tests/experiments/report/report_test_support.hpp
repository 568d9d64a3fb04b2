#pragma once
/// Helpers of the report tests: reading a file, counting occurrences, changing the working
/// directory for a scope.

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace knntune::test {

/// The whole content of `p` (bytes as they are), "" when it cannot be read.
inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Non-overlapping occurrences of `needle` in `text`.
inline std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos;
         pos = text.find(needle, pos + needle.size())) {
        ++n;
    }
    return n;
}

/// Changes the working directory for its lifetime.
class CurrentPath {
  public:
    explicit CurrentPath(const std::filesystem::path& p) : old_(std::filesystem::current_path()) {
        std::filesystem::current_path(p);
    }
    ~CurrentPath() { std::filesystem::current_path(old_); }
    CurrentPath(const CurrentPath&) = delete;
    CurrentPath& operator=(const CurrentPath&) = delete;

  private:
    std::filesystem::path old_;
};

}  // namespace knntune::test
