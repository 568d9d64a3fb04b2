#pragma once
/// Where the reference outputs the tests reproduce are found.
///
/// The default suite stands alone: the similarity cases on the two synthetic inputs and the
/// Parzen-estimator vectors are vendored, gzip-compressed, under tests/fixtures/reference/
/// (tests/fixtures/README.md). The MovieLens-derived similarity cases are not redistributable;
/// they are read from ../shared/reference/ beside the checkout, and skipped with a message
/// when that folder is absent.

#include <zlib.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

namespace knntune::test {

/// The vendored file `rel` (a path below tests/fixtures/reference/), compressed or not:
/// `rel.gz` is returned when it is the one that exists.
inline std::string fixture(const std::string& rel) {
    const std::filesystem::path base =
        std::filesystem::path(KNNTUNE_SOURCE_DIR) / "tests/fixtures/reference";
    const std::filesystem::path gz = base / (rel + ".gz");
    return std::filesystem::exists(gz) ? gz.string() : (base / rel).string();
}

/// `rel` below ../shared/reference/, or an empty string when that file is absent.
inline std::string shared_reference(const std::string& rel) {
    const std::filesystem::path p = std::filesystem::path(KNNTUNE_SHARED_DIR) / "reference" / rel;
    return std::filesystem::exists(p) ? p.string() : std::string();
}

/// The whole content of `path`, decompressed when it is gzip (zlib reads plain files as is).
/// Fails the test when the file cannot be read.
inline std::string read_text(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    INFO("reading " << path);
    REQUIRE(f != nullptr);
    std::string out;
    char buf[1 << 16];
    int n = 0;
    while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    const bool ok = n == 0;
    gzclose(f);
    REQUIRE(ok);
    return out;
}

/// Whether ../shared/reference is beside the checkout; warns once per call when it is not.
inline bool shared_present() {
    if (std::filesystem::exists(std::filesystem::path(KNNTUNE_SHARED_DIR) / "reference"))
        return true;
    WARN("../shared/reference absent: the vendored fixtures are not compared with it");
    return false;
}

/// Whether the vendored copy of `rel` holds the same text as ../shared/reference/`rel`, lines
/// starting with `drop_prefix` (when not empty) left out of the shared one; false when the
/// shared file is missing.
inline bool matches_shared(const std::string& rel, const std::string& drop_prefix = "") {
    const std::string shared = shared_reference(rel);
    if (shared.empty()) return false;
    std::string expected;
    const std::string text = read_text(shared);
    for (size_t pos = 0; pos < text.size();) {
        const size_t end = std::min(text.find('\n', pos), text.size() - 1) + 1;
        const std::string line = text.substr(pos, end - pos);
        if (drop_prefix.empty() || line.rfind(drop_prefix, 0) != 0) expected += line;
        pos = end;
    }
    return read_text(fixture(rel)) == expected;
}

}  // namespace knntune::test
